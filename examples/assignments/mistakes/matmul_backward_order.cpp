// Exercise matmul_backward, a known slip (the grader must name it): dL/dA = B^T G, the factors in the wrong order.
// expect: the order of the factors matters
#include "autodiff/autodiff.hpp"
#include "matmul_backward/matmul_backward.hpp"

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
    return std::vector<Tensor>{tg::matmul(tg::transpose(B), G), tg::matmul(tg::transpose(A), G)};  // (M, K), (K, N)
  });
}

}  // namespace assignment
