// The linear-Gaussian model as a LatentModel over Tensors (vae/exact/linear_gaussian_model.cpp) against the closed
// forms of vae/exact/linear_gaussian.cpp. Math: docs/derivations/linear_gaussian.md.
#include <catch2/catch.hpp>
#include <cmath>

#include "vae/elbo.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::exact;
using namespace tg::vae::testing;

TEST_CASE("(linear_gaussian.1) LinearGaussianModel::log_likelihood equals the closed form at every (k, b)",
          "[linear_gaussian]") {
  Generator gen(61);
  LinearGaussianModel model(orthogonal_model(gen, 5, {0.6, 1.1, 1.7}, 0.7));
  const Tensor x = sample_x(model.exact(), 3, gen);  // (B, D)
  const Tensor z = randn({4, 3, 3}, gen, f64);       // (K, B, L)
  const Tensor lp = model.log_likelihood(x, z);
  REQUIRE(lp.shape() == Shape{4, 3});
  for (std::int64_t k = 0; k < 4; ++k)
    for (std::int64_t b = 0; b < 3; ++b) {
      Vector zk(3);
      for (std::int64_t j = 0; j < 3; ++j) zk[static_cast<std::size_t>(j)] = z.at({k, b, j});
      CHECK(lp.at({k, b}) == near(model.exact().log_likelihood(row_vector(x, b), zk), 1e-11));
    }
}

TEST_CASE(
    "(linear_gaussian.3) use_exact_posterior sets q to the exact posterior of a model with orthogonal "
    "columns",
    "[linear_gaussian][gap]") {
  Generator gen(62);
  LinearGaussianModel model(orthogonal_model(gen, 7, {0.3, 2.0, 1.0, 0.8}, 0.5));
  const Matrix WtW = matmul(transpose(model.exact().W), model.exact().W);
  CHECK(std::abs(WtW(0, 1)) < 1e-12);  // the test models really have W^T W diagonal
  CHECK(WtW(1, 1) == near(4.0, 1e-12));
  const Tensor x = sample_x(model.exact(), 5, gen);
  model.use_exact_posterior(x);
  for (std::int64_t b = 0; b < 5; ++b) {
    const Gaussian post = model.exact().posterior(row_vector(x, b));
    const Gaussian q = model.q_row(x, b);
    for (std::size_t j = 0; j < 4; ++j) {
      CHECK(q.m[j] == near(post.m[j], 1e-12));
      CHECK(q.S(j, j) == near(post.S(j, j), 1e-12));
      CHECK(q.S(j, j) == near(1 / (1 + WtW(j, j) / 0.25), 1e-12));  // (I + W^T W / sigma^2)^{-1}, diagonal
    }
    CHECK(kl_gaussians(q, post) == near(0.0, 1e-12));
  }
  // The amortised exact encoder gives the same q for these rows and for any others
  const Tensor q_mu = model.q_mu(), q_log_var = model.q_log_var();
  model.use_exact_encoder();
  const prob::Normal q = model.encode(x);
  for (std::int64_t i = 0; i < q_mu.numel(); ++i) {
    CHECK(q.loc().flat(i) == near(q_mu.flat(i), 1e-12));
    CHECK(q.log_var().flat(i) == near(q_log_var.flat(i), 1e-12));
  }
  const Tensor x2 = sample_x(model.exact(), 2, gen);
  for (std::int64_t b = 0; b < 2; ++b) {
    const Gaussian post = model.exact().posterior(row_vector(x2, b));
    CHECK(kl_gaussians(model.q_row(x2, b), post) == near(0.0, 1e-12));
  }
}

TEST_CASE("LinearGaussianModel rejects a non-diagonal posterior, an unset q and wrong shapes with clear messages",
          "[linear_gaussian][errors]") {
  Generator gen(63);
  Matrix W(4, 2);
  for (double& v : W.data) v = gen.normal();  // columns not orthogonal: the posterior covariance is not diagonal
  LinearGaussianModel skew(LinearGaussian{W, Vector(4, 0.0), 0.7});
  const Tensor x = zeros({3, 4}, f64);
  CHECK_THROWS_WITH(skew.encode(x), Catch::Contains("q is not set"));
  CHECK_THROWS_WITH(skew.use_exact_posterior(x), Catch::Contains("not diagonal") && Catch::Contains("orthogonal"));
  CHECK_THROWS_WITH(skew.use_exact_encoder(), Catch::Contains("not diagonal"));
  CHECK_THROWS_WITH(skew.set_q(zeros({3, 2}, f64), zeros({3, 3}, f64)), Catch::Contains("log_var is (3, 3)"));
  CHECK_THROWS_WITH(skew.set_q(zeros({3, 2}, f64), zeros({2, 2}, f64)), Catch::Contains("same rows"));
  CHECK_THROWS_WITH(skew.set_q(zeros({3, 2}), zeros({3, 2}, f64)), Catch::Contains("float64"));
  skew.set_q(zeros({3, 2}, f64), zeros({3, 2}, f64));
  CHECK_THROWS_WITH(skew.encode(zeros({2, 4}, f64)), Catch::Contains("x has 2 rows, but q was set for 3"));
  CHECK_THROWS_WITH(skew.encode(zeros({3, 5}, f64)), Catch::Contains("x is (3, 5)"));
  CHECK_THROWS_WITH(LinearGaussianModel(LinearGaussian{W, Vector(4, 0.0), -1.0}), Catch::Contains("sigma is -1"));
  CHECK_THROWS_WITH(LinearGaussianModel(LinearGaussian{W, Vector(3, 0.0), 1.0}), Catch::Contains("W is (4, 2)"));
  CHECK_NOTHROW(elbo_analytic(skew, x, zeros({1, 3, 2}, f64)));
}
