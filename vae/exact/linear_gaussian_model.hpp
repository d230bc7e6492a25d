// The exact linear-Gaussian model (vae/exact/linear_gaussian.hpp) as a LatentModel over float64 Tensors, so that
// the objectives of elbo.hpp, iwae.hpp, joint.hpp and estimate.hpp can be run on a model whose log p(x) and
// posterior are known in closed form. The encoder is not a network: either q(z|x) = N(m, diag s^2) is given
// explicitly for one batch (set_q, use_exact_posterior), or it is the exact posterior of whatever x comes
// (use_exact_encoder). Math: docs/derivations/linear_gaussian.md.
//
//   LinearGaussianModel model(LinearGaussian{W, b, 0.7});   // W (D, d) with orthogonal columns
//   model.use_exact_posterior(x);                          // q = p(z|x): every log weight is log p(x)
//   (gap.4) Tensor bound = iwae_bound(model, x, draw_eps(model, x, 5, gen));   // (B,)
#pragma once
#include <cstdint>
#include <vector>

#include "vae/exact/linear_gaussian.hpp"
#include "vae/model.hpp"

namespace tg::vae::exact {

class LinearGaussianModel : public LatentModel, public LogWeightModel {
 public:
  explicit LinearGaussianModel(LinearGaussian exact);  // validates W, b and sigma

  // q(z|x) = N(mu, diag exp(log_var)) for the B rows of the next x: mu and log_var (B, L), float64.
  void set_q(Tensor mu, Tensor log_var);
  // q = p(z|x) for the rows of x (B, D) (linear_gaussian.3). The posterior covariance (I + W^T W /
  // sigma^2)^{-1} is diagonal only when W^T W is (orthogonal columns of W); otherwise no diagonal q equals
  // it, and this throws.
  void use_exact_posterior(const Tensor& x);
  // From now on encode(x) is the exact posterior of any x (B, D): the amortised encoder that a VAE would have
  // to learn, mu_post = Sigma_post W^T (x - b) / sigma^2 and the constant Sigma_post. Throws as above if not
  // diagonal.
  void use_exact_encoder();

  prob::Normal encode(const Tensor& x) const override;  // the q set above (x must have its B rows), or the exact one
  Tensor log_likelihood(const Tensor& x, const Tensor& z) const override;  // x (B, D), z (K, B, L) -> (K, B)
  std::int64_t latent_dim() const override { return static_cast<std::int64_t>(exact_.d()); }
  std::int64_t noise_dim() const override { return latent_dim(); }
  Tensor log_weights(const Tensor& x, const Tensor& eps) const override;  // log_weights of iwae.hpp

  const LinearGaussian& exact() const { return exact_; }
  const Tensor& W() const { return W_; }                // (D, L)
  const Tensor& b() const { return b_; }                // (D)
  const Tensor& q_mu() const { return mu_; }            // (B, L) given to set_q, undefined before
  const Tensor& q_log_var() const { return log_var_; }  // (B, L) given to set_q, undefined before
  Gaussian q_row(const Tensor& x,
                 std::int64_t row) const;  // row `row` of encode(x) as a Gaussian of the closed forms

 private:
  Gaussian diagonal_posterior(const char* who) const;  // N(0, Sigma_post) for x = b, Sigma_post checked diagonal
  LinearGaussian exact_;
  Tensor W_, b_, mu_, log_var_;
  Tensor M_,
      post_log_var_;  // the exact encoder: M = Sigma_post W^T / sigma^2 (L, D), log diag Sigma_post (L)
  bool exact_encoder_ = false;
};

// Row `row` of a float64 (or float32) matrix (B, n) as a Vector, for the closed forms of linear_gaussian.hpp.
Vector row_vector(const Tensor& x, std::int64_t row);

}  // namespace tg::vae::exact
