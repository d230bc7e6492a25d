// The Tensor objectives of vae/ (elbo_analytic, elbo_monte_carlo, iwae_bound, log_joint_x_eps) run on the
// exact linear-Gaussian model (vae/exact/linear_gaussian_model.hpp), where log p(x), the posterior and the ELBO of
// any Gaussian q are known in closed form. Each test is named by the equation tags of docs/derivations/ that
// it checks.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "prob/kl.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"
#include "vae/joint.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

constexpr std::int64_t B = Bench::B;

}  // namespace

TEST_CASE(
    "(elbo.2) (elbo.3) (gap.2) (gap.3) on the exact model, log p(x) - elbo_analytic is KL(q || p(z|x)): positive "
    "for random diagonal q, 0 at the posterior",
    "[gap][elbo][kl][linear_gaussian]") {
  Bench bench(11);
  for (int trial = 0; trial < 6; ++trial) {
    bench.random_q();
    const Tensor kl = prob::kl_divergence(bench.model.encode(bench.x), prior(bench.L(), f64));  // (kl.4): (B,)
    const Tensor eps = sigma_points(bench.L(), B);  // exact expectations of the quadratic integrands
    const Tensor elbo_a = elbo_analytic(bench.model, bench.x, eps);
    const Tensor elbo_mc = elbo_monte_carlo(bench.model, bench.x, eps);
    for (std::int64_t b = 0; b < B; ++b) {
      const Vector xb = row_vector(bench.x, b);
      const Gaussian q = bench.model.q_row(bench.x, b);
      // (elbo.3): the closed-form E_q[log p(x|z)] (linear_gaussian.4) minus the Tensor KL to the prior
      const double elbo = bench.model.exact().expected_log_likelihood(xb, q) - kl.flat(b);
      const double gap = bench.log_px(b) - elbo;
      CHECK(elbo == near(bench.elbo(b), 1e-9));  // the entropy form (elbo.4)
      CHECK(elbo_a.flat(b) == near(elbo, 1e-9));
      CHECK(elbo_mc.flat(b) == near(elbo, 1e-9));
      CHECK(gap == near(kl_gaussians(q, bench.model.exact().posterior(xb)), 1e-9));  // (gap.2)
      CHECK(gap > 1e-3);                                                             // below log p(x)  (elbo.2)
    }
  }
  bench.model.use_exact_posterior(bench.x);  // (gap.3) equality at the exact posterior
  const Tensor elbo_a = elbo_analytic(bench.model, bench.x, sigma_points(bench.L(), B));
  for (std::int64_t b = 0; b < B; ++b) {
    CHECK(elbo_a.flat(b) == near(bench.log_px(b), 1e-9));
    CHECK(bench.elbo(b) == near(bench.log_px(b), 1e-9));
  }
}

TEST_CASE("(iwae.3) iwae_bound with K = 1 equals elbo_monte_carlo on the same noise", "[iwae][elbo]") {
  Bench bench(12);
  bench.random_q();
  for (int trial = 0; trial < 5; ++trial) {
    const Tensor eps = draw_eps(bench.model, bench.x, 1, bench.gen);  // (1, B, L)
    const Tensor l1 = iwae_bound(bench.model, bench.x, eps);
    const Tensor elbo = elbo_monte_carlo(bench.model, bench.x, eps);
    for (std::int64_t b = 0; b < B; ++b) CHECK(l1.flat(b) == elbo.flat(b));
  }
  SECTION("on a small VAE") {
    Generator gen(5);
    VAE vae(Architecture{6, {5}, 2, "tanh", "glorot"}, gen, f64);
    const Tensor x = bernoulli(full({4, 6}, 0.5, f64), gen);
    for (int trial = 0; trial < 5; ++trial) {
      const Tensor eps = draw_eps(vae, x, 1, gen);
      const Tensor l1 = iwae_bound(vae, x, eps);
      const Tensor elbo = elbo_monte_carlo(vae, x, eps);
      for (std::int64_t b = 0; b < 4; ++b) CHECK(l1.flat(b) == elbo.flat(b));
    }
  }
}

TEST_CASE(
    "(iwae.4) (iwae.5) averaged over seeded draws, L_k rises with k = 1, 2, 5, 10, 50 and approaches log "
    "p(x) from below",
    "[iwae][linear_gaussian]") {
  Bench bench(13);
  constexpr std::int64_t R = 4000;  // independent draws of the bound, as R copies of one data point
  const std::vector<std::int64_t> ks = {1, 2, 5, 10, 50};
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);
    set_q_near_posterior(bench.model, xr, 0.3, 0.5);  // q a little off and wider than the posterior
    const double lp = bench.log_px(b);
    std::vector<Stats> bounds;
    for (std::int64_t k : ks) {
      bounds.emplace_back(iwae_bound(bench.model, xr, draw_eps(bench.model, xr, k, bench.gen)).to_vector());
      const Stats& s = bounds.back();
      INFO("example " << b << ", k = " << k << ": L_k = " << s.mean << " +- " << s.se << ", log p(x) = " << lp);
      CHECK(s.mean <= lp + 3 * s.se);  // (iwae.4) right
      if (bounds.size() > 1) {
        const Stats& prev = bounds[bounds.size() - 2];
        CHECK(s.mean >= prev.mean - 3 * std::hypot(s.se, prev.se));  // (iwae.4) left
      }
    }
    const Stats &l1 = bounds.front(), &l50 = bounds.back();
    INFO("example " << b << ": gap at k = 1 is " << lp - l1.mean << ", at k = 50 " << lp - l50.mean);
    CHECK(l50.mean - l1.mean > 10 * std::hypot(l1.se, l50.se));  // a real rise, not noise
    CHECK(lp - l50.mean < (lp - l1.mean) / 5 + 3 * l50.se);      // (iwae.5) the gap closes (about like 1/k)
  }
}

TEST_CASE("(gap.4) with q the exact posterior every Tensor log weight equals log p(x), and so does L_k for every k",
          "[gap][iwae][linear_gaussian]") {
  Bench bench(14);
  bench.model.use_exact_posterior(bench.x);
  const Tensor log_w = log_weights(bench.model, bench.x, draw_eps(bench.model, bench.x, 64, bench.gen));  // (K, B)
  for (std::int64_t b = 0; b < B; ++b)
    for (double a : column(log_w, b)) CHECK(a == near(bench.log_px(b), 1e-9));
  for (std::int64_t k : {1, 2, 5, 50}) {
    const Tensor bound = iwae_bound(bench.model, bench.x, draw_eps(bench.model, bench.x, k, bench.gen));
    for (std::int64_t b = 0; b < B; ++b) CHECK(bound.flat(b) == near(bench.log_px(b), 1e-9));
  }
}

TEST_CASE("(elbo.1) (elbo.5) elbo_monte_carlo is an unbiased estimate of the closed-form ELBO",
          "[elbo][linear_gaussian]") {
  Bench bench(15);
  constexpr std::int64_t R = 40000;
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);
    bench.model.set_q(repeat_row(randn({1, bench.L()}, bench.gen, f64), 0, R),
                      repeat_row(rand_uniform({1, bench.L()}, -1.0, 0.5, bench.gen, f64), 0, R));
    const Stats s(elbo_monte_carlo(bench.model, xr, draw_eps(bench.model, xr, 1, bench.gen)).to_vector());
    const double exact = bench.model.exact().elbo(row_vector(bench.x, b), bench.model.q_row(xr, 0));
    INFO("example " << b << ": " << s.mean << " +- " << s.se << " against " << exact);
    CHECK(std::abs(s.mean - exact) < 4 * s.se);
    CHECK(s.se < 0.1);
  }
}

TEST_CASE("(elbo.6) elbo_analytic is an unbiased estimate of the closed-form ELBO", "[elbo][kl][linear_gaussian]") {
  Bench bench(16);
  constexpr std::int64_t R = 40000;
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);
    bench.model.set_q(repeat_row(randn({1, bench.L()}, bench.gen, f64), 0, R),
                      repeat_row(rand_uniform({1, bench.L()}, -1.0, 0.5, bench.gen, f64), 0, R));
    const Stats s(elbo_analytic(bench.model, xr, draw_eps(bench.model, xr, 1, bench.gen)).to_vector());
    const double exact = bench.model.exact().elbo(row_vector(bench.x, b), bench.model.q_row(xr, 0));
    INFO("example " << b << ": " << s.mean << " +- " << s.se << " against " << exact);
    CHECK(std::abs(s.mean - exact) < 4 * s.se);
    CHECK(s.se < 0.1);
  }
}

TEST_CASE("(joint.3) per sample, log_joint_x_eps equals log_weights plus log q(eps)", "[joint][reparam]") {
  Bench bench(17);
  bench.random_q();
  const prob::StandardNormal q_eps({bench.L()}, f64, 1);
  const Tensor eps = draw_eps(bench.model, bench.x, 16, bench.gen);
  const Tensor lhs = log_joint_x_eps(bench.model, bench.x, eps),
               rhs = log_weights(bench.model, bench.x, eps) + q_eps.log_prob(eps);
  REQUIRE(lhs.shape() == Shape{16, B});
  for (std::int64_t i = 0; i < lhs.numel(); ++i) CHECK(lhs.flat(i) == near(rhs.flat(i), 1e-12));
  SECTION("on a small VAE") {
    Generator gen(6);
    VAE vae(Architecture{6, {5}, 2, "tanh", "glorot"}, gen, f64);
    const Tensor x = bernoulli(full({4, 6}, 0.5, f64), gen);
    const Tensor e = draw_eps(vae, x, 8, gen);
    const Tensor l = log_joint_x_eps(vae, x, e), r = log_weights(vae, x, e) + prior(2, f64).log_prob(e);
    for (std::int64_t i = 0; i < l.numel(); ++i) CHECK(l.flat(i) == near(r.flat(i), 1e-12));
  }
}

TEST_CASE(
    "(joint.1) (joint.2) log_joint_x_eps is log p(x|z) + log p(z) + sum log sigma, and log p(x) + log p(eps|x) on "
    "the exact model",
    "[joint][linear_gaussian]") {
  Bench bench(23);
  bench.random_q();
  const Tensor eps = draw_eps(bench.model, bench.x, 16, bench.gen);  // (K, B, L)
  const Tensor lj = log_joint_x_eps(bench.model, bench.x, eps);      // (K, B)
  REQUIRE(lj.shape() == Shape{16, B});
  // (joint.2) term by term, from the model's own densities: log p(x|z) + log p(z) + 1/2 sum_j log sigma_j^2
  const Tensor z = bench.model.encode(bench.x).rsample_with(eps);
  const Tensor terms = bench.model.log_likelihood(bench.x, z) + prior(bench.L(), f64).log_prob(z) +
                       sum(bench.model.q_log_var(), {1}) * 0.5;
  // (joint.1) p(x, eps) = p(x) p(eps|x), with the posterior in noise coordinates: eps = (z - mu) / sigma, so
  // eps|x ~ N((mu_post - mu) / sigma, diag(Sigma_post) / sigma^2) (diagonal: W has orthogonal columns)
  LinearGaussianModel post(bench.model.exact());
  post.use_exact_posterior(bench.x);
  const Tensor mu = bench.model.q_mu(), log_var = bench.model.q_log_var();
  const prob::Normal eps_post =
      prob::Normal::from_log_var((post.q_mu() - mu) * exp(log_var * -0.5), post.q_log_var() - log_var, 1);
  const Tensor log_p_eps_given_x = eps_post.log_prob(eps);  // (K, B)
  for (std::int64_t k = 0; k < 16; ++k)
    for (std::int64_t b = 0; b < B; ++b) {
      CHECK(lj.at({k, b}) == near(terms.at({k, b}), 1e-12));
      CHECK(lj.at({k, b}) == near(bench.log_px(b) + log_p_eps_given_x.at({k, b}), 1e-9));
    }
}

TEST_CASE(
    "(joint.4) (joint.5) E_eps[log p(x, eps)] of the Tensor view equals the closed-form ELBO minus (d/2) "
    "log(2 pi e)",
    "[joint][elbo][linear_gaussian]") {
  Bench bench(18);
  bench.random_q();
  const double H = standard_normal_entropy(bench.L());
  // Exactly, through the sigma points (log p(x, eps) is quadratic in eps)
  const Tensor exact_mean = mean(log_joint_x_eps(bench.model, bench.x, sigma_points(bench.L(), B)), {0});
  for (std::int64_t b = 0; b < B; ++b) CHECK(exact_mean.flat(b) == near(bench.elbo(b) - H, 1e-9));
  // And by Monte Carlo, within standard errors
  constexpr std::int64_t R = 20000;
  for (std::int64_t b = 0; b < B; ++b) {
    const Tensor xr = repeat_row(bench.x, b, R);
    const double elbo = bench.elbo(b);
    bench.model.set_q(repeat_row(bench.model.q_mu(), b, R), repeat_row(bench.model.q_log_var(), b, R));
    const Stats s(log_joint_x_eps(bench.model, xr, draw_eps(bench.model, xr, 1, bench.gen)).to_vector());
    INFO("example " << b << ": " << s.mean << " +- " << s.se << " against " << elbo - H);
    CHECK(std::abs(s.mean - (elbo - H)) < 4 * s.se);
    bench.random_q();
  }
  // (joint.5) H(N(0, I_d)) = (d/2) log(2 pi e), and the same entropy by two other routes
  for (std::int64_t d = 0; d <= 6; ++d) {
    CHECK(standard_normal_entropy(d) ==
          0.5 * static_cast<double>(d) * std::log(2 * std::numbers::pi * std::numbers::e));
    CHECK(standard_normal_entropy(d) == near(entropy(standard_normal(static_cast<std::size_t>(d))), 1e-13));
    if (d > 0) CHECK(standard_normal_entropy(d) == near(prob::StandardNormal({d}, f64, 1).entropy().item(), 1e-13));
  }
  CHECK_THROWS_WITH(standard_normal_entropy(-1), Catch::Contains("d is -1"));
}

TEST_CASE("(reparam.1) the encoder's rsample_with(eps) is mu + sigma * eps elementwise", "[reparam]") {
  Bench bench(19);
  bench.random_q();
  const prob::Normal q = bench.model.encode(bench.x);
  const Tensor eps = draw_eps(bench.model, bench.x, 4, bench.gen);  // (K, B, L)
  const Tensor z = q.rsample_with(eps);
  REQUIRE(z.shape() == eps.shape());
  const std::int64_t BL = B * bench.L();
  for (std::int64_t i = 0; i < z.numel(); ++i) {
    const double mu = bench.model.q_mu().flat(i % BL), sigma = std::exp(0.5 * bench.model.q_log_var().flat(i % BL));
    CHECK(z.flat(i) == near(mu + sigma * eps.flat(i), 1e-14));
  }
}

TEST_CASE("(iwae.6) iwae_bound matches log-mean-exp and stays finite for log weights near -800 and 800", "[iwae]") {
  // Columns near -800, near 800, and spread over both: exp() of any of them overflows or underflows a double.
  Generator gen(20);
  const Tensor noise = randn({7, 3}, gen, f64);
  const Tensor log_w = noise + tensor({-800.0, 800.0, 0.0}, f64) + noise * tensor({0.0, 0.0, 700.0}, f64);  // (K, B)
  const Tensor bound = iwae_bound_from_log_weights(log_w);
  for (std::int64_t b = 0; b < 3; ++b) {
    REQUIRE(std::isfinite(bound.flat(b)));
    CHECK(bound.flat(b) == Approx(log_mean_exp(column(log_w, b))).epsilon(1e-14).margin(1e-12));
  }
  // On a model: iwae_bound is the log-mean-exp of its own log weights
  Bench bench(21);
  bench.random_q();
  const Tensor eps = draw_eps(bench.model, bench.x, 9, bench.gen);
  const Tensor lw = log_weights(bench.model, bench.x, eps), lk = iwae_bound(bench.model, bench.x, eps);
  for (std::int64_t b = 0; b < B; ++b) CHECK(lk.flat(b) == near(log_mean_exp(column(lw, b)), 1e-12));
  CHECK_THROWS_WITH(iwae_bound_from_log_weights(zeros({3}, f64)), Catch::Contains("must be (K, B)"));
}

TEST_CASE("the objectives reject noise that is not (K, B, L) instead of averaging over the batch",
          "[elbo][iwae][errors]") {
  Bench bench(22);
  bench.random_q();
  const Tensor eps = randn({B, bench.L()}, bench.gen, f64);  // (B, L): the K axis forgotten
  CHECK_THROWS_WITH(elbo_analytic(bench.model, bench.x, eps), Catch::Contains("eps is (3, 3); it must be (K, B, L)"));
  CHECK_THROWS_WITH(elbo_monte_carlo(bench.model, bench.x, eps), Catch::Contains("it must be (K, B, L)"));
  CHECK_THROWS_WITH(iwae_bound(bench.model, bench.x, eps), Catch::Contains("it must be (K, B, L)"));
  CHECK_THROWS_WITH(log_joint_x_eps(bench.model, bench.x, eps), Catch::Contains("it must be (K, B, L)"));
  CHECK(elbo_analytic(bench.model, bench.x, unsqueeze(eps, 0)).shape() == Shape{B});
  CHECK(elbo_monte_carlo(bench.model, bench.x, unsqueeze(eps, 0)).shape() == Shape{B});
}
