// The evidence lower bound, two ways: with the KL to the prior in closed form (elbo_analytic) and entirely by
// Monte Carlo (elbo_monte_carlo). Both take the noise eps (K, B, L) as an argument, so that a gradient check can
// freeze it; the overloads with a Generator draw it. Math: docs/derivations/elbo.md.
#pragma once
#include "autodiff/random.hpp"
#include "vae/model.hpp"

namespace tg::vae {

// (elbo.6) (1/K) sum_k log p(x|z_k) - KL(q(z|x) || p(z)),  z_k = mu + sigma eps_k.   x (B, D) -> (B,)
Tensor elbo_analytic(const LatentModel& model, const Tensor& x, const Tensor& eps);
// (elbo.5) (1/K) sum_k [log p(x, z_k) - log q(z_k|x)].   x (B, D), eps (K, B, L) -> (B,)
Tensor elbo_monte_carlo(const LatentModel& model, const Tensor& x, const Tensor& eps);

// eps ~ N(0, I) of shape (K, B, noise_dim) for model and x, drawn from gen (noise_dim = L for one Gaussian layer).
Tensor draw_eps(const LogWeightModel& model, const Tensor& x, std::int64_t K, Generator& gen);

}  // namespace tg::vae
