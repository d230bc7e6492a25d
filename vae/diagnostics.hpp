// Diagnostics of a trained model: the KL to the prior per latent dimension, the number of active units
// (Burda et al. 2016: u is active when Cov_x(E_q[z_u]) > 0.01), and the effective sample size of importance
// weights. docs/derivations/iwae.md, iwae_gradient.md and estimate.md.
#pragma once
#include <cstdint>
#include <vector>

#include "vae/model.hpp"

namespace tg::vae {

// KL(q(z_u|x) || N(0, 1)) for each latent dimension u, averaged over the examples of x (B, D): L values.
std::vector<double> kl_per_dimension(const LatentModel& model, const Tensor& x);
// The variance over the examples of x of each posterior mean E_q[z_u] = mu_u: L values.
std::vector<double> posterior_mean_variance(const LatentModel& model, const Tensor& x, std::int64_t max_rows = 4096);
// How many of those exceed threshold.
std::int64_t active_units(const LatentModel& model, const Tensor& x, double threshold = 0.01);
// (iwae_gradient.3) 1 / sum_k w~_k^2 = (sum w)^2 / sum w^2 for log weights (K, B): one value per column, in [1, K].
std::vector<double> effective_sample_size(const Tensor& log_w);

}  // namespace tg::vae
