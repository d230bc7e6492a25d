// The importance weighted bound L_K = E[log (1/K) sum_k w_k], w_k = p(x, z_k) / q(z_k|x), computed from the log
// weights with logsumexp over the K axis. Math: docs/derivations/iwae.md.
#pragma once
#include "vae/model.hpp"

namespace tg::vae {

// (iwae.1) log w_k = log p(x|z_k) + log p(z_k) - log q(z_k|x),  z_k = mu + sigma eps_k.   -> (K, B)
Tensor log_weights(const LatentModel& model, const Tensor& x, const Tensor& eps);
// (iwae.2) (iwae.6) L_K = logsumexp_k(log w_k) - log K.   x (B, D), eps (K, B, L) -> (B,)
Tensor iwae_bound(const LatentModel& model, const Tensor& x, const Tensor& eps);
// The same from given log weights (K, B): the estimator behind iwae_bound and estimate_log_px.
Tensor iwae_bound_from_log_weights(const Tensor& log_w);

}  // namespace tg::vae
