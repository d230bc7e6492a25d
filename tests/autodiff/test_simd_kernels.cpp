// The SIMD elementwise kernels against their plain twins: every unary and binary op over every length 0..67 from
// unaligned starts (same bits wherever a range starts), the special values (+-0, +-inf, NaN, subnormals, the
// overflow and underflow thresholds), and the distance in ulp over a sweep of each function's range, also against
// values correctly rounded in a wider type. Bounds and the full table: docs/kernels.md.
#include <bit>
#include <cmath>
#include <limits>

#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/simd.hpp"
#include "test_util.hpp"

using namespace tg;
using kernels::Binary;
using kernels::Unary;

namespace {

struct UnaryCase {
  Unary f;
  const char* name;
  double twin_ulp;  // largest distance to the plain twin
};
const std::vector<UnaryCase> unary_cases = {{Unary::neg, "neg", 0},
                                            {Unary::exp, "exp", 2},
                                            {Unary::log, "log", 2},
                                            {Unary::log1p, "log1p", 2},
                                            {Unary::expm1, "expm1", 2},
                                            {Unary::sqrt, "sqrt", 0},
                                            {Unary::square, "square", 0},
                                            {Unary::abs, "abs", 0},
                                            {Unary::tanh, "tanh", 3},
                                            {Unary::sigmoid, "sigmoid", 2},
                                            {Unary::relu, "relu", 0},
                                            {Unary::softplus, "softplus", 2},
                                            {Unary::log_sigmoid, "log_sigmoid", 2}};

// Values from every part of the line: N(0, 3^2), U(-800, 800), and arbitrary bit patterns (which include
// subnormals, huge values, infinities and NaN).
template <class T>
std::vector<T> mixed_values(std::size_t n, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<T> v(n);
  for (std::size_t i = 0; i < n; ++i) {
    if (i % 3 == 0) v[i] = static_cast<T>(3 * gen.normal());
    if (i % 3 == 1) v[i] = static_cast<T>(1600 * gen.uniform() - 800);
    if (i % 3 == 2) v[i] = std::bit_cast<T>(static_cast<simd::UInt<T>>(gen.next_u64()));
  }
  return v;
}

// Each x, the two floats beside it, and its negation with its neighbours.
template <class T>
std::vector<T> with_neighbours(const std::vector<double>& xs) {
  std::vector<T> out;
  for (double d : xs)
    for (T x : {static_cast<T>(d), static_cast<T>(-d)})
      for (T v : {x, std::nextafter(x, T(-INFINITY)), std::nextafter(x, T(INFINITY))}) out.push_back(v);
  return out;
}

// The special values and the thresholds where the functions change regime, for float or double.
template <class T>
std::vector<T> special_values() {
  using L = std::numeric_limits<T>;
  const bool f32 = sizeof(T) == 4;
  std::vector<double> xs = {0,
                            L::infinity(),
                            L::denorm_min(),
                            L::min() / 3,
                            L::min(),
                            L::max(),
                            1,
                            0.5,
                            2,
                            std::log(3.0) / 2,  // tanh's switch of formula
                            std::log(2.0) / 2,  // the end of the reduced range of exp and expm1
                            std::log(2.0),
                            f32 ? 88.7228394 : 709.782712893384,  // exp overflows above
                            f32 ? 87.3365448 : 708.396418532264,  // exp(-x) is subnormal above
                            f32 ? 103.972077 : 745.133219101941,  // exp(-x) underflows to 0 above
                            f32 ? 17.3286795 : 37.4299477502370,  // expm1(-x) rounds to -1 above
                            f32 ? 9.01091290 : 19.0615474653984,  // tanh(x) rounds to 1 above
                            f32 ? 16.6355324 : 36.7368005696771,  // softplus(-x) = e^-x below ulp of 1
                            1e30,
                            800};
  std::vector<T> out = with_neighbours<T>(xs);
  for (T v : {T(-1), std::nextafter(T(-1), T(0)), std::nextafter(T(-1), T(-2))}) out.push_back(v);  // log1p's pole
  out.push_back(L::quiet_NaN());
  out.push_back(-L::quiet_NaN());
  return out;
}

template <class T>
void check_close(const char* name, T x, T fast, T twin, double bound) {
  INFO(name << "(" << x << "): fast " << fast << ", twin " << twin);
  REQUIRE(std::isnan(fast) == std::isnan(twin));
  if (twin == 0) REQUIRE(std::signbit(fast) == std::signbit(twin));  // the sign of a zero result is kept
  REQUIRE(kernels::ulp_distance(fast, twin) <= bound);
}

// Every length 0..67 at every start 0..16: the fast kernel writes exactly [start, start + n), each value within
// the bound of the twin's and bit-identical to the value the same input gets in one call over the whole buffer.
template <class T>
void check_unary_ranges(const UnaryCase& c) {
  const std::vector<T> x = mixed_values<T>(84, 7);
  std::vector<T> whole(x.size()), twin(x.size());
  kernels::unary<T>(c.f, static_cast<std::int64_t>(x.size()), x.data(), whole.data());
  kernels::unary_reference<T>(c.f, static_cast<std::int64_t>(x.size()), x.data(), twin.data());
  for (std::size_t i = 0; i < x.size(); ++i) check_close(c.name, x[i], whole[i], twin[i], c.twin_ulp);
  for (std::int64_t start = 0; start <= 16; ++start)
    for (std::int64_t n = 0; n <= 67; ++n) {
      std::vector<T> y(x.size(), T(-7));
      kernels::unary<T>(c.f, n, x.data() + start, y.data() + start);
      INFO(c.name << " start " << start << " n " << n);
      for (std::int64_t i = 0; i < static_cast<std::int64_t>(y.size()); ++i) {
        const bool inside = i >= start && i < start + n;
        if (!inside) REQUIRE(y[i] == T(-7));
        if (inside) REQUIRE(std::bit_cast<simd::UInt<T>>(y[i]) == std::bit_cast<simd::UInt<T>>(whole[i]));
      }
    }
}

template <class T>
void check_unary_specials(const UnaryCase& c) {
  const std::vector<T> x = special_values<T>();
  std::vector<T> fast(x.size()), twin(x.size());
  kernels::unary<T>(c.f, static_cast<std::int64_t>(x.size()), x.data(), fast.data());
  kernels::unary_reference<T>(c.f, static_cast<std::int64_t>(x.size()), x.data(), twin.data());
  for (std::size_t i = 0; i < x.size(); ++i) check_close(c.name, x[i], fast[i], twin[i], c.twin_ulp);
}

}  // namespace

TEST_CASE("simd kernels: every unary op, lengths 0..67 from unaligned starts, against its twin", "[kernels][simd]") {
  for (const UnaryCase& c : unary_cases) {
    check_unary_ranges<float>(c);
    check_unary_ranges<double>(c);
  }
}

TEST_CASE("simd kernels: every unary op at +-0, +-inf, NaN, subnormals and its thresholds", "[kernels][simd][edge]") {
  for (const UnaryCase& c : unary_cases) {
    check_unary_specials<float>(c);
    check_unary_specials<double>(c);
  }
}

namespace {

// The functions in a wider type (double for float, long double for double), rounded: nearly always the correctly
// rounded value. sigmoid and softplus are the twin's formulas.
template <class W>
W wide(Unary f, W x) {
  switch (f) {
    case Unary::exp:
      return std::exp(x);
    case Unary::log:
      return std::log(x);
    case Unary::log1p:
      return std::log1p(x);
    case Unary::expm1:
      return std::expm1(x);
    case Unary::tanh:
      return std::tanh(x);
    case Unary::sigmoid:
      return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
    case Unary::softplus:
      return std::max(x, W(0)) + std::log1p(std::exp(-std::abs(x)));
    default:
      return x;
  }
}

struct AccuracyCase {
  Unary f;
  const char* name;
  double lo, hi;                 // the interval swept, besides the arbitrary bit patterns
  double dense_lo, dense_hi;     // and swept densely, where the function is hardest to get right
  double exact_ulp, no_fma_ulp;  // largest distance to the correctly rounded value, with and without FMA
};
// tanh is 1 ulp from the correctly rounded value with FMA (its quotient correction needs the exact product), 2
// without; sigmoid and softplus inherit the rounding of their formulas (the twins' too). The dense intervals are
// where expm1's result is near 2^n - 1 (n = 1) and where tanh uses it.
const std::vector<AccuracyCase> accuracy_cases = {
    {Unary::exp, "exp", -110, 90, -88, -86, 1, 1},      {Unary::log, "log", 0, 4, 0.7, 1.5, 1, 1},
    {Unary::log1p, "log1p", -1, 3, -0.3, 0.5, 1, 1},    {Unary::expm1, "expm1", -20, 20, 0.34, 1.05, 1, 1},
    {Unary::tanh, "tanh", -4, 4, 0.1, 0.6, 1, 2},       {Unary::sigmoid, "sigmoid", -30, 30, -5, 5, 2, 2},
    {Unary::softplus, "softplus", -30, 30, -5, 5, 2, 2}};

// Whether the vector code's a * b + c become FMAs: the CPU has them (FP_FAST_FMA) and the build is not instrumented
// by AddressSanitizer (whose instrumentation keeps GCC from inlining enough to fuse them: the asan preset).
#if defined(FP_FAST_FMA) && defined(FP_FAST_FMAF) && !defined(__SANITIZE_ADDRESS__)
constexpr bool has_fma = true;
#else
constexpr bool has_fma = false;
#endif

template <class T>
void check_accuracy(const AccuracyCase& c, const UnaryCase& twin_case) {
  using W = std::conditional_t<sizeof(T) == 4, double, long double>;
  Generator gen(11);
  std::vector<T> x = mixed_values<T>(1 << 13, 12);
  for (int i = 0; i < (1 << 14); ++i) x.push_back(static_cast<T>(c.lo + (c.hi - c.lo) * gen.uniform()));
  for (int i = 0; i < (1 << 15); ++i)
    x.push_back(static_cast<T>(c.dense_lo + (c.dense_hi - c.dense_lo) * gen.uniform()));
  for (int i = 0; i < (1 << 12); ++i) x.push_back(static_cast<T>((2 * gen.uniform() - 1) * 1e-3));  // near 0
  std::vector<T> fast(x.size()), twin(x.size());
  kernels::unary<T>(c.f, static_cast<std::int64_t>(x.size()), x.data(), fast.data());
  kernels::unary_reference<T>(c.f, static_cast<std::int64_t>(x.size()), x.data(), twin.data());
  std::size_t worst_exact = 0, worst_twin = 0;  // the inputs farthest from the correctly rounded value, the twin
  std::vector<T> exact(x.size());
  for (std::size_t i = 0; i < x.size(); ++i) {
    exact[i] = static_cast<T>(wide<W>(c.f, static_cast<W>(x[i])));
    if (kernels::ulp_distance(fast[i], exact[i]) > kernels::ulp_distance(fast[worst_exact], exact[worst_exact]))
      worst_exact = i;
    if (kernels::ulp_distance(fast[i], twin[i]) > kernels::ulp_distance(fast[worst_twin], twin[worst_twin]))
      worst_twin = i;
  }
  const std::size_t e = worst_exact, t = worst_twin;
  INFO(c.name << (sizeof(T) == 4 ? " float32" : " float64") << "(" << x[e] << ") = " << fast[e]
              << ", correctly rounded " << exact[e]);
  INFO("  and (" << x[t] << ") = " << fast[t] << ", twin " << twin[t]);
  CHECK(kernels::ulp_distance(fast[e], exact[e]) <= (has_fma ? c.exact_ulp : c.no_fma_ulp));
  CHECK(kernels::ulp_distance(fast[t], twin[t]) <= twin_case.twin_ulp);
}

const UnaryCase& twin_case_of(Unary f) {
  for (const UnaryCase& c : unary_cases)
    if (c.f == f) return c;
  throw std::logic_error("no such case");
}

}  // namespace

TEST_CASE("simd kernels: exp, log, log1p, expm1, tanh, sigmoid, softplus within their ulp bounds", "[kernels][simd]") {
  const tgtest::FastKernels fast_kernels;  // the fast kernels' own behaviour, also in a reference build
  for (const AccuracyCase& c : accuracy_cases) {
    check_accuracy<float>(c, twin_case_of(c.f));
    check_accuracy<double>(c, twin_case_of(c.f));
  }
}

TEST_CASE("simd kernels: ulp_distance counts the representable values between", "[kernels][simd]") {
  REQUIRE(kernels::ulp_distance(1.0f, std::nextafter(1.0f, 2.0f)) == 1);
  REQUIRE(kernels::ulp_distance(-0.0, 0.0) == 0);
  REQUIRE(kernels::ulp_distance(std::numeric_limits<double>::denorm_min(),
                                -std::numeric_limits<double>::denorm_min()) == 2);
  REQUIRE(kernels::ulp_distance(std::numeric_limits<float>::max(), std::numeric_limits<float>::infinity()) == 1);
  REQUIRE(kernels::ulp_distance(std::nan(""), std::nan("")) == 0);
  REQUIRE(std::isinf(kernels::ulp_distance(std::nan(""), 1.0)));
  REQUIRE(kernels::ulp_distance(1.0, 1.0 + 4 * std::numeric_limits<double>::epsilon()) == 4);
}

namespace {

// Every op, strides (1, 1), (1, 0), (0, 1), (0, 0), lengths 0..67 from starts 0..16: the same bits as the twin
// (a NaN for a NaN), nothing written outside [start, start + n).
template <class T>
void check_binary_ranges() {
  const std::vector<T> a = mixed_values<T>(84, 21), b = mixed_values<T>(84, 22);
  for (Binary f : {Binary::add, Binary::sub, Binary::mul, Binary::div})
    for (std::int64_t sa : {1, 0})
      for (std::int64_t sb : {1, 0})
        for (std::int64_t start = 0; start <= 16; ++start)
          for (std::int64_t n = 0; n <= 67; ++n) {
            std::vector<T> fast(a.size(), T(-7)), twin(a.size(), T(-7));
            kernels::binary<T>(f, n, a.data() + start, sa, b.data() + start, sb, fast.data() + start);
            kernels::binary_reference<T>(f, n, a.data() + start, sa, b.data() + start, sb, twin.data() + start);
            INFO("op " << static_cast<int>(f) << " strides " << sa << sb << " start " << start << " n " << n);
            for (std::size_t i = 0; i < a.size(); ++i) {
              if (std::isnan(twin[i])) REQUIRE(std::isnan(fast[i]));  // which NaN's payload survives may differ
              if (!std::isnan(twin[i]))
                REQUIRE(std::bit_cast<simd::UInt<T>>(fast[i]) == std::bit_cast<simd::UInt<T>>(twin[i]));
            }
          }
}

}  // namespace

TEST_CASE("simd kernels: add, sub, mul, div with strides 0 and 1 give the twin's bits", "[kernels][simd]") {
  check_binary_ranges<float>();
  check_binary_ranges<double>();
}
