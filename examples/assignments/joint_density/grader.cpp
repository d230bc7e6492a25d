// Grader of exercise joint_density: the reparameterised sample against mu + sigma eps and by gradcheck, and
// log p(x, eps) by the identity (joint.3) log p(x, eps) = log w + log N(eps; 0, I), on a small VAE and on the exact
// linear-Gaussian model. Exit status: the number of failed checks.
#include "grading.hpp"
#include "joint_density/joint_density.hpp"
#include "vae/exact/linear_gaussian_model.hpp"
#include "vae/iwae.hpp"

using grading::num;
using tg::Tensor;

namespace {

std::string check_sample(const Tensor& mu, const Tensor& log_var, const Tensor& eps) {
  Tensor mine = assignment::reparam_sample(mu, log_var, eps);
  Tensor expected = tg::prob::Normal::from_log_var(mu, log_var, 1).rsample_with(eps);
  if (grading::close(mine, expected, 1e-12)) return "";
  const std::vector<grading::Slip> slips = {
      {tg::zeros_like(expected), "your z is 0 everywhere: write z = mu + sigma * eps"},
      {mu + tg::exp(log_var) * eps, "z spreads by sigma^2 = exp(log_var): sigma is exp(log_var / 2)"},
      {mu + log_var * eps, "log_var is not sigma: sigma is exp(log_var / 2)"},
      {tg::exp(log_var * 0.5) * eps, "z must be centred on mu: z = mu + sigma * eps"}};
  return "z: " + grading::compare(mine, expected) + grading::diagnose(mine, slips);
}

// (joint.3) log p(x, eps) = log w + log N(eps; 0, I), with the library's log_weights.
std::string check_joint(const tg::vae::LatentModel& model, const Tensor& x, const Tensor& eps) {
  Tensor mine = assignment::log_joint_x_eps(model, x, eps);
  const std::int64_t L = model.latent_dim();
  Tensor expected = tg::vae::log_weights(model, x, eps) + tg::prob::StandardNormal({L}, x.dtype(), 1).log_prob(eps);
  if (grading::close(mine, expected, 1e-9)) return "";
  Tensor sum_log_sigma = tg::sum(model.encode(x).log_var(), {-1}) * 0.5;  // (B,)
  const std::vector<grading::Slip> slips = {
      {expected - sum_log_sigma,
       "off by sum_j log sigma_j: did you forget log |det dz/deps| = sum_j log sigma_j "
       "(reparam.2)?"},
      {expected - sum_log_sigma * 2.0, "off by -2 sum_j log sigma_j: log |det dz/deps| is + sum_j log sigma_j"},
      {expected + sum_log_sigma,
       "off by +sum_j log sigma_j: sum_j log sigma_j = 1/2 sum_j log_var_j, not "
       "sum_j log_var_j"}};
  return "log p(x, eps): " + grading::compare(mine, expected) + grading::diagnose(mine, slips);
}

}  // namespace

int main() {
  grading::Grader grader("joint_density: z = mu + sigma eps and log p(x, eps)");
  tg::Generator gen(5);

  grader.check("(reparam.1) z = mu + sigma eps, sigma = exp(log_var / 2), on random (K, B, L) = (3, 4, 2)", [&] {
    return check_sample(tg::randn({4, 2}, gen, tg::f64), tg::randn({4, 2}, gen, tg::f64),
                        tg::randn({3, 4, 2}, gen, tg::f64));
  });

  grader.check("(reparam.3) gradients reach mu and log_var: gradcheck (float64)", [&] {
    Tensor mu = tg::randn({2, 3}, gen, tg::f64).name("mu"), log_var = tg::randn({2, 3}, gen, tg::f64).name("log_var");
    Tensor eps = tg::randn({4, 2, 3}, gen, tg::f64);
    mu.requires_grad(true), log_var.requires_grad(true);
    const tg::GradcheckResult r = tg::gradcheck(
        [&](const std::vector<Tensor>& in) { return assignment::reparam_sample(in[0], in[1], eps); }, {mu, log_var});
    if (r.ok) return std::string();
    if (!mu.grad().defined() && !log_var.grad().defined())
      return std::string("no gradient reaches mu or log_var: build z from tg ops on them (not from their values)");
    return r.report;
  });

  grader.check("(joint.3) log p(x, eps) = log w + log N(eps; 0, I) on a 5-3-2 VAE (B = 3, K = 4)", [&] {
    tg::vae::VAE model(tg::vae::Architecture{5, {3}, 2, "tanh", "pytorch"}, gen, tg::f64);
    Tensor x = tg::tensor({1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1}, {3, 5}, tg::f64);
    return check_joint(model, x, tg::randn({4, 3, 2}, gen, tg::f64));
  });

  grader.check("(joint.3) the same on the exact linear-Gaussian model, q = the exact posterior (B = 2, K = 3)", [&] {
    tg::vae::exact::Matrix W(3, 2);
    W(0, 0) = 1.2, W(1, 1) = 0.6, W(2, 0) = -0.4, W(0, 1) = 0.2, W(2, 1) = 0.6;  // orthogonal columns
    tg::vae::exact::LinearGaussianModel model(tg::vae::exact::LinearGaussian{W, {0.2, 0.0, -0.1}, 0.5});
    model.use_exact_encoder();
    Tensor x = tg::tensor({0.7, -0.2, 0.4, -1.0, 0.3, 0.8}, {2, 3}, tg::f64);
    return check_joint(model, x, tg::randn({3, 2, 2}, gen, tg::f64));
  });

  return grader.finish();
}
