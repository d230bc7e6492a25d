// Grader of exercise dreg: the value against the library's IWAE bound, the encoder's and the decoder's gradients
// against the library's tg::vae::iwae_bound_dreg on a small VAE, and on the exact linear-Gaussian model at the true
// posterior, where the DReG gradient of q's parameters is exactly 0. Exit status: the number of failed checks.
#include "dreg/dreg.hpp"
#include "grading.hpp"
#include "prob/stable.hpp"
#include "vae/estimators.hpp"
#include "vae/exact/linear_gaussian_model.hpp"
#include "vae/iwae.hpp"
#include "vae/vae.hpp"

using tg::Tensor;
namespace vae = tg::vae;

namespace {

// The bounds students write on the way, as they would write them (their gradients are the slips' gradients).
Tensor variant(const vae::LatentModel& model, const Tensor& x, const Tensor& eps, bool stop_q, bool tilde,
               bool normalise) {
  const tg::prob::Normal q = model.encode(x);
  const Tensor z = q.rsample_with(eps);
  const auto qs = stop_q ? tg::prob::Normal::from_log_var(q.loc().detach(), q.log_var().detach(), 1) : q;
  const auto prior = vae::prior(model.latent_dim(), x.dtype());
  auto log_w = [&](const Tensor& zz) { return model.log_likelihood(x, zz) + prior.log_prob(zz) - qs.log_prob(zz); };
  Tensor w;
  {
    tg::NoGrad no_grad;
    const Tensor lw = log_w(z);
    w = normalise ? tg::exp(lw - tg::logsumexp(lw, 0, true)) : tg::exp(lw);
  }
  const Tensor z_tilde = tilde ? z.detach() + tg::unsqueeze(w, -1) * (z - z.detach()) : z;
  return tg::prob::log_mean_exp(log_w(z_tilde), 0);
}

struct Groups {
  std::vector<Tensor> params;
  std::vector<std::string> names;
};
Groups group(const vae::VAE& model, const std::string& prefix) {
  Groups g;
  for (const auto& [name, p] : model.named_parameters())
    if (name.rfind(prefix, 0) == 0) g.params.push_back(p), g.names.push_back("dL/d" + name);
  return g;
}

std::string check_group(const vae::VAE& model, const Tensor& x, const Tensor& eps, const std::string& prefix) {
  const Groups g = group(model, prefix);
  auto grads = [&](const std::function<Tensor()>& f) {
    return grading::parameter_gradients(g.params, [&] { return tg::sum(f()); });
  };
  const auto mine = grads([&] { return assignment::iwae_bound_dreg(model, x, eps); });
  const auto expected = grads([&] { return vae::iwae_bound_dreg(model, x, eps); });
  const std::string why = grading::compare_all(mine, expected, g.names, 1e-9);
  if (why.empty()) return "";
  const std::vector<std::pair<std::vector<Tensor>, std::string>> slips = {
      {grads([&] { return variant(model, x, eps, false, false, true); }),
       "this is the plain reparameterised gradient of L_K (the score term of log q is still in, each path term "
       "weighted by w~_k once): evaluate log q at detached mu and log_var, and use z~ = sg(z) + w~ (z - sg(z))"},
      {grads([&] { return variant(model, x, eps, true, false, true); }),
       "this is the STL estimator's gradient, sum_k w~_k (path term): DReG weights each path term by w~_k^2; "
       "z~ = sg(z) + w~ (z - sg(z)) adds the second w~"},
      {grads([&] { return variant(model, x, eps, false, true, true); }),
       "the score term of log q is still in: evaluate log q(z|x) at detached mu and log_var (estimators.2)"},
      {grads([&] { return variant(model, x, eps, true, true, false); }),
       "z~ scales by w_k, not by w~_k = w_k / sum_j w_j: normalise the weights"}};
  for (const auto& [wrong, hint] : slips)
    if (grading::compare_all(mine, wrong, g.names, 1e-9).empty()) return why + "\nhint: " + hint;
  return why;
}

// On the exact model at q = p(z|x): every log w is log p(x) whatever z is, so the path term, and DReG, are 0.
std::string check_exact(tg::Generator& gen) {
  vae::exact::Matrix W(3, 2);
  W(0, 0) = 1.3, W(1, 1) = 0.9, W(2, 0) = 0.4, W(0, 1) = -0.4, W(2, 1) = 1.3;  // orthogonal columns
  vae::exact::LinearGaussianModel model(vae::exact::LinearGaussian{W, {0.2, -0.1, 0.0}, 0.8});
  const Tensor x = tg::tensor({0.5, 1.0, -0.7, -0.2, 0.1, 0.9}, {2, 3}, tg::f64);
  model.use_exact_posterior(x);
  Tensor mu = tg::copy(model.q_mu()), log_var = tg::copy(model.q_log_var());
  mu.requires_grad(true), log_var.requires_grad(true);
  model.set_q(mu, log_var);
  const Tensor eps = tg::randn({4, 2, 2}, gen, tg::f64);
  const auto mine =
      grading::parameter_gradients({mu, log_var}, [&] { return tg::sum(assignment::iwae_bound_dreg(model, x, eps)); });
  return grading::compare_all(mine, {tg::zeros_like(mu), tg::zeros_like(log_var)}, {"dL/dmu", "dL/dlog_var"}, 1e-10);
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("dreg: the doubly reparameterised gradient of the IWAE bound", argc, argv);
  tg::Generator gen(41);
  vae::VAE model(vae::Architecture{5, {4}, 2, "tanh", "pytorch"}, gen, tg::f64);
  const Tensor x = tg::bernoulli(tg::full({3, 5}, 0.5, tg::f64), gen), eps = tg::randn({6, 3, 2}, gen, tg::f64);
  const std::string encoder = "(estimators.4) the encoder's gradient equals tg::vae::iwae_bound_dreg's (K = 6, B = 3)";

  grader.check(encoder, 4, [&] { return check_group(model, x, eps, "encoder."); });
  grader.check(
      "(estimators.4) the decoder's gradient is the IWAE bound's, sum_k w~_k grad log w_k", 2,
      [&] { return check_group(model, x, eps, "decoder."); }, encoder);
  grader.check(
      "the value is the IWAE bound L_K (tg::vae::iwae_bound)", 1,
      [&] {
        const Tensor mine = assignment::iwae_bound_dreg(model, x, eps), expected = vae::iwae_bound(model, x, eps);
        return grading::close(mine, expected, 1e-10) ? std::string() : grading::compare(mine, expected);
      },
      encoder);
  grader.check("at the exact posterior of the linear-Gaussian model, the gradient into q's mu and log_var is 0", 2,
               [&] { return check_exact(gen); });
  return grader.finish();
}
