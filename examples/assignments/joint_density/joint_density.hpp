// Exercise joint_density: the reparameterised sample and the density of the joint (x, eps) view. Write them in your
// copy of joint_density/skeleton.cpp; grade with examples/assignments/grade.sh joint_density YOUR_FILE.cpp.
// The math: docs/derivations/reparam.md (reparam.1), (reparam.2) and docs/derivations/joint.md (joint.2), (joint.3).
#pragma once
#include "autodiff/ops.hpp"
#include "vae/model.hpp"

namespace assignment {

// z = mu + sigma * eps with sigma = exp(log_var / 2), differentiable in mu and log_var:
// mu, log_var (B, L), eps (K, B, L) -> (K, B, L).
tg::Tensor reparam_sample(const tg::Tensor& mu, const tg::Tensor& log_var, const tg::Tensor& eps);

// log p(x, eps) = log p(x | z) + log p(z) + sum_j log sigma_j, where z = reparam_sample(mu, log_var, eps) and
// (mu, log_var) = the model's q(z|x): x (B, D), eps (K, B, L) -> (K, B).
tg::Tensor log_joint_x_eps(const tg::vae::LatentModel& model, const tg::Tensor& x, const tg::Tensor& eps);

}  // namespace assignment
