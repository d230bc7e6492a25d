// The gradient of the IWAE bound written out: the normalised importance weights w~_k = w_k / sum_j w_j (a softmax of
// the log weights over the K axis) and a surrogate whose gradient is sum_k w~_k grad log w_k, the form that the
// estimators of estimators.hpp change. The effective sample size of the weights is in diagnostics.hpp.
// Math: docs/derivations/iwae_gradient.md.
#pragma once
#include "autodiff/ops.hpp"

namespace tg::vae {

// (iwae_gradient.1) w~_k = w_k / sum_j w_j = softmax_k(log w).   log_w (K, B) -> (K, B); each column sums to 1.
// Differentiable; detach the input for weights that are constants of the backward sweep.
Tensor normalised_weights(const Tensor& log_w);
// (iwae_gradient.2) sum_k sg(w~_k) log w_k, with sg = stop gradient (detach): its gradient is sum_k w~_k grad log w_k,
// the gradient of L_K = log-mean-exp_k(log w_k). Its value is not L_K.   log_w (K, B) -> (B,)
Tensor iwae_gradient_surrogate(const Tensor& log_w);

}  // namespace tg::vae
