// Exercise iwae_bound: the importance weighted bound from the log-weights, computed stably. Write it in your copy
// of iwae_bound/skeleton.cpp; grade it with examples/assignments/grade.sh iwae_bound YOUR_FILE.cpp.
// The math: docs/derivations/iwae.md, equations (iwae.2) and (iwae.6).
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

// L_K = log (1/K) sum_k w_k with w_k = exp(log_w[k, b]), for each example b: log_w (K, B) -> (B,). Finite whenever
// the log-weights are (even near +-800, where exp overflows or underflows). Write it with tg::max, tg::exp,
// tg::sum and tg::log -- not tg::logsumexp or tg::prob::log_mean_exp, which are what this exercise builds.
tg::Tensor iwae_bound(const tg::Tensor& log_w);

}  // namespace assignment
