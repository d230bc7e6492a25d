// The vae functions on inputs with nothing in them (zero rows, zero samples): a tg::Error naming the function and
// the shape, never a NaN or a 0 that looks like a result.
#include <catch2/catch.hpp>

#include "autodiff/autodiff.hpp"
#include "vae/vae.hpp"

using namespace tg;
using Catch::Matchers::Contains;

TEST_CASE("estimate_log_px and effective_sample_size refuse empty inputs", "[estimate][diagnostics][limits]") {
  Generator gen(1);
  const vae::VAE model({6, {4}, 2, "tanh", "glorot"}, gen);
  // zero rows used to give log p(x) = 0.0 (an empty mean) and an ESS of NaN
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
