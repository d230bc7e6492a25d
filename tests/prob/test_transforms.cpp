// Tests of the affine change of variables (prob/transforms.cpp) and the stable primitives (prob/stable.cpp):
// (reparam.2) log q(z) = log q(eps) - sum log sigma, and log_mean_exp. Math: docs/derivations/reparam.md.
#include "prob_testing.hpp"

using namespace tg;
using namespace tg::prob;
using namespace prob_testing;

TEST_CASE("(reparam.2) log q(z|x) equals log q(eps) minus the sum of log sigma", "[reparam][transform][prob]") {
  const Tensor mu = vec({0.5, -1.0, 2.0, 0.0, 3.0, -0.25}, {2, 3});
  const Tensor log_var = vec({-1.0, 0.5, 2.0, -30.0, 0.0, 8.0}, {2, 3});
  const Normal q = Normal::from_log_var(mu, log_var, 1);
  Generator gen(31);
  const Tensor z = q.rsample(gen, {5});  // (5, 2, 3)
  const AffineTransform& T = q.transform();
  const Tensor eps = T.inverse(z);                                     // (5, 2, 3)
  const Tensor log_q_eps = StandardNormal({3}, f64, 1).log_prob(eps);  // (5, 2)
  const Tensor via_eps = log_q_eps - T.log_abs_det_jacobian();         // (5, 2) - (2)
  const Tensor direct = q.log_prob(z);                                 // (5, 2)
  REQUIRE(direct.shape() == Shape{5, 2});
  for (std::int64_t i = 0; i < 10; ++i) CHECK(rel_close(via_eps.flat(i), direct.flat(i), 1e-12));
  // sum_j log sigma_j = 1/2 sum_j log sigma_j^2, from log_var directly.
  CHECK(T.log_abs_det_jacobian().flat(1) == 0.5 * (-30.0 + 0.0 + 8.0));
}

TEST_CASE("AffineTransform: inverse undoes forward, and a scalar sigma counts once per event coordinate",
          "[transform][prob]") {
  const AffineTransform T(vec({1.0, -2.0, 0.5}), vec({2.0}), 1);  // sigma broadcasts over D = 3
  const Tensor eps = vec({0.3, -1.1, 2.0});
  const Tensor z = T.forward(eps);
  const std::vector<double> expected = {1.6, -4.2, 4.5};
  for (std::int64_t i = 0; i < 3; ++i) CHECK(rel_close(z.flat(i), expected[static_cast<std::size_t>(i)], 1e-15));
  const Tensor back = T.inverse(z);
  for (std::int64_t i = 0; i < 3; ++i) CHECK(rel_close(back.flat(i), eps.flat(i), 1e-15));
  CHECK(rel_close(T.log_abs_det_jacobian().item(), 3 * std::log(2.0), 1e-15));
  CHECK(T.batch_shape() == Shape{});
  const AffineTransform L = AffineTransform::from_log_scale(vec({0.0}), vec({std::log(3.0)}));
  CHECK(rel_close(L.sigma().item(), 3.0, 1e-15));
  CHECK(L.log_abs_det_jacobian().item() == std::log(3.0));
}

TEST_CASE("gradcheck: the change of variables through mu and log sigma", "[transform][reparam][prob]") {
  const Tensor mu = leaf({0.3, -1.2, 0.8}, {3}, "mu");
  const Tensor log_sigma = leaf({-0.4, 1.1, 0.2}, {3}, "log_sigma");
  const Tensor z = leaf({1.0, -0.5, 0.2, 0.4, 2.5, -1.0}, {2, 3}, "z");
  auto f = [](const std::vector<Tensor>& in) {
    const AffineTransform T = AffineTransform::from_log_scale(in[0], in[1], 1);
    return StandardNormal({3}, f64, 1).log_prob(T.inverse(in[2])) - T.log_abs_det_jacobian();
  };
  const GradcheckResult r = gradcheck(f, {mu, log_sigma, z});
  INFO(r.report);
  CHECK(r.ok);
}

TEST_CASE("log_mean_exp is logsumexp - log n, exact at +-1000, with the softmax as gradient", "[stable][prob]") {
  CHECK(rel_close(log_mean_exp(vec({0.0, std::log(3.0)}), 0).item(), std::log(2.0), 1e-15));
  CHECK(rel_close(log_mean_exp(vec({-1000.0, -1000.0}), 0).item(), -1000.0, 1e-15));
  CHECK(rel_close(log_mean_exp(vec({1000.0, 1000.0, 1000.0}), 0).item(), 1000.0, 1e-15));
  CHECK(rel_close(log_mean_exp(vec({1000.0, -1000.0}), -1).item(), 1000.0 - std::log(2.0), 1e-15));
  const Tensor x = vec({0.5, -1.0, 2.0, 0.0, 3.0, -0.25}, {2, 3});
  CHECK(log_mean_exp(x, 1, true).shape() == Shape{2, 1});
  CHECK(log_mean_exp(x, 0).shape() == Shape{3});
  CHECK(log_mean_exp(vec({-7.5}), 0).item() == -7.5);  // K = 1: the bound is log w itself
  const Tensor w = leaf({0.5, -1.0, 2.0, 0.0, 3.0, -0.25, 40.0, -40.0}, {2, 4}, "log_w");
  auto along = [](std::int64_t axis) {
    return [axis](const std::vector<Tensor>& in) { return log_mean_exp(in[0], axis); };
  };
  CHECK(gradcheck(along(0), {w}).ok);
  CHECK(gradcheck(along(1), {w}).ok);
}

TEST_CASE("sum_event sums the last event_dims axes and leaves event_dims = 0 alone", "[stable][prob]") {
  const Tensor x = vec({1, 2, 3, 4, 5, 6, 7, 8}, {2, 2, 2});
  CHECK(sum_event(x, 0).shape() == Shape{2, 2, 2});
  CHECK(sum_event(x, 1).to_vector() == std::vector<double>{3, 7, 11, 15});
  CHECK(sum_event(x, 2).to_vector() == std::vector<double>{10, 26});
  CHECK(sum_event(x, 3).item() == 36);
}
