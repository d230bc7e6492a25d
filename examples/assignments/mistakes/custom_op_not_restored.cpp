// Exercise custom_op, a known slip (the grader must name it): the element moved by -h is not put back before the next
// one moves.
// expect: was not put back to x_i
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "custom_op/custom_op.hpp"

namespace assignment {

using tg::Tensor;

Tensor my_tanh(const Tensor& x, tg::Where where) {
  Tensor y = tg::empty(x.shape(), x.dtype());  // the forward kernel, given
  tg::dispatch(x.dtype(), [&]<class T>(T) {
    for (std::int64_t i = 0; i < x.numel(); ++i) y.data<T>()[i] = std::tanh(x.data<T>()[i]);
  });
  return tg::current_tape().record("my_tanh", {x}, y, where, [y](const Tensor& g) {
    // d/dx tanh(x) = 1 - tanh(x)^2 = 1 - y^2: the output the forward computed already
    return std::vector<Tensor>{g * (1.0 - tg::square(y))};
  });
}

Tensor numeric_gradient(const std::function<double(const Tensor&)>& f, const Tensor& x, double h) {
  Tensor xh = tg::copy(x), grad = tg::zeros_like(x);
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double xi = x.flat(i);
    xh.set_flat(i, xi + h);
    const double up = f(xh);
    xh.set_flat(i, xi - h);
    const double down = f(xh);
    grad.set_flat(i, (up - down) / (2 * h));
  }
  return grad;
}

}  // namespace assignment
