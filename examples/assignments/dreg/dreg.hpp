// Exercise dreg: the doubly reparameterised gradient (DReG) of the IWAE bound. Write it in your copy of
// dreg/skeleton.cpp; grade it with examples/assignments/grade.sh dreg YOUR_FILE.cpp.
// The math: docs/derivations/estimators.md (estimators.2), (estimators.4), (estimators.5).
#pragma once
#include "autodiff/ops.hpp"
#include "vae/model.hpp"

namespace assignment {

// L_K = log (1/K) sum_k w_k with the value of the IWAE bound and, in its backward sweep, the DReG estimator: the
// decoder's gradient is sum_k w~_k grad log w_k (as for the IWAE bound); the encoder's is sum_k w~_k^2 times the path
// term of log w_k (through z_k = mu + sigma eps_k only, with log q evaluated at detached mu and log_var).
// x (B, D), eps (K, B, L) -> (B,).
tg::Tensor iwae_bound_dreg(const tg::vae::LatentModel& model, const tg::Tensor& x, const tg::Tensor& eps);

}  // namespace assignment
