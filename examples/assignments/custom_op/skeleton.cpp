// Exercise custom_op (your file): tanh as an op of your own (the forward kernel is given; write the backward) and the
// central differences that check any function's gradient. Grade: examples/assignments/grade.sh custom_op THIS_FILE.cpp.
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
  return tg::current_tape().record("my_tanh", {x}, y, where, [y]([[maybe_unused]] const Tensor& g) {
    // g is dL/dy, of y's shape. Return dL/dx. TODO: d/dx tanh(x) = ... (it can be written with y alone)
    return std::vector<Tensor>{tg::zeros_like(y)};
  });
}

Tensor numeric_gradient(const std::function<double(const Tensor&)>& f, const Tensor& x, double h) {
  // TODO: for each element i of x: f at x + h e_i and at x - h e_i (a copy of x, tg::copy, with one element moved:
  // set_flat), then (up - down) / (2 h). Put the element back before moving the next one.
  (void)f, (void)h;
  Tensor grad = tg::zeros_like(x);
  return grad;
}

}  // namespace assignment
