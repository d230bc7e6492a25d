// Exercise gaussian_kl: the KL divergence between two diagonal Gaussians in closed form. Write it in your copy of
// gaussian_kl/skeleton.cpp; grade it with examples/assignments/grade.sh gaussian_kl YOUR_FILE.cpp.
// The math: docs/derivations/kl.md, equations (kl.3) and (kl.4).
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

// KL(q || p) for q = N(mu_q, diag exp(log_var_q)) and p = N(mu_p, diag exp(log_var_p)), summed over the last axis:
// all four (..., L) -> (...). Built from tg ops, so that gradients flow to all four parameters.
tg::Tensor gaussian_kl(const tg::Tensor& mu_q, const tg::Tensor& log_var_q, const tg::Tensor& mu_p,
                       const tg::Tensor& log_var_p);

}  // namespace assignment
