// The kernels against naive loops written here: gemm in all four transpose combinations at odd sizes, binary
// kernels with strides 0 and 1, reductions (including lengths that leave a tail), for float and double.
#include "autodiff/runtime/kernels.hpp"
#include "test_util.hpp"

using namespace tg;

namespace {

template <class T>
std::vector<T> random_values(std::size_t n, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(gen.uniform() * 2 - 1);
  return v;
}

// C[i,j] = sum_k op(A)[i,k] op(B)[k,j], the definition.
template <class T>
std::vector<T> naive_gemm(bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const std::vector<T>& A,
                          const std::vector<T>& B) {
  std::vector<T> C(static_cast<std::size_t>(M * N), T(0));
  for (std::int64_t i = 0; i < M; ++i)
    for (std::int64_t j = 0; j < N; ++j) {
      double acc = 0;
      for (std::int64_t k = 0; k < K; ++k) {
        const T a = ta ? A[k * M + i] : A[i * K + k];
        const T b = tb ? B[j * K + k] : B[k * N + j];
        acc += static_cast<double>(a) * static_cast<double>(b);
      }
      C[i * N + j] = static_cast<T>(acc);
    }
  return C;
}

template <class T>
void check_gemm(double tol) {
  const std::int64_t sizes[] = {1, 3, 17, 33};
  std::uint64_t seed = 1;
  for (bool ta : {false, true})
    for (bool tb : {false, true})
      for (std::int64_t M : sizes)
        for (std::int64_t N : sizes)
          for (std::int64_t K : sizes) {
            const auto A = random_values<T>(static_cast<std::size_t>(M * K), seed++);
            const auto B = random_values<T>(static_cast<std::size_t>(K * N), seed++);
            const auto expected = naive_gemm<T>(ta, tb, M, N, K, A, B);
            std::vector<T> C(static_cast<std::size_t>(M * N), T(7));
            kernels::gemm<T>(ta, tb, M, N, K, A.data(), B.data(), C.data(), false);
            std::vector<T> Cacc(static_cast<std::size_t>(M * N), T(1));
            kernels::gemm<T>(ta, tb, M, N, K, A.data(), B.data(), Cacc.data(), true);
            for (std::size_t i = 0; i < C.size(); ++i) {
              INFO("ta " << ta << " tb " << tb << " M " << M << " N " << N << " K " << K << " element " << i);
              REQUIRE(std::abs(C[i] - expected[i]) <= tol);
              REQUIRE(std::abs(Cacc[i] - (expected[i] + T(1))) <= tol);
            }
          }
}

template <class T>
void check_binary() {
  for (std::int64_t n : {0, 1, 3, 7, 17, 33}) {
    const auto a = random_values<T>(static_cast<std::size_t>(n) + 1, 100 + n);
    auto b = random_values<T>(static_cast<std::size_t>(n) + 1, 200 + n);
    for (T& v : b) v = v >= 0 ? v + T(0.5) : v - T(0.5);  // no division by ~0
    for (std::int64_t sa : {0, 1})
      for (std::int64_t sb : {0, 1}) {
        std::vector<T> out(static_cast<std::size_t>(n) + 1, T(-99));
        for (auto [f, name] : std::vector<std::pair<kernels::Binary, const char*>>{{kernels::Binary::add, "add"},
                                                                                   {kernels::Binary::sub, "sub"},
                                                                                   {kernels::Binary::mul, "mul"},
                                                                                   {kernels::Binary::div, "div"}}) {
          kernels::binary<T>(f, n, a.data(), sa, b.data(), sb, out.data());
          for (std::int64_t i = 0; i < n; ++i) {
            const T x = a[i * sa], y = b[i * sb];
            const T e = f == kernels::Binary::add   ? x + y
                        : f == kernels::Binary::sub ? x - y
                        : f == kernels::Binary::mul ? x * y
                                                    : x / y;
            INFO(name << " n " << n << " sa " << sa << " sb " << sb << " i " << i);
            REQUIRE(out[i] == e);
          }
          REQUIRE(out[n] == T(-99));  // nothing written past n
        }
      }
  }
}

template <class T>
void check_reductions() {
  for (std::int64_t outer : {1, 2, 3})
    for (std::int64_t n : {1, 2, 7, 17})
      for (std::int64_t inner : {1, 3, 5}) {
        const auto x =
            random_values<T>(static_cast<std::size_t>(outer * n * inner), 300 + outer * 100 + n * 10 + inner);
        std::vector<T> s(static_cast<std::size_t>(outer * inner)), m(s.size()), l(s.size());
        std::vector<std::int64_t> am(s.size());
        kernels::reduce_sum<T>(outer, n, inner, x.data(), s.data());
        kernels::reduce_max<T>(outer, n, inner, x.data(), m.data(), am.data());
        kernels::reduce_logsumexp<T>(outer, n, inner, x.data(), l.data());
        for (std::int64_t o = 0; o < outer; ++o)
          for (std::int64_t i = 0; i < inner; ++i) {
            double es = 0, el = 0;
            T em = x[o * n * inner + i];
            std::int64_t ea = 0;
            for (std::int64_t k = 0; k < n; ++k) {
              const T v = x[(o * n + k) * inner + i];
              es += v;
              el += std::exp(static_cast<double>(v));
              if (v > em) em = v, ea = k;
            }
            const std::size_t j = static_cast<std::size_t>(o * inner + i);
            INFO("outer " << outer << " n " << n << " inner " << inner << " at " << j);
            REQUIRE(s[j] == Approx(es).epsilon(1e-5).margin(1e-5));
            REQUIRE(m[j] == em);
            REQUIRE(am[j] == ea);
            REQUIRE(l[j] == Approx(std::log(el)).epsilon(1e-5));
          }
      }
}

}  // namespace

TEST_CASE("kernels: gemm matches a naive triple loop in all transpose combinations (double)", "[kernels]") {
  check_gemm<double>(1e-12);
}

TEST_CASE("kernels: gemm matches a naive triple loop in all transpose combinations (float)", "[kernels]") {
  check_gemm<float>(1e-4f);
}

TEST_CASE("kernels: binary with strides 0 and 1 (double and float)", "[kernels][broadcast]") {
  check_binary<double>();
  check_binary<float>();
}

TEST_CASE("kernels: reduce_sum, reduce_max and reduce_logsumexp match loops (double and float)", "[kernels]") {
  check_reductions<double>();
  check_reductions<float>();
}

TEST_CASE("kernels: unary_reference matches the scalar functions (double and float)", "[kernels]") {
  const std::vector<double> xs{-3.5, -1, -0.25, 0, 0.5, 2, 7};
  std::vector<double> y(xs.size());
  kernels::unary_reference<double>(kernels::Unary::exp, 7, xs.data(), y.data());
  for (std::size_t i = 0; i < xs.size(); ++i) REQUIRE(y[i] == std::exp(xs[i]));
  kernels::unary_reference<double>(kernels::Unary::tanh, 7, xs.data(), y.data());
  for (std::size_t i = 0; i < xs.size(); ++i) REQUIRE(y[i] == std::tanh(xs[i]));
  kernels::unary_reference<double>(kernels::Unary::softplus, 7, xs.data(), y.data());
  for (std::size_t i = 0; i < xs.size(); ++i) REQUIRE(y[i] == Approx(std::log1p(std::exp(xs[i]))).epsilon(1e-14));
  const std::vector<float> xf{-3.5f, 0.f, 2.f};
  std::vector<float> yf(3);
  kernels::unary_reference<float>(kernels::Unary::sigmoid, 3, xf.data(), yf.data());
  for (std::size_t i = 0; i < 3; ++i) REQUIRE(yf[i] == Approx(1 / (1 + std::exp(-xf[i]))).epsilon(1e-6));
}

TEST_CASE("kernels: reduce_max takes the first maximum and lets NaN win", "[kernels][edge]") {
  const double not_a_number = std::numeric_limits<double>::quiet_NaN();
  const std::vector<double> x{1, 4, 4, 2, not_a_number, 9};
  double y = 0;
  std::int64_t arg = -1;
  kernels::reduce_max<double>(1, 4, 1, x.data(), &y, &arg);
  REQUIRE(y == 4);
  REQUIRE(arg == 1);
  kernels::reduce_max<double>(1, 3, 1, x.data() + 3, &y, &arg);
  REQUIRE(std::isnan(y));
  REQUIRE(arg == 1);
  kernels::reduce_max<double>(1, 3, 1, x.data() + 3, &y, nullptr);  // argmax may be omitted
  REQUIRE(std::isnan(y));
}
