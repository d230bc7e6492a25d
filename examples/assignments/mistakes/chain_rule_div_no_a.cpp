// Exercise chain_rule, a known slip (the grader must name it): d/db (a / b) written as -1 / b^2, without a.
// expect: yours is -1 / b^2, without the a
#include "autodiff/autodiff.hpp"
#include "chain_rule/chain_rule.hpp"

namespace assignment {

using tg::Tensor;

Tensor my_mul(const Tensor& a, const Tensor& b, tg::Where where) {
  Tensor y;
  {
    tg::NoGrad no_grad;  // the forward's values, not recorded: the entry below is the only one
    y = a * b;
  }
  return tg::current_tape().record("my_mul", {a, b}, y, where, [a, b](const Tensor& g) {
    // dy/da = b, dy/db = a; the chain rule multiplies each by g = dL/dy
    return std::vector<Tensor>{g * b, g * a};
  });
}

Tensor my_div(const Tensor& a, const Tensor& b, tg::Where where) {
  Tensor y;
  {
    tg::NoGrad no_grad;
    y = a / b;
  }
  return tg::current_tape().record("my_div", {a, b}, y, where, [a, b](const Tensor& g) {
    // dy/da = 1 / b, dy/db = -a / b^2
    return std::vector<Tensor>{g / b, tg::neg(g / tg::square(b))};
  });
}

}  // namespace assignment
