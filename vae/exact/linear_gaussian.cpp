// The exact linear-Gaussian model (see vae/exact/linear_gaussian.hpp): every density, the posterior, the ELBO of a
// Gaussian q and the KL between Gaussians in closed form, in float64.
// The math, with the tags used below, is in docs/derivations/linear_gaussian.md, elbo.md, gap.md and kl.md.
#include "vae/exact/linear_gaussian.hpp"

#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tg::vae::exact {

namespace {

constexpr double log_2pi = 1.8378770664093454835606594728112;  // log(2 pi)

std::string num(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

void require_size(const char* who, const char* name, const Vector& v, std::size_t n, const char* n_name) {
  if (v.size() != n) {
    throw std::invalid_argument(std::string(who) + ": " + name + " has " + std::to_string(v.size()) +
                                " elements, but must have " + n_name + " = " + std::to_string(n));
  }
}

// q.m and q.S agree, S is symmetric (positive definiteness is checked by the Cholesky that every use performs).
void require_gaussian(const char* who, const Gaussian& q) {
  if (q.S.rows != q.m.size() || q.S.cols != q.m.size()) {
    throw std::invalid_argument(std::string(who) + ": S is (" + std::to_string(q.S.rows) + ", " +
                                std::to_string(q.S.cols) + ") and m has " + std::to_string(q.m.size()) +
                                " elements; S must be (d, d) with d = m.size()");
  }
  require_symmetric(who, "S", q.S);
}

// log N(v; m, C) = -1/2 [ n log 2pi + log det C + (v - m)^T C^{-1} (v - m) ],  C = L L^T,  u = L^{-1} (v - m)
double log_normal(const Vector& v, const Vector& m, const Matrix& C) {
  const Matrix L = cholesky(C);
  const Vector u = solve_lower(L, sub(v, m));
  return -0.5 * (static_cast<double>(v.size()) * log_2pi + log_det_from_cholesky(L) + dot(u, u));
}

}  // namespace

void LinearGaussian::validate() const {
  if (W.rows != b.size()) {
    throw std::invalid_argument("LinearGaussian: W is (" + std::to_string(W.rows) + ", " + std::to_string(W.cols) +
                                ") and b has " + std::to_string(b.size()) +
                                " elements; W must be (D, d) with D = " + std::to_string(b.size()));
  }
  if (!(sigma > 0.0) || !std::isfinite(sigma)) {
    throw std::invalid_argument("LinearGaussian: sigma is " + num(sigma) + ", but must be positive and finite");
  }
}

double LinearGaussian::log_likelihood(const Vector& x, const Vector& z) const {
  // (linear_gaussian.1)  log p(x|z) = -D/2 log(2 pi sigma^2) - ||x - W z - b||^2 / (2 sigma^2)
  validate();
  require_size("LinearGaussian::log_likelihood", "x", x, D(), "D");
  require_size("LinearGaussian::log_likelihood", "z", z, d(), "d");
  const Vector r = sub(x, add(matvec(W, z), b));  // (D) residual
  const double var = sigma * sigma;
  return -0.5 * static_cast<double>(D()) * (log_2pi + std::log(var)) - 0.5 * dot(r, r) / var;
}

// log p(z) = -d/2 log 2pi - z^T z / 2, see (linear_gaussian.1)
double log_prior(const Vector& z) { return -0.5 * static_cast<double>(z.size()) * log_2pi - 0.5 * dot(z, z); }

// log p(x, z) = log p(x|z) + log p(z), see (linear_gaussian.1)
double LinearGaussian::log_joint(const Vector& x, const Vector& z) const { return log_likelihood(x, z) + log_prior(z); }

double LinearGaussian::log_px(const Vector& x) const {
  // (linear_gaussian.2)  log p(x) = log N(x; b, C),  C = W W^T + sigma^2 I_D
  validate();
  require_size("LinearGaussian::log_px", "x", x, D(), "D");
  const Matrix C = add(matmul(W, transpose(W)), scale(Matrix::identity(D()), sigma * sigma));  // (D, D)
  return log_normal(x, b, C);
}

double LinearGaussian::log_px_low_rank(const Vector& x) const {
  // (linear_gaussian.7)  log det C = D log sigma^2 - log det Sigma_post                  (determinant lemma)
  //                      r^T C^{-1} r = (r^T r - r^T W Sigma_post W^T r / sigma^2) / sigma^2  (Woodbury),  r = x - b
  validate();
  require_size("LinearGaussian::log_px_low_rank", "x", x, D(), "D");
  const double var = sigma * sigma;
  const Matrix precision = add(Matrix::identity(d()), scale(matmul(transpose(W), W), 1.0 / var));  // (d, d)
  const Matrix L = cholesky(precision);                      // Sigma_post^{-1} = L L^T
  const Vector r = sub(x, b);                                // (D)
  const Vector u = solve_lower(L, matvec(transpose(W), r));  // (d), u^T u = r^T W Sigma_post W^T r
  const double log_det_C = static_cast<double>(D()) * std::log(var) + log_det_from_cholesky(L);
  const double quad = (dot(r, r) - dot(u, u) / var) / var;
  return -0.5 * (static_cast<double>(D()) * log_2pi + log_det_C + quad);
}

Gaussian LinearGaussian::posterior(const Vector& x) const {
  // (linear_gaussian.3)  Sigma_post = (I_d + W^T W / sigma^2)^{-1},  mu_post = Sigma_post W^T (x - b) / sigma^2
  // This is Bayes' rule p(z|x) = p(x|z) p(z) / p(x) of (gap.1), done in closed form.
  validate();
  require_size("LinearGaussian::posterior", "x", x, D(), "D");
  const double var = sigma * sigma;
  const Matrix precision = add(Matrix::identity(d()), scale(matmul(transpose(W), W), 1.0 / var));  // (d, d)
  const Matrix Sigma_post = inverse_spd(precision);
  const Vector mu_post = scale(matvec(Sigma_post, matvec(transpose(W), sub(x, b))), 1.0 / var);
  return Gaussian{mu_post, Sigma_post};
}

double LinearGaussian::expected_log_likelihood(const Vector& x, const Gaussian& q) const {
  // (linear_gaussian.4)  E_q[log p(x|z)] = log N(x; W m + b, sigma^2 I) - tr(W^T W S) / (2 sigma^2)
  require_gaussian("LinearGaussian::expected_log_likelihood", q);
  require_size("LinearGaussian::expected_log_likelihood", "q.m", q.m, d(), "d");
  const double spread = trace_of_product(matmul(transpose(W), W), q.S);  // tr(W^T W S)
  return log_likelihood(x, q.m) - 0.5 * spread / (sigma * sigma);
}

// Never above log_px(x), see (elbo.2): log_px(x) - elbo(x, q) = kl_gaussians(q, posterior(x)), see (gap.2),
// which is zero exactly when q is posterior(x), see (gap.3).
double LinearGaussian::elbo(const Vector& x, const Gaussian& q) const {
  const double recon = expected_log_likelihood(x, q);  // see (linear_gaussian.4)
  const double prior = expected_log_prior(q);          // see (linear_gaussian.5)
  const double H = entropy(q);                         // see (linear_gaussian.6)
  return recon + prior + H;                            // (elbo.4) E_q[log p(x|z)] + E_q[log p(z)] + H(q)
}

double expected_log_prior(const Gaussian& q) {
  // (linear_gaussian.5)  E_q[log N(z; 0, I)] = -d/2 log 2pi - (m^T m + tr S) / 2
  require_gaussian("expected_log_prior", q);
  return -0.5 * static_cast<double>(q.m.size()) * log_2pi - 0.5 * (dot(q.m, q.m) + trace(q.S));
}

double entropy(const Gaussian& q) {
  // (linear_gaussian.6)  H(q) = 1/2 log det(2 pi e S) = d/2 log(2 pi e) + 1/2 log det S
  require_gaussian("entropy", q);
  return 0.5 * static_cast<double>(q.m.size()) * (log_2pi + 1.0) + 0.5 * log_det_spd(q.S);
}

// log q(z) = log N(z; m, S)
double log_q(const Vector& z, const Gaussian& q) {
  require_gaussian("log_q", q);
  require_size("log_q", "z", z, q.m.size(), "d");
  return log_normal(z, q.m, q.S);
}

double kl_gaussians(const Gaussian& q, const Gaussian& p) {
  // (kl.2)  KL(q || p) = 1/2 [ tr(S_p^{-1} S_q) + (m_p - m_q)^T S_p^{-1} (m_p - m_q) - d + log det S_p - log det S_q ]
  require_gaussian("kl_gaussians", q);
  require_gaussian("kl_gaussians", p);
  require_size("kl_gaussians", "p.m", p.m, q.m.size(), "d");
  const Matrix L_p = cholesky(p.S);
  const Vector u = solve_lower(L_p, sub(p.m, q.m));  // u^T u = (m_p - m_q)^T S_p^{-1} (m_p - m_q)
  const double trace_term = trace_of_product(inverse_spd(p.S), q.S);
  const double d = static_cast<double>(q.m.size());
  return 0.5 * (trace_term + dot(u, u) - d + log_det_from_cholesky(L_p) - log_det_spd(q.S));
}

Gaussian standard_normal(std::size_t d) { return Gaussian{Vector(d, 0.0), Matrix::identity(d)}; }

}  // namespace tg::vae::exact
