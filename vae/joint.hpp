// The joint (x, eps) view: with z = g(eps) = mu + sigma eps, the model defines a density over (x, eps), and the
// ELBO equals E_eps[log p(x, eps)] plus the entropy of q(eps) = N(0, I). Math: docs/derivations/joint.md.
#pragma once
#include "vae/model.hpp"

namespace tg::vae {

// (joint.2) log p(x, eps) = log p(x|z) + log p(z) + sum_j log sigma_j,  z = mu + sigma eps.   -> (K, B)
Tensor log_joint_x_eps(const LatentModel& model, const Tensor& x, const Tensor& eps);
// (joint.5) H(N(0, I_d)) = (d/2) log(2 pi e)
double standard_normal_entropy(std::int64_t d);

}  // namespace tg::vae
