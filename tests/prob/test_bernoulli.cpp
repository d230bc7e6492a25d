// Tests of tg::prob::Bernoulli and Categorical (prob/bernoulli.cpp, prob/categorical.cpp): closed forms, the
// stable log_prob from logits at huge logits, gradients, entropy and sample frequencies. Choices: docs/prob.md.
#include "prob_testing.hpp"

using namespace tg;
using namespace tg::prob;
using namespace prob_testing;

TEST_CASE("Bernoulli log_prob is x log p + (1 - x) log(1 - p) at a table of points in float64", "[bernoulli][prob]") {
  const std::vector<double> t = {-3.0, -0.5, 0.0, 0.25, 2.0, 7.5}, x = {0.0, 1.0, 1.0, 0.0, 1.0, 0.3};
  const Bernoulli d = Bernoulli::from_logits(vec(t));
  const Tensor lp = d.log_prob(vec(x));
  for (std::size_t i = 0; i < t.size(); ++i) {
    const long double p = 1 / (1 + std::exp(-static_cast<long double>(t[i])));
    const double expected = static_cast<double>(x[i] * std::log(p) + (1 - x[i]) * std::log(1 - p));
    INFO("t = " << t[i] << ", x = " << x[i]);
    CHECK(rel_close(lp.flat(static_cast<std::int64_t>(i)), expected, 1e-12));
    CHECK(rel_close(d.probs().flat(static_cast<std::int64_t>(i)), static_cast<double>(p), 1e-14));
    const double h = static_cast<double>(-p * std::log(p) - (1 - p) * std::log(1 - p));
    CHECK(rel_close(d.entropy().flat(static_cast<std::int64_t>(i)), h, 1e-12));
    CHECK(rel_close(d.variance().flat(static_cast<std::int64_t>(i)), static_cast<double>(p * (1 - p)), 1e-12));
  }
  const Tensor summed = Bernoulli::from_logits(vec(t, {2, 3}), 1).log_prob(vec(x, {2, 3}));  // (2)
  CHECK(rel_close(summed.flat(1), lp.flat(3) + lp.flat(4) + lp.flat(5), 1e-14));
}

TEST_CASE("tails: Bernoulli with logits +-1e3 and +-1e30 gives log_prob 0 and finite gradients on the matching side",
          "[bernoulli][stable][prob]") {
  for (DType dtype : {f64, f32}) {
    Tape tape;
    TapeScope scope(tape);
    Tensor t = tensor({1e3, -1e3, 1e30, -1e30}, dtype);
    t.requires_grad(true);
    const Bernoulli d = Bernoulli::from_logits(t);
    const Tensor match = d.log_prob(tensor({1, 0, 1, 0}, dtype));
    CHECK(match.to_vector() == std::vector<double>{0, 0, 0, 0});
    const Tensor miss = d.log_prob(tensor({0, 1, 0, 1}, dtype));          // the other side: -|t|, large but finite
    const double big = dtype == f32 ? static_cast<double>(1e30f) : 1e30;  // 1e30 as stored in the dtype
    CHECK(miss.to_vector() == std::vector<double>{-1e3, -1e3, -big, -big});
    backward(sum(match));
    for (double g : t.grad().to_vector()) CHECK(g == 0.0);  // d/dt = x - sigmoid(t) = 0
    for (double h : d.entropy().to_vector()) CHECK(h == 0.0);
  }
}

TEST_CASE("tails: Bernoulli log_prob at x = 1, t = 30 (and x = 0, t = -30) to full precision in both dtypes",
          "[bernoulli][stable][prob]") {
  // log p = -log1p(e^-30) = -9.357622968840175e-14: x t - softplus(t) = 30 - 30.0000000000000936 would keep two
  // digits in float64 and none in float32; the log-density computes (x - [t > 0]) t - log1p(e^-|t|) instead.
  const double exact = -std::log1p(std::exp(-30.0));
  for (DType dtype : {f64, f32}) {
    const Tensor lp = Bernoulli::from_logits(tensor({30, -30}, dtype), 1).log_prob(tensor({1, 0}, dtype));
    INFO(dtype_name(dtype) << ": " << lp.item());
    CHECK(rel_close(lp.item(), 2 * exact, dtype == f64 ? 1e-15 : 1e-6));
  }
}

TEST_CASE("gradcheck: Bernoulli log_prob and entropy with respect to the logits and the value", "[bernoulli][prob]") {
  const Tensor t = leaf({-2.0, 0.3, 1.7, -0.1, 4.0, 0.0}, {2, 3}, "t");
  const Tensor x = leaf({0.1, 0.7, 0.4, 0.9, 0.2, 0.5}, {2, 3}, "x");  // interior grey levels: x +- h stays in [0, 1]
  auto f = [](const std::vector<Tensor>& in) { return Bernoulli::from_logits(in[0], 1).log_prob(in[1]); };
  auto h = [](const std::vector<Tensor>& in) { return Bernoulli::from_logits(in[0], 1).entropy(); };
  const GradcheckResult a = gradcheck(f, {t, x}), b = gradcheck(h, {t});
  INFO(a.report << b.report);
  CHECK(a.ok);
  CHECK(b.ok);
}

TEST_CASE("Bernoulli sample frequencies are within CLT bounds, and samples are 0 or 1", "[bernoulli][prob]") {
  const std::int64_t N = 100000;
  Generator gen(5);
  const Bernoulli d = Bernoulli::from_logits(vec({-2.0, 0.0, 1.5}));
  const Tensor x = d.sample(gen, {N});  // (N, 3)
  REQUIRE(x.shape() == Shape{N, 3});
  for (std::int64_t j = 0; j < 3; ++j) {
    std::vector<double> column;
    for (std::int64_t i = 0; i < N; ++i) column.push_back(x.flat(3 * i + j));
    const Stats s = stats(column);
    const double p = d.mean().flat(j);
    CHECK(std::abs(s.mean - p) < 4 * std::sqrt(p * (1 - p) / static_cast<double>(N)));
  }
  std::int64_t other = 0;
  for (double v : x.to_vector()) other += v != 0.0 && v != 1.0;
  CHECK(other == 0);
}

TEST_CASE("Categorical log_prob, probs and entropy match log-softmax closed forms, and gradcheck",
          "[categorical][prob]") {
  const std::vector<double> logits = {0.5, -1.0, 2.0, 0.0, 3.0, 3.0};
  const Categorical c = Categorical::from_logits(vec(logits, {2, 3}));
  REQUIRE(c.shape() == Shape{2});
  REQUIRE(c.num_categories() == 3);
  const Tensor lp = c.log_prob(vec({2.0, 1.0}));
  for (std::int64_t b = 0; b < 2; ++b) {
    long double z = 0, h = 0;
    for (std::size_t j = 0; j < 3; ++j) z += std::exp(static_cast<long double>(logits[3 * b + j]));
    for (std::size_t j = 0; j < 3; ++j) {
      const long double p = std::exp(static_cast<long double>(logits[3 * b + j])) / z;
      h -= p * std::log(p);
      CHECK(rel_close(c.probs().flat(3 * b + static_cast<std::int64_t>(j)), static_cast<double>(p), 1e-14));
    }
    const std::size_t k = b == 0 ? 2 : 1;
    CHECK(rel_close(lp.flat(b), static_cast<double>(logits[3 * b + k] - std::log(z)), 1e-12));
    CHECK(rel_close(c.entropy().flat(b), static_cast<double>(h), 1e-12));
  }
  const Tensor t = leaf(logits, {2, 3}, "logits");
  const Tensor k = vec({0.0, 2.0, 1.0, 2.0}, {2, 2});  // (sample, batch)
  auto f = [&k](const std::vector<Tensor>& in) { return Categorical::from_logits(in[0]).log_prob(k); };
  auto h = [](const std::vector<Tensor>& in) { return Categorical::from_logits(in[0], 1).entropy(); };
  CHECK(gradcheck(f, {t}).ok);
  CHECK(gradcheck(h, {t}).ok);
}

TEST_CASE("Categorical sample frequencies are within CLT bounds", "[categorical][prob]") {
  const std::int64_t N = 100000;
  Generator gen(17);
  const Categorical c = Categorical::from_logits(vec({0.0, 1.0, -1.0, 0.5}));
  const Tensor k = c.sample(gen, {N});
  REQUIRE(k.shape() == Shape{N});
  std::vector<double> count(4, 0.0);
  for (double v : k.to_vector()) count.at(static_cast<std::size_t>(v)) += 1;
  for (std::int64_t j = 0; j < 4; ++j) {
    const double p = c.probs().flat(j), freq = count[static_cast<std::size_t>(j)] / static_cast<double>(N);
    CHECK(std::abs(freq - p) < 4 * std::sqrt(p * (1 - p) / static_cast<double>(N)));
  }
}
