// The exact linear-Gaussian latent variable model, p(z) = N(0, I_d) and p(x|z) = N(W z + b, sigma^2 I_D), in which
// log p(x), the posterior p(z|x), the ELBO of any Gaussian q and every KL are available in closed form. It is the
// test bed for the identities of docs/derivations/ (gap, elbo, kl, joint, iwae); its own math is linear_gaussian.md.
//
//   LinearGaussian model{W, b, sigma};           // W is (D, d), b has D elements, sigma > 0
//   double lp = model.log_px(x);                 // (linear_gaussian.2)
//   Gaussian post = model.posterior(x);          // (linear_gaussian.3)
//   double L = model.elbo(x, q);                 // (elbo.4), L <= lp with equality at q = post   (elbo.2), (gap.3)
//   double gap = kl_gaussians(q, post);          // (kl.2); lp - L == gap                          (gap.2)
#pragma once

#include <cstddef>

#include "vae/exact/dense.hpp"

namespace tg::vae::exact {

// A Gaussian N(m, S) with full covariance S (symmetric positive definite): the q = N(m, S) of the docs.
struct Gaussian {
  Vector m;  // (d)    mean
  Matrix S;  // (d, d) covariance
};

struct LinearGaussian {
  Matrix W;      // (D, d)
  Vector b;      // (D)
  double sigma;  // observation noise standard deviation, > 0

  std::size_t D() const { return W.rows; }
  std::size_t d() const { return W.cols; }

  // Throws std::invalid_argument if W and b disagree or sigma is not positive and finite.
  void validate() const;

  double log_likelihood(const Vector& x, const Vector& z) const;  // log p(x|z)  (linear_gaussian.1)
  double log_joint(const Vector& x, const Vector& z) const;       // log p(x|z) + log p(z)  (linear_gaussian.1)
  double log_px(const Vector& x) const;                           // log N(x; b, W W^T + sigma^2 I)  (linear_gaussian.2)
  double log_px_low_rank(const Vector& x) const;  // the same through (d, d) matrices  (linear_gaussian.7)
  Gaussian posterior(const Vector& x) const;      // p(z|x) = N(mu_post, Sigma_post)  (linear_gaussian.3)

  double expected_log_likelihood(const Vector& x, const Gaussian& q) const;  // E_q[log p(x|z)]  (linear_gaussian.4)
  double elbo(const Vector& x, const Gaussian& q) const;  // E_q[log p(x|z)] + E_q[log p(z)] + H(q)  (elbo.4)
};

double log_prior(const Vector& z);                          // log N(z; 0, I)  (linear_gaussian.1)
double expected_log_prior(const Gaussian& q);               // E_q[log N(z; 0, I)]  (linear_gaussian.5)
double entropy(const Gaussian& q);                          // H(q) = 1/2 log det(2 pi e S)  (linear_gaussian.6)
double log_q(const Vector& z, const Gaussian& q);           // log N(z; m, S)
double kl_gaussians(const Gaussian& q, const Gaussian& p);  // KL(q || p), full covariances  (kl.2)
Gaussian standard_normal(std::size_t d);                    // N(0, I_d)

}  // namespace tg::vae::exact
