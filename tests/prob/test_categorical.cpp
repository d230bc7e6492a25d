// Tests of tg::prob::Categorical beyond one row of one event: log_prob and entropy summed over event axes, and
// sampling from several rows at once (each row with its own probabilities). prob/categorical.cpp, docs/prob.md.
#include "prob_testing.hpp"

using namespace tg;
using namespace tg::prob;
using namespace prob_testing;

namespace {
// log softmax of one row of logits, in long double.
std::vector<double> log_softmax(const std::vector<double>& row) {
  long double z = 0;
  for (double v : row) z += std::exp(static_cast<long double>(v));
  std::vector<double> out;
  for (double v : row) out.push_back(static_cast<double>(v - std::log(z)));
  return out;
}
}  // namespace

TEST_CASE("Categorical log_prob and entropy sum over the event axes", "[categorical][prob]") {
  // (2, 3) cells of 4 categories; with event_dims = 1 each of the 2 batch entries is an event of 3 cells
  std::vector<double> logits(24);
  for (std::size_t i = 0; i < logits.size(); ++i) logits[i] = std::sin(1.7 * static_cast<double>(i)) * 2;
  const Categorical single = Categorical::from_logits(vec(logits, {2, 3, 4}));
  const Categorical event = Categorical::from_logits(vec(logits, {2, 3, 4}), 1);
  REQUIRE(event.shape() == Shape{2, 3});
  REQUIRE(event.batch_shape() == Shape{2});
  const std::vector<double> k = {3, 0, 2, 1, 1, 3};
  const Tensor lp = event.log_prob(vec(k, {2, 3})), cells = single.log_prob(vec(k, {2, 3}));
  REQUIRE(lp.shape() == Shape{2});
  REQUIRE(cells.shape() == Shape{2, 3});
  const Tensor h = event.entropy(), h_cells = single.entropy();
  REQUIRE(h.shape() == Shape{2});
  for (std::int64_t b = 0; b < 2; ++b) {
    double expected = 0, entropy = 0;
    for (std::int64_t c = 0; c < 3; ++c) {
      const std::size_t row = static_cast<std::size_t>(b * 3 + c);
      const std::vector<double> ls =
          log_softmax({logits.begin() + static_cast<long>(4 * row), logits.begin() + static_cast<long>(4 * row + 4)});
      const double lp_cell = ls[static_cast<std::size_t>(k[row])];
      CHECK(rel_close(cells.flat(b * 3 + c), lp_cell, 1e-12));
      expected += lp_cell;
      double hc = 0;
      for (double l : ls) hc -= std::exp(l) * l;
      CHECK(rel_close(h_cells.flat(b * 3 + c), hc, 1e-12));
      entropy += hc;
    }
    CHECK(rel_close(lp.flat(b), expected, 1e-12));
    CHECK(rel_close(h.flat(b), entropy, 1e-12));
  }
  // log_probs are the normalised logits, probs their exponentials
  CHECK(rel_close(event.log_probs().flat(5), log_softmax({logits[4], logits[5], logits[6], logits[7]})[1], 1e-12));
  CHECK(rel_close(event.probs().flat(5), std::exp(event.log_probs().flat(5)), 1e-14));
}

TEST_CASE("Categorical samples each row from its own probabilities", "[categorical][prob]") {
  // three rows with different favourites: row r puts most mass on category r
  const Categorical c = Categorical::from_logits(vec({3, 0, 0, 0, 3, 0, -1, 0, 2.5}, {3, 3}));
  Generator gen(23);
  const std::int64_t N = 20000;
  const Tensor s = c.sample(gen, {N});
  REQUIRE(s.shape() == Shape{N, 3});
  for (std::int64_t r = 0; r < 3; ++r)
    for (std::int64_t j = 0; j < 3; ++j) {
      double count = 0;
      for (std::int64_t n = 0; n < N; ++n) count += s.flat(n * 3 + r) == static_cast<double>(j);
      const double p = c.probs().flat(r * 3 + j), freq = count / static_cast<double>(N);
      INFO("row " << r << ", category " << j << ": p " << p << ", frequency " << freq);
      CHECK(std::abs(freq - p) < 4.5 * std::sqrt(p * (1 - p) / static_cast<double>(N)));
    }
}

TEST_CASE("Categorical refuses categories out of range and empty logits", "[categorical][prob][errors]") {
  const Categorical c = Categorical::from_logits(vec({0, 1, 2}));
  CHECK_THROWS_AS(c.log_prob(vec({3})), Error);
  CHECK_THROWS_AS(c.log_prob(vec({-1})), Error);
  CHECK_THROWS_AS(c.log_prob(vec({0.5})), Error);
  CHECK_THROWS_WITH(Categorical::from_logits(zeros({2, 0}, f64)),
                    "Categorical: logits are (2, 0), but need a non-empty last axis of categories");
}
