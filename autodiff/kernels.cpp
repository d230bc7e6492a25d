// The plain-loop GEMM (see kernels.hpp), the reference twin of the packed one in gemm.cpp. The elementwise kernels
// and their twins are in kernels_elementwise.cpp, the reductions in kernels_reduce.cpp.
#include "autodiff/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tg::kernels {

// The reference twin of the packed GEMM in gemm.cpp: C = op(A) op(B) in plain loops, ordered so that the
// innermost loop runs over contiguous memory. The tests compare the two.
template <class T>
void gemm_reference(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B,
                    T* C, bool accumulate) {
  if (!accumulate) std::fill_n(C, M * N, T(0));
  if (!trans_b) {  // C[i, :] += op(A)[i, k] * B[k, :]
    for (std::int64_t i = 0; i < M; ++i)
      for (std::int64_t k = 0; k < K; ++k) {
        const T aik = trans_a ? A[k * M + i] : A[i * K + k];
        const T* b = B + k * N;
        T* c = C + i * N;
        for (std::int64_t j = 0; j < N; ++j) c[j] += aik * b[j];
      }
    return;
  }
  for (std::int64_t i = 0; i < M; ++i)  // C[i, j] += dot(op(A)[i, :], B[j, :])
    for (std::int64_t j = 0; j < N; ++j) {
      const T* b = B + j * K;
      T acc = 0;
      if (!trans_a) {
        const T* a = A + i * K;
        for (std::int64_t k = 0; k < K; ++k) acc += a[k] * b[k];
      } else {
        for (std::int64_t k = 0; k < K; ++k) acc += A[k * M + i] * b[k];
      }
      C[i * N + j] += acc;
    }
}

template void gemm_reference<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*,
                                    float*, bool);
template void gemm_reference<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*,
                                     double*, bool);

}  // namespace tg::kernels
