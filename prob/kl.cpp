// Closed-form KL divergences between diagonal Gaussians, from log sigma directly, with 1/2 (sigma^2 - 1 - log sigma^2)
// formed as 1/2 (expm1(a) - a) so that it does not cancel near sigma = 1. Math: docs/derivations/kl.md.
#include "prob/kl.hpp"

#include "prob/stable.hpp"
#include "prob/validation.hpp"

namespace tg::prob {

namespace {

Shape check_pair(const Normal& q, const Shape& p_shape, int p_event_dims, DType p_dtype) {
  if (q.event_dims() != p_event_dims)
    fail("kl_divergence", "q has event_dims " + std::to_string(q.event_dims()) + " and p has event_dims " +
                              std::to_string(p_event_dims) + "; they must match");
  if (q.dtype() != p_dtype)
    fail("kl_divergence",
         std::string("q is ") + dtype_name(q.dtype()) + " and p is " + dtype_name(p_dtype) + "; they must match");
  return broadcast_shapes(q.shape(), p_shape, "kl_divergence");
}

}  // namespace

Tensor kl_divergence(const Normal& q, const Normal& p) {
  // (kl.3) KL(q || p) = sum_j [ log(sigma_p / sigma_q) + (sigma_q^2 + (mu_q - mu_p)^2) / (2 sigma_p^2) - 1/2 ]
  //                   = 1/2 sum_j [ expm1(a_j) - a_j + ((mu_q - mu_p) / sigma_p)^2 ],  a_j = log(sigma_q^2 / sigma_p^2)
  const Shape shape = check_pair(q, p.shape(), p.event_dims(), p.dtype());
  Tensor a = (q.log_scale() - p.log_scale()) * 2.0;      // log sigma_q^2 - log sigma_p^2, from the logs directly
  Tensor d = (q.loc() - p.loc()) * exp(-p.log_scale());  // (mu_q - mu_p) / sigma_p: no sigma_p^2, no 1/sigma_p^3
  Tensor kl = (expm1(a) - a + square(d)) * 0.5;          // per coordinate; 0 exactly when q = p
  return sum_event(broadcast_to(kl, shape), q.event_dims());
}

Tensor kl_divergence(const Normal& q, const StandardNormal& p) {
  // (kl.4) KL(q || N(0, I)) = -1/2 sum_j (1 + log sigma_j^2 - mu_j^2 - sigma_j^2)
  //                         =  1/2 sum_j [ expm1(log sigma_j^2) - log sigma_j^2 + mu_j^2 ]   (the same terms regrouped)
  const Shape shape = check_pair(q, p.shape(), p.event_dims(), p.dtype());
  Tensor log_var = q.log_var();                                    // log sigma^2: the encoder's output itself
  Tensor kl = (expm1(log_var) - log_var + square(q.loc())) * 0.5;  // per coordinate
  return sum_event(broadcast_to(kl, shape), q.event_dims());
}

}  // namespace tg::prob
