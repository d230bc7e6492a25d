// The diagnostics of vae/diagnostics.cpp: active units (on a linear-Gaussian model with a dead and a weak
// latent dimension), the effective sample size of importance weights, and the KL to the prior per latent
// dimension.
#include <catch2/catch.hpp>
#include <cmath>
#include <numeric>
#include <vector>

#include "prob/kl.hpp"
#include "vae/diagnostics.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

TEST_CASE("active_units counts only the latent dimensions whose posterior means vary",
          "[diagnostics][linear_gaussian]") {
  // Column 1 of W is zero: z_1 never affects x, its posterior mean is 0 for every x (a dead unit). Column 3
  // is weak: its posterior mean varies, with variance about 0.02^2 / (0.02^2 + 0.7^2) = 8e-4, below the 0.01
  // of Burda et al.
  Generator gen(41);
  LinearGaussianModel model(orthogonal_model(gen, 6, {1.2, 0.0, 0.9, 0.02}, 0.7));
  const Tensor x = sample_x(model.exact(), 400, gen);
  model.use_exact_encoder();  // q(z|x) is the exact posterior of whatever rows come, as a trained encoder's
                              // would be
  const std::vector<double> var = posterior_mean_variance(model, x);
  REQUIRE(var.size() == 4);
  INFO("variances of the posterior means: " << var[0] << ", " << var[1] << ", " << var[2] << ", " << var[3]);
  CHECK(var[0] > 0.5);
  CHECK(var[1] < 1e-20);
  CHECK(var[2] > 0.3);
  CHECK((var[3] > 1e-4 && var[3] < 0.01));
  CHECK(active_units(model, x) == 2);
  CHECK(active_units(model, x, 1e-5) == 3);
  CHECK(active_units(model, x, 0.0) == 3);  // the dead unit does not vary at all
  // The same variances by hand from q's means, and in chunks of 7 rows
  const std::vector<double> chunked = posterior_mean_variance(model, x, 7);
  const Tensor q_mu = model.encode(x).loc();  // (400, 4)
  for (std::int64_t u = 0; u < 4; ++u) {
    std::vector<double> mu;
    for (std::int64_t n = 0; n < 400; ++n) mu.push_back(q_mu.flat(n * 4 + u));
    const double m = std::accumulate(mu.begin(), mu.end(), 0.0) / 400;
    double v = 0;
    for (double a : mu) v += (a - m) * (a - m) / 400;
    CHECK(var[u] == near(v, 1e-12));
    CHECK(chunked[u] == near(var[u], 1e-12));
  }
  CHECK_THROWS_WITH(posterior_mean_variance(model, x, 0), Catch::Contains("max_rows is 0, but must be at least 1"));
}

TEST_CASE("(iwae_gradient.3) effective_sample_size is k for equal weights and 1 for one dominant weight",
          "[diagnostics][estimate][iwae_gradient]") {
  constexpr std::int64_t K = 10;
  Generator gen(42);
  // Columns: equal weights, equal weights at 700 (e^700 alone is near overflow), one dominant weight, two
  // dominant weights, random weights.
  Tensor log_w = zeros({K, 5}, f64);
  for (std::int64_t i = 0; i < K; ++i) {
    log_w.set({i, 1}, 700.0);
    log_w.set({i, 2}, i == 3 ? 0.0 : -1000.0);
    log_w.set({i, 3}, i < 2 ? 5.0 : -1000.0);
    log_w.set({i, 4}, gen.normal());
  }
  const std::vector<double> ess = effective_sample_size(log_w);
  REQUIRE(ess.size() == 5);
  CHECK(ess[0] == near(K, 1e-12));
  CHECK(ess[1] == near(K, 1e-12));
  CHECK(ess[2] == near(1.0, 1e-12));
  CHECK(ess[3] == near(2.0, 1e-12));
  double s1 = 0, s2 = 0;
  for (std::int64_t i = 0; i < K; ++i) s1 += std::exp(log_w.at({i, 4})), s2 += std::exp(2 * log_w.at({i, 4}));
  CHECK(ess[4] == near(s1 * s1 / s2, 1e-12));
  CHECK((ess[4] > 1 && ess[4] < K));
  CHECK_THROWS_WITH(effective_sample_size(zeros({K}, f64)), Catch::Contains("must be (K, B)"));
}

TEST_CASE("(kl.4) kl_per_dimension sums to the KL to the prior, averaged over the batch", "[diagnostics][kl]") {
  Generator gen(43);
  LinearGaussianModel model(orthogonal_model(gen, 5, {0.6, 1.1, 1.7}, 0.7));
  const Tensor x = sample_x(model.exact(), 6, gen);
  model.set_q(randn({6, 3}, gen, f64), rand_uniform({6, 3}, -2.0, 1.0, gen, f64));
  const std::vector<double> kl_u = kl_per_dimension(model, x);
  REQUIRE(kl_u.size() == 3);
  const Tensor kl = prob::kl_divergence(model.encode(x), prior(3, f64));  // (B,)
  double kl_mean = 0;
  for (std::int64_t b = 0; b < 6; ++b) kl_mean += kl.flat(b) / 6;
  CHECK(std::accumulate(kl_u.begin(), kl_u.end(), 0.0) == near(kl_mean, 1e-12));
  for (std::int64_t u = 0; u < 3; ++u) {  // -1/2 (1 + log sigma^2 - mu^2 - sigma^2) per dimension, by hand
    double by_hand = 0;
    for (std::int64_t b = 0; b < 6; ++b) {
      const double mu = model.q_mu().at({b, u}), lv = model.q_log_var().at({b, u});
      by_hand += -0.5 * (1 + lv - mu * mu - std::exp(lv)) / 6;
    }
    CHECK(kl_u[u] == near(by_hand, 1e-12));
    CHECK(kl_u[u] > 0);
  }
}
