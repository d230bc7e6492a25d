// The ELBO (see elbo.hpp); each line is a line of docs/derivations/elbo.md, tagged with its equation.
#include "vae/elbo.hpp"

#include "prob/kl.hpp"
#include "vae/checks.hpp"
#include "vae/iwae.hpp"

namespace tg::vae {

Tensor draw_eps(const LogWeightModel& model, const Tensor& x, std::int64_t K, Generator& gen) {
  check_x("draw_eps", x);
  if (K < 1) fail("draw_eps", "K is " + std::to_string(K) + ", but must be at least 1");
  return randn({K, x.size(0), model.noise_dim()}, gen, x.dtype());
}

Tensor elbo_analytic(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  check_x_eps("elbo_analytic", x, eps, model.latent_dim());  // eps (B, L) would make the mean run over the batch
  prob::Normal q = model.encode(x);                          // q(z|x): (B, L)
  Tensor z = q.rsample_with(eps);                            // z = mu + sigma eps, see (reparam.1): (K, B, L)
  // backward flows through z into mu and log_var: the pathwise gradient, see (reparam.3)
  Tensor recon = mean(model.log_likelihood(x, z), {0});                      // E_q[log p(x|z)] by Monte Carlo: (B,)
  Tensor kl = prob::kl_divergence(q, prior(model.latent_dim(), x.dtype()));  // in closed form, see (kl.4): (B,)
  // (elbo.2) its expectation is at most log p(x); (gap.2) below it by exactly KL(q(z|x) || p(z|x)),
  // (gap.3) which is 0 when q(z|x) is the posterior
  return (recon - kl).name("elbo");  // (elbo.6) = (elbo.3)
}

Tensor elbo_monte_carlo(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  check_x_eps("elbo_monte_carlo", x, eps, model.latent_dim());
  // (kl.1) log_w holds log p(z_k) - log q(z_k|x): its mean over k is minus a Monte Carlo KL(q(z|x) || p(z))
  Tensor log_w = log_weights(model, x, eps);  // log p(x, z_k) - log q(z_k|x), see (iwae.1): (K, B)
  return mean(log_w, {0}).name("elbo");       // (elbo.5) = (elbo.1) estimated
}

}  // namespace tg::vae
