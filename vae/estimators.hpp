// Gradient estimators for the objectives of a model with one Gaussian stochastic layer (a LatentModel): the plain
// reparameterised gradient (reparam), "sticking the landing" (stl: Roeder, Wu & Duvenaud 2017), which drops the
// score term of log q, and the doubly reparameterised gradient of the IWAE bound (dreg: Tucker, Lawson, Gu &
// Maddison 2019), which weights the encoder's path term by the squared normalised weights. Each is a function whose
// value is the usual objective and whose backward sweep gives the estimator. Math: docs/derivations/estimators.md.
#pragma once
#include <string>

#include "vae/model.hpp"

namespace tg::vae {

enum class Estimator { reparam, stl, dreg };
Estimator estimator_from_name(const std::string& name);  // "reparam" | "stl" | "dreg"; throws naming the choices
const char* estimator_name(Estimator estimator);

// (estimators.2) log w = log p(x|z_k) + log p(z_k) - log q(z_k|x) with log q evaluated at detached mu and log_var:
// the same values as log_weights, but the encoder's gradient keeps only the path term of (estimators.1).
// x (B, D), eps (K, B, L) -> (K, B)
Tensor log_weights_stl(const LatentModel& model, const Tensor& x, const Tensor& eps);
// (estimators.4) L_K with the doubly reparameterised gradient: the value of iwae_bound; the encoder's gradient is
// sum_k w~_k^2 times the path term of log w_k, the decoder's sum_k w~_k grad log w_k as for iwae_bound.
// x (B, D), eps (K, B, L) -> (B,)
Tensor iwae_bound_dreg(const LatentModel& model, const Tensor& x, const Tensor& eps);

// The IWAE bound L_K with a chosen estimator: iwae_bound (reparam), log-mean-exp of log_weights_stl (stl, which is
// biased for K > 1: see estimators.md), iwae_bound_dreg (dreg).   -> (B,)
Tensor iwae_bound_with(const LatentModel& model, const Tensor& x, const Tensor& eps, Estimator estimator);
// The K-sample ELBO (1/K) sum_k log w_k with the reparam or the stl estimator. dreg throws: for the ELBO, whose
// weights are all 1/K, the doubly reparameterised gradient is the stl one.   -> (B,)
Tensor elbo_monte_carlo_with(const LatentModel& model, const Tensor& x, const Tensor& eps, Estimator estimator);

}  // namespace tg::vae
