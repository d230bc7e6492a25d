// Exercise elbo: the reparameterised Monte Carlo ELBO. Write it in your copy of elbo/skeleton.cpp; grade it with
// examples/assignments/grade.sh elbo YOUR_FILE.cpp. The math: docs/derivations/elbo.md (elbo.5) and
// docs/derivations/reparam.md (reparam.1).
#pragma once
#include "autodiff/ops.hpp"
#include "vae/model.hpp"

namespace assignment {

// (1/K) sum_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)] with z_k = mu + sigma eps_k (sigma = exp(log_var / 2)),
// (mu, log_var) = the model's q(z|x), p(z) = N(0, I): x (B, D), eps (K, B, L) -> (B,). Differentiable in the model's
// parameters through z.
tg::Tensor elbo_monte_carlo(const tg::vae::LatentModel& model, const tg::Tensor& x, const tg::Tensor& eps);

}  // namespace assignment
