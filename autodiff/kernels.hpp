// The narrow kernel interface the ops call: plain loops over contiguous memory, one place to make fast later
// (SIMD, packed GEMM) without touching any op. Each kernel exists for float and double.
#pragma once
#include <cstdint>

namespace tg::kernels {

enum class Unary { neg, exp, log, log1p, expm1, sqrt, square, abs, tanh, sigmoid, relu, softplus, log_sigmoid };
enum class Binary { add, sub, mul, div };

// y[i] = f(x[i]) for i < n.
template <class T>
void unary(Unary f, std::int64_t n, const T* x, T* y);
// out[i] = a[i * sa] op b[i * sb] for i < n; a stride of 0 repeats (broadcasts) one value.
template <class T>
void binary(Binary f, std::int64_t n, const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out);

// C (M, N) = op(A) op(B) (+ C if accumulate), row-major, contiguous. op(A) is A (M, K), or A^T with A stored
// (K, M) when trans_a; op(B) is B (K, N), or B^T with B stored (N, K) when trans_b.
template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B, T* C,
          bool accumulate);
// The same in three plain loops: the reference the packed, threaded gemm (autodiff/gemm.cpp) is tested against.
template <class T>
void gemm_reference(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B,
                    T* C, bool accumulate);

// Reductions over the middle axis of x viewed as (outer, n, inner) -> y (outer, inner).
template <class T>
void reduce_sum(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y);
template <class T>
void reduce_max(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y,
                std::int64_t* argmax);  // first index of the maximum (NaN wins)
// Stable log-sum-exp: m + log(sum exp(x - m)) with m the max; all -inf gives -inf, any +inf gives +inf.
template <class T>
void reduce_logsumexp(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y);

}  // namespace tg::kernels
