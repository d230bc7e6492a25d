// Exercise gaussian_kl, a known slip (the grader must name it): the log-ratio of the variances upside down, 0.5
// (log_var_q - log_var_p).
// expect: the log-ratio is upside down
#include "autodiff/autodiff.hpp"
#include "gaussian_kl/gaussian_kl.hpp"

namespace assignment {

using tg::Tensor;

Tensor gaussian_kl(const Tensor& mu_q, const Tensor& log_var_q, const Tensor& mu_p, const Tensor& log_var_p) {
  // KL = 1/2 [ log(sigma_p^2 / sigma_q^2) + (sigma_q^2 + (mu_q - mu_p)^2) / sigma_p^2 - 1 ]   per coordinate
  Tensor ratio = tg::exp(log_var_q - log_var_p);                      // sigma_q^2 / sigma_p^2
  Tensor d2 = tg::square(mu_q - mu_p) * tg::exp(tg::neg(log_var_p));  // (mu_q - mu_p)^2 / sigma_p^2
  Tensor kl = (log_var_q - log_var_p + ratio + d2 - 1.0) * 0.5;       // (..., L)
  return tg::sum(kl, {-1});                                           // (...)
}

}  // namespace assignment
