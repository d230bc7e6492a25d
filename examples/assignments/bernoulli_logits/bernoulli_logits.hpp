// Exercise bernoulli_logits: the log-likelihood of binary data under a Bernoulli given by its logits, without
// overflow. Write it in your copy of bernoulli_logits/skeleton.cpp; grade it with
// examples/assignments/grade.sh bernoulli_logits YOUR_FILE.cpp. The math: docs/prob.md (Bernoulli from logits).
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

// log p(x | t) = sum_d [x_d log sigmoid(t_d) + (1 - x_d) log(1 - sigmoid(t_d))] over the last axis, for x in [0, 1]
// and logits t: x, t (..., D) -> (...). Finite for every finite t (t = +-800 too). Built from tg ops.
tg::Tensor bernoulli_log_prob(const tg::Tensor& x, const tg::Tensor& logits);

}  // namespace assignment
