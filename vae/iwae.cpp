// The IWAE bound (see iwae.hpp); each line is a line of docs/derivations/iwae.md, tagged with its equation.
#include "vae/iwae.hpp"

#include "prob/stable.hpp"
#include "vae/checks.hpp"

namespace tg::vae {

Tensor log_weights(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  check_x_eps("log_weights", x, eps, model.latent_dim());            // x (B, D), eps (K, B, L), finite
  prob::Normal q = model.encode(x);                                  // q(z|x): (B, L)
  Tensor z = q.rsample_with(eps).name("z");                          // z = mu + sigma eps, see (reparam.1): (K, B, L)
  Tensor log_px_z = model.log_likelihood(x, z);                      // log p(x|z): (K, B)
  Tensor log_pz = prior(model.latent_dim(), x.dtype()).log_prob(z);  // log p(z): (K, B)
  Tensor log_qz = q.log_prob(z);                                     // log q(z|x): (K, B)
  // (gap.4) when q(z|x) is the exact posterior, every log w equals log p(x): one sample is exact
  // (estimators.1) backward reaches mu and log_var twice: through z (the path term) and through log_qz (the score)
  return (log_px_z + log_pz - log_qz).name("log_w");  // (iwae.1) log w = log p(x, z) - log q(z|x)
}

Tensor iwae_bound_from_log_weights(const Tensor& log_w) {
  if (log_w.dim() != 2) fail("iwae_bound", "log_w is " + shape_str(log_w.shape()) + "; it must be (K, B)");
  // (iwae.6) logsumexp_k(log w) - log K, the log of (1/K) sum_k w_k, see (iwae.2), without forming any w_k; the shift
  // by the largest log w that keeps every exponent <= 0 is in kernels::reduce_logsumexp
  // (autodiff/runtime/kernels_reduce.cpp)
  return prob::log_mean_exp(log_w, 0).name("iwae_bound");
}

Tensor iwae_bound(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  check_x_eps("iwae_bound", x, eps, model.latent_dim());  // named as the bound, not as log_weights inside it
  // (iwae.3) with K = 1 this is log w_1, the integrand of elbo_monte_carlo: L_1 is the ELBO.
  // (iwae.4) its expectation never decreases as K grows, and (iwae.5) tends to log p(x).
  return iwae_bound_from_log_weights(log_weights(model, x, eps));  // (iwae.2) log (1/K) sum_k w_k: (B,)
}

}  // namespace tg::vae
