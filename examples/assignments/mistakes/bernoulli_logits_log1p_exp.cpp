// Exercise bernoulli_logits, a known slip (the grader must name it): softplus(t) written as log(1 + exp(t)), which
// overflows at t = 800.
// expect: overflows at t = 800
#include "autodiff/autodiff.hpp"
#include "bernoulli_logits/bernoulli_logits.hpp"

namespace assignment {

using tg::Tensor;

Tensor bernoulli_log_prob(const Tensor& x, const Tensor& logits) {
  // log sigmoid(t) = t - softplus(t) and log(1 - sigmoid(t)) = -softplus(t), so the sum is x t - softplus(t);
  // tg::softplus never overflows (softplus(800) = 800)
  Tensor lp = x * logits - tg::log1p(tg::exp(logits));  // (..., D)
  return tg::sum(lp, {-1});                             // (...)
}

}  // namespace assignment
