// exp, log, log1p, expm1, tanh, sigmoid and softplus on whole vectors (simd::Vec<float> and Vec<double>), written
// here: a range reduction to a small interval, a Taylor polynomial there, and the special values put back at the
// end. Their plain twins call std::exp & co. in autodiff/runtime/kernels_elementwise.cpp, and
// tests/autodiff/test_simd_kernels.cpp compares the two. Largest distance to the twin measured by bench/ulp_error
// over >= 1e7 inputs per function spanning the whole range (AVX2 + FMA build): float32 <= 3 ulp, float64 <= 3 ulp
// (tanh; the others <= 2); the table is in docs/kernels.md. The truncation error of each polynomial is stated beside
// it; the rest is rounding.
#pragma once
#include <array>
#include <cstddef>
#include <limits>

#include "autodiff/runtime/simd.hpp"

namespace tg::simd {

// The numbers each function needs, for float and for double. ln 2 is split into a head whose last bits are zero
// (so n * ln2_hi is exact for the n that occur) and the rest (Cody & Waite): x - n ln 2 is then accurate to an
// ulp of the small result although x and n ln 2 are large.
template <class T>
struct Consts;
template <>
struct Consts<float> {
  static constexpr int mantissa_bits = 23, exponent_bias = 127;
  static constexpr float ln2_hi = 0x1.62e4p-1f;          // ln 2 to 16 bits: n ln2_hi exact for |n| < 256
  static constexpr float ln2_lo = 0x1.7f7d1cp-20f;       // ln 2 - ln2_hi
  static constexpr float log2e = 0x1.715476p+0f;         // 1 / ln 2
  static constexpr float round_shift = 0x1.8p23f;        // v + 1.5 2^23 rounds v (|v| < 2^22) to an integer
  static constexpr float exp_lo = -110, exp_hi = 89;     // e^x is 0 below and inf above (thresholds -103.97, 88.72)
  static constexpr float expm1_lo = -25, expm1_hi = 88;  // e^x - 1 rounds to -1 below -17.4; above, e^x
  static constexpr float tanh_2a_max = 40;               // tanh(20) rounds to 1
  static constexpr float min_normal = 0x1p-126f, subnormal_scale = 0x1p25f;
  static constexpr unsigned subnormal_shift = 25;
  static constexpr std::uint32_t sqrt_half_bits = 0x3f3504f3;  // the bits of sqrt(1/2)
  static constexpr int expm1_terms = 7;  // 1/2! .. 1/8!: truncation |r|^8 / 9! < 6e-10 relative, |r| <= ln2/2
  static constexpr int log_terms = 5;    // 2/3 .. 2/11: truncation 2 s^12 / 13 < 1e-9 relative, |s| <= 0.1716
};
template <>
struct Consts<double> {
  static constexpr int mantissa_bits = 52, exponent_bias = 1023;
  static constexpr double ln2_hi = 0x1.62e42ffp-1;          // ln 2 to 29 bits: n ln2_hi exact for |n| < 2^24
  static constexpr double ln2_lo = -0x1.718432a1b0e26p-35;  // ln 2 - ln2_hi
  static constexpr double log2e = 0x1.71547652b82fep+0;     // 1 / ln 2
  static constexpr double round_shift = 0x1.8p52;           // v + 1.5 2^52 rounds v (|v| < 2^51) to an integer
  static constexpr double exp_lo = -760, exp_hi = 710;      // e^x is 0 below and inf above (-745.13, 709.78)
  static constexpr double expm1_lo = -40, expm1_hi = 709;   // e^x - 1 rounds to -1 below -37.5; above, e^x
  static constexpr double tanh_2a_max = 80;                 // tanh(40) rounds to 1
  static constexpr double min_normal = 0x1p-1022, subnormal_scale = 0x1p54;
  static constexpr unsigned subnormal_shift = 54;
  static constexpr std::uint64_t sqrt_half_bits = 0x3fe6a09e667f3bcd;  // the bits of sqrt(1/2)
  static constexpr int expm1_terms = 13;  // 1/2! .. 1/14!: truncation |r|^14 / 15! < 3e-19 relative
  static constexpr int log_terms = 10;    // 2/3 .. 2/21: truncation 2 s^22 / 23 < 1e-18 relative
};

// The Taylor coefficients: 1/2!, 1/3!, ... (of (e^r - 1 - r) / r^2), and 2/3, 2/5, ... (of (2 atanh(s) - 2s) / s^3).
template <class T, int N>
constexpr std::array<T, N> expm1_coefficients() {
  std::array<T, N> c{};
  double factorial = 2;  // (k + 2)!
  for (int k = 0; k < N; ++k) c[k] = static_cast<T>(1.0 / factorial), factorial *= k + 3;
  return c;
}
template <class T, int N>
constexpr std::array<T, N> log_coefficients() {
  std::array<T, N> c{};
  for (int k = 0; k < N; ++k) c[k] = static_cast<T>(2.0 / (2 * k + 3));
  return c;
}

// c[0] + r (c[1] + r (c[2] + ...)), by Horner's rule.
template <class T, std::size_t N>
[[gnu::always_inline]] inline Vec<T> polynomial(const Vec<T>& r, const std::array<T, N>& c) {
  Vec<T> p = c[N - 1];
#pragma GCC unroll 16
  for (std::size_t j = 2; j <= N; ++j) p = p * r + c[N - j];
  return p;
}

// 2^n for integers n in the normal exponent range, built from its bits: exponent n + bias, mantissa 0.
template <class T>
[[gnu::always_inline]] inline Vec<T> pow2(const Ints<T>& n) {
  const Ints<T> biased = n + Ints<T>(Consts<T>::exponent_bias);
  return from_bits<T>(unsigned_of<T>(biased) << Consts<T>::mantissa_bits);
}

// x = n ln 2 + r with n = round(x / ln 2) and |r| <= ln 2 / 2 (+ an ulp). r_err is the rounding error of r
// (r + r_err is x - n ln 2 to about twice T's precision); expm1 needs it where the result is near 2^n - 1.
template <class T>
struct Reduced {
  Ints<T> n;
  Vec<T> r, r_err;
};
template <class T>
[[gnu::always_inline]] inline Reduced<T> reduce_ln2(const Vec<T>& x) {
  using C = Consts<T>;
  const Vec<T> shifted = x * C::log2e + C::round_shift;  // round(x / ln 2) sits in the low bits
  const Vec<T> n = shifted - C::round_shift;
  const Ints<T> ni = signed_of<T>(bits_of(shifted) - bits_of(Vec<T>(C::round_shift)));
  const Vec<T> head = x - n * C::ln2_hi;  // exact: n ln2_hi is exact and close to x
  const Vec<T> tail = n * C::ln2_lo;
  const Vec<T> r = head - tail;
  return {ni, r, (head - r) - tail};
}

// (e^r - 1 - r) / r^2 = 1/2! + r/3! + r^2/4! + ... for |r| <= ln 2 / 2.
template <class T>
[[gnu::always_inline]] inline Vec<T> expm1_tail(const Vec<T>& r) {
  static constexpr auto c = expm1_coefficients<T, Consts<T>::expm1_terms>();
  return polynomial(r, c);
}

// e^x = 2^n e^r. 2^n is applied as 2^(n/2) 2^(n - n/2), both normal numbers, so that results in the subnormal
// range round once and results beyond the largest float become inf. Bound: 1 ulp.
template <class T>
[[gnu::always_inline]] inline Vec<T> exp(const Vec<T>& x) {
  using C = Consts<T>;
  Vec<T> xc = x;
  xc = simd::select(xc < C::exp_lo, C::exp_lo, xc);
  xc = simd::select(xc > C::exp_hi, C::exp_hi, xc);
  xc = simd::select(simd::isnan(x), T(0), xc);  // put back at the end
  const Reduced<T> red = reduce_ln2(xc);
  const Ints<T> half = red.n >> 1;
  const Vec<T> r = red.r;
  Vec<T> y = (T(1) + (r + r * r * expm1_tail(r))) * pow2<T>(half) * pow2<T>(red.n - half);
  y = simd::select(simd::isnan(x), x, y);
  return y;
}

// e^x - 1 = 2^n (e^r - 1) + (2^n - 1) = [(2^n - 1) + 2^n r] + 2^n p_lo  with e^r - 1 = r + p_lo,
// p_lo = r^2 (1/2! + r/3! + ...) + r_err (1 + r + ...) (r's rounding error carried: e^(r + r_err) - 1). The bracket
// is summed with its exact rounding error (|2^n - 1| >= |2^n r| or the sum is exact), which goes into the last
// addition: the result is then rounded about once, also near x = ln 2 where 2^n - 1 and 2^n r nearly cancel.
// For n = 0 this is r + p_lo: tiny x gives x. Above expm1_hi the -1 is below an ulp and e^x (which may overflow)
// is the answer. Bound: 1 ulp.
template <class T>
[[gnu::always_inline]] inline Vec<T> expm1(const Vec<T>& x) {
  using C = Consts<T>;
  Vec<T> xc = x;
  xc = simd::select(xc < C::expm1_lo, C::expm1_lo, xc);
  xc = simd::select(xc > C::expm1_hi, C::expm1_hi, xc);
  xc = simd::select(simd::isnan(x), T(0), xc);  // put back at the end
  const Reduced<T> red = reduce_ln2(xc);
  const Vec<T> r = red.r;
  const Vec<T> p_lo = r * r * expm1_tail(r) + red.r_err * (T(1) + r);
  const Vec<T> scale = pow2<T>(red.n);
  const Vec<T> a = scale - T(1), b = scale * r;  // b is exact
  const Vec<T> sum = a + b;
  const Vec<T> sum_err = b - (sum - a);  // exact (Fast2Sum)
  Vec<T> y = sum + (scale * p_lo + sum_err);
  const Mask<T> big = x > C::expm1_hi;
  if (any_of(big)) y = simd::select(big, simd::exp(x), y);
  y = simd::select(x == T(0) || simd::isnan(x), x, y);  // keeps the sign of -0
  return y;
}

// log(2^e_offset u) + c for u = 2^e (1 + f) with 1 + f in [sqrt(1/2), sqrt(2)), u > 0 finite and normal. c is a
// small correction added at the lowest level (log1p's c/u, else 0); e_offset undoes a scaling of subnormals. With s = f
// / (2 + f), |s| <= 0.1716:
//   log(1 + f) = 2 atanh(s) = 2s + s R,  R = s^2 (2/3 + 2/5 s^2 + 2/7 s^4 + ...)
// and, since 2s = f - s f, log(1 + f) = f - (f^2/2 - s (f^2/2 + R)): the exact f leads and the rest is small.
template <class T>
[[gnu::always_inline]] inline Vec<T> log_reduced(const Vec<T>& u, const Vec<T>& c, const Vec<T>& e_offset) {
  using C = Consts<T>;
  static constexpr auto coef = log_coefficients<T, C::log_terms>();
  // Adding 1 - sqrt(1/2) to the mantissa's bits carries into the exponent exactly when the mantissa is at least
  // sqrt(1/2): e is then the exponent of u / sqrt(1/2), and the mantissa bits, with sqrt(1/2)'s exponent put back
  // in, give 1 + f in [sqrt(1/2), sqrt(2)).
  const Bits<T> mantissa_mask = (UInt<T>(1) << C::mantissa_bits) - 1;
  const Bits<T> moved = bits_of(u) + Bits<T>((UInt<T>(C::exponent_bias) << C::mantissa_bits) - C::sqrt_half_bits);
  const Vec<T> m = from_bits<T>((moved & mantissa_mask) + Bits<T>(C::sqrt_half_bits));
  // e as T: put the small integer in the mantissa of 2^mantissa_bits and subtract that.
  const Vec<T> two_p = T(UInt<T>(1) << C::mantissa_bits);
  const Vec<T> biased_e = from_bits<T>((moved >> C::mantissa_bits) | bits_of(two_p)) - two_p;
  const Vec<T> e = biased_e - T(C::exponent_bias) + e_offset;
  const Vec<T> f = m - T(1);  // exact
  const Vec<T> s = f / (T(2) + f);
  const Vec<T> z = s * s;
  const Vec<T> R = z * polynomial(z, coef);
  const Vec<T> hfsq = T(0.5) * f * f;
  return e * C::ln2_hi + (f - (hfsq - (s * (hfsq + R) + (e * C::ln2_lo + c))));
}

// log x, with log 0 = -inf, log of x < 0 = NaN, log inf = inf. Subnormal x are scaled up by 2^k first. Bound: 1 ulp.
template <class T>
[[gnu::always_inline]] inline Vec<T> log(const Vec<T>& x) {
  using C = Consts<T>;
  const Mask<T> tiny = x < C::min_normal;
  Vec<T> u = x, e_offset = T(0);
  u = simd::select(tiny, x * C::subnormal_scale, u);
  e_offset = simd::select(tiny, -T(C::subnormal_shift), e_offset);
  Vec<T> y = log_reduced(u, Vec<T>(0), e_offset);
  y = simd::select(x == T(0), -std::numeric_limits<T>::infinity(), y);
  y = simd::select(x < T(0), std::numeric_limits<T>::quiet_NaN(), y);
  y = simd::select(x == std::numeric_limits<T>::infinity() || simd::isnan(x), x, y);
  return y;
}

// log(1 + x) = log(u) + log(1 + c/u) with u = 1 + x rounded and c = x - (u - 1) its rounding error (exact), and
// log(1 + c/u) = c/u to far below an ulp. Tiny x: u = 1 and the result is c = x. Bound: 1 ulp.
template <class T>
[[gnu::always_inline]] inline Vec<T> log1p(const Vec<T>& x) {
  const Vec<T> u = T(1) + x;
  Vec<T> y = log_reduced(u, (x - (u - T(1))) / u, Vec<T>(0));
  y = simd::select(x == T(-1), -std::numeric_limits<T>::infinity(), y);
  y = simd::select(x < T(-1), std::numeric_limits<T>::quiet_NaN(), y);
  y = simd::select(x == std::numeric_limits<T>::infinity() || x == T(0) || simd::isnan(x), x, y);
  return y;
}

// tanh x = sign(x) t(|x|) with u = e^(2|x|) - 1:  t = u / (u + 2)  for |x| <= log(3)/2 (no cancellation), and
// t = 1 - 2 / (u + 2) above (the result is then >= 1/2). The quotient q = num / d with d = u + 2 is corrected for
// the rounding of d (d_err) and of the division (the residual num - q d, exact with FMA). Bound: 2 ulp.
template <class T>
[[gnu::always_inline]] inline Vec<T> tanh(const Vec<T>& x) {
  Vec<T> two_a = T(2) * simd::abs(x);
  two_a = simd::select(two_a > Consts<T>::tanh_2a_max, Consts<T>::tanh_2a_max, two_a);
  const Vec<T> u = simd::expm1(two_a);
  const Mask<T> big = two_a > T(1.0986122886681098);  // log 3
  Vec<T> num = u;
  num = simd::select(big, T(2), num);
  const Vec<T> d = u + T(2);
  Vec<T> hi = T(2), lo = u;  // d_err = (hi - d) + lo is exact for hi >= lo
  hi = simd::select(u > T(2), u, hi);
  lo = simd::select(u > T(2), T(2), lo);
  const Vec<T> d_err = (hi - d) + lo;
  const Vec<T> q0 = num / d;
  const Vec<T> q = q0 + ((num - q0 * d) - q0 * d_err) / d;
  Vec<T> t = q;
  t = simd::select(big, T(1) - q, t);
  Vec<T> y = simd::copysign(t, x);
  y = simd::select(simd::isnan(x), x, y);
  return y;
}

// sigmoid x = 1 / (1 + e^-x) for x >= 0 and e^x / (1 + e^x) for x < 0: e = e^-|x| never overflows. The same
// formula as the plain twin. Bound: 2 ulp.
template <class T>
[[gnu::always_inline]] inline Vec<T> sigmoid(const Vec<T>& x) {
  const Vec<T> e = simd::exp(-simd::abs(x));
  Vec<T> num = T(1);
  num = simd::select(x < T(0), e, num);
  return num / (T(1) + e);
}

// softplus x = log(1 + e^x) = max(x, 0) + simd::log1p(e^-|x|): never overflows. The same formula as the plain twin.
// Bound: 2 ulp.
template <class T>
[[gnu::always_inline]] inline Vec<T> softplus(const Vec<T>& x) {
  Vec<T> m = T(0);
  m = simd::select(x > T(0), x, m);
  return m + simd::log1p(simd::exp(-simd::abs(x)));
}

}  // namespace tg::simd
