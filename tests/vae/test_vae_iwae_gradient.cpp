// The IWAE gradient written out (vae/iwae_gradient.cpp) on the exact linear-Gaussian model: the normalised weights,
// and the tape's gradient of L_K against the weighted sum of the per-sample gradients of log w.
// Math: docs/derivations/iwae_gradient.md.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "autodiff/tape.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"
#include "vae/iwae_gradient.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

TEST_CASE(
    "(iwae_gradient.1) normalised_weights is the softmax of log w over K, the gradient of L_K with respect to log w, "
    "and finite at log w near -800 and 800",
    "[iwae_gradient][iwae]") {
  Generator gen(61);
  Tensor log_w = randn({5, 4}, gen, f64) * 3.0;  // (K, B)
  log_w.requires_grad(true);
  const Tensor w_tilde = normalised_weights(log_w);
  for (std::int64_t b = 0; b < 4; ++b) {
    double total = 0, sum_w = 0;
    for (std::int64_t k = 0; k < 5; ++k) sum_w += std::exp(log_w.at({k, b}));
    for (std::int64_t k = 0; k < 5; ++k) {
      CHECK(w_tilde.at({k, b}) == near(std::exp(log_w.at({k, b})) / sum_w, 1e-14));  // w_k / sum_j w_j by hand
      total += w_tilde.at({k, b});
    }
    CHECK(total == near(1.0, 1e-14));
  }
  // d L_K / d log w_k = w~_k: the backward of the log-mean-exp is the softmax
  backward(sum(iwae_bound_from_log_weights(log_w)));
  for (std::int64_t i = 0; i < 20; ++i) CHECK(log_w.grad().flat(i) == near(w_tilde.flat(i), 1e-14));
  // Weights e^800 and e^-800 overflow and underflow; their ratios do not.
  const Tensor extreme = tensor({800.0, -800.0, 800.0 - std::log(3.0), -800.0 - std::log(3.0)}, {2, 2}, f64);
  const Tensor w_extreme = normalised_weights(extreme);
  CHECK(w_extreme.at({0, 0}) == near(0.75, 1e-12));
  CHECK(w_extreme.at({1, 0}) == near(0.25, 1e-12));
  CHECK(w_extreme.at({0, 1}) == near(0.75, 1e-12));
  CHECK(w_extreme.at({1, 1}) == near(0.25, 1e-12));
  CHECK_THROWS_WITH(normalised_weights(zeros({5}, f64)), Catch::Contains("must be (K, B)"));
}

TEST_CASE(
    "(iwae_gradient.2) on the exact model the tape's gradient of iwae_bound equals sum_k w~_k grad log w_k and the "
    "gradient of iwae_gradient_surrogate",
    "[iwae_gradient][iwae][linear_gaussian]") {
  Bench bench(62);
  constexpr std::int64_t K = 5, B = Bench::B;
  Tensor mu = randn({B, bench.L()}, bench.gen, f64), log_var = rand_uniform({B, bench.L()}, -1.5, 1.0, bench.gen, f64);
  mu.requires_grad(true).name("mu"), log_var.requires_grad(true).name("log_var");
  bench.model.set_q(mu, log_var);
  Tensor W = bench.model.W(), b = bench.model.b();  // handles on the model's own decoder tensors: theta
  W.requires_grad(true), b.requires_grad(true);
  const std::vector<Tensor> params{mu, log_var, W, b};  // phi, then theta
  const Tensor eps = draw_eps(bench.model, bench.x, K, bench.gen);
  auto gradients = [&](const Tensor& objective, const Tensor& seed) {  // d(sum seed * objective) / d params
    for (Tensor p : params) p.zero_grad();
    backward(objective, seed);
    std::vector<std::vector<double>> g;
    for (const Tensor& p : params) g.push_back(p.grad().to_vector());
    current_tape().clear();
    return g;
  };
  const auto g_bound = gradients(iwae_bound(bench.model, bench.x, eps), ones({B}, f64));
  const auto g_surrogate = gradients(iwae_gradient_surrogate(log_weights(bench.model, bench.x, eps)), ones({B}, f64));
  // The weighted sum by hand: K per-sample gradients of log w_k (row k of log_w seeded with w~_k).
  const Tensor w_tilde = normalised_weights(log_weights(bench.model, bench.x, eps)).detach();  // (K, B)
  std::vector<std::vector<double>> g_sum;
  for (std::int64_t k = 0; k < K; ++k) {
    Tensor seed = zeros({K, B}, f64);
    for (std::int64_t j = 0; j < B; ++j) seed.set({k, j}, w_tilde.at({k, j}));
    const auto g_k = gradients(log_weights(bench.model, bench.x, eps), seed);  // w~_k grad log w_k
    if (g_sum.empty())
      g_sum = g_k;
    else
      for (std::size_t p = 0; p < g_k.size(); ++p)
        for (std::size_t i = 0; i < g_k[p].size(); ++i) g_sum[p][i] += g_k[p][i];
  }
  double largest = 0;
  for (std::size_t p = 0; p < params.size(); ++p)
    for (std::size_t i = 0; i < g_bound[p].size(); ++i) {
      INFO("parameter " << params[p].name() << " element " << i);
      CHECK(g_bound[p][i] == near(g_sum[p][i], 1e-12));
      CHECK(g_surrogate[p][i] == near(g_bound[p][i], 1e-12));
      largest = std::max(largest, std::abs(g_bound[p][i]));
    }
  CHECK(largest > 0.1);  // the gradients compared are not all zero
}
