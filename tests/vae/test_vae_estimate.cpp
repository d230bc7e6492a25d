// The importance-sampling estimate of log p(x) (vae/estimate.cpp) on the exact linear-Gaussian model, where
// log p(x) is known: each test is named by the tags of docs/derivations/estimate.md that it checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "vae/elbo.hpp"
#include "vae/estimate.hpp"
#include "vae/iwae.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

constexpr std::int64_t B = Bench::B;

// The shared exact model with q close to the posterior but not equal to it, so the weights vary.
struct NearBench : Bench {
  explicit NearBench(std::uint64_t seed) : Bench(seed) { set_q_near_posterior(model, x, 0.3, 0.5); }
};

}  // namespace

TEST_CASE("(estimate.2) estimate_log_px equals log-mean-exp of the log weights", "[estimate][iwae][linear_gaussian]") {
  NearBench bench(31);
  constexpr std::int64_t k = 300;
  Generator gen_a(7), gen_b(7);
  const LogPxEstimate est = estimate_log_px(bench.model, bench.x, k, gen_a);  // one chunk: k * B rows < 8192
  const Tensor log_w = log_weights(bench.model, bench.x, draw_eps(bench.model, bench.x, k, gen_b));  // same noise
  REQUIRE(est.log_px.size() == static_cast<std::size_t>(B));
  LogWeightSums sums(B);  // the same from the sums themselves
  sums.add(log_w);
  const LogPxEstimate direct = sums.result();
  for (std::int64_t b = 0; b < B; ++b) {
    const std::vector<double> a = column(log_w, b);
    CHECK(direct.log_px[b] == near(log_mean_exp(a), 1e-12));  // (estimate.2)
    CHECK(est.log_px[b] == near(log_mean_exp(a), 1e-12));
    CHECK(est.log_px[b] == near(iwae_bound_from_log_weights(log_w).flat(b), 1e-12));
    std::vector<double> a2;  // (estimate.5) from the same sums
    for (double v : a) a2.push_back(2 * v);
    const double se = std::sqrt(std::expm1(log_mean_exp(a2) - 2 * log_mean_exp(a)) / k);
    CHECK(est.std_err[b] == near(se, 1e-12));
    CHECK(est.ess[b] == near(k / (1 + k * se * se), 1e-8));
  }
}

TEST_CASE("(estimate.6) the chunked estimate equals the single-chunk estimate", "[estimate][linear_gaussian]") {
  NearBench bench(32);
  constexpr std::int64_t k = 301;
  Generator gen_a(8), gen_b(8);
  const LogPxEstimate once = estimate_log_px(bench.model, bench.x, k, gen_a);            // one chunk
  const LogPxEstimate chunked = estimate_log_px(bench.model, bench.x, k, gen_b, 7 * B);  // 43 chunks of 7
  for (std::int64_t b = 0; b < B; ++b) {
    CHECK(chunked.log_px[b] == near(once.log_px[b], 1e-12));
    CHECK(chunked.std_err[b] == near(once.std_err[b], 1e-12));
    CHECK(chunked.ess[b] == near(once.ess[b], 1e-9));
  }
  SECTION("LogWeightSums fed in chunks of log weights near -800 and 800 equals one pass") {
    Generator gen(9);
    const Tensor noise = randn({40, 2}, gen, f64) * 30.0;
    const Tensor log_w = noise + tensor({-800.0, 800.0}, f64);  // (K, B): exp() would under- and overflow
    LogWeightSums all(2), parts(2);
    all.add(log_w);
    const std::vector<std::int64_t> cuts = {0, 1, 13, 14, 33, 40};  // uneven chunks, the largest weight anywhere
    for (std::size_t c = 0; c + 1 < cuts.size(); ++c) parts.add(slice(log_w, 0, cuts[c], cuts[c + 1]));
    const LogPxEstimate r_all = all.result(), r_parts = parts.result();
    REQUIRE(parts.k == 40);
    for (std::size_t b = 0; b < 2; ++b) {
      REQUIRE(std::isfinite(r_all.log_px[b]));
      CHECK(r_all.log_px[b] == near(log_mean_exp(column(log_w, static_cast<std::int64_t>(b))), 1e-10));
      CHECK(r_parts.log_px[b] == near(r_all.log_px[b], 1e-10));
      CHECK(r_parts.std_err[b] == near(r_all.std_err[b], 1e-12));
      CHECK(r_parts.ess[b] == near(r_all.ess[b], 1e-9));
    }
  }
}

TEST_CASE("(estimate.1) exp(estimate_log_px) is unbiased for p(x): over 4000 repeats with k = 10 it averages to p(x)",
          "[estimate][linear_gaussian]") {
  Bench bench(35);
  constexpr std::int64_t R = 4000;
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);  // R independent estimates of one log p(x)
    set_q_near_posterior(bench.model, xr, 0.3, 0.5);
    std::vector<Stats> ratio;  // p_k / p(x) for k = 1 and 10
    for (std::int64_t k : {1, 10}) {
      std::vector<double> v;
      for (double lp : estimate_log_px(bench.model, xr, k, bench.gen).log_px)
        v.push_back(std::exp(lp - bench.log_px(b)));
      ratio.emplace_back(v);
    }
    const double var1 = ratio[0].se * ratio[0].se, var10 = ratio[1].se * ratio[1].se;  // Var / R
    INFO("example " << b << ": mean of p_10 / p(x) " << ratio[1].mean << " +- " << ratio[1].se
                    << ", Var(p_1) / Var(p_10) = " << var1 / var10);
    CHECK(std::abs(ratio[0].mean - 1) < 4 * ratio[0].se);
    CHECK(std::abs(ratio[1].mean - 1) < 4 * ratio[1].se);
    CHECK(var1 / var10 > 6);  // Var(p_k) = Var(w) / k: about 10
    CHECK(var1 / var10 < 16);
  }
}

TEST_CASE(
    "(estimate.3) estimate_log_px lies below log p(x) on average for small k, and within 4 standard errors of it at "
    "k = 5000",
    "[estimate][iwae][linear_gaussian]") {
  NearBench bench(33);
  Generator gen(10);
  const LogPxEstimate est = estimate_log_px(bench.model, bench.x, 5000, gen, 4096);
  const Tensor elbo = elbo_monte_carlo(bench.model, bench.x, draw_eps(bench.model, bench.x, 5000, gen));
  for (std::int64_t b = 0; b < B; ++b) {
    const double lp = bench.log_px(b);
    INFO("example " << b << ": " << est.log_px[b] << " +- " << est.std_err[b] << " against log p(x) = " << lp
                    << " (ELBO " << elbo.flat(b) << ", ESS " << est.ess[b] << ")");
    CHECK(est.std_err[b] > 0);
    CHECK(est.std_err[b] < 0.02);
    CHECK(std::abs(est.log_px[b] - lp) < 4 * est.std_err[b]);
    CHECK(lp - elbo.flat(b) > 0.1);  // the ELBO is far below: the estimator, not luck, closes it
    CHECK(est.ess[b] > 100);
  }
  CHECK(est.mean_log_px() == near((est.log_px[0] + est.log_px[1] + est.log_px[2]) / 3, 1e-12));
  // With k = 5 the estimate is biased low: its mean is L_5, the mean of iwae_bound with K = 5
  constexpr std::int64_t R = 4000;
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);
    set_q_near_posterior(bench.model, xr, 0.3, 0.5);
    const Stats est5(estimate_log_px(bench.model, xr, 5, gen).log_px);
    const Stats bound5(iwae_bound(bench.model, xr, draw_eps(bench.model, xr, 5, gen)).to_vector());
    const double lp = bench.log_px(b);
    INFO("example " << b << ": k = 5 estimate " << est5.mean << " +- " << est5.se << ", L_5 " << bound5.mean << " +- "
                    << bound5.se << ", log p(x) " << lp);
    CHECK(est5.mean < lp - 4 * est5.se);
    CHECK(std::abs(est5.mean - bound5.mean) < 4 * std::hypot(est5.se, bound5.se));
  }
}

TEST_CASE(
    "(estimate.4) (estimate.5) the delta-method standard error of LogWeightSums matches the spread of repeated "
    "estimates",
    "[estimate][linear_gaussian]") {
  Bench bench(34);
  constexpr std::int64_t k = 500, R = 400;
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);  // R independent estimates, each from k weights
    set_q_near_posterior(bench.model, xr, 0.3, 0.5);
    LogWeightSums sums(R);
    sums.add(log_weights(bench.model, xr, draw_eps(bench.model, xr, k, bench.gen)));  // (k, R)
    const LogPxEstimate est = sums.result();
    const Stats spread(est.log_px), se(est.std_err);
    const double sd = spread.se * std::sqrt(static_cast<double>(R));  // standard deviation across the estimates
    INFO("example " << b << ": mean delta-method se " << se.mean << ", sd of the estimates " << sd);
    CHECK(se.mean == Approx(sd).epsilon(0.15));
  }
}
