// The gradient estimators (see estimators.hpp); each line is a line of docs/derivations/estimators.md.
#include "vae/estimators.hpp"

#include "autodiff/tape.hpp"
#include "vae/checks.hpp"
#include "vae/iwae.hpp"
#include "vae/iwae_gradient.hpp"

namespace tg::vae {

namespace {

// log p(x|z) + log p(z) - log q(z): the log weights at given z, under a given q.   z (K, B, L) -> (K, B)
Tensor log_weights_at(const LatentModel& model, const prob::Normal& q, const Tensor& x, const Tensor& z) {
  Tensor log_px_z = model.log_likelihood(x, z);                      // log p(x|z): (K, B)
  Tensor log_pz = prior(model.latent_dim(), x.dtype()).log_prob(z);  // log p(z): (K, B)
  return (log_px_z + log_pz - q.log_prob(z)).name("log_w");          // see (iwae.1)
}

}  // namespace

Estimator estimator_from_name(const std::string& name) {
  if (name == "reparam") return Estimator::reparam;
  if (name == "stl") return Estimator::stl;
  if (name == "dreg") return Estimator::dreg;
  fail("estimator_from_name", "estimator is '" + name + "', but must be 'reparam', 'stl' or 'dreg'");
}

const char* estimator_name(Estimator estimator) {
  switch (estimator) {
    case Estimator::reparam:
      return "reparam";
    case Estimator::stl:
      return "stl";
    case Estimator::dreg:
      return "dreg";
  }
  return "?";
}

Tensor log_weights_stl(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  check_x_eps("log_weights_stl", x, eps, model.latent_dim());
  prob::Normal q = model.encode(x);          // q(z|x): (B, L)
  Tensor z = q.rsample_with(eps).name("z");  // z = mu + sigma eps, see (reparam.1): the path term
  // (estimators.2) log q with mu and log_var cut from the tape: its score term d log q / d phi never forms
  prob::Normal q_stopped = prob::Normal::from_log_var(q.loc().detach(), q.log_var().detach(), 1);  // (B, L)
  // (estimators.3) at q = p(z|x), log w is log p(x) whatever z is: d log w / dz = 0 and the gradient is exactly 0
  return log_weights_at(model, q_stopped, x, z);  // (K, B), the values of log_weights
}

Tensor iwae_bound_dreg(const LatentModel& model, const Tensor& x, const Tensor& eps) {
  check_x_eps("iwae_bound_dreg", x, eps, model.latent_dim());
  prob::Normal q = model.encode(x);          // q(z|x): (B, L)
  Tensor z = q.rsample_with(eps).name("z");  // z = mu + sigma eps, see (reparam.1): (K, B, L)
  // q with mu and log_var detached, see (estimators.2): only the path term reaches them
  prob::Normal q_stopped = prob::Normal::from_log_var(q.loc().detach(), q.log_var().detach(), 1);
  Tensor w_tilde;  // (K, B)
  {
    NoGrad no_grad;  // a first pass without the tape, for the weights alone
    w_tilde = normalised_weights(log_weights_at(model, q_stopped, x, z.detach()));  // see (iwae_gradient.1)
  }
  // (estimators.5) z~ = sg(z) + w~ (z - sg(z)) has the value of z, but scales the gradient that reaches mu and
  // log_var through z by w~; the decoder's parameters see z~ = z and are not scaled.
  Tensor z_sg = z.detach();
  Tensor z_tilde = (z_sg + unsqueeze(w_tilde, -1) * (z - z_sg)).name("z_tilde");  // (K, B, L)
  Tensor log_w = log_weights_at(model, q_stopped, x, z_tilde);                    // (K, B)
  // (estimators.4) backward of L_K gives each log w_k the weight w~_k, see (iwae_gradient.2); z~ multiplies the path
  // term by w~_k once more: sum_k w~_k^2 (d log w_k / dz_k)(dz_k / dphi) for the encoder
  return iwae_bound_from_log_weights(log_w);  // value L_K, see (iwae.6): (B,)
}

Tensor iwae_bound_with(const LatentModel& model, const Tensor& x, const Tensor& eps, Estimator estimator) {
  switch (estimator) {
    case Estimator::reparam:
      return iwae_bound(model, x, eps);
    case Estimator::stl:
      return iwae_bound_from_log_weights(log_weights_stl(model, x, eps));
    case Estimator::dreg:
      return iwae_bound_dreg(model, x, eps);
  }
  fail("iwae_bound_with", "unknown estimator");
}

Tensor elbo_monte_carlo_with(const LatentModel& model, const Tensor& x, const Tensor& eps, Estimator estimator) {
  if (estimator == Estimator::dreg)
    fail("elbo_monte_carlo_with",
         "the dreg estimator is for the IWAE bound; for the ELBO (all weights 1/K) it is the stl estimator");
  check_x_eps("elbo_monte_carlo_with", x, eps, model.latent_dim());
  const Tensor log_w = estimator == Estimator::stl ? log_weights_stl(model, x, eps) : log_weights(model, x, eps);
  return mean(log_w, {0}).name("elbo");  // see (elbo.5): (B,)
}

}  // namespace tg::vae
