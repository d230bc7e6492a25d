// ulp_error: how far the SIMD elementwise kernels are from their plain twins (kernels::unary vs unary_reference),
// in ulp, over >= 10^7 inputs per function and dtype spanning the whole range: a sweep of every bit pattern with a
// fixed stride (all exponents, subnormals, infinities, NaN) and as many uniform draws in each function's busy
// interval. Also the distance to the correctly rounded value (the function evaluated in a wider type: double for
// float32, long double for float64), which tells the kernel's own error from the twin's. A program, not a test.
//   ulp_error [inputs per function, default 10000000]
#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autodiff/random.hpp"
#include "autodiff/runtime/kernels.hpp"

using namespace tg;
using kernels::Unary;

namespace {

struct Function {
  Unary f;
  const char* name;
  double lo, hi;  // the busy interval
};
const Function functions[] = {{Unary::exp, "exp", -110, 90},
                              {Unary::log, "log", 0, 4},
                              {Unary::log1p, "log1p", -1, 3},
                              {Unary::expm1, "expm1", -20, 20},
                              {Unary::tanh, "tanh", -5, 5},
                              {Unary::sigmoid, "sigmoid", -30, 30},
                              {Unary::softplus, "softplus", -30, 30},
                              {Unary::log_sigmoid, "log_sigmoid", -30, 30},
                              {Unary::sqrt, "sqrt", 0, 100},
                              {Unary::neg, "neg", -1, 1},
                              {Unary::square, "square", -100, 100},
                              {Unary::abs, "abs", -1, 1},
                              {Unary::relu, "relu", -1, 1}};

template <class W>
W sigmoid_of(W x) {
  return x >= 0 ? 1 / (1 + std::exp(-x)) : std::exp(x) / (1 + std::exp(x));
}
template <class W>
W softplus_of(W x) {
  return std::max(x, W(0)) + std::log1p(std::exp(-std::abs(x)));
}
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
      return sigmoid_of(x);
    case Unary::softplus:
      return softplus_of(x);
    case Unary::log_sigmoid:
      return -softplus_of(-x);
    case Unary::sqrt:
      return std::sqrt(x);
    case Unary::neg:
      return -x;
    case Unary::square:
      return x * x;
    case Unary::abs:
      return std::abs(x);
    case Unary::relu:
      return x > 0 ? x : (x != x ? x : W(0));
  }
  return x;
}

// n inputs: n/2 bit patterns swept with a fixed stride over all 2^bits, n/2 uniform in [lo, hi).
template <class T>
std::vector<T> inputs(const Function& fn, std::int64_t n) {
  using U = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
  std::vector<T> x(static_cast<std::size_t>(n));
  const U stride = static_cast<U>(~U(0) / static_cast<U>(n / 2));
  Generator gen(1);
  for (std::int64_t i = 0; i < n / 2; ++i) x[i] = std::bit_cast<T>(static_cast<U>(static_cast<U>(i) * stride));
  for (std::int64_t i = n / 2; i < n; ++i) x[i] = static_cast<T>(fn.lo + (fn.hi - fn.lo) * gen.uniform());
  return x;
}

struct Worst {
  double ulp = 0;
  double x = 0, fast = 0, other = 0;
};

template <class T>
void measure(const Function& fn, std::int64_t n, Worst& twin_worst, Worst& exact_worst) {
  using W = std::conditional_t<sizeof(T) == 4, double, long double>;
  const std::vector<T> x = inputs<T>(fn, n);
  std::vector<T> fast(x.size()), twin(x.size());
  kernels::unary<T>(fn.f, n, x.data(), fast.data());
  kernels::unary_reference<T>(fn.f, n, x.data(), twin.data());
  for (std::size_t i = 0; i < x.size(); ++i) {
    const T exact = static_cast<T>(wide<W>(fn.f, static_cast<W>(x[i])));
    const double dt = kernels::ulp_distance(fast[i], twin[i]), de = kernels::ulp_distance(fast[i], exact);
    if (dt > twin_worst.ulp) twin_worst = {dt, double(x[i]), double(fast[i]), double(twin[i])};
    if (de > exact_worst.ulp) exact_worst = {de, double(x[i]), double(fast[i]), double(exact)};
  }
}

std::string fmt(const Worst& w) {
  char buf[160];
  std::snprintf(buf, sizeof buf, "%3.0f", w.ulp);
  return buf;
}

}  // namespace

int main(int argc, char** argv) {
  const std::int64_t n = argc > 1 ? std::atoll(argv[1]) : 10000000;
  if (n < 2) {
    std::fprintf(stderr, "usage: ulp_error [inputs per function >= 2]\n");
    return 2;
  }
  std::printf(
      "max distance in ulp over %lld inputs per function and dtype (half a bit-pattern sweep, half uniform in\n"
      "the interval shown): fast = kernels::unary, twin = kernels::unary_reference (std:: functions),\n"
      "exact = correctly rounded (double for float32, long double for float64)\n\n",
      static_cast<long long>(n));
  std::printf("%-12s %-16s | float32: fast-twin fast-exact | float64: fast-twin fast-exact\n", "function", "interval");
  std::vector<std::pair<std::string, Worst>> worst_inputs;
  for (const Function& fn : functions) {
    Worst t32, e32, t64, e64;
    measure<float>(fn, n, t32, e32);
    measure<double>(fn, n, t64, e64);
    char interval[40];
    std::snprintf(interval, sizeof interval, "[%g, %g]", fn.lo, fn.hi);
    std::printf("%-12s %-16s |          %s        %s   |          %s        %s\n", fn.name, interval, fmt(t32).c_str(),
                fmt(e32).c_str(), fmt(t64).c_str(), fmt(e64).c_str());
    worst_inputs.push_back({std::string(fn.name) + " float32", t32});
    worst_inputs.push_back({std::string(fn.name) + " float64", t64});
    std::fflush(stdout);
  }
  std::printf("\nwhere the distance to the twin is largest (x: fast, twin):\n");
  for (const auto& [name, w] : worst_inputs)
    if (w.ulp > 0) std::printf("  %-20s %3.0f ulp  x = %a: %a, %a\n", name.c_str(), w.ulp, w.x, w.fast, w.other);

  // The sum that motivated pairwise reduction: 10^6 x 0.1f in float32.
  const std::int64_t m = 1000000;
  const std::vector<float> ones(static_cast<std::size_t>(m), 0.1f);
  float fast = 0, twin = 0;
  kernels::reduce_sum<float>(1, m, 1, ones.data(), &fast);
  kernels::reduce_sum_reference<float>(1, m, 1, ones.data(), &twin);
  const double exact = m * static_cast<double>(0.1f);
  std::printf(
      "\nfloat32 sum of 10^6 x 0.1f (exact %.6f): reduce_sum %.6f (relative error %.2e), "
      "reduce_sum_reference %.6f (%.2e)\n",
      exact, fast, std::abs(fast - exact) / exact, twin, std::abs(twin - exact) / exact);
  return 0;
}
