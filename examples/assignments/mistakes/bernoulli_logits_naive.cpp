// Exercise bernoulli_logits, a known slip (the grader must name it): x log sigmoid(t) + (1 - x) log(1 - sigmoid(t)) as
// written, -inf once sigmoid(t) rounds to 0 or 1.
// expect: log(1 - sigmoid(t)) is log 0 = -inf
#include "autodiff/autodiff.hpp"
#include "bernoulli_logits/bernoulli_logits.hpp"

namespace assignment {

using tg::Tensor;

Tensor bernoulli_log_prob(const Tensor& x, const Tensor& logits) {
  // log sigmoid(t) = t - softplus(t) and log(1 - sigmoid(t)) = -softplus(t), so the sum is x t - softplus(t);
  // tg::softplus never overflows (softplus(800) = 800)
  Tensor s = tg::sigmoid(logits);
  Tensor lp = x * tg::log(s) + (1.0 - x) * tg::log(1.0 - s);  // (..., D)
  return tg::sum(lp, {-1});                                   // (...)
}

}  // namespace assignment
