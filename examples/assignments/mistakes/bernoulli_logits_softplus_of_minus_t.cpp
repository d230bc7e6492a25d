// Exercise bernoulli_logits, a known slip (the grader must name it): x t - softplus(-t): log(1 - sigmoid(t)) taken as
// -softplus(-t).
// expect: off by + sum t
#include "autodiff/autodiff.hpp"
#include "bernoulli_logits/bernoulli_logits.hpp"

namespace assignment {

using tg::Tensor;

Tensor bernoulli_log_prob(const Tensor& x, const Tensor& logits) {
  // log sigmoid(t) = t - softplus(t) and log(1 - sigmoid(t)) = -softplus(t), so the sum is x t - softplus(t);
  // tg::softplus never overflows (softplus(800) = 800)
  Tensor lp = x * logits - tg::softplus(tg::neg(logits));  // (..., D)
  return tg::sum(lp, {-1});                                // (...)
}

}  // namespace assignment
