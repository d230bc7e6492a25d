// Exercise chain_rule, a known slip (the grader must name it): the minus of d/db (a / b) = -a / b^2 left out.
// expect: the minus sign is missing
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
    return std::vector<Tensor>{g / b, g * a / tg::square(b)};
  });
}

}  // namespace assignment
