// Plain-loop kernels (see kernels.hpp): the reference the fast versions will be tested against.
#include "autodiff/kernels.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tg::kernels {

// Stable forms: sigmoid never overflows exp; softplus(x) = max(x, 0) + log1p(exp(-|x|)).
template <class T>
static T sigmoid_of(T x) {
  if (x >= 0) return T(1) / (T(1) + std::exp(-x));
  const T e = std::exp(x);
  return e / (T(1) + e);
}
template <class T>
static T softplus_of(T x) {
  return std::max(x, T(0)) + std::log1p(std::exp(-std::abs(x)));
}

template <class T>
void unary(Unary f, std::int64_t n, const T* x, T* y) {
  switch (f) {
    case Unary::neg:
      for (std::int64_t i = 0; i < n; ++i) y[i] = -x[i];
      break;
    case Unary::exp:
      for (std::int64_t i = 0; i < n; ++i) y[i] = std::exp(x[i]);
      break;
    case Unary::log:
      for (std::int64_t i = 0; i < n; ++i) y[i] = std::log(x[i]);
      break;
    case Unary::log1p:
      for (std::int64_t i = 0; i < n; ++i) y[i] = std::log1p(x[i]);
      break;
    case Unary::expm1:
      for (std::int64_t i = 0; i < n; ++i) y[i] = std::expm1(x[i]);
      break;
    case Unary::sqrt:
      for (std::int64_t i = 0; i < n; ++i) y[i] = std::sqrt(x[i]);
      break;
    case Unary::square:
      for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] * x[i];
      break;
    case Unary::abs:
      for (std::int64_t i = 0; i < n; ++i) y[i] = std::abs(x[i]);
      break;
    case Unary::tanh:
      for (std::int64_t i = 0; i < n; ++i) y[i] = std::tanh(x[i]);
      break;
    case Unary::sigmoid:
      for (std::int64_t i = 0; i < n; ++i) y[i] = sigmoid_of(x[i]);
      break;
    case Unary::relu:
      for (std::int64_t i = 0; i < n; ++i) y[i] = x[i] > 0 ? x[i] : (x[i] != x[i] ? x[i] : T(0));
      break;
    case Unary::softplus:
      for (std::int64_t i = 0; i < n; ++i) y[i] = softplus_of(x[i]);
      break;
    case Unary::log_sigmoid:
      for (std::int64_t i = 0; i < n; ++i) y[i] = -softplus_of(-x[i]);
      break;
  }
}

template <class T>
void binary(Binary f, std::int64_t n, const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out) {
  switch (f) {
    case Binary::add:
      for (std::int64_t i = 0; i < n; ++i) out[i] = a[i * sa] + b[i * sb];
      break;
    case Binary::sub:
      for (std::int64_t i = 0; i < n; ++i) out[i] = a[i * sa] - b[i * sb];
      break;
    case Binary::mul:
      for (std::int64_t i = 0; i < n; ++i) out[i] = a[i * sa] * b[i * sb];
      break;
    case Binary::div:
      for (std::int64_t i = 0; i < n; ++i) out[i] = a[i * sa] / b[i * sb];
      break;
  }
}

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

template <class T>
void reduce_sum(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y) {
  for (std::int64_t o = 0; o < outer; ++o) {
    T* yo = y + o * inner;
    std::fill_n(yo, inner, T(0));
    for (std::int64_t k = 0; k < n; ++k) {
      const T* xk = x + (o * n + k) * inner;
      for (std::int64_t i = 0; i < inner; ++i) yo[i] += xk[i];
    }
  }
}

template <class T>
void reduce_max(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y, std::int64_t* argmax) {
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      const T* xi = x + o * n * inner + i;
      std::int64_t best = 0;
      for (std::int64_t k = 1; k < n && xi[best * inner] == xi[best * inner]; ++k)
        if (xi[k * inner] > xi[best * inner] || xi[k * inner] != xi[k * inner]) best = k;
      y[o * inner + i] = xi[best * inner];
      if (argmax) argmax[o * inner + i] = best;
    }
}

template <class T>
void reduce_logsumexp(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y) {
  for (std::int64_t o = 0; o < outer; ++o)
    for (std::int64_t i = 0; i < inner; ++i) {
      const T* xi = x + o * n * inner + i;
      T m = -std::numeric_limits<T>::infinity();
      for (std::int64_t k = 0; k < n; ++k) m = std::max(m, xi[k * inner]);  // a* = max_k a_k, see (iwae.6)
      bool nan = false;
      for (std::int64_t k = 0; k < n; ++k) nan = nan || xi[k * inner] != xi[k * inner];
      if (nan || std::isinf(m)) {  // all -inf -> -inf; any +inf -> +inf; NaN propagates
        y[o * inner + i] = nan ? std::numeric_limits<T>::quiet_NaN() : m;
        continue;
      }
      T s = 0;
      for (std::int64_t k = 0; k < n; ++k) s += std::exp(xi[k * inner] - m);  // every exponent <= 0: s in [1, n]
      y[o * inner + i] = m + std::log(s);                                     // a* + log sum_k e^(a_k - a*)
    }
}

#define TG_INSTANTIATE(T)                                                                                              \
  template void unary<T>(Unary, std::int64_t, const T*, T*);                                                           \
  template void binary<T>(Binary, std::int64_t, const T*, std::int64_t, const T*, std::int64_t, T*);                   \
  template void gemm_reference<T>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const T*, const T*, T*, bool); \
  template void reduce_sum<T>(std::int64_t, std::int64_t, std::int64_t, const T*, T*);                                 \
  template void reduce_max<T>(std::int64_t, std::int64_t, std::int64_t, const T*, T*, std::int64_t*);                  \
  template void reduce_logsumexp<T>(std::int64_t, std::int64_t, std::int64_t, const T*, T*);
TG_INSTANTIATE(float)
TG_INSTANTIATE(double)
#undef TG_INSTANTIATE

}  // namespace tg::kernels
