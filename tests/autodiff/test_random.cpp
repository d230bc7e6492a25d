// The seeded generator: pinned streams (they must never change: checkpoints and course assignments rely on
// them), moments within CLT bounds, permutations, and state round-trips.
#include <algorithm>
#include <numeric>

#include "test_util.hpp"

using namespace tg;

TEST_CASE("random: Generator(42) integer stream is pinned", "[random]") {
  Generator gen(42);
  CHECK(gen.next_u64() == 1546998764402558742ull);
  CHECK(gen.next_u64() == 6990951692964543102ull);
  CHECK(gen.next_u64() == 12544586762248559009ull);
}

TEST_CASE("random: Generator(42) uniform and normal streams are pinned", "[random]") {
  Generator u(42);
  CHECK(u.uniform() == 0.083862971059882163);
  CHECK(u.uniform() == 0.37898025066266861);
  Generator n(42);
  CHECK(n.normal() == Approx(-0.72621913824478546).epsilon(1e-15));
  CHECK(n.normal() == Approx(-0.2111969182319598).epsilon(1e-15));
  CHECK(n.normal() == Approx(0.22162270150359331).epsilon(1e-15));
  Generator t(42);
  const Tensor x = randn({3}, t, f64);
  CHECK(x.flat(0) == Approx(-0.72621913824478546).epsilon(1e-15));
  CHECK(x.flat(2) == Approx(0.22162270150359331).epsilon(1e-15));
}

TEST_CASE("random: same seed same numbers, other seed other numbers", "[random]") {
  Generator a(7), b(7), c(8);
  const Tensor xa = randn({100}, a), xb = randn({100}, b), xc = randn({100}, c);
  CHECK(xa.to_vector() == xb.to_vector());
  CHECK(xa.to_vector() != xc.to_vector());
  a.seed(7);
  CHECK(randn({100}, a).to_vector() == xa.to_vector());
}

TEST_CASE("random: randn and rand moments within CLT bounds", "[random]") {
  const std::int64_t n = 100000;
  Generator gen(2024);
  const std::vector<double> z = randn({n}, gen, f64).to_vector();
  const std::vector<double> u = rand({n}, gen, f64).to_vector();
  auto mean = [&](const std::vector<double>& v) { return std::accumulate(v.begin(), v.end(), 0.0) / n; };
  auto moment = [&](const std::vector<double>& v, double m, int p) {
    double s = 0;
    for (double x : v) s += std::pow(x - m, p);
    return s / n;
  };
  const double se = 1.0 / std::sqrt(static_cast<double>(n));
  // N(0, 1): mean 0 (sd 1), variance 1 (sd of the sample variance sqrt(2)), skewness 0 (sd sqrt(6)).
  CHECK(std::abs(mean(z)) < 5 * se);
  CHECK(std::abs(moment(z, 0, 2) - 1) < 5 * std::sqrt(2.0) * se);
  CHECK(std::abs(moment(z, 0, 3)) < 5 * std::sqrt(15.0) * se);
  // U[0, 1): mean 1/2 (sd sqrt(1/12)), variance 1/12 (sd sqrt(1/180)), all in [0, 1).
  CHECK(std::abs(mean(u) - 0.5) < 5 * std::sqrt(1.0 / 12) * se);
  CHECK(std::abs(moment(u, 0.5, 2) - 1.0 / 12) < 5 * std::sqrt(1.0 / 180) * se);
  CHECK(*std::min_element(u.begin(), u.end()) >= 0.0);
  CHECK(*std::max_element(u.begin(), u.end()) < 1.0);
  // rand_uniform stays in [lo, hi) and fills it: the extremes come near both ends, the mean is (lo + hi) / 2 and
  // the variance (hi - lo)^2 / 12.
  const std::vector<double> r = rand_uniform({n}, -2, 3, gen, f64).to_vector();  // mean and moment divide by n
  CHECK(*std::min_element(r.begin(), r.end()) >= -2.0);
  CHECK(*std::min_element(r.begin(), r.end()) < -2.0 + 0.01);
  CHECK(*std::max_element(r.begin(), r.end()) < 3.0);
  CHECK(*std::max_element(r.begin(), r.end()) > 3.0 - 0.01);
  CHECK(std::abs(mean(r) - 0.5) < 5 * std::sqrt(25.0 / 12) * se);
  CHECK(std::abs(moment(r, 0.5, 2) - 25.0 / 12) < 5 * (25.0 * std::sqrt(1.0 / 180)) * se);
  const Tensor r32 = rand_uniform({2, 3}, 10, 10, gen);  // lo == hi: the one value
  CHECK(r32.dtype() == f32);
  CHECK(r32.to_vector() == std::vector<double>(6, 10.0));
}

TEST_CASE("random: below(n) is uniform below n and randperm is a permutation", "[random]") {
  Generator gen(5);
  std::vector<int> counts(7, 0);
  const int draws = 70000;
  for (int i = 0; i < draws; ++i) {
    const std::uint64_t v = gen.below(7);
    REQUIRE(v < 7);
    counts[v]++;
  }
  for (int c : counts) CHECK(std::abs(c - draws / 7) < 5 * std::sqrt(draws * (1.0 / 7) * (6.0 / 7)));
  REQUIRE_THROWS_WITH(gen.below(0), Catch::Matchers::Contains("n must be positive"));
  for (std::int64_t n : {0, 1, 2, 10, 1000}) {
    std::vector<std::int64_t> p = randperm(n, gen);
    REQUIRE(static_cast<std::int64_t>(p.size()) == n);
    std::sort(p.begin(), p.end());
    for (std::int64_t i = 0; i < n; ++i) REQUIRE(p[i] == i);
  }
  Generator pinned(7);
  CHECK(randperm(8, pinned) == std::vector<std::int64_t>{1, 3, 7, 5, 4, 0, 6, 2});
  REQUIRE_THROWS_WITH(randperm(-1, gen), Catch::Matchers::Contains("randperm: n is -1, but must be >= 0"));
}

TEST_CASE("random: state and set_state round-trip mid-stream, including the spare normal", "[random]") {
  Generator gen(99);
  gen.normal();  // leaves a spare normal in the state
  const Generator::State s = gen.state();
  REQUIRE(s.has_spare);
  const std::vector<double> first = randn({11}, gen, f64).to_vector();
  const std::uint64_t after = gen.next_u64();
  Generator other(1);
  other.set_state(s);
  CHECK(randn({11}, other, f64).to_vector() == first);
  CHECK(other.next_u64() == after);
  REQUIRE_THROWS_WITH(other.set_state(Generator::State{}), Catch::Matchers::Contains("state is all zeros"));
}

TEST_CASE("random: bernoulli draws 0 or 1 with the given probabilities", "[random]") {
  Generator gen(3);
  const Tensor p = full({20000}, 0.25, f64);
  const Tensor b = bernoulli(p, gen);
  double s = 0;
  for (double v : b.to_vector()) {
    REQUIRE((v == 0.0 || v == 1.0));
    s += v;
  }
  CHECK(std::abs(s / 20000 - 0.25) < 5 * std::sqrt(0.25 * 0.75 / 20000));
  CHECK(bernoulli(tensor({0, 1}, f64), gen).to_vector() == std::vector<double>{0, 1});
  REQUIRE_THROWS_WITH(bernoulli(tensor({0.5, 1.5}), gen), Catch::Matchers::Contains("probs[1] is 1.5"));
}

TEST_CASE("random: manual_seed makes the default generator reproducible", "[random]") {
  manual_seed(11);
  const std::vector<double> a = randn({5}, f64).to_vector();
  manual_seed(11);
  CHECK(randn({5}, f64).to_vector() == a);
  CHECK(rand({5}).dtype() == f32);
}
