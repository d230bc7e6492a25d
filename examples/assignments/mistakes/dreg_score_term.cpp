// Exercise dreg, a known slip (the grader must name it): z~ as it should be, but log q evaluated at mu and log_var with
// their gradients: the score term stays in.
// expect: the score term of log q is still in
#include "autodiff/autodiff.hpp"
#include "dreg/dreg.hpp"
#include "prob/stable.hpp"

namespace assignment {

using tg::Tensor;

Tensor iwae_bound_dreg(const tg::vae::LatentModel& model, const Tensor& x, const Tensor& eps) {
  const tg::prob::Normal q = model.encode(x);                   // q(z|x): (B, L)
  const Tensor z = q.loc() + tg::exp(q.log_var() * 0.5) * eps;  // (K, B, L)
  // (estimators.2) log q at detached mu and log_var: no score term reaches the encoder, only the path through z
  const auto q_stopped = tg::prob::Normal::from_log_var(q.loc(), q.log_var(), 1);
  const auto prior = tg::vae::prior(model.latent_dim(), x.dtype());
  auto log_w = [&](const Tensor& zz) {  // log p(x|z) + log p(z) - log q(z|x): (K, B)
    return model.log_likelihood(x, zz) + prior.log_prob(zz) - q_stopped.log_prob(zz);
  };
  Tensor w_tilde;  // w~_k = w_k / sum_j w_j, constants of the backward sweep: (K, B)
  {
    tg::NoGrad no_grad;
    const Tensor lw = log_w(z);
    w_tilde = tg::exp(lw - tg::logsumexp(lw, 0, /*keepdim=*/true));
  }
  // (estimators.5) z~ = sg(z) + w~ (z - sg(z)): the value of z, the gradient through z scaled by w~ once more
  const Tensor z_sg = z.detach();
  const Tensor z_tilde = z_sg + tg::unsqueeze(w_tilde, -1) * (z - z_sg);  // (K, B, L)
  return tg::prob::log_mean_exp(log_w(z_tilde), 0);                       // (estimators.4): (B,)
}

}  // namespace assignment
