// Reduction kernels (see kernels.hpp): sum, max and log-sum-exp over the middle axis of (outer, n, inner), each
// plain loop followed by its SIMD twin. The sums are pairwise: adding n equal terms in order loses about n/2 ulp
// (float32: 10^6 x 0.1f gives 100958 instead of 100000), pairwise about log2(n)/2.
#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/kernels.hpp"
#include "autodiff/simd_math.hpp"

namespace tg::kernels {

using simd::Vec;

// The n values at x (stride 1) as rows of W lanes; the last row padded with `fill`.
template <class T>
static Vec<T> contiguous_row(const T* x, std::int64_t n, std::int64_t k, T fill) {
  constexpr std::int64_t W = simd::width<T>;
  return (k + 1) * W <= n ? simd::load(x + k * W) : simd::load_tail(x + k * W, n - k * W, fill);
}
// Lanes j0 .. j0 + W of row k of an (n, inner) matrix; past column `inner` the lanes hold `fill`.
template <class T>
static Vec<T> column_strip(const T* x, std::int64_t inner, std::int64_t k, std::int64_t j0, T fill) {
  constexpr std::int64_t W = simd::width<T>;
  const T* p = x + k * inner + j0;
  return j0 + W <= inner ? simd::load(p) : simd::load_tail(p, inner - j0, fill);
}
template <class T>
static void store_strip(const Vec<T>& v, T* y, std::int64_t inner, std::int64_t j0) {
  constexpr std::int64_t W = simd::width<T>;
  if (j0 + W <= inner)
    simd::store(v, y + j0);
  else
    simd::store_tail(v, y + j0, inner - j0);
}

// ---- sum --------------------------------------------------------------------------------------------------------

template <class T>
void reduce_sum_reference(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y) {
  for (std::int64_t o = 0; o < outer; ++o) {
    T* yo = y + o * inner;
    std::fill_n(yo, inner, T(0));
    for (std::int64_t k = 0; k < n; ++k) {
      const T* xk = x + (o * n + k) * inner;
      for (std::int64_t i = 0; i < inner; ++i) yo[i] += xk[i];
    }
  }
}

// The SIMD twin: a contiguous run (inner = 1) is read as rows of W values whose lanes are summed at the end;
// otherwise W neighbouring columns are summed at once, down the n rows.
template <class T>
void reduce_sum(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y) {
  if (reference_mode()) return reduce_sum_reference(outer, n, inner, x, y);  // the plain twin
  constexpr std::int64_t W = simd::width<T>;
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* xo = x + o * n * inner;
    if (inner == 1) {
      y[o] = simd::sum_lanes(simd::pairwise_sum<T>(0, simd::vectors_for<T>(n),
                                                   [&](std::int64_t k) { return contiguous_row(xo, n, k, T(0)); }));
      continue;
    }
    for (std::int64_t j0 = 0; j0 < inner; j0 += W)
      store_strip(simd::pairwise_sum<T>(0, n, [&](std::int64_t k) { return column_strip(xo, inner, k, j0, T(0)); }),
                  y + o * inner, inner, j0);
  }
}

// ---- max --------------------------------------------------------------------------------------------------------

template <class T>
void reduce_max_reference(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y,
                          std::int64_t* argmax) {
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

// The largest value of W columns over rows [0, n), NaN ignored, and whether a column holds a NaN (lane all ones).
template <class T>
struct StripMax {
  Vec<T> max, has_nan;
};
template <class T, class Row>
static StripMax<T> strip_max(std::int64_t n, const Row& row) {
  StripMax<T> s{-std::numeric_limits<T>::infinity(), T(0)};
  for (std::int64_t k = 0; k < n; ++k) {
    const Vec<T> v = row(k);
    s.max = simd::select(v > s.max, v, s.max);
    s.has_nan = simd::select(simd::isnan(v), T(1), s.has_nan);
  }
  return s;
}

// The SIMD twin: the maximum of each column by vectors (NaN noted aside), then the first row that holds it (or
// the first NaN), found by a plain scan that stops there; the value is read from that row, as the twin does.
template <class T>
void reduce_max(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y, std::int64_t* argmax) {
  if (reference_mode()) return reduce_max_reference(outer, n, inner, x, y, argmax);  // the plain twin
  constexpr std::int64_t W = simd::width<T>;
  constexpr T lowest = -std::numeric_limits<T>::infinity();  // the padding, below every value
  const bool rows = inner == 1;                              // a contiguous run: one output from rows of W lanes
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* xo = x + o * n * inner;
    for (std::int64_t j0 = 0; j0 < inner; j0 += rows ? 1 : W) {
      const StripMax<T> s =
          rows ? strip_max<T>(simd::vectors_for<T>(n), [&](std::int64_t k) { return contiguous_row(xo, n, k, lowest); })
               : strip_max<T>(n, [&](std::int64_t k) { return column_strip(xo, inner, k, j0, lowest); });
      T max[W], has_nan[W];
      simd::store(s.max, max);
      simd::store(s.has_nan, has_nan);
      if (rows) {  // fold the lanes into lane 0
        for (std::int64_t l = 1; l < W; ++l) max[0] = std::max(max[0], max[l]), has_nan[0] += has_nan[l];
      }
      for (std::int64_t j = j0; j < std::min(inner, j0 + (rows ? 1 : W)); ++j) {
        const T* xj = xo + j;
        const T m = max[j - j0];
        std::int64_t k = 0;
        if (has_nan[j - j0] != 0)
          while (xj[k * inner] == xj[k * inner]) ++k;
        else
          while (xj[k * inner] != m) ++k;
        y[o * inner + j] = xj[k * inner];
        if (argmax) argmax[o * inner + j] = k;
      }
    }
  }
}

// ---- logsumexp ----------------------------------------------------------------------------------------------------

template <class T>
void reduce_logsumexp_reference(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y) {
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

// The SIMD twin: m = the maximum by vectors, s = sum exp(x - m) pairwise with the vector exp, then m + log s.
// Padding lanes hold -inf, whose exp(-inf - m) is 0.
template <class T>
void reduce_logsumexp(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y) {
  if (reference_mode()) return reduce_logsumexp_reference(outer, n, inner, x, y);  // the plain twin
  constexpr std::int64_t W = simd::width<T>;
  constexpr T inf = std::numeric_limits<T>::infinity();
  for (std::int64_t o = 0; o < outer; ++o) {
    const T* xo = x + o * n * inner;
    if (inner == 1) {
      auto row = [&](std::int64_t k) { return contiguous_row(xo, n, k, -inf); };
      const StripMax<T> s = strip_max<T>(simd::vectors_for<T>(n), row);
      const T m = simd::max_lane(s.max);  // a* = max_k a_k, see (iwae.6)
      if (any_of(s.has_nan != T(0)) || std::isinf(m)) {
        y[o] = any_of(s.has_nan != T(0)) ? std::numeric_limits<T>::quiet_NaN() : m;
        continue;
      }
      const Vec<T> sum =
          simd::pairwise_sum<T>(0, simd::vectors_for<T>(n), [&](std::int64_t k) { return simd::exp(row(k) - m); });
      y[o] = m + std::log(simd::sum_lanes(sum));
      continue;
    }
    for (std::int64_t j0 = 0; j0 < inner; j0 += W) {
      auto row = [&](std::int64_t k) { return column_strip(xo, inner, k, j0, -inf); };
      const StripMax<T> s = strip_max<T>(n, row);
      const Vec<T> m = s.max;
      Vec<T> lse = m + simd::log(simd::pairwise_sum<T>(0, n, [&](std::int64_t k) { return simd::exp(row(k) - m); }));
      lse = simd::select(simd::abs(m) == inf, m, lse);  // all -inf, or a +inf
      lse = simd::select(s.has_nan != T(0), std::numeric_limits<T>::quiet_NaN(), lse);
      store_strip(lse, y + o * inner, inner, j0);
    }
  }
}

template void reduce_sum_reference<float>(std::int64_t, std::int64_t, std::int64_t, const float*, float*);
template void reduce_sum_reference<double>(std::int64_t, std::int64_t, std::int64_t, const double*, double*);
template void reduce_sum<float>(std::int64_t, std::int64_t, std::int64_t, const float*, float*);
template void reduce_sum<double>(std::int64_t, std::int64_t, std::int64_t, const double*, double*);
template void reduce_max_reference<float>(std::int64_t, std::int64_t, std::int64_t, const float*, float*,
                                          std::int64_t*);
template void reduce_max_reference<double>(std::int64_t, std::int64_t, std::int64_t, const double*, double*,
                                           std::int64_t*);
template void reduce_max<float>(std::int64_t, std::int64_t, std::int64_t, const float*, float*, std::int64_t*);
template void reduce_max<double>(std::int64_t, std::int64_t, std::int64_t, const double*, double*, std::int64_t*);
template void reduce_logsumexp_reference<float>(std::int64_t, std::int64_t, std::int64_t, const float*, float*);
template void reduce_logsumexp_reference<double>(std::int64_t, std::int64_t, std::int64_t, const double*, double*);
template void reduce_logsumexp<float>(std::int64_t, std::int64_t, std::int64_t, const float*, float*);
template void reduce_logsumexp<double>(std::int64_t, std::int64_t, std::int64_t, const double*, double*);

}  // namespace tg::kernels
