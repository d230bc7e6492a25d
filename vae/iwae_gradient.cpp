// The IWAE gradient (see iwae_gradient.hpp); each line is a line of docs/derivations/iwae_gradient.md.
#include "vae/iwae_gradient.hpp"

namespace tg::vae {

Tensor normalised_weights(const Tensor& log_w) {
  if (!log_w.defined() || log_w.dim() != 2)
    fail("normalised_weights",
         "log_w is " + (log_w.defined() ? shape_str(log_w.shape()) : std::string("undefined")) + "; it must be (K, B)");
  // (iwae_gradient.1) w~_k = exp(log w_k - logsumexp_j log w_j): no weight is formed, so log w = -800 is fine
  return exp(log_w - logsumexp(log_w, 0, true)).name("w_tilde");  // (K, B)
}

Tensor iwae_gradient_surrogate(const Tensor& log_w) {
  const Tensor w_tilde = normalised_weights(log_w.detach());  // constants of the backward: (K, B)
  // (iwae_gradient.2) grad L_K = sum_k w~_k grad log w_k: each sample's gradient, weighted by how well it explains x
  return sum(w_tilde * log_w, {0}).name("iwae_surrogate");  // (B,)
}

}  // namespace tg::vae
