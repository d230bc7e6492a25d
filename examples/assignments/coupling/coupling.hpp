// Exercise coupling: an affine coupling layer and the log-determinant of its Jacobian. Write it in your copy of
// coupling/skeleton.cpp; grade it with examples/assignments/grade.sh coupling YOUR_FILE.cpp.
// The math: docs/derivations/coupling.md (coupling.1), (coupling.2).
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

struct Coupled {
  tg::Tensor y;        // (..., L)
  tg::Tensor log_det;  // log |det dy/du| (...)
};

// One affine coupling layer over the last axis of u (..., L), L even. The first half of u is kept, the second changed
// by a scale and a shift that depend on the kept half only:
//   h = u_keep W^T + b (..., L) with W (L, L/2), b (L);  s = tanh(h[..., :L/2]),  t = h[..., L/2:]
//   y = concat(u_keep, u_change * exp(s) + t),  log_det = log |det dy/du|.
Coupled affine_coupling(const tg::Tensor& u, const tg::Tensor& W, const tg::Tensor& b);

}  // namespace assignment
