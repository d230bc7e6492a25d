// Exercise joint_density (your file): the reparameterised sample z = mu + sigma eps, and log p(x, eps), the density
// of the data and the noise together. Grade: examples/assignments/grade.sh joint_density THIS_FILE.cpp.
// The math: docs/derivations/reparam.md and docs/derivations/joint.md.
#include "autodiff/autodiff.hpp"
#include "joint_density/joint_density.hpp"

namespace assignment {

using tg::Tensor;

Tensor reparam_sample(const Tensor& mu, const Tensor& log_var, const Tensor& eps) {
  // TODO: z = mu + sigma * eps, with sigma = exp(log_var / 2). Use tg ops, so that gradients reach mu and log_var.
  return tg::zeros_like(mu + log_var + eps);  // (K, B, L)
}

Tensor log_joint_x_eps(const tg::vae::LatentModel& model, const Tensor& x, const Tensor& eps) {
  tg::prob::Normal q = model.encode(x);                                       // q(z|x): mu and log_var (B, L)
  Tensor z = reparam_sample(q.loc(), q.log_var(), eps);                       // (K, B, L)
  Tensor log_px_z = model.log_likelihood(x, z);                               // log p(x|z): (K, B)
  Tensor log_pz = tg::vae::prior(model.latent_dim(), x.dtype()).log_prob(z);  // log p(z): (K, B)
  // TODO: going from z to eps changes the density by the Jacobian of z = g(eps): add log |det dz/deps|, (B,).
  return log_px_z + log_pz;  // (K, B)
}

}  // namespace assignment
