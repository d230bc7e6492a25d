// Exercise dreg (your file): the IWAE bound whose backward sweep gives the doubly reparameterised gradient. It starts
// as the plain IWAE bound; change it where it says TODO. Grade: examples/assignments/grade.sh dreg THIS_FILE.cpp.
#include "autodiff/autodiff.hpp"
#include "dreg/dreg.hpp"
#include "prob/stable.hpp"

namespace assignment {

using tg::Tensor;

Tensor iwae_bound_dreg(const tg::vae::LatentModel& model, const Tensor& x, const Tensor& eps) {
  const tg::prob::Normal q = model.encode(x);                   // q(z|x): (B, L)
  const Tensor z = q.loc() + tg::exp(q.log_var() * 0.5) * eps;  // (K, B, L)
  const auto prior = tg::vae::prior(model.latent_dim(), x.dtype());
  // TODO (estimators.2): evaluate log q at detached mu and log_var, so that only the path through z reaches the
  // encoder; TODO (estimators.5): compute w~ = w / sum_j w_j without the tape and replace z by
  // z~ = sg(z) + w~ (z - sg(z)), which scales the path term by w~ once more.
  const Tensor log_w = model.log_likelihood(x, z) + prior.log_prob(z) - q.log_prob(z);  // (K, B)
  return tg::prob::log_mean_exp(log_w, 0);                                              // (B,)
}

}  // namespace assignment
