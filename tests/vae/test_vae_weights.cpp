// The importance weights of vae/iwae.cpp on the exact linear-Gaussian model, where p(x) is known: they are unbiased
// for p(x) (iwae.1), the IWAE bound is the log of their mean (iwae.2), and the Monte Carlo KL that elbo_monte_carlo
// holds inside its log weights averages to the closed-form KL (kl.1).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "prob/kl.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

constexpr std::int64_t B = Bench::B;

}  // namespace

TEST_CASE("(iwae.1) exp(log_weights) is unbiased for p(x): on the exact model the weights average to p(x)",
          "[iwae][linear_gaussian]") {
  Bench bench(25);
  set_q_near_posterior(bench.model, bench.x, 0.3, 0.5);  // q off the posterior and wider: the weights vary
  const Tensor log_w = log_weights(bench.model, bench.x, draw_eps(bench.model, bench.x, 50000, bench.gen));  // (K, B)
  for (std::int64_t b = 0; b < B; ++b) {
    std::vector<double> ratio;  // w / p(x)
    for (double a : column(log_w, b)) ratio.push_back(std::exp(a - bench.log_px(b)));
    const Stats s(ratio);
    const double sd = s.se * std::sqrt(static_cast<double>(ratio.size()));
    INFO("example " << b << ": mean of w / p(x) is " << s.mean << " +- " << s.se << ", sd " << sd);
    CHECK(std::abs(s.mean - 1.0) < 4 * s.se);
    CHECK(s.se < 0.01);
    CHECK(sd > 0.1);  // the weights really vary: the check has teeth
  }
}

TEST_CASE("(iwae.2) iwae_bound is the log of the mean of exp(log_weights) on the same noise",
          "[iwae][linear_gaussian]") {
  Bench bench(26);
  bench.random_q();
  for (std::int64_t K : {1, 3, 20}) {
    const Tensor eps = draw_eps(bench.model, bench.x, K, bench.gen);
    const Tensor bound = iwae_bound(bench.model, bench.x, eps), log_w = log_weights(bench.model, bench.x, eps);
    REQUIRE(bound.shape() == Shape{B});
    for (std::int64_t b = 0; b < B; ++b) {
      double mean_w = 0;  // (1/K) sum_k w_k, formed directly: the log weights here are far from overflow
      for (double a : column(log_w, b)) mean_w += std::exp(a) / static_cast<double>(K);
      CHECK(bound.flat(b) == near(std::log(mean_w), 1e-10));
    }
  }
}

TEST_CASE(
    "(kl.1) the Monte Carlo KL inside elbo_monte_carlo averages to the closed-form KL, and is 0 when q is the prior",
    "[kl][elbo][linear_gaussian]") {
  Bench bench(24);
  constexpr std::int64_t R = 20000;
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);
    bench.model.set_q(repeat_row(randn({1, bench.L()}, bench.gen, f64), 0, R),
                      repeat_row(rand_uniform({1, bench.L()}, -1.0, 0.5, bench.gen, f64), 0, R));
    const Tensor eps = draw_eps(bench.model, xr, 1, bench.gen);
    const Tensor mc = elbo_monte_carlo(bench.model, xr, eps), analytic = elbo_analytic(bench.model, xr, eps);
    const Tensor kl = prob::kl_divergence(bench.model.encode(xr), prior(bench.L(), f64));  // (R,), all equal
    // On the same noise the reconstruction terms cancel: mc - analytic = mean_k [log p(z_k) - log q(z_k|x)] + KL,
    // so KL - (mc - analytic) is the Monte Carlo KL, the average of log q(z_k|x) - log p(z_k).
    const Stats s((kl - (mc - analytic)).to_vector());
    INFO("example " << b << ": Monte Carlo KL " << s.mean << " +- " << s.se << ", closed form " << kl.flat(0));
    CHECK(std::abs(s.mean - kl.flat(0)) < 4 * s.se);
    CHECK(kl.flat(0) > 20 * s.se);  // well above 0, so that agreement says something
  }
  bench.model.set_q(zeros({B, bench.L()}, f64), zeros({B, bench.L()}, f64));  // q = p(z): log q - log p is 0
  const Tensor eps = draw_eps(bench.model, bench.x, 8, bench.gen);
  const Tensor mc = elbo_monte_carlo(bench.model, bench.x, eps), analytic = elbo_analytic(bench.model, bench.x, eps);
  for (std::int64_t b = 0; b < B; ++b) CHECK(mc.flat(b) == near(analytic.flat(b), 1e-12));
}
