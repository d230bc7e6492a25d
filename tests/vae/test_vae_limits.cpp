// The vae functions on inputs with nothing in them (zero rows, zero samples): a tg::Error naming the function and
// the shape, never a NaN or a 0 that looks like a result.
#include <catch2/catch.hpp>
#include <cmath>
#include <limits>

#include "autodiff/autodiff.hpp"
#include "vae/vae.hpp"

using namespace tg;
using Catch::Matchers::Contains;

TEST_CASE("estimate_log_px and effective_sample_size refuse empty inputs", "[estimate][diagnostics][limits]") {
  Generator gen(1);
  const vae::VAE model({6, {4}, 2, "tanh", "glorot"}, gen);
  // zero rows would give log p(x) = 0.0 (an empty mean) and an ESS of NaN
  CHECK_THROWS_WITH(vae::estimate_log_px(model, zeros({0, 6}), 10, gen),
                    "estimate_log_px: x is (0, 6); it must be (B, D) with B >= 1");
  CHECK_THROWS_WITH(vae::estimate_log_px(model, zeros({2, 6}), 10, gen, 0),
                    "estimate_log_px: max_rows is 0, but must be at least 1");
  CHECK_THROWS_WITH(vae::effective_sample_size(zeros({0, 3}, f64)),
                    "effective_sample_size: log_w is (0, 3); it must be (K, B) with K >= 1");
  CHECK_THROWS_WITH(vae::LogPxEstimate{}.mean_log_px(), "LogPxEstimate::mean_log_px: the estimate holds no examples");
  CHECK_THROWS_WITH(vae::LogPxEstimate{}.mean_std_err(), Contains("holds no examples"));
  CHECK_THROWS_WITH(vae::LogWeightSums(2).result(), "estimate_log_px: no log weights were added");
  const vae::LogPxEstimate one = vae::estimate_log_px(model, zeros({1, 6}), 3, gen);
  CHECK(std::isfinite(one.mean_log_px()));
  CHECK(vae::effective_sample_size(zeros({4, 2}, f64)) == std::vector<double>{4.0, 4.0});
}

TEST_CASE("model sizes whose doubled widths overflow are errors naming them", "[model][limits]") {
  Generator gen(1);
  const std::int64_t huge = std::int64_t{1} << 62;  // 2 * 2^62 is 2^63: one past int64
  CHECK_THROWS_WITH(vae::VAE({6, {4}, huge, "tanh", "glorot"}, gen),
                    "VAE: 2 * latent overflows: 2 * 4611686018427387904 is more than 2^63 - 1");
  CHECK_THROWS_WITH(vae::VAE({huge, {4}, 2, "tanh", "glorot", "normal"}, gen),
                    "VAE: 2 * data_dim overflows: 2 * 4611686018427387904 is more than 2^63 - 1");
  vae::TwoLayerArchitecture two{6, {4}, huge, {4}, 2, "tanh", "glorot"};
  CHECK_THROWS_WITH(vae::TwoLayerVAE(two, gen), Contains("TwoLayerVAE: 2 * latent1 overflows"));
  two.latent1 = 3, two.latent2 = std::numeric_limits<std::int64_t>::max();
  CHECK_THROWS_WITH(vae::TwoLayerVAE(two, gen), Contains("TwoLayerVAE: the noise width latent1 + latent2 overflows"));
  CHECK_THROWS_WITH(vae::CouplingFlow(6, huge, 1, gen),
                    "CouplingFlow: the hidden width 2 * L overflows: 2 * "
                    "4611686018427387904 is more than 2^63 - 1");
  CHECK_THROWS_WITH(vae::gaussian_from(zeros({0, huge + 1}), huge + 1), Contains("gaussian_from: 2 * L overflows"));
}

TEST_CASE("the objectives refuse an x that is not (B, D) and noise that does not fit x", "[elbo][iwae][limits]") {
  Generator gen(1);
  const vae::VAE model({6, {4}, 2, "tanh", "glorot"}, gen);
  const Tensor eps = zeros({3, 5, 2});
  // x (4,) or (1, 4, 6) would give a bound per noise row: 5 values of nothing
  for (const Tensor& x : {zeros({6}), zeros({1, 5, 6})}) {
    const std::string shape = shape_str(x.shape());
    CHECK_THROWS_WITH(vae::iwae_bound(model, x, eps), "iwae_bound: x is " + shape + "; it must be (B, D)");
    CHECK_THROWS_WITH(vae::elbo_analytic(model, x, eps), "elbo_analytic: x is " + shape + "; it must be (B, D)");
    CHECK_THROWS_WITH(vae::elbo_monte_carlo(model, x, eps), "elbo_monte_carlo: x is " + shape + "; it must be (B, D)");
    CHECK_THROWS_WITH(vae::log_weights(model, x, eps), "log_weights: x is " + shape + "; it must be (B, D)");
    CHECK_THROWS_WITH(vae::log_joint_x_eps(model, x, eps), "log_joint_x_eps: x is " + shape + "; it must be (B, D)");
    CHECK_THROWS_WITH(vae::estimate_log_px(model, x, 3, gen), Contains("it must be (B, D)"));
  }
  // one example against 5 rows of noise would broadcast to 5 bounds of it
  CHECK_THROWS_WITH(vae::iwae_bound(model, zeros({1, 6}), eps),
                    "iwae_bound: eps is (3, 5, 2) and x is (1, 6); eps must be (K, 1, 2): (K, B, L) with x's B and "
                    "the model's L");
  CHECK_THROWS_WITH(vae::log_weights(model, zeros({5, 6}), zeros({3, 5, 3})), Contains("eps must be (K, 5, 2)"));
  CHECK(vae::iwae_bound(model, zeros({5, 6}), eps).shape() == Shape{5});
}

TEST_CASE("a NaN in the noise is named as the noise, not as the decoder's logits", "[elbo][iwae][limits]") {
  Generator gen(1);
  const vae::VAE model({6, {4}, 2, "tanh", "glorot"}, gen);
  Tensor eps = zeros({3, 2, 2});
  eps.set({1, 0, 1}, std::nan(""));
  const Tensor x = zeros({2, 6});
  CHECK_THROWS_WITH(vae::iwae_bound(model, x, eps), "iwae_bound: eps[1, 0, 1] is nan, but must be finite");
  CHECK_THROWS_WITH(vae::elbo_analytic(model, x, eps), "elbo_analytic: eps[1, 0, 1] is nan, but must be finite");
  CHECK_THROWS_WITH(vae::log_joint_x_eps(model, x, eps), Contains("log_joint_x_eps: eps[1, 0, 1] is nan"));
  eps.set({1, 0, 1}, HUGE_VAL);
  CHECK_THROWS_WITH(vae::log_weights(model, x, eps), "log_weights: eps[1, 0, 1] is inf, but must be finite");
  Generator g2(2);
  const vae::TwoLayerVAE two({6, {4}, 3, {4}, 2, "tanh", "glorot"}, g2);
  Tensor eps5 = zeros({2, 2, 5});
  eps5.set({0, 1, 4}, std::nan(""));
  CHECK_THROWS_WITH(two.log_weights(x, eps5), "TwoLayerVAE: eps[0, 1, 4] is nan, but must be finite");
}
