// The linear-Gaussian model as a LatentModel (see linear_gaussian_model.hpp); the lines computing an equation
// of docs/derivations/linear_gaussian.md carry its tag.
#include "vae/exact/linear_gaussian_model.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <utility>

#include "vae/iwae.hpp"

namespace tg::vae::exact {

namespace {

std::string num(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

void require_matrix(const char* who, const char* name, const Tensor& t, std::int64_t cols) {
  if (!t.defined()) fail(who, std::string(name) + " is an undefined Tensor");
  if (t.dtype() != f64) fail(who, std::string(name) + " is float32; the exact model works in float64");
  if (t.dim() != 2 || t.size(1) != cols)
    fail(who, std::string(name) + " is " + shape_str(t.shape()) + "; it must be (B, " + std::to_string(cols) + ")");
}

// The posterior covariance (see (linear_gaussian.3)) must be diagonal for a diagonal q to equal it.
void require_diagonal(const char* who, const Matrix& S) {
  double diag_max = 0, off_max = 0;
  std::size_t oi = 0, oj = 0;
  for (std::size_t i = 0; i < S.rows; ++i)
    for (std::size_t j = 0; j < S.cols; ++j) {
      if (i == j)
        diag_max = std::max(diag_max, S(i, i));
      else if (std::abs(S(i, j)) > off_max)
        off_max = std::abs(S(i, j)), oi = i, oj = j;
    }
  if (off_max > 1e-10 * diag_max)
    fail(who, "the posterior covariance is not diagonal (Sigma_post(" + std::to_string(oi) + ", " + std::to_string(oj) +
                  ") is " + num(S(oi, oj)) +
                  "), so no diagonal q equals it; W's columns must "
                  "be orthogonal");
}

}  // namespace

Vector row_vector(const Tensor& x, std::int64_t row) {
  if (x.dim() != 2 || row < 0 || row >= x.size(0))
    fail("row_vector", "row " + std::to_string(row) + " of a tensor " + shape_str(x.shape()) + " does not exist");
  Vector v(static_cast<std::size_t>(x.size(1)));
  for (std::int64_t j = 0; j < x.size(1); ++j) v[static_cast<std::size_t>(j)] = x.flat(row * x.size(1) + j);
  return v;
}

LinearGaussianModel::LinearGaussianModel(LinearGaussian exact) : exact_(std::move(exact)) {
  exact_.validate();
  if (exact_.d() < 1) fail("LinearGaussianModel", "W has no columns; the latent width must be at least 1");
  W_ = tensor(exact_.W.data, {static_cast<std::int64_t>(exact_.D()), static_cast<std::int64_t>(exact_.d())}, f64);
  b_ = tensor(exact_.b, f64);
  W_.name("W");
  b_.name("b");
}

void LinearGaussianModel::set_q(Tensor mu, Tensor log_var) {
  require_matrix("LinearGaussianModel::set_q", "mu", mu, latent_dim());
  require_matrix("LinearGaussianModel::set_q", "log_var", log_var, latent_dim());
  if (mu.size(0) != log_var.size(0))
    fail("LinearGaussianModel::set_q", "mu is " + shape_str(mu.shape()) + " and log_var is " +
                                           shape_str(log_var.shape()) + "; they must have the same rows");
  mu_ = std::move(mu);
  log_var_ = std::move(log_var);
  exact_encoder_ = false;
}

// q = p(z|x) = N(mu_post, Sigma_post) row by row, Sigma_post = (I + W^T W / sigma^2)^{-1}, see (linear_gaussian.3)
void LinearGaussianModel::use_exact_posterior(const Tensor& x) {
  require_matrix("LinearGaussianModel::use_exact_posterior", "x", x, static_cast<std::int64_t>(exact_.D()));
  const std::int64_t B = x.size(0), L = latent_dim();
  Tensor mu = zeros({B, L}, f64), log_var = zeros({B, L}, f64);
  for (std::int64_t row = 0; row < B; ++row) {
    const Gaussian post = exact_.posterior(row_vector(x, row));  // see (linear_gaussian.3)
    require_diagonal("LinearGaussianModel::use_exact_posterior", post.S);
    for (std::int64_t j = 0; j < L; ++j) {
      const auto u = static_cast<std::size_t>(j);
      mu.set({row, j}, post.m[u]);                    // mu_post
      log_var.set({row, j}, std::log(post.S(u, u)));  // log of the diagonal of Sigma_post
    }
  }
  set_q(mu.name("mu_post"), log_var.name("log_var_post"));
}

// mu_post = M (x - b) with M = Sigma_post W^T / sigma^2, the same Sigma_post for every x, see (linear_gaussian.3)
void LinearGaussianModel::use_exact_encoder() {
  const Gaussian post = exact_.posterior(exact_.b);  // at x = b: N(0, Sigma_post)
  require_diagonal("LinearGaussianModel::use_exact_encoder", post.S);
  const Matrix M = scale(matmul(post.S, transpose(exact_.W)), 1.0 / (exact_.sigma * exact_.sigma));  // (L, D)
  M_ = tensor(M.data, {latent_dim(), static_cast<std::int64_t>(exact_.D())}, f64).name("M");
  post_log_var_ = zeros({latent_dim()}, f64);
  for (std::int64_t j = 0; j < latent_dim(); ++j)
    post_log_var_.set({j}, std::log(post.S(static_cast<std::size_t>(j), static_cast<std::size_t>(j))));
  post_log_var_.name("log_var_post");
  exact_encoder_ = true;
}

prob::Normal LinearGaussianModel::encode(const Tensor& x) const {
  require_matrix("LinearGaussianModel::encode", "x", x, static_cast<std::int64_t>(exact_.D()));
  if (exact_encoder_) {
    Tensor mu = linear(x - b_, M_, Tensor());  // mu_post, see (linear_gaussian.3): (B, L)
    Tensor log_var = broadcast_to(post_log_var_, {x.size(0), latent_dim()});  // log diag Sigma_post: (B, L)
    return prob::Normal::from_log_var(mu.name("mu_post"), log_var, 1);
  }
  if (!mu_.defined())
    fail("LinearGaussianModel::encode", "q is not set; call set_q, use_exact_posterior or use_exact_encoder first");
  if (x.size(0) != mu_.size(0))
    fail("LinearGaussianModel::encode",
         "x has " + std::to_string(x.size(0)) + " rows, but q was set for " + std::to_string(mu_.size(0)));
  return prob::Normal::from_log_var(mu_, log_var_, 1);  // q(z|x) = N(m, diag s^2): (B, L)
}

// log p(x|z) = log N(x; W z + b, sigma^2 I_D), summed over D, see (linear_gaussian.1)
Tensor LinearGaussianModel::log_likelihood(const Tensor& x, const Tensor& z) const {
  require_matrix("LinearGaussianModel::log_likelihood", "x", x, static_cast<std::int64_t>(exact_.D()));
  Tensor mean = linear(z, W_, b_);                                                  // W z + b: (K, B, D)
  return prob::Normal::from_scale(mean, scalar(exact_.sigma, f64), 1).log_prob(x);  // (K, B)
}

Gaussian LinearGaussianModel::q_row(const Tensor& x, std::int64_t row) const {
  const prob::Normal q = encode(x);
  Vector var = row_vector(q.variance(), row);
  return Gaussian{row_vector(q.mean(), row), Matrix::diagonal(var)};
}

Tensor LinearGaussianModel::log_weights(const Tensor& x, const Tensor& eps) const {
  return vae::log_weights(*this, x, eps);
}

}  // namespace tg::vae::exact
