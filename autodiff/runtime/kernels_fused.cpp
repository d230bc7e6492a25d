// Fused kernels (see kernels.hpp): the Bernoulli and diagonal-Normal log-densities summed over an event of E
// values, their backward passes, and the backward of an activation from its output. Each plain loop first, then
// its SIMD twin. The ops that call them are in ops/fused.cpp; the math is in docs/kernels.md.
#include <cmath>
#include <limits>

#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/simd_math.hpp"

namespace tg::kernels {

using simd::Vec;

// Row r's values of an operand (a null one reads as zeros), W at a time from column j; past E, `fill`.
template <class T>
static Vec<T> load_row(const Rows<T>& a, std::int64_t r, std::int64_t E, std::int64_t j, T fill) {
  if (!a.p) return Vec<T>(T(0));
  const T* p = a.row(r, E) + j;
  return j + simd::width<T> <= E ? simd::load(p) : simd::load_tail(p, E - j, fill);
}
template <class T>
static T at(const Rows<T>& a, std::int64_t r, std::int64_t E, std::int64_t j) {
  return a.p ? a.row(r, E)[j] : T(0);
}
template <class T>
static void store_row(const Vec<T>& v, T* out, std::int64_t r, std::int64_t E, std::int64_t j) {
  if (!out) return;
  if (j + simd::width<T> <= E)
    simd::store(v, out + r * E + j);
  else
    simd::store_tail(v, out + r * E + j, E - j);
}
// The sum of row r's values v(j) (W at a time), pairwise, with the lanes past E zeroed.
template <class T, class Values>
static T row_sum(std::int64_t E, const Values& v) {
  constexpr std::int64_t W = simd::width<T>;
  return simd::sum_lanes(simd::pairwise_sum<T>(0, simd::vectors_for<T>(E), [&](std::int64_t k) {
    Vec<T> s = v(k * W);
    if ((k + 1) * W > E) s = simd::select(simd::lane_index<T>() >= T(E - k * W), T(0), s);
    return s;
  }));
}

// ---- Bernoulli from logits --------------------------------------------------------------------------------------
// log p(x | t) = x t - softplus(t) = (x - [t > 0]) t - log1p(e^-|t|): the two forms agree because
// softplus(t) = max(t, 0) + log1p(e^-|t|); the second never subtracts two large numbers (x = 1, t = 30 gives
// -log1p(e^-30) = -9.36e-14 to full precision, where 30 - softplus(30) keeps two digits in float64, none in float32).
// d/dt = x - sigmoid(t) = (x - [t > 0]) + (t > 0 ? s : -s) with s = sigmoid(-|t|) = e / (1 + e), e = e^-|t|;
// d/dx = t.

template <class T>
void bernoulli_log_prob_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t, T* out) {
  for (std::int64_t r = r0; r < r1; ++r) {
    T s = 0;
    for (std::int64_t j = 0; j < E; ++j) {
      const T tj = at(t, r, E, j), a = at(x, r, E, j) - (tj > 0 ? T(1) : T(0));
      s += (a == 0 ? T(0) : a * tj) - std::log1p(std::exp(-std::abs(tj)));  // a = 0: 0, also for t = +-inf
    }
    out[r] = s;
  }
}

template <class T>
void bernoulli_log_prob(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t, T* out) {
  if (reference_mode()) return bernoulli_log_prob_reference(r0, r1, E, x, t, out);  // the plain twin
  for (std::int64_t r = r0; r < r1; ++r)
    out[r] = row_sum<T>(E, [&](std::int64_t j) {
      const Vec<T> tj = load_row(t, r, E, j, T(0));
      Vec<T> a = load_row(x, r, E, j, T(0));
      a = simd::select(tj > T(0), a - T(1), a);
      return simd::select(a == T(0), T(0), a * tj) - simd::log1p(simd::exp(-simd::abs(tj)));
    });
}

template <class T>
void bernoulli_log_prob_backward_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t,
                                           const T* g, T* gx, T* gt) {
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t j = 0; j < E; ++j) {
      const T tj = at(t, r, E, j), e = std::exp(-std::abs(tj)), s = e / (T(1) + e);
      const T a = at(x, r, E, j) - (tj > 0 ? T(1) : T(0));
      if (gt) gt[r * E + j] = g[r] * (a + (tj > 0 ? s : -s));
      if (gx) gx[r * E + j] = g[r] * tj;
    }
}

template <class T>
void bernoulli_log_prob_backward(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t, const T* g,
                                 T* gx, T* gt) {
  if (reference_mode()) return bernoulli_log_prob_backward_reference(r0, r1, E, x, t, g, gx, gt);  // the plain twin
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t j = 0; j < E; j += simd::width<T>) {
      const Vec<T> tj = load_row(t, r, E, j, T(0)), e = simd::exp(-simd::abs(tj));
      Vec<T> a = load_row(x, r, E, j, T(0)), s = -(e / (T(1) + e));
      a = simd::select(tj > T(0), a - T(1), a);
      s = simd::select(tj > T(0), -s, s);
      store_row(Vec<T>(g[r]) * (a + s), gt, r, E, j);
      store_row(Vec<T>(g[r]) * tj, gx, r, E, j);
    }
}

// ---- diagonal Normal --------------------------------------------------------------------------------------------
// log N(x; mu, sigma^2) = -1/2 y^2 - log sigma - 1/2 log(2 pi),  y = (x - mu) e^-log_sigma
// d/dx = -y e^-log_sigma,  d/dmu = y e^-log_sigma,  d/dlog_sigma = y^2 - 1
// At infinite inputs each takes its limit (docs/prob.md): y and y e^-log_sigma are 0 where x = mu, whatever sigma,
// and a term with |y| = inf is -inf (the square beats -log sigma).

constexpr double half_log_2pi = 0.91893853320467274178;

template <class T>
void normal_log_prob_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu,
                               Rows<T> log_sigma, T* out) {
  for (std::int64_t r = r0; r < r1; ++r) {
    T s = 0;
    for (std::int64_t j = 0; j < E; ++j) {
      const T ls = at(log_sigma, r, E, j), d = at(x, r, E, j) - at(mu, r, E, j);
      const T y = d == 0 ? T(0) : d * std::exp(-ls);
      s += std::isinf(y) ? -std::numeric_limits<T>::infinity() : y * y * T(-0.5) - ls - T(half_log_2pi);
    }
    out[r] = s;
  }
}

template <class T>
void normal_log_prob(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu, Rows<T> log_sigma,
                     T* out) {
  if (reference_mode()) return normal_log_prob_reference(r0, r1, E, x, mu, log_sigma, out);  // the plain twin
  for (std::int64_t r = r0; r < r1; ++r)
    out[r] = row_sum<T>(E, [&](std::int64_t j) {
      const Vec<T> ls = load_row(log_sigma, r, E, j, T(0));
      const Vec<T> d = load_row(x, r, E, j, T(0)) - load_row(mu, r, E, j, T(0));
      const Vec<T> y = simd::select(d == T(0), T(0), d * simd::exp(-ls));
      const Vec<T> term = y * y * T(-0.5) - ls - T(half_log_2pi);
      return simd::select(simd::abs(y) == std::numeric_limits<T>::infinity(), -std::numeric_limits<T>::infinity(),
                          term);
    });
}

template <class T>
void normal_log_prob_backward_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu,
                                        Rows<T> log_sigma, const T* g, T* gx, T* gmu, T* glog_sigma) {
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t j = 0; j < E; ++j) {
      const T inv_sigma = std::exp(-at(log_sigma, r, E, j)), d = at(x, r, E, j) - at(mu, r, E, j);
      const T y = d == 0 ? T(0) : d * inv_sigma, dmu = d == 0 ? T(0) : g[r] * y * inv_sigma;
      if (gx) gx[r * E + j] = -dmu;
      if (gmu) gmu[r * E + j] = dmu;
      if (glog_sigma) glog_sigma[r * E + j] = g[r] * (y * y - T(1));
    }
}

template <class T>
void normal_log_prob_backward(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu,
                              Rows<T> log_sigma, const T* g, T* gx, T* gmu, T* glog_sigma) {
  if (reference_mode())
    return normal_log_prob_backward_reference(r0, r1, E, x, mu, log_sigma, g, gx, gmu, glog_sigma);  // the plain twin
  for (std::int64_t r = r0; r < r1; ++r)
    for (std::int64_t j = 0; j < E; j += simd::width<T>) {
      const Vec<T> inv_sigma = simd::exp(-load_row(log_sigma, r, E, j, T(0)));
      const Vec<T> d = load_row(x, r, E, j, T(0)) - load_row(mu, r, E, j, T(0));
      const Vec<T> y = simd::select(d == T(0), T(0), d * inv_sigma);
      const Vec<T> gmu_j = simd::select(d == T(0), T(0), Vec<T>(g[r]) * y * inv_sigma);
      store_row(Vec<T>(-gmu_j), gx, r, E, j);
      store_row(gmu_j, gmu, r, E, j);
      store_row(Vec<T>(g[r]) * (y * y - T(1)), glog_sigma, r, E, j);
    }
}

// ---- the backward of an activation, from its output y ---------------------------------------------------------
// relu' = [y > 0],  tanh' = 1 - y^2 = (1 - y)(1 + y),  sigmoid' = y (1 - y),  softplus' = sigmoid(x) = 1 - e^-y =
// -expm1(-y). tanh' is computed as (1 - y)(1 + y): accurate where y is near 1 (1 - y is exact there), and with no
// a * b + c in it, so the bits do not depend on whether the compiler fuses it into an FMA.

template <class T>
void activation_backward_reference(Unary f, std::int64_t n, const T* y, const T* g, T* gx) {
  switch (f) {
    case Unary::relu:
      for (std::int64_t i = 0; i < n; ++i) gx[i] = g[i] * (y[i] > 0 ? T(1) : T(0));
      break;
    case Unary::tanh:
      for (std::int64_t i = 0; i < n; ++i) gx[i] = g[i] * ((T(1) - y[i]) * (T(1) + y[i]));
      break;
    case Unary::sigmoid:
      for (std::int64_t i = 0; i < n; ++i) gx[i] = g[i] * y[i] * (T(1) - y[i]);
      break;
    case Unary::softplus:
      for (std::int64_t i = 0; i < n; ++i) gx[i] = g[i] * -std::expm1(-y[i]);
      break;
    default:
      for (std::int64_t i = 0; i < n; ++i) gx[i] = g[i];  // no activation
  }
}

// gx[i] = f(y[i], g[i]) W values at a time, the tail in a padded vector.
template <class T, class F>
static void map_pairs(std::int64_t n, const T* y, const T* g, T* gx, F f) {
  constexpr std::int64_t W = simd::width<T>;
  std::int64_t i = 0;
  for (; i + W <= n; i += W) simd::store(f(simd::load(y + i), simd::load(g + i)), gx + i);
  if (i < n)
    simd::store_tail(f(simd::load_tail(y + i, n - i, T(0)), simd::load_tail(g + i, n - i, T(0))), gx + i, n - i);
}

template <class T>
void activation_backward(Unary f, std::int64_t n, const T* y, const T* g, T* gx) {
  if (reference_mode()) return activation_backward_reference(f, n, y, g, gx);  // the plain twin
  using V = Vec<T>;
  switch (f) {
    case Unary::relu:
      return map_pairs(n, y, g, gx, [](V yi, V gi) {
        V d = T(1);
        d = simd::select(!(yi > T(0)), T(0), d);
        return gi * d;
      });
    case Unary::tanh:
      return map_pairs(n, y, g, gx, [](V yi, V gi) { return gi * ((T(1) - yi) * (T(1) + yi)); });
    case Unary::sigmoid:
      return map_pairs(n, y, g, gx, [](V yi, V gi) { return gi * yi * (T(1) - yi); });
    case Unary::softplus:
      return map_pairs(n, y, g, gx, [](V yi, V gi) { return gi * -simd::expm1(V(-yi)); });
    default:
      return map_pairs(n, y, g, gx, [](V, V gi) { return gi; });
  }
}

template void bernoulli_log_prob_reference<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>, Rows<float>,
                                                  float*);
template void bernoulli_log_prob_reference<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>, Rows<double>,
                                                   double*);
template void bernoulli_log_prob<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>, Rows<float>, float*);
template void bernoulli_log_prob<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>, Rows<double>, double*);
template void bernoulli_log_prob_backward_reference<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>,
                                                           Rows<float>, const float*, float*, float*);
template void bernoulli_log_prob_backward_reference<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>,
                                                            Rows<double>, const double*, double*, double*);
template void bernoulli_log_prob_backward<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>, Rows<float>,
                                                 const float*, float*, float*);
template void bernoulli_log_prob_backward<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>, Rows<double>,
                                                  const double*, double*, double*);
template void normal_log_prob_reference<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>, Rows<float>,
                                               Rows<float>, float*);
template void normal_log_prob_reference<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>, Rows<double>,
                                                Rows<double>, double*);
template void normal_log_prob<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>, Rows<float>, Rows<float>,
                                     float*);
template void normal_log_prob<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>, Rows<double>,
                                      Rows<double>, double*);
template void normal_log_prob_backward_reference<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>,
                                                        Rows<float>, Rows<float>, const float*, float*, float*, float*);
template void normal_log_prob_backward_reference<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>,
                                                         Rows<double>, Rows<double>, const double*, double*, double*,
                                                         double*);
template void normal_log_prob_backward<float>(std::int64_t, std::int64_t, std::int64_t, Rows<float>, Rows<float>,
                                              Rows<float>, const float*, float*, float*, float*);
template void normal_log_prob_backward<double>(std::int64_t, std::int64_t, std::int64_t, Rows<double>, Rows<double>,
                                               Rows<double>, const double*, double*, double*, double*);
template void activation_backward_reference<float>(Unary, std::int64_t, const float*, const float*, float*);
template void activation_backward_reference<double>(Unary, std::int64_t, const double*, const double*, double*);
template void activation_backward<float>(Unary, std::int64_t, const float*, const float*, float*);
template void activation_backward<double>(Unary, std::int64_t, const double*, const double*, double*);

}  // namespace tg::kernels
