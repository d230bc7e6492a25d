// Exercise matmul_backward: the backward rule of a matrix product. Write it in your copy of
// matmul_backward/skeleton.cpp; grade it with examples/assignments/grade.sh matmul_backward YOUR_FILE.cpp.
// The math: docs/tape.md (the matmul entry); shapes are the whole story.
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

// Y = A B for A (M, K) and B (K, N) -> (M, N), recorded with your backward rule: given G = dL/dY (M, N), it returns
// {dL/dA (M, K), dL/dB (K, N)}.
tg::Tensor my_matmul(const tg::Tensor& A, const tg::Tensor& B, tg::Where where = tg::Where::current());

}  // namespace assignment
