// The SIMD reductions against their plain twins and against exact sums: shapes that cross every vector width and
// the pairwise run length, ties, -inf and NaN for max and logsumexp, the float32 sum of 10^6 x 0.1f, and sums
// that give each output the same bits wherever its column sits.
#include <bit>
#include <cmath>
#include <limits>

#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/simd.hpp"
#include "test_util.hpp"

using namespace tg;

namespace {

template <class T>
std::vector<T> normal_values(std::size_t n, std::uint64_t seed, double mean = 0) {
  Generator gen(seed);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(mean + gen.normal());
  return v;
}

const std::int64_t lengths[] = {1, 2, 3, 7, 8, 9, 15, 16, 17, 31, 33, 63, 64, 65, 67, 127, 129, 257, 1000, 1025};
const std::int64_t inners[] = {1, 2, 7, 8, 9, 17, 33};

// Sums within log2(n)-growing error of the exact sum (accumulated in long double): the pairwise property.
template <class T>
void check_sums() {
  const double eps = std::numeric_limits<T>::epsilon();
  for (std::int64_t outer : {1, 3})
    for (std::int64_t n : lengths)
      for (std::int64_t inner : inners) {
        const auto x = normal_values<T>(static_cast<std::size_t>(outer * n * inner), 40 + n * inner, 1.0);
        std::vector<T> fast(static_cast<std::size_t>(outer * inner)), twin(fast.size());
        kernels::reduce_sum<T>(outer, n, inner, x.data(), fast.data());
        kernels::reduce_sum_reference<T>(outer, n, inner, x.data(), twin.data());
        for (std::int64_t o = 0; o < outer; ++o)
          for (std::int64_t i = 0; i < inner; ++i) {
            long double exact = 0, magnitude = 0;
            for (std::int64_t k = 0; k < n; ++k) {
              exact += x[(o * n + k) * inner + i];
              magnitude += std::abs(x[(o * n + k) * inner + i]);
            }
            const std::size_t j = static_cast<std::size_t>(o * inner + i);
            INFO("outer " << outer << " n " << n << " inner " << inner << " output " << j);
            const double bound = (std::log2(static_cast<double>(n)) + 6) * eps * static_cast<double>(magnitude);
            REQUIRE(std::abs(static_cast<long double>(fast[j]) - exact) <= bound);
            REQUIRE(std::abs(static_cast<long double>(twin[j]) - exact) <= n * eps * static_cast<double>(magnitude));
          }
      }
}

// max: the twin's value bits and index, with ties, -inf and NaN placed at many positions.
template <class T>
void check_max() {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  for (std::int64_t n : lengths)
    for (std::int64_t inner : inners) {
      auto x = normal_values<T>(static_cast<std::size_t>(2 * n * inner), 70 + n * inner);
      for (std::size_t i = 0; i < x.size(); ++i) {
        if (i % 11 == 3) x[i] = T(2.5);  // ties
        if (i % 13 == 5) x[i] = -inf;
        if (i % 97 == 50) x[i] = nan;
        if (i % 89 == 7) x[i] = T(-0.0);
      }
      std::vector<T> fast(static_cast<std::size_t>(2 * inner)), twin(fast.size());
      std::vector<std::int64_t> arg_fast(fast.size()), arg_twin(fast.size());
      kernels::reduce_max<T>(2, n, inner, x.data(), fast.data(), arg_fast.data());
      kernels::reduce_max_reference<T>(2, n, inner, x.data(), twin.data(), arg_twin.data());
      for (std::size_t j = 0; j < fast.size(); ++j) {
        INFO("n " << n << " inner " << inner << " output " << j);
        REQUIRE(std::bit_cast<simd::UInt<T>>(fast[j]) == std::bit_cast<simd::UInt<T>>(twin[j]));
        REQUIRE(arg_fast[j] == arg_twin[j]);
      }
    }
}

template <class T>
void check_logsumexp() {
  const T inf = std::numeric_limits<T>::infinity(), nan = std::numeric_limits<T>::quiet_NaN();
  for (std::int64_t n : lengths)
    for (std::int64_t inner : inners) {
      auto x = normal_values<T>(static_cast<std::size_t>(2 * n * inner), 90 + n * inner);
      for (T& v : x) v = v * T(30);
      std::vector<T> fast(static_cast<std::size_t>(2 * inner)), twin(fast.size());
      kernels::reduce_logsumexp<T>(2, n, inner, x.data(), fast.data());
      kernels::reduce_logsumexp_reference<T>(2, n, inner, x.data(), twin.data());
      for (std::size_t j = 0; j < fast.size(); ++j) {
        INFO("n " << n << " inner " << inner << " output " << j << " fast " << fast[j] << " twin " << twin[j]);
        const double scale = std::max<double>(1, std::abs(twin[j]));  // m + log s: the error is relative to m
        REQUIRE(std::abs(fast[j] - twin[j]) <= 8 * std::numeric_limits<T>::epsilon() * scale);
      }
    }
  // Columns that are all -inf, hold a +inf, or a NaN (a NaN wins over +inf), in every lane position.
  for (std::int64_t inner : inners)
    for (std::int64_t n : {1, 5, 40}) {
      std::vector<T> x(static_cast<std::size_t>(n * inner), T(0.5));
      for (std::int64_t i = 0; i < inner; ++i)
        for (std::int64_t k = 0; k < n; ++k) {
          if (i % 4 == 0) x[k * inner + i] = -inf;
          if (i % 4 == 1 && k == n / 2) x[k * inner + i] = inf;
          if (i % 4 == 2 && k == 0) x[k * inner + i] = inf;
          if (i % 4 == 2 && k == n - 1) x[k * inner + i] = nan;
        }
      std::vector<T> fast(static_cast<std::size_t>(inner)), twin(fast.size());
      kernels::reduce_logsumexp<T>(1, n, inner, x.data(), fast.data());
      kernels::reduce_logsumexp_reference<T>(1, n, inner, x.data(), twin.data());
      for (std::int64_t i = 0; i < inner; ++i) {
        INFO("n " << n << " inner " << inner << " column " << i);
        if (i % 4 == 0) REQUIRE(fast[i] == -inf);
        if (i % 4 == 1) REQUIRE(fast[i] == inf);
        if (i % 4 == 2) REQUIRE(std::isnan(fast[i]));
        if (i % 4 == 3) REQUIRE(fast[i] == Approx(0.5 + std::log(static_cast<double>(n))).epsilon(1e-6));
        REQUIRE(kernels::ulp_distance(fast[i], twin[i]) <= 4);
      }
    }
}

}  // namespace

TEST_CASE("reduce kernels: sums within log2(n) rounding errors of the exact sum, the twin within n", "[kernels]") {
  check_sums<float>();
  check_sums<double>();
}

TEST_CASE("reduce kernels: max gives the twin's value and first index, NaN first", "[kernels][edge]") {
  check_max<float>();
  check_max<double>();
}

TEST_CASE("reduce kernels: logsumexp matches its twin, with -inf, +inf and NaN columns", "[kernels][edge]") {
  check_logsumexp<float>();
  check_logsumexp<double>();
}

TEST_CASE("reduce kernels: float32 sum of 10^6 x 0.1f is within 1e-6 of the exact value", "[kernels][reduce]") {
  const tgtest::FastKernels fast_kernels;  // the fast kernels' own behaviour, also in a reference build
  const std::int64_t n = 1000000;
  const double exact = n * static_cast<double>(0.1f);
  const std::vector<float> x(static_cast<std::size_t>(n), 0.1f);
  float fast = 0, twin = 0;
  kernels::reduce_sum<float>(1, n, 1, x.data(), &fast);
  kernels::reduce_sum_reference<float>(1, n, 1, x.data(), &twin);
  CHECK(std::abs(fast - exact) / exact <= 1e-6);
  CHECK(std::abs(twin - exact) / exact > 1e-3);  // adding in order drifts (100958): why the sums are pairwise
  // Down the rows too (one column per lane), and through the op: a sum over all axes is one pairwise sum.
  std::vector<float> cols(static_cast<std::size_t>(3 * n / 10), 0.1f), y(3);
  kernels::reduce_sum<float>(1, n / 10, 3, cols.data(), y.data());
  for (float v : y) CHECK(std::abs(v - exact / 10) / (exact / 10) <= 1e-6);
  const Tensor s = sum(full({1000, 1000}, 0.1, f32));
  CHECK(std::abs(s.item() - exact) / exact <= 1e-6);
  const Tensor m = mean(full({1000, 1000}, 0.1, f32));
  CHECK(std::abs(m.item() - 0.1f) / 0.1f <= 1e-6);
}

TEST_CASE("reduce kernels: a column's sum has the same bits wherever the column sits", "[kernels][reduce]") {
  // The same 300 values placed in column c of a (300, 37) matrix, for every c: every result identical. Each
  // output depends only on its own inputs, so splitting the outputs over threads cannot change a bit.
  const auto column = normal_values<float>(300, 5);
  float first = 0;
  for (std::int64_t c = 0; c < 37; ++c) {
    auto x = normal_values<float>(300 * 37, 6);
    for (std::int64_t k = 0; k < 300; ++k) x[k * 37 + c] = column[k];
    std::vector<float> y(37);
    kernels::reduce_sum<float>(1, 300, 37, x.data(), y.data());
    if (c == 0) first = y[0];
    INFO("column " << c);
    REQUIRE(std::bit_cast<std::uint32_t>(y[c]) == std::bit_cast<std::uint32_t>(first));
  }
}
