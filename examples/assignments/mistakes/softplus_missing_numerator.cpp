// Exercise softplus, a known slip (the grader must name it): g / (1 + e^x), the numerator e^x of the inner derivative
// left out.
// expect: the e^x in the numerator is missing
#include <algorithm>
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "softplus/softplus.hpp"

namespace assignment {

using tg::Tensor;

// The forward kernel, given: softplus(x) = max(x, 0) + log1p(e^-|x|), which never overflows.
static Tensor softplus_values(const Tensor& x) {
  Tensor y = tg::empty(x.shape(), x.dtype());
  tg::dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (std::int64_t i = 0; i < x.numel(); ++i) py[i] = std::max(px[i], T(0)) + std::log1p(std::exp(-std::abs(px[i])));
  });
  return y;
}

Tensor my_softplus(const Tensor& x, tg::Where where) {
  Tensor y = softplus_values(x);
  return tg::current_tape().record("my_softplus", {x}, y, where, [x](const Tensor& g) {
    // g is dL/dy, of y's shape. Return dL/dx, of x's shape.
    // d/dx softplus(x) = e^x / (1 + e^x) = sigmoid(x), written as sigmoid so that x = 800 gives 1, not inf/inf
    return std::vector<Tensor>{g / (tg::exp(x) + 1.0)};  // SLIP: the e^x of the numerator left out
  });
}

}  // namespace assignment
