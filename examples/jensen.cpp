// Jensen's inequality in numbers: E[f(X)] >= f(E[X]) for a convex f, E[log W] <= log E[W] for the concave log, and
// how averaging k weights inside the log closes the gap: E[log (1/k) sum_i W_i] rises with k toward log E[W].
// Math: docs/derivations/elbo.md (route 2) and docs/derivations/iwae.md ((iwae.2), (iwae.4), (iwae.5)).
#include <cmath>
#include <cstdio>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "prob/prob.hpp"

int main() {
  using namespace tg;
  Generator gen(2024);
  const std::int64_t N = 200000;

  // 1. A convex f: exp. With X ~ N(0, 1), E[exp X] = e^(1/2) but exp(E[X]) = e^0 = 1.
  double sum_x = 0, sum_exp = 0;
  for (std::int64_t i = 0; i < N; ++i) {
    const double x = gen.normal();
    sum_x += x;
    sum_exp += std::exp(x);
  }
  std::printf("1. Convex f(x) = exp(x), X ~ N(0, 1), %lld draws:\n", static_cast<long long>(N));
  std::printf("   E[f(X)] = %.4f  >=  f(E[X]) = exp(%.4f) = %.4f      (exact: e^0.5 = %.4f >= 1)\n\n", sum_exp / N,
              sum_x / N, std::exp(sum_x / N), std::exp(0.5));

  // 2. The concave log. W = exp(X) > 0 is log-normal: E[log W] = E[X] = 0, log E[W] = 1/2.
  //    With W an importance weight, E[log W] is the ELBO and log E[W] is log p(x) (elbo.2).
  const double log_EW = 0.5;
  double sum_log_w = 0, sum_w = 0;
  for (std::int64_t i = 0; i < N; ++i) {
    const double log_w = gen.normal();
    sum_log_w += log_w;
    sum_w += std::exp(log_w);
  }
  std::printf("2. Concave f = log, W = exp(X) log-normal, %lld draws:\n", static_cast<long long>(N));
  std::printf("   E[log W] = %.4f  <=  log E[W] = log %.4f = %.4f   (exact: 0 <= 0.5)\n\n", sum_log_w / N, sum_w / N,
              std::log(sum_w / N));

  // 3. Average k weights inside the log (iwae.2): L_k = E[log (1/k) sum_i W_i]. M independent repeats per k.
  const std::int64_t M = 20000;
  std::printf("3. L_k = E[log (1/k) sum_i W_i], %lld seeded repeats per k; log E[W] = %.4f\n",
              static_cast<long long>(M), log_EW);
  std::printf("   %5s  %10s  %9s  %14s  %18s\n", "k", "L_k", "+- s.e.", "log E[W] - L_k", "delta: (e-1)/(2k)");
  std::vector<double> L;
  for (std::int64_t k : {1, 2, 5, 10, 100}) {
    Tensor log_w = randn({k, M}, gen, f64);       // (K, M): log W ~ N(0, 1)
    Tensor bound = prob::log_mean_exp(log_w, 0);  // (iwae.6) log (1/k) sum_i W_i: (M,)
    const double m = mean(bound).item();
    const double sd = std::sqrt(mean(square(bound - m)).item());
    L.push_back(m);
    // For large k, log E[W] - L_k ~ Var(W) / (2 k E[W]^2) = (e - 1) / (2k) (the delta method, estimate.md).
    std::printf("   %5lld  %10.4f  %9.4f  %14.4f  %18.4f\n", static_cast<long long>(k), m,
                sd / std::sqrt(static_cast<double>(M)), log_EW - m, (std::exp(1.0) - 1.0) / (2.0 * k));
  }
  bool rising = true;
  for (std::size_t i = 1; i < L.size(); ++i) rising = rising && L[i] > L[i - 1] && L[i] < log_EW + 0.01;
  std::printf("\nL_k increases with k toward log E[W] = %.1f: %s\n", log_EW, rising ? "yes" : "NO");
  std::printf("(k = 1 is E[log W], the ELBO's side of Jensen; every k stays below log E[W], the evidence's side.)\n");
  return rising ? 0 : 1;
}
