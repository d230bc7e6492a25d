// The figures the trainable models report beside their bounds, each against an independent computation: the KL to
// the prior and the variances of the posterior centres (active units) of FlowVAE and TwoLayerVAE, and the standard
// error and effective sample size reported with a log p(x) estimate, from the weights directly. Math:
// docs/derivations/estimate.md, coupling.md, hierarchy.md.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "autodiff/tape.hpp"
#include "vae/coupling.hpp"
#include "vae/diagnostics.hpp"
#include "vae/elbo.hpp"
#include "vae/estimate.hpp"
#include "vae/hierarchy.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

// The variance over the rows of t (N, U) of each column, (1/N) sum (t - mean)^2, in plain loops.
std::vector<double> column_variances_by_hand(const Tensor& t) {
  const std::int64_t N = t.size(0), U = t.size(1);
  std::vector<double> v;
  for (std::int64_t u = 0; u < U; ++u) {
    double m = 0, s = 0;
    for (std::int64_t n = 0; n < N; ++n) m += t.at({n, u}) / static_cast<double>(N);
    for (std::int64_t n = 0; n < N; ++n) s += (t.at({n, u}) - m) * (t.at({n, u}) - m) / static_cast<double>(N);
    v.push_back(s);
  }
  return v;
}

void randomise(nn::Module& m, Generator& gen, double scale) {  // every parameter from N(0, scale^2)
  for (Tensor p : m.parameters())
    for (std::int64_t i = 0; i < p.numel(); ++i) p.set_flat(i, scale * gen.normal());
}

FlowVAE small_flow(Generator& gen) {
  Architecture arch{6, {5}, 4, "tanh", "glorot"};
  arch.posterior = "coupling", arch.coupling_layers = 2;
  return FlowVAE(arch, gen, f64);
}

}  // namespace

TEST_CASE("FlowVAE: kl_to_prior is the mean over k of log p(x|z) - log w at its flow's z", "[diagnostics][flow]") {
  Generator gen(121);
  FlowVAE model = small_flow(gen);
  randomise(model, gen, 0.5);  // the coupling layers far from the identity: their log-determinants count
  const Tensor x = bernoulli(full({5, 6}, 0.4, f64), gen), eps = draw_eps(model, x, 7, gen);
  // KL(q || p) estimated = mean_k [log q(z_k|x) - log p(z_k)] = mean_k [log p(x|z_k) - log w_k]
  const Tensor z = model.flow().sample(model.vae().encode(x), x, eps).z;  // (7, 5, 4)
  const Tensor by_weights = mean(model.vae().log_likelihood(x, z) - model.log_weights(x, eps), {0});
  const Tensor kl = model.kl_to_prior(x, eps);
  REQUIRE(kl.shape() == Shape{5});
  for (std::int64_t b = 0; b < 5; ++b) CHECK(kl.flat(b) == Approx(by_weights.flat(b)).epsilon(1e-10));
}

TEST_CASE("FlowVAE: with the flow at the identity, kl_to_prior averages to the closed-form Gaussian KL",
          "[diagnostics][flow]") {
  Generator gen(122);
  FlowVAE model = small_flow(gen);                  // coupling layers start at s = t = 0: q is the VAE's Gaussian
  for (auto& [name, p] : model.named_parameters())  // an encoder far from the prior, so that the KL is large
    if (name.rfind("vae.", 0) == 0)
      for (std::int64_t i = 0; i < p.numel(); ++i) p.set_flat(i, 0.7 * gen.normal());
  const Tensor x = bernoulli(full({3, 6}, 0.4, f64), gen), eps = draw_eps(model, x, 20000, gen);
  const Tensor kl = model.kl_to_prior(x, eps), closed = model.vae().kl_to_prior(x, eps);
  const Tensor z = model.flow().sample(model.vae().encode(x), x, eps).z;
  const Tensor d = model.vae().log_likelihood(x, z) - model.log_weights(x, eps);  // log q - log p per sample
  for (std::int64_t b = 0; b < 3; ++b) {
    const Stats s(column(d, b));  // its standard error over the 20000 samples
    INFO("example " << b << ": " << kl.flat(b) << " against " << closed.flat(b) << " +- " << s.se);
    CHECK(std::abs(kl.flat(b) - closed.flat(b)) < 4 * s.se);
    CHECK(closed.flat(b) > 10 * s.se);
  }
}

TEST_CASE("FlowVAE: layer_mean_variances are the variances over the examples of the flow's centre g(0; x)",
          "[diagnostics][flow]") {
  Generator gen(123);
  FlowVAE model = small_flow(gen);
  randomise(model, gen, 0.5);
  const Tensor x = bernoulli(full({9, 6}, 0.5, f64), gen);
  const Tensor eps0 = zeros({1, 9, 4}, f64);
  const Tensor centre = reshape(model.flow().sample(model.vae().encode(x), x, eps0).z, {9, 4});
  const std::vector<std::vector<double>> v = model.layer_mean_variances(x);
  REQUIRE(v.size() == 1);
  const std::vector<double> by_hand = column_variances_by_hand(centre);
  const std::vector<double> gaussian_only = column_variances_by_hand(model.vae().encode(x).loc());
  REQUIRE(v[0].size() == 4);
  for (std::size_t u = 0; u < 4; ++u) {
    CHECK(v[0][u] == Approx(by_hand[u]).epsilon(1e-10));
    CHECK(std::abs(v[0][u] - gaussian_only[u]) > 1e-6);  // the flow moved the centres: its own figure, not mu's
  }
}

TEST_CASE("TwoLayerVAE: layer_mean_variances are the variances of E_q[z1] and of E_q[z2] at z1 = E_q[z1]",
          "[diagnostics][hierarchy]") {
  Generator gen(124);
  TwoLayerVAE model({6, {5}, 3, {4}, 2, "tanh", "glorot"}, gen, f64);
  randomise(model, gen, 0.7);
  const Tensor x = bernoulli(full({8, 6}, 0.5, f64), gen);
  const Tensor mu1 = model.encode1(x).loc(), mu2 = model.encode2(mu1).loc();  // (8, 3), (8, 2)
  const std::vector<std::vector<double>> v = model.layer_mean_variances(x);
  REQUIRE(v.size() == 2);
  const std::vector<double> v1 = column_variances_by_hand(mu1), v2 = column_variances_by_hand(mu2);
  REQUIRE(v[0].size() == 3);
  REQUIRE(v[1].size() == 2);
  for (std::size_t u = 0; u < 3; ++u) CHECK(v[0][u] == Approx(v1[u]).epsilon(1e-10));
  for (std::size_t u = 0; u < 2; ++u) CHECK(v[1][u] == Approx(v2[u]).epsilon(1e-10));
}

TEST_CASE("TwoLayerVAE: kl_to_prior is the mean over k of log p(x|z1) - log w, on the same noise",
          "[diagnostics][hierarchy]") {
  Generator gen(125);
  TwoLayerVAE model({6, {5}, 3, {4}, 2, "tanh", "glorot"}, gen, f64);
  randomise(model, gen, 0.7);
  const Tensor x = bernoulli(full({4, 6}, 0.5, f64), gen), eps = draw_eps(model, x, 6, gen);
  const Tensor by_weights = mean(model.log_likelihood(x, model.sample(x, eps).z1) - model.log_weights(x, eps), {0});
  const Tensor kl = model.kl_to_prior(x, eps);
  for (std::int64_t b = 0; b < 4; ++b) CHECK(kl.flat(b) == Approx(by_weights.flat(b)).epsilon(1e-10));
}

namespace {

// The standard error of log p^ = log mean(w) by the delta method, std(w) / (sqrt(k) mean(w)) with the population
// standard deviation, and the ESS (sum w)^2 / sum w^2, straight from the weights of column b of log_w (k, B).
struct Direct {
  double se, ess;
};
Direct direct_from_weights(const Tensor& log_w, std::int64_t b) {
  const std::int64_t k = log_w.size(0), B = log_w.size(1);
  double m = -INFINITY;
  for (std::int64_t i = 0; i < k; ++i) m = std::max(m, log_w.flat(i * B + b));
  double s1 = 0, s2 = 0;  // the weights scaled by e^-m: the ratios below do not change
  for (std::int64_t i = 0; i < k; ++i) {
    const double w = std::exp(log_w.flat(i * B + b) - m);
    s1 += w, s2 += w * w;
  }
  const double kd = static_cast<double>(k), mean = s1 / kd, var = s2 / kd - mean * mean;
  return {std::sqrt(var / kd) / mean, s1 * s1 / s2};
}

}  // namespace

TEST_CASE("(estimate.4) the standard error and ESS reported with log p(x) match a direct computation from the weights",
          "[estimate][diagnostics]") {
  Generator gen(126);
  constexpr std::int64_t k = 300, B = 4;
  Tensor log_w = randn({k, B}, gen, f64) * 1.5;  // columns at very different levels, one far below exp's range
  for (std::int64_t i = 0; i < k; ++i) log_w.set({i, 1}, log_w.at({i, 1}) - 900), log_w.set({i, 3}, 0.1 * i / k);
  LogWeightSums sums(B);
  sums.add(slice(log_w, 0, 0, 100));  // in two chunks, as estimate_log_px adds them
  sums.add(slice(log_w, 0, 100, k));
  const LogPxEstimate est = sums.result();
  double sum_se2 = 0;
  for (std::int64_t b = 0; b < B; ++b) {
    const Direct d = direct_from_weights(log_w, b);
    CHECK(est.std_err[static_cast<std::size_t>(b)] == Approx(d.se).epsilon(1e-9));
    CHECK(est.ess[static_cast<std::size_t>(b)] == Approx(d.ess).epsilon(1e-9));
    sum_se2 += d.se * d.se;
  }
  // the standard error of the mean over the B examples, whose estimates are independent
  CHECK(est.mean_std_err() == Approx(std::sqrt(sum_se2) / B).epsilon(1e-9));
}

TEST_CASE("estimate_log_px reports the standard error of the weights it drew", "[estimate][diagnostics]") {
  Generator model_gen(127);
  LinearGaussianModel model(orthogonal_model(model_gen, 5, {0.8, 1.3}, 0.6));
  const Tensor x = sample_x(model.exact(), 3, model_gen);
  model.use_exact_encoder();
  set_q_near_posterior(model, x, 0.4, 0.6);
  Generator gen(7), replay(7);
  const LogPxEstimate est = estimate_log_px(model, x, 200, gen);               // one chunk: 200 x 3 rows
  const Tensor log_w = model.log_weights(x, draw_eps(model, x, 200, replay));  // the same draws
  for (std::int64_t b = 0; b < 3; ++b) {
    const Direct d = direct_from_weights(log_w, b);
    CHECK(est.std_err[static_cast<std::size_t>(b)] == Approx(d.se).epsilon(1e-9));
    CHECK(est.std_err[static_cast<std::size_t>(b)] > 0.005);
  }
}
