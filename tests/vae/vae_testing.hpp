// Helpers for the tests of vae/: linear-Gaussian models with orthogonal columns of W (so that the exact
// posterior is a diagonal Gaussian), data drawn from them, repeated rows, sigma points, and running means
// with standard errors.
#pragma once
#include <algorithm>
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <vector>

#include "autodiff/ops.hpp"
#include "autodiff/random.hpp"
#include "vae/exact/linear_gaussian.hpp"
#include "vae/exact/linear_gaussian_model.hpp"

namespace tg::vae::testing {

using namespace tg::vae::exact;

// Approx with an absolute tolerance only (Catch's default also allows a relative 1.2e-5, far too loose here).
inline Approx near(double value, double tol) { return Approx(value).epsilon(0).margin(tol); }

// W (D, d) whose columns are orthogonal with the given norms (a norm of 0 gives a dead latent dimension), so
// that W^T W = diag(norms^2); b ~ N(0, I).
inline LinearGaussian orthogonal_model(Generator& gen, std::size_t D, const std::vector<double>& norms, double sigma) {
  const std::size_t d = norms.size();
  Matrix W(D, d);
  for (double& v : W.data) v = gen.normal();
  for (std::size_t j = 0; j < d; ++j) {  // Gram-Schmidt on the columns, then scale column j to norms[j]
    for (std::size_t i = 0; i < j; ++i) {
      double p = 0;
      for (std::size_t r = 0; r < D; ++r) p += W(r, j) * W(r, i);
      for (std::size_t r = 0; r < D; ++r) W(r, j) -= p * W(r, i);
    }
    double n = 0;
    for (std::size_t r = 0; r < D; ++r) n += W(r, j) * W(r, j);
    for (std::size_t r = 0; r < D; ++r) W(r, j) /= std::sqrt(n);
  }
  for (std::size_t j = 0; j < d; ++j)
    for (std::size_t r = 0; r < D; ++r) W(r, j) *= norms[j];
  Vector b(D);
  for (double& v : b) v = gen.normal();
  return LinearGaussian{W, b, sigma};
}

// B data points x = W z + b + sigma nu drawn from the model: (B, D) float64.
inline Tensor sample_x(const LinearGaussian& model, std::int64_t B, Generator& gen) {
  const auto D = static_cast<std::int64_t>(model.D());
  Tensor x = zeros({B, D}, f64);
  for (std::int64_t row = 0; row < B; ++row) {
    Vector z(model.d());
    for (double& v : z) v = gen.normal();
    const Vector mean = add(matvec(model.W, z), model.b);
    for (std::int64_t j = 0; j < D; ++j)
      x.set({row, j}, mean[static_cast<std::size_t>(j)] + model.sigma * gen.normal());
  }
  return x;
}

// Row `row` of x (B, n) repeated R times: (R, n). Many independent draws of an objective for one data point.
inline Tensor repeat_row(const Tensor& x, std::int64_t row, std::int64_t R) {
  return broadcast_to(slice(x, 0, row, row + 1), {R, x.size(1)}).detach();
}

// A q near the exact posterior (not equal to it): mu_post + shift * s_post, log_var_post + widen, for every
// row of x.
inline void set_q_near_posterior(LinearGaussianModel& model, const Tensor& x, double shift, double widen) {
  model.use_exact_posterior(x);
  const Tensor sd = exp(model.q_log_var() * 0.5);
  model.set_q((model.q_mu() + sd * shift).detach(), (model.q_log_var() + widen).detach());
}

// The 2L sigma points +-sqrt(L) e_j as eps (2L, B, L): their first and second moments are those of N(0, I_L),
// so the average of any quadratic function of eps over them is its exact expectation. log p(x|z), log p(z)
// and log q(z) of the linear-Gaussian model are quadratic in eps, so every Monte Carlo objective averaged
// over them is exact.
inline Tensor sigma_points(std::int64_t L, std::int64_t B) {
  Tensor eps = zeros({2 * L, B, L}, f64);
  const double r = std::sqrt(static_cast<double>(L));
  for (std::int64_t j = 0; j < L; ++j)
    for (std::int64_t row = 0; row < B; ++row) {
      eps.set({2 * j, row, j}, r);
      eps.set({2 * j + 1, row, j}, -r);
    }
  return eps;
}

struct Stats {  // mean and standard error of the mean of a list of draws
  double mean = 0, se = 0;
  explicit Stats(const std::vector<double>& v) {
    const double n = static_cast<double>(v.size());
    for (double a : v) mean += a;
    mean /= n;
    double ss = 0;
    for (double a : v) ss += (a - mean) * (a - mean);
    se = std::sqrt(ss / (n - 1) / n);
  }
};

inline double log_mean_exp(const std::vector<double>& a) {  // (iwae.6) by hand
  double m = a[0];
  for (double v : a) m = std::max(m, v);
  double s = 0;
  for (double v : a) s += std::exp(v - m);
  return m + std::log(s) - std::log(static_cast<double>(a.size()));
}

// Column b of a (K, B) tensor.
inline std::vector<double> column(const Tensor& t, std::int64_t b) {
  std::vector<double> v;
  for (std::int64_t i = 0; i < t.size(0); ++i) v.push_back(t.flat(i * t.size(1) + b));
  return v;
}

// The exact model most tests use: D = 5, L = 3 (column norms 0.6, 1.1, 1.7), sigma = 0.7, and B = 3 examples
// drawn from it, all from one seed. q starts as the model's default; tests set it.
struct Bench {
  static constexpr std::int64_t B = 3;
  Generator gen;
  LinearGaussianModel model;
  Tensor x;  // (B, D)
  explicit Bench(std::uint64_t seed)
      : gen(seed), model(orthogonal_model(gen, 5, {0.6, 1.1, 1.7}, 0.7)), x(sample_x(model.exact(), B, gen)) {}
  std::int64_t L() const { return model.latent_dim(); }
  double log_px(std::int64_t b) const { return model.exact().log_px(row_vector(x, b)); }
  double elbo(std::int64_t b) const { return model.exact().elbo(row_vector(x, b), model.q_row(x, b)); }
  void random_q() { model.set_q(randn({B, L()}, gen, f64), rand_uniform({B, L()}, -1.5, 1.0, gen, f64)); }
};

}  // namespace tg::vae::testing
