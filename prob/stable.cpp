// log_mean_exp and the sum over event dimensions, written with autodiff ops so they differentiate. docs/prob.md.
#include "prob/stable.hpp"

#include <cmath>
#include <vector>

namespace tg::prob {

Tensor log_mean_exp(const Tensor& x, std::int64_t axis, bool keepdim, std::source_location where) {
  if (!x.defined()) fail("log_mean_exp", "x is an undefined Tensor");
  if (axis < -x.dim() || axis >= x.dim())
    fail("log_mean_exp", "axis " + std::to_string(axis) + " is out of range for x of shape " + shape_str(x.shape()));
  const std::int64_t n = x.size(axis);
  if (n == 0) fail("log_mean_exp", "axis " + std::to_string(axis) + " of " + shape_str(x.shape()) + " is empty");
  // log (1/n) sum exp(x_i) = logsumexp(x) - log n
  return add_scalar(logsumexp(x, axis, keepdim, where), -std::log(static_cast<double>(n)), where);
}

Tensor sum_event(const Tensor& x, int event_dims, std::source_location where) {
  if (event_dims == 0) return x;
  if (event_dims < 0 || event_dims > x.dim())
    fail("sum_event", "event_dims is " + std::to_string(event_dims) + ", but x is " + shape_str(x.shape()));
  std::vector<std::int64_t> axes;
  for (int k = 1; k <= event_dims; ++k) axes.push_back(-k);
  return sum(x, axes, false, where);
}

Shape join_shapes(const Shape& sample_shape, const Shape& shape) {
  Shape out = sample_shape;
  out.insert(out.end(), shape.begin(), shape.end());
  return out;
}

Shape drop_event(const Shape& shape, int event_dims) {
  if (event_dims < 0 || static_cast<std::size_t>(event_dims) > shape.size())
    fail("drop_event", "event_dims is " + std::to_string(event_dims) + ", but must be in [0, " +
                           std::to_string(shape.size()) + "] for shape " + shape_str(shape));
  return Shape(shape.begin(), shape.end() - event_dims);
}

}  // namespace tg::prob
