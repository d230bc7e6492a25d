// Exercise normal_log_prob, a known slip (the grader must name it): log sigma taken to be log_var itself.
// expect: log sigma = log_var / 2, not log_var
#include "autodiff/autodiff.hpp"
#include "normal_log_prob/normal_log_prob.hpp"

namespace assignment {

using tg::Tensor;

Tensor normal_log_prob(const Tensor& x, const Tensor& mu, const Tensor& log_var) {
  const double half_log_2pi = 0.91893853320467274178;         // 1/2 log(2 pi)
  Tensor log_sigma = log_var * 0.5;                           // never log(sqrt(exp(log_var))): exp(-1400) is 0
  Tensor u = (x - mu) * tg::exp(tg::neg(log_sigma));          // (x - mu) / sigma
  Tensor lp = tg::square(u) * -0.5 - log_var - half_log_2pi;  // (..., L)
  return tg::sum(lp, {-1});                                   // (...)
}

}  // namespace assignment
