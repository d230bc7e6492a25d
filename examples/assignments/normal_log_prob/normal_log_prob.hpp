// Exercise normal_log_prob: the log-density of a diagonal Normal given its log-variance. Write it in your copy of
// normal_log_prob/skeleton.cpp; grade it with examples/assignments/grade.sh normal_log_prob YOUR_FILE.cpp.
// The math: docs/derivations/kl.md (the Gaussian) and docs/prob.md.
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

// log N(x; mu, diag exp(log_var)) summed over the last axis: x, mu, log_var (..., L), broadcasting like NumPy,
// -> (...). Per coordinate: -1/2 (x - mu)^2 / sigma^2 - log sigma - 1/2 log(2 pi), with log sigma = log_var / 2
// taken directly (finite for log_var = -1400, where exp(log_var) underflows to 0). Built from tg ops.
tg::Tensor normal_log_prob(const tg::Tensor& x, const tg::Tensor& mu, const tg::Tensor& log_var);

}  // namespace assignment
