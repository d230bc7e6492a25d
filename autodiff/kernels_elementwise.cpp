// Elementwise kernels (see kernels.hpp): each plain loop, then its SIMD twin right below it. The vector math
// (exp, log, ...) is in simd_math.hpp; its accuracy against the plain loops is in docs/kernels.md.
#include <algorithm>
#include <bit>
#include <cmath>
#include <limits>

#include "autodiff/kernels.hpp"
#include "autodiff/simd_math.hpp"

namespace tg::kernels {

using simd::Vec;

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

// ---- unary ------------------------------------------------------------------------------------------------------

template <class T>
void unary_reference(Unary f, std::int64_t n, const T* x, T* y) {
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

// y[i] = f(x[i]) one vector of W values at a time; the last n % W values go through the same f in a padded vector.
template <class T, class F>
static void map_vectors(std::int64_t n, const T* x, T* y, F f) {
  constexpr std::int64_t W = simd::width<T>;
  std::int64_t i = 0;
  for (; i + W <= n; i += W) simd::store(f(simd::load(x + i)), y + i);
  if (i < n) simd::store_tail(f(simd::load_tail(x + i, n - i, T(0))), y + i, n - i);
}

// The SIMD twin: the same cases, one vector at a time.
template <class T>
void unary(Unary f, std::int64_t n, const T* x, T* y) {
  if (reference_mode()) return unary_reference(f, n, x, y);  // the plain twin
  using V = Vec<T>;
  switch (f) {
    case Unary::neg:
      return map_vectors(n, x, y, [](V v) { return -v; });
    case Unary::exp:
      return map_vectors(n, x, y, [](V v) { return simd::exp(v); });
    case Unary::log:
      return map_vectors(n, x, y, [](V v) { return simd::log(v); });
    case Unary::log1p:
      return map_vectors(n, x, y, [](V v) { return simd::log1p(v); });
    case Unary::expm1:
      return map_vectors(n, x, y, [](V v) { return simd::expm1(v); });
    case Unary::sqrt:
      return map_vectors(n, x, y, [](V v) { return simd::sqrt(v); });  // IEEE sqrt: the same bits
    case Unary::square:
      return map_vectors(n, x, y, [](V v) { return v * v; });
    case Unary::abs:
      return map_vectors(n, x, y, [](V v) { return simd::abs(v); });
    case Unary::tanh:
      return map_vectors(n, x, y, [](V v) { return simd::tanh(v); });
    case Unary::sigmoid:
      return map_vectors(n, x, y, [](V v) { return simd::sigmoid(v); });
    case Unary::relu:  // x if x > 0, NaN stays NaN, else +0
      return map_vectors(n, x, y, [](V v) {
        v = simd::select(!(v > T(0)) && v == v, T(0), v);
        return v;
      });
    case Unary::softplus:
      return map_vectors(n, x, y, [](V v) { return simd::softplus(v); });
    case Unary::log_sigmoid:
      return map_vectors(n, x, y, [](V v) { return -simd::softplus(V(-v)); });
  }
}

// ---- binary -----------------------------------------------------------------------------------------------------

template <class T>
void binary_reference(Binary f, std::int64_t n, const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out) {
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

// f(x, y) for one pair of values.
template <class T>
static T apply(Binary f, T x, T y) {
  switch (f) {
    case Binary::add:
      return x + y;
    case Binary::sub:
      return x - y;
    case Binary::mul:
      return x * y;
    case Binary::div:
      return x / y;
  }
  return x;
}

// out[i] = f(a[i * sa], b[i * sb]) for strides 0 (one value, broadcast to every lane) or 1, W values at a time.
template <class T, class F>
static void map_vectors(std::int64_t n, const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out, F f) {
  constexpr std::int64_t W = simd::width<T>;
  auto at = [](const T* p, std::int64_t s, std::int64_t i) { return s ? simd::load(p + i) : Vec<T>(p[0]); };
  auto tail = [](const T* p, std::int64_t s, std::int64_t i, std::int64_t m) {
    return s ? simd::load_tail(p + i, m, T(1)) : Vec<T>(p[0]);
  };
  std::int64_t i = 0;
  for (; i + W <= n; i += W) simd::store(f(at(a, sa, i), at(b, sb, i)), out + i);
  if (i < n) simd::store_tail(f(tail(a, sa, i, n - i), tail(b, sb, i, n - i)), out + i, n - i);
}

// The SIMD twin (strides 0 and 1). Any other stride, and fewer values than one vector holds (a scalar, say),
// take the plain loop: one IEEE operation per element gives the same bits either way, and for a handful of values
// filling and emptying a padded vector costs more than the arithmetic.
template <class T>
void binary(Binary f, std::int64_t n, const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out) {
  if (reference_mode()) return binary_reference(f, n, a, sa, b, sb, out);  // the plain twin
  using V = Vec<T>;
  if (n == 1) {  // a scalar computation: one value, no loop to set up
    out[0] = apply(f, a[0], b[0]);
    return;
  }
  if ((sa != 0 && sa != 1) || (sb != 0 && sb != 1) || n < simd::width<T>)
    return binary_reference(f, n, a, sa, b, sb, out);
  switch (f) {
    case Binary::add:
      return map_vectors(n, a, sa, b, sb, out, [](V x, V y) { return x + y; });
    case Binary::sub:
      return map_vectors(n, a, sa, b, sb, out, [](V x, V y) { return x - y; });
    case Binary::mul:
      return map_vectors(n, a, sa, b, sb, out, [](V x, V y) { return x * y; });
    case Binary::div:
      return map_vectors(n, a, sa, b, sb, out, [](V x, V y) { return x / y; });
  }
}

// ---- ulp distance -----------------------------------------------------------------------------------------------

// Positive floats are ordered like their bits read as integers; a negative one is mapped to minus its magnitude's.
template <class T>
static std::int64_t ordered(T v) {
  const simd::UInt<T> sign = simd::UInt<T>(1) << (8 * sizeof(T) - 1), bits = std::bit_cast<simd::UInt<T>>(v);
  const auto magnitude = static_cast<std::int64_t>(bits & ~sign);
  return (bits & sign) ? -magnitude : magnitude;
}

template <class T>
double ulp_distance(T a, T b) {
  if (a == b || (a != a && b != b)) return 0;
  if (a != a || b != b) return std::numeric_limits<double>::infinity();
  return std::abs(static_cast<double>(ordered(a) - ordered(b)));
}

template double ulp_distance<float>(float, float);
template double ulp_distance<double>(double, double);
template void unary_reference<float>(Unary, std::int64_t, const float*, float*);
template void unary_reference<double>(Unary, std::int64_t, const double*, double*);
template void unary<float>(Unary, std::int64_t, const float*, float*);
template void unary<double>(Unary, std::int64_t, const double*, double*);
template void binary_reference<float>(Binary, std::int64_t, const float*, std::int64_t, const float*, std::int64_t,
                                      float*);
template void binary_reference<double>(Binary, std::int64_t, const double*, std::int64_t, const double*, std::int64_t,
                                       double*);
template void binary<float>(Binary, std::int64_t, const float*, std::int64_t, const float*, std::int64_t, float*);
template void binary<double>(Binary, std::int64_t, const double*, std::int64_t, const double*, std::int64_t, double*);

}  // namespace tg::kernels
