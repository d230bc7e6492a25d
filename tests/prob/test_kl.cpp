// Tests of the closed-form KL divergences (prob/kl.cpp) against the full-covariance formula (kl.2), the
// Kingma-Welling expression (kl.4), seeded Monte Carlo estimates of the definition (kl.1), and their gradients.
// Math: docs/derivations/kl.md.
#include "prob_testing.hpp"

using namespace tg;
using namespace tg::prob;
using namespace prob_testing;

namespace {

using Matrix = std::vector<double>;  // d x d, row-major

// Solves S x = b for symmetric positive definite S through its Cholesky factor L (S = L L^T).
std::vector<double> cholesky_solve(const Matrix& L, std::vector<double> b, std::size_t d) {
  for (std::size_t i = 0; i < d; ++i) {  // L y = b
    for (std::size_t k = 0; k < i; ++k) b[i] -= L[i * d + k] * b[k];
    b[i] /= L[i * d + i];
  }
  for (std::size_t i = d; i-- > 0;) {  // L^T x = y
    for (std::size_t k = i + 1; k < d; ++k) b[i] -= L[k * d + i] * b[k];
    b[i] /= L[i * d + i];
  }
  return b;
}

Matrix cholesky(const Matrix& S, std::size_t d) {
  Matrix L(d * d, 0.0);
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t i = j; i < d; ++i) {
      double s = S[i * d + j];
      for (std::size_t k = 0; k < j; ++k) s -= L[i * d + k] * L[j * d + k];
      L[i * d + j] = i == j ? std::sqrt(s) : s / L[j * d + j];
    }
  return L;
}

// (kl.2) 1/2 [tr(Sp^-1 Sq) + (mp - mq)^T Sp^-1 (mp - mq) - d + log det Sp - log det Sq], for dense matrices.
double kl_full_covariance(const std::vector<double>& mq, const Matrix& Sq, const std::vector<double>& mp,
                          const Matrix& Sp) {
  const std::size_t d = mq.size();
  const Matrix Lq = cholesky(Sq, d), Lp = cholesky(Sp, d);
  double trace = 0, quad = 0, log_det = 0;
  for (std::size_t j = 0; j < d; ++j) {
    std::vector<double> column(d);
    for (std::size_t i = 0; i < d; ++i) column[i] = Sq[i * d + j];
    trace += cholesky_solve(Lp, column, d)[j];
    log_det += 2 * std::log(Lp[j * d + j]) - 2 * std::log(Lq[j * d + j]);
  }
  std::vector<double> diff(d);
  for (std::size_t i = 0; i < d; ++i) diff[i] = mp[i] - mq[i];
  const std::vector<double> solved = cholesky_solve(Lp, diff, d);
  for (std::size_t i = 0; i < d; ++i) quad += diff[i] * solved[i];
  return 0.5 * (trace + quad - static_cast<double>(d) + log_det);
}

Matrix diagonal(const std::vector<double>& sigma) {
  Matrix S(sigma.size() * sigma.size(), 0.0);
  for (std::size_t i = 0; i < sigma.size(); ++i) S[i * sigma.size() + i] = sigma[i] * sigma[i];
  return S;
}

// Mean and standard error of log q(z) - log p(z) over N samples z ~ q: the definition (kl.1).
template <class P>
Stats monte_carlo_kl(const Normal& q, const P& p, std::int64_t N, std::uint64_t seed) {
  Generator gen(seed);
  const Tensor z = q.sample(gen, {N});             // (N, D)
  const Tensor w = q.log_prob(z) - p.log_prob(z);  // (N)
  return stats(w.to_vector());
}

}  // namespace

TEST_CASE("(kl.3) the diagonal-Gaussian KL equals the full-covariance KL with diagonal matrices", "[kl][prob]") {
  const std::vector<double> mq = {0.5, -1.0, 2.0, 0.0}, sq = {0.3, 1.0, 2.5, 0.01};
  const std::vector<double> mp = {-0.2, 1.5, 2.0, 3.0}, sp = {1.2, 0.4, 2.5, 5.0};
  const Normal q = Normal::from_scale(vec(mq), vec(sq), 1), p = Normal::from_scale(vec(mp), vec(sp), 1);
  const double expected = kl_full_covariance(mq, diagonal(sq), mp, diagonal(sp));
  CHECK(rel_close(kl_divergence(q, p).item(), expected, 1e-12));
  // Per coordinate (event_dims = 0) the terms add up to the same number.
  const Tensor terms = kl_divergence(Normal::from_scale(vec(mq), vec(sq)), Normal::from_scale(vec(mp), vec(sp)));
  CHECK(terms.shape() == Shape{4});
  CHECK(rel_close(sum(terms).item(), expected, 1e-12));
  // From log-variances, the same value.
  const Tensor kl_lv = kl_divergence(Normal::from_log_var(vec(mq), log(square(vec(sq))), 1),
                                     Normal::from_log_var(vec(mp), log(square(vec(sp))), 1));
  CHECK(rel_close(kl_lv.item(), expected, 1e-12));
}

TEST_CASE("(kl.4) KL to N(0, I) equals -1/2 sum(1 + log sigma^2 - mu^2 - sigma^2)", "[kl][prob]") {
  const std::vector<double> mu = {0.0, 1.5, -2.0, 0.3, 10.0, -0.01};
  const std::vector<double> log_var = {0.5, -3.0, 2.0, -0.7, 4.0, -12.0};
  const Normal q = Normal::from_log_var(vec(mu, {2, 3}), vec(log_var, {2, 3}), 1);
  const Tensor kl = kl_divergence(q, StandardNormal({3}, f64, 1));  // (2): the prior broadcasts over the batch
  REQUIRE(kl.shape() == Shape{2});
  for (std::int64_t b = 0; b < 2; ++b) {
    long double expected = 0;  // Kingma & Welling (2014), App. B, in long double
    for (std::size_t j = 3 * static_cast<std::size_t>(b); j < 3 * static_cast<std::size_t>(b) + 3; ++j)
      expected += -0.5L * (1 + log_var[j] - mu[j] * mu[j] - std::exp(static_cast<long double>(log_var[j])));
    CHECK(rel_close(kl.flat(b), static_cast<double>(expected), 1e-12));
  }
  // The same as (kl.3) with p = N(0, I) written as a Normal.
  const Tensor general = kl_divergence(q, StandardNormal({2, 3}, f64, 1).as_normal());
  CHECK(rel_close(general.flat(1), kl.flat(1), 1e-14));
}

TEST_CASE("(kl.3) closed-form diagonal KL matches a seeded Monte Carlo average of log q - log p, see (kl.1)",
          "[kl][prob]") {
  const Normal q = Normal::from_scale(vec({0.5, -1.0, 2.0}), vec({0.8, 1.3, 0.6}), 1);
  const Normal p = Normal::from_log_var(vec({0.0, -0.5, 1.0}), vec({0.2, 0.9, -0.3}), 1);
  const Stats mc = monte_carlo_kl(q, p, 100000, 12345);
  const double exact = kl_divergence(q, p).item();
  INFO("closed form " << exact << ", Monte Carlo " << mc.mean << " +- " << mc.se);
  CHECK(std::abs(mc.mean - exact) < 4 * mc.se);
  CHECK(mc.se < 0.01 * exact);  // the check has teeth: the error bar is small next to the value
}

TEST_CASE("(kl.4) closed-form KL to N(0, I) matches a seeded Monte Carlo average of log q - log p, see (kl.1)",
          "[kl][prob]") {
  const Normal q = Normal::from_log_var(vec({0.5, -1.0, 0.0, 1.2}), vec({-1.0, 0.4, -0.2, 0.0}), 1);
  const Stats mc = monte_carlo_kl(q, StandardNormal({4}, f64, 1), 100000, 777);
  const double exact = kl_divergence(q, StandardNormal({4}, f64, 1)).item();
  INFO("closed form " << exact << ", Monte Carlo " << mc.mean << " +- " << mc.se);
  CHECK(std::abs(mc.mean - exact) < 4 * mc.se);
  CHECK(mc.se < 0.01 * exact);
}

TEST_CASE("kl_divergence(q, q) is exactly 0, and N(0, I) against itself too", "[kl][prob]") {
  const Normal q = Normal::from_scale(vec({0.5, -3.0, 1e5}), vec({1e-3, 1.0, 7e4}));
  CHECK(kl_divergence(q, q).to_vector() == std::vector<double>{0.0, 0.0, 0.0});
  const Normal r = Normal::from_log_var(vec({0.5, -3.0}), vec({-20.0, 13.0}), 1);
  CHECK(kl_divergence(r, r).item() == 0.0);
  const StandardNormal p({3}, f64, 1);
  CHECK(kl_divergence(p.as_normal(), p).item() == 0.0);
}

TEST_CASE("(kl.3) the KL stays accurate when sigma_q is within 1e-8 of sigma_p", "[kl][stable][prob]") {
  const double ratio = 1 + 1e-8;  // KL = 1/2 (r - 1 - log r), r = ratio^2: about 1e-16, where 1 - r cancels
  const Tensor kl =
      kl_divergence(Normal::from_scale(vec({0.0}), vec({2.0 * ratio})), Normal::from_scale(vec({0.0}), vec({2.0})));
  const long double a = 2 * std::log(static_cast<long double>(2.0 * ratio) / 2.0L);
  const double expected = static_cast<double>(0.5L * (std::expm1(a) - a));
  CHECK(rel_close(kl.item(), expected, 1e-6));
  const Tensor kl4 = kl_divergence(Normal::from_log_var(vec({0.0}), vec({2e-8})), StandardNormal({1}, f64));
  CHECK(rel_close(kl4.item(), 0.5 * (std::expm1(2e-8) - 2e-8), 1e-6));  // about 2e-16, not 0 or 1e-16 of noise
}

TEST_CASE("(kl.4) gradcheck of both closed forms, and d/dmu = mu, d/dlog_var = (sigma^2 - 1) / 2", "[kl][prob]") {
  const Tensor mq = leaf({0.3, -1.2, 0.8, 2.0, -0.5, 0.1}, {2, 3}, "mu_q");
  const Tensor lq = leaf({-0.4, 1.1, 0.2, -2.0, 0.9, 0.0}, {2, 3}, "log_var_q");
  const Tensor mp = leaf({0.1, 0.2, -0.3}, {3}, "mu_p");
  const Tensor sp = leaf({0.9, 1.4, 0.6}, {3}, "sigma_p");
  auto diag = [](const std::vector<Tensor>& in) {
    return kl_divergence(Normal::from_log_var(in[0], in[1], 1), Normal::from_scale(in[2], in[3], 1));
  };
  auto prior = [](const std::vector<Tensor>& in) {
    return kl_divergence(Normal::from_log_var(in[0], in[1], 1), StandardNormal({3}, f64, 1));
  };
  const GradcheckResult a = gradcheck(diag, {mq, lq, mp, sp}), b = gradcheck(prior, {mq, lq});
  INFO(a.report << b.report);
  CHECK(a.ok);
  CHECK(b.ok);
  Tape tape;
  TapeScope scope(tape);
  backward(sum(prior({mq, lq})));
  for (std::int64_t i = 0; i < 6; ++i) {
    CHECK(rel_close(mq.grad().flat(i), mq.flat(i), 1e-14));
    CHECK(rel_close(lq.grad().flat(i), 0.5 * std::expm1(lq.flat(i)), 1e-14));
  }
}
