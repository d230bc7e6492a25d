// Exercise logsumexp: a stable log-sum-exp and its backward rule. Write both in your copy of logsumexp/skeleton.cpp;
// grade it with examples/assignments/grade.sh logsumexp YOUR_FILE.cpp. The math: docs/derivations/iwae.md (iwae.6).
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

// log sum_n exp(x[b, n]) for each row b: x (B, N) -> (B,), finite whenever x is (near +-800 too), recorded on the
// tape as one entry "my_logsumexp" with your backward rule.
tg::Tensor my_logsumexp(const tg::Tensor& x, tg::Where where = tg::Where::current());

}  // namespace assignment
