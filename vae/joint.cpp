// The joint (x, eps) view (see joint.hpp); each line is a line of docs/derivations/joint.md.
#include "vae/joint.hpp"

#include <cmath>
#include <numbers>

#include "vae/checks.hpp"

namespace tg::vae {

Tensor log_joint_x_eps(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  check_x_eps("log_joint_x_eps", x, eps, model.latent_dim());        // (K, B) like log_weights: the same rule for both
  prob::Normal q = model.encode(x);                                  // q(z|x): (B, L)
  Tensor z = q.rsample_with(eps);                                    // z = g(eps) = mu + sigma eps: (K, B, L)
  Tensor log_px_z = model.log_likelihood(x, z);                      // log p(x|z): (K, B)
  Tensor log_pz = prior(model.latent_dim(), x.dtype()).log_prob(z);  // log p(z): (K, B)
  Tensor log_det = q.transform().log_abs_det_jacobian();  // log |det dz/deps| = sum log sigma, see (reparam.2): (B,)
  // (joint.1) the log of p(x|g(eps)) p(g(eps)) |det dg/deps|, term by term (joint.2);
  // (joint.3) sample by sample this is log w + log q(eps), the ELBO's integrand plus log N(eps; 0, I);
  // (joint.4) so its mean over eps is the ELBO minus H(q(eps)) = standard_normal_entropy(L)
  return (log_px_z + log_pz + log_det).name("log_p_x_eps");
}

double standard_normal_entropy(std::int64_t d) {
  if (d < 0) fail("standard_normal_entropy", "d is " + std::to_string(d) + ", but must be >= 0");
  return 0.5 * static_cast<double>(d) * std::log(2.0 * std::numbers::pi * std::numbers::e);  // (joint.5)
}

}  // namespace tg::vae
