// Exercise elbo, reference solution: the K-sample ELBO with reparameterised samples, (elbo.5) and (reparam.1).
// The math: docs/derivations/elbo.md.
#include "elbo/elbo.hpp"

#include "autodiff/autodiff.hpp"

namespace assignment {

using tg::Tensor;

Tensor elbo_monte_carlo(const tg::vae::LatentModel& model, const Tensor& x, const Tensor& eps) {
  tg::prob::Normal q = model.encode(x);                                       // q(z|x): mu, log_var (B, L)
  Tensor z = q.loc() + tg::exp(q.log_var() * 0.5) * eps;                      // z = mu + sigma eps: (K, B, L)
  Tensor log_px_z = model.log_likelihood(x, z);                               // log p(x|z): (K, B)
  Tensor log_pz = tg::vae::prior(model.latent_dim(), x.dtype()).log_prob(z);  // log p(z): (K, B)
  Tensor log_qz = q.log_prob(z);                                              // log q(z|x): (K, B)
  return tg::mean(log_px_z + log_pz - log_qz, {0});                           // (B,)
}

}  // namespace assignment
