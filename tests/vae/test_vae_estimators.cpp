// The gradient estimators of vae/estimators.cpp on the exact linear-Gaussian model. Unbiasedness: the mean of many
// seeded draws lies within 4 standard errors of the exact gradient of the objective each estimator claims -- the
// closed-form ELBO (vae/exact) or, for K = 3, L_K by a 3-dimensional quadrature -- each differentiated by central
// differences in plain doubles. Zero variance of STL at the exact posterior. The decomposition of the reparam
// gradient into path and score terms, and the DReG weighting at fixed noise. Math: docs/derivations/estimators.md.
#include <array>
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <numbers>
#include <vector>

#include "autodiff/tape.hpp"
#include "vae/elbo.hpp"
#include "vae/estimators.hpp"
#include "vae/iwae.hpp"
#include "vae/iwae_gradient.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

// The six parameters of the tests, in this order: mu and log_var of q (the encoder's, phi), then W (2, 1) and b (2)
// of the decoder (theta).
constexpr std::size_t P = 6;
using Params = std::array<double, P>;
const char* const param_names[P] = {"mu", "log_var", "W[0]", "W[1]", "b[0]", "b[1]"};

// The exact model with one latent dimension and D = 2, one data point x, and q = N(m, v) away from the posterior:
// small enough that L_3 is an exact quadrature over eps in R^3.
struct Tiny {
  Generator gen{71};
  LinearGaussianModel model{orthogonal_model(gen, 2, {1.3}, 0.8)};
  Tensor x = sample_x(model.exact(), 1, gen);  // (1, 2)
  Params p{};                                  // the point where gradients are taken
  Tiny() {
    const Gaussian post = model.exact().posterior(row_vector(x, 0));
    const LinearGaussian& e = model.exact();
    p = {post.m[0] + 0.6 * std::sqrt(post.S(0, 0)), std::log(post.S(0, 0)) + 0.7, e.W(0, 0), e.W(1, 0), e.b[0], e.b[1]};
  }
  LinearGaussian exact_at(const Params& q) const {  // the model with W and b taken from q
    LinearGaussian e = model.exact();
    e.W(0, 0) = q[2], e.W(1, 0) = q[3], e.b = {q[4], q[5]};
    return e;
  }
};

// The ELBO of q = N(q[0], exp(q[1])) in closed form (elbo.4).
double exact_elbo(const Tiny& t, const Params& q) {
  return t.exact_at(q).elbo(row_vector(t.x, 0), Gaussian{{q[0]}, Matrix::diagonal({std::exp(q[1])})});
}

// L_K (iwae.2) for K <= 3 by the trapezoid rule on [-8, 8]^K under N(0, I): log w at 61 nodes per axis, then the
// log-mean-exp of every K-tuple of them.
double exact_iwae(const Tiny& t, const Params& q, int K) {
  const LinearGaussian e = t.exact_at(q);
  const Vector x = row_vector(t.x, 0);
  const Gaussian qz{{q[0]}, Matrix::diagonal({std::exp(q[1])})};
  constexpr int n = 61;
  const double h = 16.0 / (n - 1);
  std::vector<double> lw(n), wt(n);
  for (int j = 0; j < n; ++j) {
    const double eps = -8 + h * j, z = q[0] + std::exp(q[1] / 2) * eps;
    lw[j] = e.log_joint(x, {z}) - log_q({z}, qz);  // (iwae.1)
    wt[j] = h * std::exp(-eps * eps / 2) / std::sqrt(2 * std::numbers::pi);
  }
  const int n2 = K > 1 ? n : 1, n3 = K > 2 ? n : 1;
  double total = 0;
  for (int i = 0; i < n; ++i)
    for (int j = 0; j < n2; ++j)
      for (int l = 0; l < n3; ++l) {
        const double a = lw[i], b = K > 1 ? lw[j] : a, c = K > 2 ? lw[l] : a, m = std::max({a, b, c});
        const double lme = m + std::log((std::exp(a - m) + std::exp(b - m) + std::exp(c - m)) / 3);  // log-mean-exp
        total += wt[i] * (K > 1 ? wt[j] : 1) * (K > 2 ? wt[l] : 1) * lme;
      }
  return total;
}

Params central_differences(const std::function<double(const Params&)>& f, const Params& at) {
  Params g{};
  for (std::size_t i = 0; i < P; ++i) {
    Params up = at, down = at;
    up[i] += 1e-4, down[i] -= 1e-4;
    g[i] = (f(up) - f(down)) / 2e-4;
  }
  return g;
}

using Objective = std::function<Tensor(const LatentModel&, const Tensor&, const Tensor&)>;

// G groups of R draws of an estimator's gradient at t.p: the R rows of a batch are R copies of x with independent
// noise, and q's mu and log_var are (R, 1) leaves, so each row's gradient is one draw; W and b are shared, so their
// gradient is the sum of R draws. Returns, per parameter, the G group means (independent, identically distributed).
std::array<std::vector<double>, P> draw_gradients(Tiny& t, const Objective& objective, std::int64_t K, int G,
                                                  std::int64_t R) {
  Tensor W = t.model.W(), b = t.model.b();  // handles on the model's own decoder tensors
  W.requires_grad(true), b.requires_grad(true);
  for (std::int64_t i = 0; i < 2; ++i) W.set_flat(i, t.p[2 + i]), b.set_flat(i, t.p[4 + i]);
  const Tensor x = repeat_row(t.x, 0, R);  // (R, 2)
  std::array<std::vector<double>, P> groups;
  for (int g = 0; g < G; ++g) {
    Tensor mu = full({R, 1}, t.p[0], f64), log_var = full({R, 1}, t.p[1], f64);
    mu.requires_grad(true), log_var.requires_grad(true);
    t.model.set_q(mu, log_var);
    W.zero_grad(), b.zero_grad();
    backward(sum(objective(t.model, x, randn({K, R, 1}, t.gen, f64))));
    const double n = static_cast<double>(R);
    groups[0].push_back(sum(mu.grad()).item() / n);
    groups[1].push_back(sum(log_var.grad()).item() / n);
    for (std::int64_t i = 0; i < 2; ++i) groups[2 + i].push_back(W.grad().flat(i) / n);
    for (std::int64_t i = 0; i < 2; ++i) groups[4 + i].push_back(b.grad().flat(i) / n);
    current_tape().clear();
  }
  return groups;
}

// Checks that the draws' mean is within 4 standard errors of `exact` for the parameters [first, last).
void check_unbiased(const char* estimator, const std::array<std::vector<double>, P>& draws, const Params& exact,
                    std::size_t first = 0, std::size_t last = P) {
  for (std::size_t i = first; i < last; ++i) {
    const Stats s(draws[i]);
    INFO(estimator << ", d/d" << param_names[i] << ": mean " << s.mean << " +- " << s.se << " (s.e.), exact "
                   << exact[i] << ", " << (s.mean - exact[i]) / s.se << " s.e. away");
    CHECK(std::abs(s.mean - exact[i]) < 4 * s.se);
    CHECK(s.se < 0.05 * (std::abs(exact[i]) + 0.1));  // precise enough that a wrong gradient would show
  }
}

Tensor elbo_reparam(const LatentModel& m, const Tensor& x, const Tensor& eps) {
  return elbo_monte_carlo_with(m, x, eps, Estimator::reparam);
}
Tensor elbo_stl(const LatentModel& m, const Tensor& x, const Tensor& eps) {
  return mean(log_weights_stl(m, x, eps), {0});  // (elbo.5) with the stl gradient
}
Tensor elbo_stl_with(const LatentModel& m, const Tensor& x, const Tensor& eps) {
  return elbo_monte_carlo_with(m, x, eps, Estimator::stl);
}
Tensor iwae_stl(const LatentModel& m, const Tensor& x, const Tensor& eps) {
  return iwae_bound_with(m, x, eps, Estimator::stl);
}

}  // namespace

TEST_CASE("(estimators.1) the reparam gradient of log w is the stl path term minus the score term of log q",
          "[estimators][linear_gaussian]") {
  Bench bench(72);
  constexpr std::int64_t K = 4, B = Bench::B;
  Tensor mu = randn({B, bench.L()}, bench.gen, f64), log_var = rand_uniform({B, bench.L()}, -1.5, 1.0, bench.gen, f64);
  mu.requires_grad(true), log_var.requires_grad(true);
  bench.model.set_q(mu, log_var);
  const Tensor eps = draw_eps(bench.model, bench.x, K, bench.gen);
  const Tensor c = randn({K, B}, bench.gen, f64);  // any weights: d(sum c * log w) / d phi
  auto gradients = [&](const Tensor& objective) {
    mu.zero_grad(), log_var.zero_grad();
    backward(sum(c * objective));
    std::vector<double> g = mu.grad().to_vector(), g_lv = log_var.grad().to_vector();
    g.insert(g.end(), g_lv.begin(), g_lv.end());
    current_tape().clear();
    return g;
  };
  const std::vector<double> total = gradients(log_weights(bench.model, bench.x, eps));
  const std::vector<double> path = gradients(log_weights_stl(bench.model, bench.x, eps));
  const Tensor z = (mu + exp(log_var * 0.5) * eps).detach();  // the samples, held fixed: (K, B, L)
  const std::vector<double> score = gradients(prob::Normal::from_log_var(mu, log_var, 1).log_prob(z));
  double largest_score = 0;
  for (std::size_t i = 0; i < total.size(); ++i) {
    CHECK(total[i] == near(path[i] - score[i], 1e-12));
    largest_score = std::max(largest_score, std::abs(score[i]));
  }
  CHECK(largest_score > 0.1);
  // Same values: stl changes the gradient only.
  const Tensor a = log_weights(bench.model, bench.x, eps), s = log_weights_stl(bench.model, bench.x, eps);
  for (std::int64_t i = 0; i < K * B; ++i) CHECK(s.flat(i) == a.flat(i));
}

TEST_CASE(
    "(estimators.2) (estimators.3) stl is unbiased for the ELBO gradient and has zero variance at the exact "
    "posterior",
    "[estimators][elbo][linear_gaussian]") {
  Tiny t;
  const Params exact = central_differences([&](const Params& q) { return exact_elbo(t, q); }, t.p);
  check_unbiased("reparam ELBO, K = 1", draw_gradients(t, elbo_reparam, 1, 40, 250), exact);
  check_unbiased("stl ELBO, K = 1", draw_gradients(t, elbo_stl, 1, 40, 250), exact);
  check_unbiased("stl ELBO, K = 3", draw_gradients(t, elbo_stl_with, 3, 40, 250), exact);

  // (estimators.3) at q = p(z|x) every log w is log p(x): the stl and dreg encoder gradients vanish draw by draw,
  // the reparam one (the score term alone) only on average.
  const std::int64_t R = 500;
  const Tensor x = repeat_row(t.x, 0, R);
  t.model.use_exact_posterior(x);
  Tensor mu = t.model.q_mu().detach(), log_var = t.model.q_log_var().detach();
  mu.requires_grad(true), log_var.requires_grad(true);
  t.model.set_q(mu, log_var);
  auto spread = [&](const Tensor& objective) {  // largest |gradient| over the R draws, for mu and log_var
    mu.zero_grad(), log_var.zero_grad();
    backward(sum(objective));
    double m = 0;
    for (std::int64_t i = 0; i < R; ++i)
      m = std::max({m, std::abs(mu.grad().flat(i)), std::abs(log_var.grad().flat(i))});
    current_tape().clear();
    return m;
  };
  const Tensor eps1 = randn({1, R, 1}, t.gen, f64), eps5 = randn({5, R, 1}, t.gen, f64);
  CHECK(spread(log_weights_stl(t.model, x, eps1)) < 1e-12);
  CHECK(spread(elbo_monte_carlo_with(t.model, x, eps5, Estimator::stl)) < 1e-12);
  CHECK(spread(iwae_bound_with(t.model, x, eps5, Estimator::stl)) < 1e-12);
  CHECK(spread(iwae_bound_with(t.model, x, eps5, Estimator::dreg)) < 1e-12);
  CHECK(spread(elbo_monte_carlo_with(t.model, x, eps1, Estimator::reparam)) > 1.0);
  CHECK_THROWS_WITH(elbo_monte_carlo_with(t.model, x, eps1, Estimator::dreg), Catch::Contains("stl estimator"));
}

TEST_CASE("(estimators.4) dreg is unbiased for the gradient of L_K, encoder and decoder, where stl is not",
          "[estimators][iwae][linear_gaussian]") {
  Tiny t;
  constexpr int K = 3;
  const Params exact = central_differences([&](const Params& q) { return exact_iwae(t, q, K); }, t.p);
  const Params elbo = central_differences([&](const Params& q) { return exact_elbo(t, q); }, t.p);
  INFO("d L_3 / d mu = " << exact[0] << ", d ELBO / d mu = " << elbo[0]);
  REQUIRE(std::abs(exact[0] - elbo[0]) > 0.05);                      // L_3 and the ELBO have different gradients here
  REQUIRE(exact_iwae(t, t.p, 1) == near(exact_elbo(t, t.p), 1e-9));  // the quadrature is exact for K = 1 (iwae.3)
  check_unbiased("reparam IWAE", draw_gradients(t, iwae_bound, K, 40, 250), exact);
  check_unbiased("dreg IWAE", draw_gradients(t, iwae_bound_dreg, K, 40, 250), exact);
  // stl keeps the decoder's gradient but drops sum_k w~_k (score term)_k, whose mean is not zero for K > 1
  const auto stl = draw_gradients(t, iwae_stl, K, 40, 250);
  check_unbiased("stl IWAE (decoder)", stl, exact, 2, P);
  const Stats stl_mu(stl[0]);
  INFO("stl IWAE d/dmu: " << stl_mu.mean << " +- " << stl_mu.se << ", exact " << exact[0]);
  CHECK(std::abs(stl_mu.mean - exact[0]) > 8 * stl_mu.se);
}

TEST_CASE(
    "(estimators.5) iwae_bound_dreg's encoder gradient is sum_k w~_k^2 times the per-sample path gradients and its "
    "decoder gradient that of iwae_bound, at fixed noise",
    "[estimators][iwae][linear_gaussian]") {
  Bench bench(73);
  constexpr std::int64_t K = 5, B = Bench::B;
  const std::int64_t L = bench.L();
  Tensor mu = randn({B, L}, bench.gen, f64), log_var = rand_uniform({B, L}, -1.5, 1.0, bench.gen, f64);
  mu.requires_grad(true), log_var.requires_grad(true);
  bench.model.set_q(mu, log_var);
  Tensor W = bench.model.W(), b = bench.model.b();
  W.requires_grad(true), b.requires_grad(true);
  const Tensor eps = draw_eps(bench.model, bench.x, K, bench.gen);
  const std::vector<Tensor> params{mu, log_var, W, b};
  auto gradients = [&](const Tensor& objective, const Tensor& seed) {
    for (Tensor p : params) p.zero_grad();
    backward(objective, seed);
    std::vector<std::vector<double>> g;
    for (const Tensor& p : params) g.push_back(p.grad().to_vector());
    current_tape().clear();
    return g;
  };
  const auto dreg = gradients(iwae_bound_dreg(bench.model, bench.x, eps), ones({B}, f64));
  const auto plain = gradients(iwae_bound(bench.model, bench.x, eps), ones({B}, f64));
  const Tensor w_tilde = normalised_weights(log_weights(bench.model, bench.x, eps)).detach();  // (K, B)
  // Row b of mu and log_var belongs to example b only: its expected gradient is sum_k w~_kb^2 (path term of log w_kb).
  std::vector<double> expected(static_cast<std::size_t>(2 * B * L), 0.0);
  for (std::int64_t k = 0; k < K; ++k) {
    Tensor seed = zeros({K, B}, f64);
    for (std::int64_t j = 0; j < B; ++j) seed.set({k, j}, 1.0);
    const auto path = gradients(log_weights_stl(bench.model, bench.x, eps), seed);  // path term of sample k
    for (std::int64_t j = 0; j < B; ++j)
      for (std::int64_t u = 0; u < L; ++u) {
        const double w2 = w_tilde.at({k, j}) * w_tilde.at({k, j});
        expected[static_cast<std::size_t>(j * L + u)] += w2 * path[0][static_cast<std::size_t>(j * L + u)];
        expected[static_cast<std::size_t>(B * L + j * L + u)] += w2 * path[1][static_cast<std::size_t>(j * L + u)];
      }
  }
  for (std::int64_t i = 0; i < B * L; ++i) {
    CHECK(dreg[0][static_cast<std::size_t>(i)] == near(expected[static_cast<std::size_t>(i)], 1e-12));
    CHECK(dreg[1][static_cast<std::size_t>(i)] == near(expected[static_cast<std::size_t>(B * L + i)], 1e-12));
  }
  for (std::size_t p = 2; p < 4; ++p)
    for (std::size_t i = 0; i < dreg[p].size(); ++i) CHECK(dreg[p][i] == near(plain[p][i], 1e-12));
  // the value is L_K itself
  const Tensor value = iwae_bound_dreg(bench.model, bench.x, eps), bound = iwae_bound(bench.model, bench.x, eps);
  for (std::int64_t j = 0; j < B; ++j) CHECK(value.flat(j) == near(bound.flat(j), 1e-12));
  CHECK(estimator_from_name("dreg") == Estimator::dreg);
  CHECK(std::string(estimator_name(Estimator::stl)) == "stl");
  CHECK_THROWS_WITH(estimator_from_name("score"), Catch::Contains("must be 'reparam', 'stl' or 'dreg'"));
}
