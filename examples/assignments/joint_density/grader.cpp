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

// The gradients of sum(z * g) into mu and log_var, from the student's z or from the library's.
std::vector<Tensor> sample_gradients(bool mine, const Tensor& mu0, const Tensor& lv0, const Tensor& eps,
                                     const Tensor& g) {
  tg::Tape tape;
  tg::TapeScope scope(tape);
  Tensor mu = tg::copy(mu0), log_var = tg::copy(lv0);
  mu.requires_grad(true), log_var.requires_grad(true);
  Tensor z = mine ? assignment::reparam_sample(mu, log_var, eps)
                  : tg::prob::Normal::from_log_var(mu, log_var, 1).rsample_with(eps);
  tape.backward(tg::sum(z * g));
  return {mu.grad().defined() ? mu.grad() : tg::zeros_like(mu),
          log_var.grad().defined() ? log_var.grad() : tg::zeros_like(log_var)};
}

std::string check_sample_gradients(tg::Generator& gen) {
  Tensor mu = tg::randn({2, 3}, gen, tg::f64), log_var = tg::randn({2, 3}, gen, tg::f64);
  Tensor eps = tg::randn({4, 2, 3}, gen, tg::f64), g = tg::randn({4, 2, 3}, gen, tg::f64);
  const std::vector<Tensor> mine = sample_gradients(true, mu, log_var, eps, g),
                            expected = sample_gradients(false, mu, log_var, eps, g);
  if (!grading::close(mine[0], expected[0], 1e-9)) return "dz/dmu: " + grading::compare(mine[0], expected[0]);
  if (grading::close(mine[1], expected[1], 1e-9)) return "";
  const std::vector<grading::Slip> slips = {
      {tg::zeros_like(log_var), "no gradient reaches log_var: build sigma from log_var with tg ops (tg::exp)"}};
  return "dz/dlog_var (sum over k of g eps sigma / 2): " + grading::compare(mine[1], expected[1]) +
         grading::diagnose(mine[1], slips);
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

int main(int argc, char** argv) {
  grading::Grader grader("joint_density: z = mu + sigma eps and log p(x, eps)", argc, argv);
  tg::Generator gen(5);

  grader.check("(reparam.1) z = mu + sigma eps, sigma = exp(log_var / 2), on random (K, B, L) = (3, 4, 2)", 2, [&] {
    return check_sample(tg::randn({4, 2}, gen, tg::f64), tg::randn({4, 2}, gen, tg::f64),
                        tg::randn({3, 4, 2}, gen, tg::f64));
  });

  grader.check("(reparam.3) dz/dmu and dz/dlog_var equal the library's (Normal::rsample_with), (K, B, L) = (4, 2, 3)",
               2, [&] { return check_sample_gradients(gen); });

  grader.check("(joint.3) log p(x, eps) = log w + log N(eps; 0, I) on a 5-3-2 VAE (B = 3, K = 4)", 2, [&] {
    tg::vae::VAE model(tg::vae::Architecture{5, {3}, 2, "tanh", "pytorch"}, gen, tg::f64);
    Tensor x = tg::tensor({1, 0, 0, 1, 1, 0, 1, 1, 0, 0, 1, 1, 1, 0, 1}, {3, 5}, tg::f64);
    return check_joint(model, x, tg::randn({4, 3, 2}, gen, tg::f64));
  });

  grader.check("(joint.3) the same on the exact linear-Gaussian model, q = the exact posterior (B = 2, K = 3)", 2, [&] {
    tg::vae::exact::Matrix W(3, 2);
    W(0, 0) = 1.2, W(1, 1) = 0.6, W(2, 0) = -0.4, W(0, 1) = 0.2, W(2, 1) = 0.6;  // orthogonal columns
    tg::vae::exact::LinearGaussianModel model(tg::vae::exact::LinearGaussian{W, {0.2, 0.0, -0.1}, 0.5});
    model.use_exact_encoder();
    Tensor x = tg::tensor({0.7, -0.2, 0.4, -1.0, 0.3, 0.8}, {2, 3}, tg::f64);
    return check_joint(model, x, tg::randn({3, 2, 2}, gen, tg::f64));
  });

  return grader.finish();
}
