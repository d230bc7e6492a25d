// Exercise matmul_backward, reference solution: the backward rule of Y = A B. The forward is given.
// The math: docs/tape.md.
#include "matmul_backward/matmul_backward.hpp"

#include "autodiff/autodiff.hpp"

namespace assignment {

using tg::Tensor;

Tensor my_matmul(const Tensor& A, const Tensor& B, tg::Where where) {
  Tensor Y;
  {
    tg::NoGrad no_grad;    // the forward's values, not recorded: the entry below is the only one
    Y = tg::matmul(A, B);  // (M, N)
  }
  return tg::current_tape().record("my_matmul", {A, B}, Y, where, [A, B](const Tensor& G) {
    // Y_ij = sum_k A_ik B_kj, so dL/dA_ik = sum_j G_ij B_kj = (G B^T)_ik and dL/dB_kj = sum_i A_ik G_ij = (A^T G)_kj
    return std::vector<Tensor>{tg::matmul(G, tg::transpose(B)), tg::matmul(tg::transpose(A), G)};  // (M, K), (K, N)
  });
}

}  // namespace assignment
