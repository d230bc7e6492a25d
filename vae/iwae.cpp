// The IWAE bound (see iwae.hpp); each line is a line of docs/derivations/iwae.md, tagged with its equation.
#include "vae/iwae.hpp"

#include "prob/stable.hpp"

namespace tg::vae {

Tensor log_weights(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  prob::Normal q = model.encode(x);                                   // q(z|x): (B, L)
  Tensor z = q.rsample_with(eps).name("z");                           // (reparam.1) z = mu + sigma eps: (K, B, L)
  Tensor log_px_z = model.log_likelihood(x, z);                       // log p(x|z): (K, B)
  Tensor log_pz = prior(model.latent_dim(), x.dtype()).log_prob(z);   // log p(z): (K, B)
  Tensor log_qz = q.log_prob(z);                                      // log q(z|x): (K, B)
  return (log_px_z + log_pz - log_qz).name("log_w");                  // (iwae.1) log w = log p(x, z) - log q(z|x)
}

Tensor iwae_bound_from_log_weights(const Tensor& log_w) {
  if (log_w.dim() != 2) fail("iwae_bound", "log_w is " + shape_str(log_w.shape()) + "; it must be (K, B)");
  return prob::log_mean_exp(log_w, 0).name("iwae_bound");             // (iwae.6) logsumexp_k(log w) - log K = (iwae.2)
}

Tensor iwae_bound(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  return iwae_bound_from_log_weights(log_weights(model, x, eps));     // (iwae.2) log (1/K) sum_k w_k: (B,)
}

}  // namespace tg::vae
