// Tests of the exact linear-Gaussian model (vae/exact/linear_gaussian.cpp) and, through it, of the identities of
// docs/derivations/: each test is named by the equation tags it checks. The tests labelled [math] check the math of
// a page in plain doubles, with the closed forms, and never call the Tensor code that computes it: the test of that
// code is the one the page names (tests/vae/test_vae_*.cpp, tests/prob/). Randomness is a seeded splitmix64 with
// Box-Muller, so every number is the same on every compiler.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

#include "vae/exact/dense.hpp"
#include "vae/exact/linear_gaussian.hpp"

using namespace tg::vae;
using namespace tg::vae::exact;

namespace {

constexpr double pi = 3.14159265358979323846;

struct Rng {
  std::uint64_t state;
  std::uint64_t next() {  // splitmix64
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return (static_cast<double>(next() >> 11) + 1.0) * 0x1.0p-53; }  // in (0, 1]
  double normal() { return std::sqrt(-2.0 * std::log(uniform())) * std::cos(2.0 * pi * uniform()); }
  Vector normals(std::size_t n) {
    Vector v(n);
    for (double& x : v) x = normal();
    return v;
  }
};

Matrix random_matrix(Rng& rng, std::size_t rows, std::size_t cols) {
  Matrix a(rows, cols);
  for (double& v : a.data) v = rng.normal();
  return a;
}

LinearGaussian random_model(Rng& rng, std::size_t D = 5, std::size_t d = 3) {
  return LinearGaussian{random_matrix(rng, D, d), rng.normals(D), 0.7};
}

Gaussian random_gaussian(Rng& rng, std::size_t d) {  // S = A A^T / d + 0.1 I
  const Matrix A = random_matrix(rng, d, d);
  const Matrix S = add(scale(matmul(A, transpose(A)), 1.0 / static_cast<double>(d)), scale(Matrix::identity(d), 0.1));
  return Gaussian{rng.normals(d), S};
}

Gaussian diagonal_gaussian(const Vector& mu, const Vector& sigma) {
  Vector var(sigma.size());
  for (std::size_t j = 0; j < sigma.size(); ++j) var[j] = sigma[j] * sigma[j];
  return Gaussian{mu, Matrix::diagonal(var)};
}

Vector sample(Rng& rng, const Gaussian& q) {  // z = m + L eps, S = L L^T
  return add(q.m, matvec(cholesky(q.S), rng.normals(q.m.size())));
}

struct Stats {  // running mean and standard error of the mean
  double n = 0, sum = 0, sum_sq = 0;
  void add(double v) {
    n += 1;
    sum += v;
    sum_sq += v * v;
  }
  double mean() const { return sum / n; }
  double se() const { return std::sqrt((sum_sq / n - mean() * mean()) / (n - 1)); }
};

double log_mean_exp(const Vector& a) {  // (iwae.6) logsumexp(a) - log k
  double m = a[0];
  for (double v : a) m = std::max(m, v);
  double s = 0;
  for (double v : a) s += std::exp(v - m);
  return m + std::log(s) - std::log(static_cast<double>(a.size()));
}

double log_w(const LinearGaussian& model, const Vector& x, const Vector& z, const Gaussian& q) {
  return model.log_joint(x, z) - log_q(z, q);  // log w = log p(x, z) - log q(z|x)
}

}  // namespace

// --- the model and its evidence ------------------------------------------------------------------------------

TEST_CASE("(linear_gaussian.1) log p(x, z) of the 1-D model matches the densities written by hand",
          "[linear_gaussian]") {
  const LinearGaussian model{Matrix(1, 1, 2.0), {0.5}, 0.3};
  const double x = 1.7, z = -0.4, mean = 2.0 * z + 0.5;
  const double log_px_z = -0.5 * std::log(2 * pi * 0.09) - (x - mean) * (x - mean) / (2 * 0.09);
  const double log_pz = -0.5 * std::log(2 * pi) - z * z / 2;
  CHECK(model.log_likelihood({x}, {z}) == Approx(log_px_z).epsilon(1e-14));
  CHECK(log_prior({z}) == Approx(log_pz).epsilon(1e-14));
  CHECK(model.log_joint({x}, {z}) == Approx(log_px_z + log_pz).epsilon(1e-14));
}

TEST_CASE("(linear_gaussian.2) log p(x) of the 1-D model is log N(x; b, w^2 + sigma^2) by hand", "[linear_gaussian]") {
  const LinearGaussian model{Matrix(1, 1, 2.0), {0.5}, 0.3};
  const double var = 4.0 + 0.09, x = 1.7;
  CHECK(model.log_px({x}) == Approx(-0.5 * std::log(2 * pi * var) - (x - 0.5) * (x - 0.5) / (2 * var)).epsilon(1e-14));
}

TEST_CASE("(linear_gaussian.2) (linear_gaussian.7) log p(x) through the D x D covariance equals the Woodbury route",
          "[linear_gaussian]") {
  Rng rng{11};
  for (int trial = 0; trial < 5; ++trial) {
    const LinearGaussian model = random_model(rng, 6, 2);
    const Vector x = rng.normals(6);
    CHECK(std::abs(model.log_px(x) - model.log_px_low_rank(x)) < 1e-10);
  }
}

TEST_CASE("(gap.1) (linear_gaussian.3) the 1-D posterior matches Bayes' rule by hand", "[gap][linear_gaussian]") {
  // p(z|x) is proportional to N(x; w z + b, sigma^2) N(z; 0, 1): precision 1 + w^2/sigma^2, mean w (x - b) / (w^2 +
  // sigma^2)
  const double w = 2.0, b = 0.5, sigma = 0.3, x = 1.7;
  const LinearGaussian model{Matrix(1, 1, w), {b}, sigma};
  const Gaussian post = model.posterior({x});
  CHECK(post.m[0] == Approx(w * (x - b) / (w * w + sigma * sigma)).epsilon(1e-14));
  CHECK(post.S(0, 0) == Approx(1.0 / (1.0 + w * w / (sigma * sigma))).epsilon(1e-14));
  for (double z : {-1.0, 0.2, 0.55, 3.0})  // p(x|z) p(z) / p(x) is the posterior density at every z
    CHECK(model.log_joint({x}, {z}) - model.log_px({x}) == Approx(log_q({z}, post)).epsilon(1e-13));
}

TEST_CASE("(gap.1) log p(z|x) equals log p(x, z) - log p(x) at random z", "[gap][linear_gaussian]") {
  Rng rng{12};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian post = model.posterior(x);
  for (int trial = 0; trial < 10; ++trial) {
    const Vector z = rng.normals(3);
    CHECK(std::abs(log_q(z, post) - (model.log_joint(x, z) - model.log_px(x))) < 1e-9);
  }
}

TEST_CASE("(linear_gaussian.4) (linear_gaussian.5) (linear_gaussian.6) closed-form expectations match Monte Carlo",
          "[linear_gaussian]") {
  Rng rng{21};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian q = random_gaussian(rng, 3);
  Stats recon, prior, neg_log_q;
  for (int k = 0; k < 20000; ++k) {
    const Vector z = sample(rng, q);
    recon.add(model.log_likelihood(x, z));
    prior.add(log_prior(z));
    neg_log_q.add(-log_q(z, q));
  }
  CHECK(std::abs(recon.mean() - model.expected_log_likelihood(x, q)) < 4 * recon.se());
  CHECK(std::abs(prior.mean() - expected_log_prior(q)) < 4 * prior.se());
  CHECK(std::abs(neg_log_q.mean() - entropy(q)) < 4 * neg_log_q.se());
}

// --- the gap and the bound -----------------------------------------------------------------------------------

TEST_CASE("(gap.2) log p(x) - ELBO equals KL to the exact posterior", "[gap][elbo][kl][linear_gaussian][math]") {
  Rng rng{1};
  for (int trial = 0; trial < 8; ++trial) {
    const LinearGaussian model = random_model(rng);
    const Vector x = rng.normals(5);
    const Gaussian q = random_gaussian(rng, 3);
    const double gap = model.log_px(x) - model.elbo(x, q);
    CHECK(gap > 0.0);
    CHECK(std::abs(gap - kl_gaussians(q, model.posterior(x))) < 1e-9);
  }
}

TEST_CASE("(gap.3) the ELBO equals log p(x) at the exact posterior", "[gap][elbo][linear_gaussian][math]") {
  Rng rng{2};
  for (int trial = 0; trial < 5; ++trial) {
    const LinearGaussian model = random_model(rng);
    const Vector x = rng.normals(5);
    CHECK(std::abs(model.elbo(x, model.posterior(x)) - model.log_px(x)) < 1e-9);
  }
}

TEST_CASE("(elbo.2) the ELBO of random full and diagonal Gaussian q is below log p(x)",
          "[elbo][linear_gaussian][math]") {
  Rng rng{3};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian post = model.posterior(x);
  for (int trial = 0; trial < 10; ++trial) {
    CHECK(model.elbo(x, random_gaussian(rng, 3)) < model.log_px(x));
    const Gaussian near = diagonal_gaussian(post.m, {std::sqrt(post.S(0, 0)), std::sqrt(post.S(1, 1)), 0.5});
    CHECK(model.elbo(x, near) < model.log_px(x));
  }
}

TEST_CASE("(gap.4) with q the exact posterior every log weight equals log p(x)", "[gap][iwae][linear_gaussian][math]") {
  Rng rng{4};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian post = model.posterior(x);
  for (int trial = 0; trial < 10; ++trial)
    CHECK(std::abs(log_w(model, x, rng.normals(3), post) - model.log_px(x)) < 1e-9);
}

TEST_CASE("(elbo.4) the entropy form of the ELBO equals reconstruction minus the full-covariance KL to the prior",
          "[elbo][kl][linear_gaussian]") {
  Rng rng{5};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  for (int trial = 0; trial < 5; ++trial) {
    const Gaussian q = random_gaussian(rng, 3);
    const double recon_minus_kl = model.expected_log_likelihood(x, q) - kl_gaussians(q, standard_normal(3));
    CHECK(std::abs(recon_minus_kl - model.elbo(x, q)) < 1e-10);
  }
}

TEST_CASE("(elbo.1) (elbo.5) Monte Carlo average of log p(x, z) - log q(z) approaches the closed-form ELBO",
          "[elbo][linear_gaussian][math]") {
  Rng rng{6};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian q = random_gaussian(rng, 3);
  Stats s;
  for (int k = 0; k < 20000; ++k) s.add(log_w(model, x, sample(rng, q), q));
  CHECK(std::abs(s.mean() - model.elbo(x, q)) < 4 * s.se());
  CHECK(model.log_px(x) - model.elbo(x, q) > 8 * s.se());  // the average tells the ELBO apart from log p(x)
}

TEST_CASE("(elbo.6) the analytic-KL estimator averages to the closed-form ELBO", "[elbo][kl][linear_gaussian][math]") {
  Rng rng{7};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian q = random_gaussian(rng, 3);
  const double kl = kl_gaussians(q, standard_normal(3));
  Stats s;
  for (int k = 0; k < 20000; ++k) s.add(model.log_likelihood(x, sample(rng, q)) - kl);
  CHECK(std::abs(s.mean() - model.elbo(x, q)) < 4 * s.se());
}

// --- KL ------------------------------------------------------------------------------------------------------

TEST_CASE("(kl.2) full-covariance KL: zero for equal Gaussians, 1-D by hand, and -H(q) - E_q(log p)", "[kl]") {
  Rng rng{8};
  const Gaussian q = random_gaussian(rng, 4);
  CHECK(std::abs(kl_gaussians(q, q)) < 1e-12);
  CHECK(std::abs(kl_gaussians(q, standard_normal(4)) - (-entropy(q) - expected_log_prior(q))) < 1e-10);
  const Gaussian a{{0.3}, Matrix(1, 1, 0.25)}, c{{-1.0}, Matrix(1, 1, 4.0)};  // N(0.3, 0.5^2), N(-1, 2^2)
  CHECK(kl_gaussians(a, c) == Approx(std::log(2.0 / 0.5) + (0.25 + 1.69) / 8.0 - 0.5).epsilon(1e-14));
}

TEST_CASE("(kl.1) Monte Carlo average of log q - log p approaches the closed-form KL", "[kl][math]") {
  Rng rng{9};
  const Gaussian q = random_gaussian(rng, 3), p = random_gaussian(rng, 3);
  Stats s;
  for (int k = 0; k < 20000; ++k) {
    const Vector z = sample(rng, q);
    s.add(log_q(z, q) - log_q(z, p));
  }
  CHECK(std::abs(s.mean() - kl_gaussians(q, p)) < 4 * s.se());
}

TEST_CASE("(kl.3) in doubles: the diagonal-Gaussian KL by hand equals the full-covariance KL with diagonal matrices",
          "[kl][math]") {
  Rng rng{10};
  const Vector mu_q = rng.normals(4), mu_p = rng.normals(4), log_var_q = rng.normals(4), log_var_p = rng.normals(4);
  double kl = 0;  // (kl.3) sum_j log(sigma_p/sigma_q) + (sigma_q^2 + (mu_q - mu_p)^2) / (2 sigma_p^2) - 1/2
  Vector sigma_q(4), sigma_p(4);
  for (std::size_t j = 0; j < 4; ++j) {
    sigma_q[j] = std::exp(0.5 * log_var_q[j]);
    sigma_p[j] = std::exp(0.5 * log_var_p[j]);
    const double diff = mu_q[j] - mu_p[j];
    kl += 0.5 * (log_var_p[j] - log_var_q[j]) + (std::exp(log_var_q[j]) + diff * diff) / (2 * std::exp(log_var_p[j])) -
          0.5;
  }
  CHECK(std::abs(kl - kl_gaussians(diagonal_gaussian(mu_q, sigma_q), diagonal_gaussian(mu_p, sigma_p))) < 1e-11);
}

TEST_CASE("(kl.4) in doubles: KL to N(0, I) by hand equals -1/2 sum(1 + log sigma^2 - mu^2 - sigma^2)", "[kl][math]") {
  Rng rng{13};
  const Vector mu = rng.normals(5), log_var = rng.normals(5);
  double kl = 0;
  Vector sigma(5);
  for (std::size_t j = 0; j < 5; ++j) {
    sigma[j] = std::exp(0.5 * log_var[j]);
    kl += -0.5 * (1 + log_var[j] - mu[j] * mu[j] - std::exp(log_var[j]));
  }
  CHECK(std::abs(kl - kl_gaussians(diagonal_gaussian(mu, sigma), standard_normal(5))) < 1e-11);
}

// --- reparameterisation and the joint (x, eps) view ----------------------------------------------------------

TEST_CASE("(reparam.2) in doubles: log q(z|x) equals log q(eps) minus the sum of log sigma",
          "[reparam][linear_gaussian][math]") {
  Rng rng{14};
  const Vector mu = rng.normals(3), sigma = {0.4, 1.3, 2.2};
  const Gaussian q = diagonal_gaussian(mu, sigma);
  for (int trial = 0; trial < 5; ++trial) {
    const Vector eps = rng.normals(3);
    Vector z(3);
    for (std::size_t j = 0; j < 3; ++j) z[j] = mu[j] + sigma[j] * eps[j];  // (reparam.1)
    const double sum_log_sigma = std::log(0.4) + std::log(1.3) + std::log(2.2);
    CHECK(std::abs(log_q(z, q) - (log_prior(eps) - sum_log_sigma)) < 1e-12);
  }
}

TEST_CASE(
    "(reparam.3) (reparam.4) pathwise and score-function gradients are both unbiased, pathwise with less variance",
    "[reparam][linear_gaussian][math]") {
  // f(z) = log p(x|z), q = N(mu, diag(s^2)).  d/dmu E_q[f] = W^T (x - W mu - b) / sigma^2,
  // d/ds_j E_q[f] = -(W^T W)_jj s_j / sigma^2   (from (linear_gaussian.4) with S = diag(s^2)).
  Rng rng{15};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5), mu = rng.normals(3), s = {0.5, 0.8, 0.3};
  const Matrix WtW = matmul(transpose(model.W), model.W);
  const Vector grad_mu = scale(matvec(transpose(model.W), sub(x, add(matvec(model.W, mu), model.b))), 1 / 0.49);
  std::vector<Stats> path(6), score(6);
  for (int k = 0; k < 100000; ++k) {
    const Vector eps = rng.normals(3);
    Vector z(3);
    for (std::size_t j = 0; j < 3; ++j) z[j] = mu[j] + s[j] * eps[j];
    const Vector df_dz = scale(matvec(transpose(model.W), sub(x, add(matvec(model.W, z), model.b))), 1 / 0.49);
    const double f = model.log_likelihood(x, z);
    for (std::size_t j = 0; j < 3; ++j) {
      path[j].add(df_dz[j]);                               // dz/dmu = 1
      path[3 + j].add(df_dz[j] * eps[j]);                  // dz/ds = eps
      score[j].add(f * eps[j] / s[j]);                     // d log q / dmu = eps / s
      score[3 + j].add(f * (eps[j] * eps[j] - 1) / s[j]);  // d log q / ds = (eps^2 - 1) / s
    }
  }
  for (std::size_t i = 0; i < 6; ++i) {
    const double exact = i < 3 ? grad_mu[i] : -WtW(i - 3, i - 3) * s[i - 3] / 0.49;
    CHECK(std::abs(path[i].mean() - exact) < 4 * path[i].se());
    CHECK(std::abs(score[i].mean() - exact) < 4 * score[i].se());
    CHECK(path[i].se() < score[i].se());
  }
}

TEST_CASE("(joint.1) (joint.2) (joint.3) log p(x, eps) is log p(x) + log p(eps|x) and the ELBO integrand + log q(eps)",
          "[joint][linear_gaussian][math]") {
  // eps = (z - mu) / sigma, so under p(z|x) = N(mu_post, Sigma_post), eps|x ~ N((mu_post - mu) / sigma, diag(1/sigma)
  // Sigma_post diag(1/sigma))
  Rng rng{16};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5), mu = rng.normals(3), sigma = {0.6, 1.1, 0.9};
  const Gaussian post = model.posterior(x);
  Gaussian eps_post{Vector(3), Matrix(3, 3)};
  for (std::size_t i = 0; i < 3; ++i) {
    eps_post.m[i] = (post.m[i] - mu[i]) / sigma[i];
    for (std::size_t j = 0; j < 3; ++j) eps_post.S(i, j) = post.S(i, j) / (sigma[i] * sigma[j]);
  }
  for (int trial = 0; trial < 5; ++trial) {
    const Vector eps = rng.normals(3);
    Vector z(3);
    double sum_log_sigma = 0;
    for (std::size_t j = 0; j < 3; ++j) {
      z[j] = mu[j] + sigma[j] * eps[j];
      sum_log_sigma += std::log(sigma[j]);
    }
    const double log_p_x_eps = model.log_joint(x, z) + sum_log_sigma;  // (joint.2)
    CHECK(std::abs(log_p_x_eps - (model.log_px(x) + log_q(eps, eps_post))) < 1e-9);
    // (joint.3) the same number is log p(x|z) + log p(z) - log q(z|x) + log q(eps)
    CHECK(std::abs(log_p_x_eps - (model.log_joint(x, z) - log_q(z, diagonal_gaussian(mu, sigma)) + log_prior(eps))) <
          1e-9);
  }
}

TEST_CASE("(joint.4) (joint.5) E_eps[log p(x, eps)] equals the ELBO minus the entropy of N(0, I)",
          "[joint][elbo][linear_gaussian][math]") {
  Rng rng{17};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5), mu = rng.normals(3), sigma = {0.6, 1.1, 0.9};
  const Gaussian q = diagonal_gaussian(mu, sigma);
  const double sum_log_sigma = std::log(0.6) + std::log(1.1) + std::log(0.9);
  const double H_eps = 1.5 * std::log(2 * pi * std::exp(1.0));  // (joint.5) d/2 log(2 pi e), d = 3
  CHECK(std::abs(entropy(standard_normal(3)) - H_eps) < 1e-14);
  const double expected_joint = model.expected_log_likelihood(x, q) + expected_log_prior(q) + sum_log_sigma;
  CHECK(std::abs(expected_joint - (model.elbo(x, q) - H_eps)) < 1e-10);
  Stats s;
  for (int k = 0; k < 20000; ++k) {
    const Vector eps = rng.normals(3);
    Vector z(3);
    for (std::size_t j = 0; j < 3; ++j) z[j] = mu[j] + sigma[j] * eps[j];
    s.add(model.log_joint(x, z) + sum_log_sigma);
  }
  CHECK(std::abs(s.mean() - expected_joint) < 4 * s.se());
}

// --- importance sampling: IWAE bounds and the estimate of log p(x) -------------------------------------------

TEST_CASE("(iwae.1) (estimate.1) importance weights average to p(x)", "[iwae][estimate][linear_gaussian][math]") {
  Rng rng{18};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian post = model.posterior(x);
  const Gaussian q{add(post.m, {0.2, -0.1, 0.1}), scale(post.S, 1.5)};  // wider than the posterior: finite Var(w)
  const double log_px = model.log_px(x);
  Stats s;
  for (int k = 0; k < 50000; ++k) s.add(std::exp(log_w(model, x, sample(rng, q), q) - log_px));  // w / p(x)
  CHECK(std::abs(s.mean() - 1.0) < 4 * s.se());
}

TEST_CASE(
    "(iwae.2) (iwae.3) (iwae.4) (iwae.5) (estimate.3) L_1 is the ELBO, L_k rises with k and approaches log p(x) from "
    "below",
    "[iwae][estimate][linear_gaussian][math]") {
  Rng rng{19};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian post = model.posterior(x);
  const Gaussian q = diagonal_gaussian(add(post.m, {0.3, -0.3, 0.2}), {0.8, 0.8, 0.8});
  const double log_px = model.log_px(x), elbo = model.elbo(x, q);
  std::vector<double> L;
  for (std::size_t k : {1, 4, 16, 64, 256}) {
    Stats s;  // L_k = E[log (1/k) sum_i w_i], estimated by 2000 replicates
    for (int r = 0; r < 2000; ++r) {
      Vector a(k);
      for (double& v : a) v = log_w(model, x, sample(rng, q), q);
      s.add(log_mean_exp(a));
    }
    if (k == 1) CHECK(std::abs(s.mean() - elbo) < 4 * s.se());
    CHECK(s.mean() < log_px + 4 * s.se());  // never above log p(x) beyond noise
    L.push_back(s.mean());
  }
  for (std::size_t i = 0; i + 1 < L.size(); ++i) CHECK(L[i] < L[i + 1]);
  CHECK(log_px - L.back() < 0.05 * (log_px - elbo));
}

TEST_CASE("(estimate.4) (estimate.5) the delta-method standard error matches the spread of repeated estimates",
          "[estimate][linear_gaussian][math]") {
  Rng rng{20};
  const LinearGaussian model = random_model(rng);
  const Vector x = rng.normals(5);
  const Gaussian post = model.posterior(x);
  const Gaussian q{post.m, scale(post.S, 2.0)};
  const std::size_t k = 500;
  Stats estimates, se;
  for (int r = 0; r < 400; ++r) {
    Vector a(k), a2(k);
    for (std::size_t i = 0; i < k; ++i) {
      a[i] = log_w(model, x, sample(rng, q), q);
      a2[i] = 2 * a[i];
    }
    // (estimate.5) se^2 = (mean(w^2) / mean(w)^2 - 1) / k, both means taken in log space
    const double ratio = std::exp(log_mean_exp(a2) - 2 * log_mean_exp(a));
    estimates.add(log_mean_exp(a));
    se.add(std::sqrt((ratio - 1) / static_cast<double>(k)));
  }
  const double spread = estimates.se() * std::sqrt(estimates.n);  // standard deviation across replicates
  CHECK(se.mean() == Approx(spread).epsilon(0.2));
}

// --- errors --------------------------------------------------------------------------------------------------

TEST_CASE("cholesky names the failing pivot of a matrix that is not positive definite", "[linear_gaussian][errors]") {
  Matrix a = Matrix::identity(3);
  a(2, 2) = -0.31;
  CHECK_THROWS_WITH(cholesky(a), "cholesky: matrix is not positive definite (pivot 2 is -0.31)");
  Matrix b(2, 2, 1.0);  // rank 1: the second pivot is 0
  CHECK_THROWS_WITH(cholesky(b), "cholesky: matrix is not positive definite (pivot 1 is 0)");
  CHECK_THROWS_AS(cholesky(Matrix(2, 3)), std::invalid_argument);
}

TEST_CASE("the linear-Gaussian model rejects bad shapes, noise and covariances with clear messages",
          "[linear_gaussian][errors]") {
  const LinearGaussian bad_sigma{Matrix(2, 1, 1.0), {0.0, 0.0}, -1.0};
  CHECK_THROWS_WITH(bad_sigma.log_px({0.0, 0.0}), "LinearGaussian: sigma is -1, but must be positive and finite");
  const LinearGaussian model{Matrix(2, 1, 1.0), {0.0, 0.0}, 1.0};
  CHECK_THROWS_WITH(model.log_px({0.0}), "LinearGaussian::log_px: x has 1 elements, but must have D = 2");
  Matrix S(2, 2, 0.0);
  S(0, 0) = S(1, 1) = 1.0;
  S(0, 1) = 0.5;
  CHECK_THROWS_WITH(entropy(Gaussian{{0.0, 0.0}, S}), "entropy: S is not symmetric (|S(1, 0) - S(0, 1)| is 0.5)");
  CHECK_THROWS_AS(matmul(Matrix(2, 3), Matrix(2, 3)), std::invalid_argument);
}
