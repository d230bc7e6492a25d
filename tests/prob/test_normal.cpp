// Tests of tg::prob::Normal and StandardNormal (prob/normal.cpp): closed forms in float64, gradients, the
// reparameterised sample (reparam.1), (reparam.3), sample moments and the tails. Math: docs/derivations/reparam.md.
#include "prob_testing.hpp"

using namespace tg;
using namespace tg::prob;
using namespace prob_testing;

namespace {

// log N(x; mu, sigma^2) in long double, the reference.
double normal_log_pdf(double mu, double sigma, double x) {
  const long double y = (static_cast<long double>(x) - mu) / sigma;
  return static_cast<double>(-0.5L * y * y - std::log(static_cast<long double>(sigma)) -
                             0.5L * std::log(2.0L * static_cast<long double>(pi)));
}

struct Point {
  double mu, sigma, x;
};
const std::vector<Point> table = {{0.0, 1.0, 0.0},         {0.0, 1.0, 1.5},    {-2.0, 0.5, -1.25},     {3.0, 2.0, -4.0},
                                  {1e3, 1e-3, 1e3 + 2e-3}, {-0.3, 1e4, 2.5e4}, {0.5, 1e-8, 0.5 + 3e-8}};

Tensor column(double Point::*field) {
  std::vector<double> v;
  for (const Point& p : table) v.push_back(p.*field);
  return vec(v);
}

}  // namespace

TEST_CASE("Normal log_prob matches the closed form at a table of points in float64", "[normal][prob]") {
  const Tensor mu = column(&Point::mu), sigma = column(&Point::sigma), x = column(&Point::x);
  const Tensor from_scale = Normal::from_scale(mu, sigma).log_prob(x);
  const Tensor from_log_var = Normal::from_log_var(mu, log(sigma) * 2.0).log_prob(x);
  for (std::size_t i = 0; i < table.size(); ++i) {
    const double expected = normal_log_pdf(table[i].mu, table[i].sigma, table[i].x);
    INFO("point " << i << ": expected " << expected);
    CHECK(rel_close(from_scale.flat(static_cast<std::int64_t>(i)), expected, 1e-12));
    CHECK(rel_close(from_log_var.flat(static_cast<std::int64_t>(i)), expected, 1e-12));
  }
  // event_dims = 1 sums over the last axis; a leading sample axis broadcasts.
  const Tensor summed = Normal::from_scale(mu, sigma, 1).log_prob(stack({x, x}, 0));  // (2)
  double expected = 0;
  for (const Point& p : table) expected += normal_log_pdf(p.mu, p.sigma, p.x);
  REQUIRE(summed.shape() == Shape{2});
  CHECK(rel_close(summed.flat(0), expected, 1e-12));
  CHECK(summed.flat(0) == summed.flat(1));
}

TEST_CASE("Normal entropy, mean, variance and accessors match closed forms", "[normal][prob]") {
  const Tensor mu = vec({0.5, -1.0, 2.0}), sigma = vec({0.1, 1.0, 30.0});
  const Normal q = Normal::from_scale(mu, sigma, 1);
  double h = 0;
  for (double s : {0.1, 1.0, 30.0}) h += 0.5 + 0.5 * std::log(2 * pi) + std::log(s);
  CHECK(rel_close(q.entropy().item(), h, 1e-12));
  CHECK(q.mean().to_vector() == mu.to_vector());
  CHECK(rel_close(q.variance().flat(2), 900.0, 1e-15));
  CHECK(q.batch_shape() == Shape{});
  const Normal r = Normal::from_log_var(vec({0.0}), vec({std::log(4.0)}));
  CHECK(rel_close(r.scale().item(), 2.0, 1e-15));
  CHECK(rel_close(r.variance().item(), 4.0, 1e-15));
  CHECK(r.log_var().item() == std::log(4.0));          // the given tensor, not 2 log(exp(log_var / 2))
  CHECK(r.log_scale().item() == 0.5 * std::log(4.0));  // 1/2 log_var, exactly
}

TEST_CASE("StandardNormal log_prob, entropy, mean and variance match closed forms", "[normal][prob]") {
  const StandardNormal p({2, 3}, f64, 1);
  const Tensor x = vec({0.0, 1.0, -2.0, 0.5, 0.25, 3.0}, {2, 3});
  const Tensor lp = p.log_prob(x);  // (2)
  const double c = 0.5 * std::log(2 * pi);
  CHECK(rel_close(lp.flat(0), -0.5 * (0 + 1 + 4) - 3 * c, 1e-12));
  CHECK(rel_close(lp.flat(1), -0.5 * (0.25 + 0.0625 + 9) - 3 * c, 1e-12));
  CHECK(rel_close(p.entropy().flat(1), 3 * (0.5 + c), 1e-12));
  CHECK(p.mean().to_vector() == std::vector<double>(6, 0.0));
  CHECK(p.variance().to_vector() == std::vector<double>(6, 1.0));
  const Tensor as_normal = p.as_normal().log_prob(x);
  CHECK(rel_close(as_normal.flat(0), lp.flat(0), 1e-15));
  CHECK(p.log_prob(vec({0.0, 1.0, -2.0})).shape() == Shape{2});  // the value broadcasts to the prior's shape
}

TEST_CASE("gradcheck: Normal log_prob with respect to loc, scale, log_var and the value", "[normal][prob]") {
  const Tensor mu = leaf({0.3, -1.2, 0.8, 2.0, -0.5, 0.1}, {2, 3}, "mu");
  const Tensor sigma = leaf({0.7, 1.9, 0.4}, {3}, "sigma");  // broadcast over the batch axis
  const Tensor log_var = leaf({-0.4, 1.1, 0.2, -2.0, 0.9, 0.0}, {2, 3}, "log_var");
  const Tensor x = leaf({1.0, -0.5, 0.2, 0.4, 2.5, -1.0, 0.0, 0.3, 0.9, -2.2, 1.7, 0.6}, {2, 2, 3}, "x");
  auto by_scale = [](const std::vector<Tensor>& in) { return Normal::from_scale(in[0], in[1], 1).log_prob(in[2]); };
  auto by_log_var = [](const std::vector<Tensor>& in) { return Normal::from_log_var(in[0], in[1], 1).log_prob(in[2]); };
  const GradcheckResult a = gradcheck(by_scale, {mu, sigma, x});
  INFO(a.report);
  CHECK(a.ok);
  const GradcheckResult b = gradcheck(by_log_var, {mu, log_var, x});
  INFO(b.report);
  CHECK(b.ok);
  auto entropy = [](const std::vector<Tensor>& in) { return Normal::from_log_var(in[0], in[1], 1).entropy(); };
  CHECK(gradcheck(entropy, {mu, log_var}).ok);
}

TEST_CASE("(reparam.1) rsample is mu + sigma * eps for the same eps", "[reparam][normal][prob]") {
  const Tensor mu = vec({0.5, -2.0, 1.0}), sigma = vec({0.3, 1.5, 4.0}), log_var = vec({-1.0, 0.0, 2.5});
  Generator gen(7), same(7);
  const Tensor z = Normal::from_scale(mu, sigma).rsample(gen, {4});  // (4, 3)
  const Tensor eps = randn({4, 3}, same, f64);
  REQUIRE(z.shape() == Shape{4, 3});
  for (std::int64_t i = 0; i < 12; ++i) {  // to rounding (the kernel may fuse the multiply-add)
    const double term = sigma.flat(i % 3) * eps.flat(i);
    CHECK(std::abs(z.flat(i) - (mu.flat(i % 3) + term)) <= 1e-15 * (std::abs(mu.flat(i % 3)) + std::abs(term)));
  }
  const Tensor zl = Normal::from_log_var(mu, log_var).rsample_with(eps);
  for (std::int64_t i = 0; i < 12; ++i) {
    const double expected = mu.flat(i % 3) + std::exp(0.5 * log_var.flat(i % 3)) * eps.flat(i);
    CHECK(rel_close(zl.flat(i), expected, 1e-15));
  }
  Generator again(7);
  CHECK(Normal::from_scale(mu, sigma).sample(again, {4}).to_vector() == z.to_vector());  // same stream
}

TEST_CASE("(reparam.1) frozen-noise gradcheck of rsample_with through loc, scale and log_var", "[reparam][prob]") {
  Generator gen(11);
  const Tensor eps = randn({5, 2, 3}, gen, f64);  // frozen outside f
  const Tensor mu = leaf({0.3, -1.2, 0.8, 2.0, -0.5, 0.1}, {2, 3}, "mu");
  const Tensor log_var = leaf({-0.4, 1.1, 0.2, -2.0, 0.9, 0.0}, {2, 3}, "log_var");
  const Tensor sigma = leaf({0.5, 1.5, 2.5}, {3}, "sigma");
  auto f = [&eps](const std::vector<Tensor>& in) {
    return square(Normal::from_log_var(in[0], in[1]).rsample_with(eps));
  };
  auto g = [&eps](const std::vector<Tensor>& in) { return tanh(Normal::from_scale(in[0], in[1]).rsample_with(eps)); };
  CHECK(gradcheck(f, {mu, log_var}).ok);
  CHECK(gradcheck(g, {mu, sigma}).ok);
  const Tensor drawn = Normal::from_scale(mu, sigma).sample(gen);
  CHECK_FALSE(drawn.requires_grad());  // sample carries no gradient
}

TEST_CASE("(reparam.3) the pathwise gradient of E[z^2] is 2 mu and 2 sigma within standard errors",
          "[reparam][normal][prob]") {
  const double m = 0.7, s = 1.3;
  const std::int64_t N = 100000;
  Tensor mu = scalar(m, f64).name("mu"), sigma = scalar(s, f64).name("sigma"), log_var = scalar(2 * std::log(s), f64);
  mu.requires_grad(true), sigma.requires_grad(true), log_var.requires_grad(true);
  Tape tape;
  TapeScope scope(tape);
  Generator gen(2024);
  const Tensor z = Normal::from_scale(mu, sigma).rsample_with(randn({N}, gen, f64));  // (N)
  backward(mean(square(z)));                                                          // E[z^2] = mu^2 + sigma^2
  std::vector<double> g_mu, g_sigma, g_log_var;  // per-sample gradients, for the standard error
  for (std::int64_t i = 0; i < N; ++i) {
    const double zi = z.flat(i), eps = (zi - m) / s;
    g_mu.push_back(2 * zi), g_sigma.push_back(2 * zi * eps), g_log_var.push_back(zi * eps * s);
  }
  const Stats a = stats(g_mu), b = stats(g_sigma);
  CHECK(std::abs(mu.grad().item() - 2 * m) < 4 * a.se);
  CHECK(std::abs(sigma.grad().item() - 2 * s) < 4 * b.se);
  CHECK(rel_close(mu.grad().item(), a.mean, 1e-12));  // the tape's gradient is the average of the per-sample ones
  // Through log_var: d/d log_var (mu^2 + sigma^2) = sigma^2.
  Tape second;
  TapeScope second_scope(second);
  Generator same(2024);
  backward(mean(square(Normal::from_log_var(mu, log_var).rsample_with(randn({N}, same, f64)))));
  CHECK(std::abs(log_var.grad().item() - s * s) < 4 * stats(g_log_var).se);
}

TEST_CASE("Normal and StandardNormal sample moments are within CLT bounds", "[normal][prob]") {
  const std::int64_t N = 100000;
  Generator gen(99);
  const Tensor z = Normal::from_scale(vec({-1.5, 4.0}), vec({0.5, 3.0})).sample(gen, {N});  // (N, 2)
  const Tensor e = StandardNormal({2}, f64).sample(gen, {N});
  const double mus[] = {-1.5, 4.0}, sigmas[] = {0.5, 3.0};
  for (std::int64_t j = 0; j < 2; ++j) {
    std::vector<double> x, sq, ex;
    for (std::int64_t i = 0; i < N; ++i) {
      x.push_back(z.flat(2 * i + j));
      sq.push_back((z.flat(2 * i + j) - mus[j]) * (z.flat(2 * i + j) - mus[j]));
      ex.push_back(e.flat(2 * i + j));
    }
    const Stats m = stats(x), v = stats(sq), me = stats(ex);
    CHECK(std::abs(m.mean - mus[j]) < 4 * m.se);
    CHECK(std::abs(v.mean - sigmas[j] * sigmas[j]) < 4 * v.se);
    CHECK(std::abs(me.mean) < 4 * me.se);
  }
}

TEST_CASE("tails: Normal with log_var in [-700, 700] keeps log_prob, entropy, KL and gradients finite",
          "[stable][normal][prob]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor mu = leaf({0.0, 1.0, -1.0, 2.0, 0.0}, {5}, "mu");
  Tensor log_var = leaf({-700.0, -350.0, 0.0, 350.0, 700.0}, {5}, "log_var");
  const Normal q = Normal::from_log_var(mu, log_var);
  const Tensor x = vec({1.0, 1.0, 1.0, 1.0, 1.0});
  const Tensor values = concat({q.log_prob(x), q.entropy(), kl_divergence(q, StandardNormal({5}, f64)),
                                kl_divergence(q, q), kl_divergence(q, Normal::from_log_var(mu, log_var * 0.5))},
                               0);
  for (double v : values.to_vector()) CHECK(std::isfinite(v));
  CHECK(rel_close(q.log_prob(x).flat(4), -350.0 - 0.5 * std::log(2 * pi) - 0.5 * std::exp(-700.0), 1e-12));
  CHECK(rel_close(q.log_prob(x).flat(0), -0.5 * std::exp(700.0) + 350.0 - 0.5 * std::log(2 * pi), 1e-12));
  backward(sum(values));
  for (double g : concat({mu.grad(), log_var.grad()}, 0).to_vector()) CHECK(std::isfinite(g));
}

TEST_CASE("tails: Normal with sigma = 1e-170 stays finite", "[stable][normal][prob]") {
  const Normal q = Normal::from_scale(vec({0.0}), vec({1e-170}));
  const double log_sigma = std::log(1e-170);
  CHECK(rel_close(q.log_prob(vec({1e-170})).item(), -0.5 - log_sigma - 0.5 * std::log(2 * pi), 1e-12));
  CHECK(rel_close(q.entropy().item(), 0.5 + 0.5 * std::log(2 * pi) + log_sigma, 1e-12));
  CHECK(rel_close(kl_divergence(q, StandardNormal({1}, f64)).item(), 0.5 * (-1.0 - 2 * log_sigma), 1e-12));
  CHECK(kl_divergence(q, q).item() == 0.0);
  Generator gen(3);
  CHECK(std::abs(q.rsample(gen).item()) < 1e-168);
  CHECK(q.variance().item() == 0.0);  // sigma^2 = 1e-340 is below the smallest double: the documented underflow
}
