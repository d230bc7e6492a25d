// Grader of exercise elbo: the Monte Carlo ELBO against the library's tg::vae::elbo_monte_carlo on a small VAE, on the
// exact linear-Gaussian model (at the true posterior it is log p(x) for every eps), its average against the analytic
// ELBO, and its gradients into the VAE's parameters against the library's. Exit status: the number of failed checks.
#include <cmath>

#include "elbo/elbo.hpp"
#include "grading.hpp"
#include "vae/elbo.hpp"
#include "vae/exact/linear_gaussian_model.hpp"
#include "vae/vae.hpp"

using tg::Tensor;
namespace vae = tg::vae;

namespace {

// The slips, from the library's pieces: each a wrong ELBO a student may write.
std::vector<grading::Slip> slips(const vae::LatentModel& model, const Tensor& x, const Tensor& eps) {
  tg::NoGrad no_grad;
  const tg::prob::Normal q = model.encode(x);
  const Tensor z = q.rsample_with(eps), z_mu = q.loc() + eps * 0.0;
  const Tensor lpx = model.log_likelihood(x, z), lpz = vae::prior(model.latent_dim(), x.dtype()).log_prob(z);
  const Tensor lq = q.log_prob(z);
  const Tensor at_mu =
      model.log_likelihood(x, z_mu) + vae::prior(model.latent_dim(), x.dtype()).log_prob(z_mu) - q.log_prob(z_mu);
  return {
      {tg::mean(lpx + lpz + lq, {0}), "log q(z|x) enters with a minus: log p(x|z) + log p(z) - log q(z|x)"},
      {tg::mean(lpx - lq, {0}), "log p(z) is missing: the prior N(0, I) at z (tg::vae::prior)"},
      {tg::mean(at_mu, {0}), "z = mu is the posterior's centre, not a sample: z = mu + sigma eps"},
      {tg::sum(lpx + lpz - lq, {0}), "K times the ELBO: the estimate is the mean over the K samples, not the sum"},
      {tg::zeros({x.size(0)}, x.dtype()), "yours is 0 everywhere: write the estimate where the skeleton says TODO"}};
}

std::string check_values(const vae::LatentModel& model, const Tensor& x, const Tensor& eps, const Tensor& expected) {
  const Tensor mine = assignment::elbo_monte_carlo(model, x, eps);
  if (grading::close(mine, expected, 1e-10)) return "";
  return grading::compare(mine, expected) + grading::diagnose(mine, slips(model, x, eps));
}

vae::exact::LinearGaussianModel exact_model() {  // W with orthogonal columns: the posterior is diagonal
  vae::exact::Matrix W(3, 2);
  W(0, 0) = 1.1, W(1, 1) = 0.7, W(2, 0) = -0.3, W(0, 1) = 0.3, W(2, 1) = 1.1;  // (1.1, 0, -.3), (.3, .7, 1.1)
  return vae::exact::LinearGaussianModel(vae::exact::LinearGaussian{W, {0.1, 0.3, -0.2}, 0.6});
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("elbo: the reparameterised Monte Carlo ELBO, (elbo.5)", argc, argv);
  tg::Generator gen(37);
  vae::VAE model(vae::Architecture{5, {4}, 2, "tanh", "pytorch"}, gen, tg::f64);
  const Tensor x = tg::bernoulli(tg::full({3, 5}, 0.5, tg::f64), gen);
  const std::string values = "(elbo.5) equals the library's tg::vae::elbo_monte_carlo on a 5-4-2 VAE (B = 3, K = 4)";

  grader.check(values, 3, [&] {
    const Tensor eps = tg::randn({4, 3, 2}, gen, tg::f64);
    return check_values(model, x, eps, vae::elbo_monte_carlo(model, x, eps));
  });
  grader.check("(gap.4) on the exact linear-Gaussian model with q = p(z|x), the ELBO is log p(x) for any eps", 2, [&] {
    vae::exact::LinearGaussianModel lg = exact_model();
    const Tensor xe = tg::tensor({0.4, -0.9, 1.3, 0.2, 0.5, -0.6}, {2, 3}, tg::f64);
    lg.use_exact_posterior(xe);
    std::vector<double> log_px;
    for (std::int64_t b = 0; b < 2; ++b) log_px.push_back(lg.exact().log_px(vae::exact::row_vector(xe, b)));
    return check_values(lg, xe, tg::randn({5, 2, 2}, gen, tg::f64), tg::tensor(log_px, tg::f64));
  });
  grader.check(
      "(elbo.6) on average, yours equals the ELBO with the KL in closed form (20000 draws, within 4 s.e.)", 1,
      [&] {
        const std::int64_t R = 20000;  // the first x, R times: one draw of eps each (K = 1)
        const Tensor xr = tg::copy(tg::broadcast_to(tg::slice(x, 0, 0, 1), {R, 5}));
        const Tensor eps = tg::randn({1, R, 2}, gen, tg::f64);
        const Tensor d = assignment::elbo_monte_carlo(model, xr, eps) - vae::elbo_analytic(model, xr, eps);
        const double m = tg::mean(d).item(), se = std::sqrt(tg::mean(tg::square(d - m)).item() / R);
        if (std::abs(m) <= 4 * se + 1e-12) return std::string();
        return "yours minus the analytic ELBO is " + grading::num(m) + " +- " + grading::num(se) +
               " on average: log p(z) - log q(z|x) must average to -KL(q || p)";
      },
      values);
  grader.check("gradients into every parameter of the VAE equal the library's (frozen eps, K = 3)", 2, [&] {
    const Tensor eps = tg::randn({3, 3, 2}, gen, tg::f64);
    const auto mine = grading::parameter_gradients(
        model.parameters(), [&] { return tg::sum(assignment::elbo_monte_carlo(model, x, eps)); });
    const auto expected =
        grading::parameter_gradients(model.parameters(), [&] { return tg::sum(vae::elbo_monte_carlo(model, x, eps)); });
    std::vector<std::string> names;
    for (const auto& [name, p] : model.named_parameters()) names.push_back("d ELBO / d " + name);
    return grading::compare_all(mine, expected, names, 1e-10);
  });
  return grader.finish();
}
