// Exercise joint_density, a known slip (the grader must name it): the reparameterised sample z = mu + sigma eps, and
// log p(x, eps), the density of the data and the noise together. The math: docs/derivations/reparam.md and
// docs/derivations/joint.md.
// expect: did you forget log |det dz/deps|
#include "autodiff/autodiff.hpp"
#include "joint_density/joint_density.hpp"

namespace assignment {

using tg::Tensor;

Tensor reparam_sample(const Tensor& mu, const Tensor& log_var, const Tensor& eps) {
  Tensor sigma = tg::exp(log_var * 0.5);  // (B, L): log sigma = 1/2 log sigma^2
  return mu + sigma * eps;                // (K, B, L): (B, L) broadcasts over the K samples
}

Tensor log_joint_x_eps(const tg::vae::LatentModel& model, const Tensor& x, const Tensor& eps) {
  tg::prob::Normal q = model.encode(x);                                       // q(z|x): mu and log_var (B, L)
  Tensor z = reparam_sample(q.loc(), q.log_var(), eps);                       // (K, B, L)
  Tensor log_px_z = model.log_likelihood(x, z);                               // log p(x|z): (K, B)
  Tensor log_pz = tg::vae::prior(model.latent_dim(), x.dtype()).log_prob(z);  // log p(z): (K, B)
  Tensor log_det = tg::sum(q.log_var(), {-1}) * 0.5;                          // sum_j log sigma_j: (B,)
  return log_px_z + log_pz + log_det * 0.0;                                   // SLIP: the Jacobian term is left out
}

}  // namespace assignment
