// The IWAE bound against k on the exact linear-Gaussian model (vae::exact::LinearGaussianModel with vae::iwae_bound):
// L_1 is the ELBO, L_k rises with k and approaches log p(x) from below.
// Math: docs/derivations/iwae.md; the exact log p(x) and ELBO: docs/derivations/linear_gaussian.md.
#include <cmath>
#include <cstdio>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "vae/elbo.hpp"
#include "vae/exact/linear_gaussian_model.hpp"
#include "vae/iwae.hpp"

int main() {
  using namespace tg;
  // D = 3, L = 2, sigma = 0.5 (the model of elbo_gap), one data point x.
  vae::exact::Matrix W(3, 2);
  W.data = {1.0, -0.5, 0.3, 0.8, -0.7, 0.2};
  const vae::exact::LinearGaussian truth{W, {0.1, -0.2, 0.3}, 0.5};
  const vae::exact::Vector xv = {1.2, 0.4, -0.9};
  const vae::exact::Gaussian post = truth.posterior(xv);  // (linear_gaussian.3), a full covariance

  // q(z|x): diagonal, its mean off the posterior's, its standard deviations 1.5 times the posterior's marginal ones:
  // wider in every direction, so the weights are bounded and (iwae.5) applies. The ELBO has a visible gap.
  const std::vector<double> m = {post.m[0] + 0.3, post.m[1] - 0.2};
  const std::vector<double> var_q = {2.25 * post.S(0, 0), 2.25 * post.S(1, 1)};
  const double log_px = truth.log_px(xv);                                        // (linear_gaussian.2)
  const double elbo = truth.elbo(xv, {m, vae::exact::Matrix::diagonal(var_q)});  // (elbo.4), closed form

  // R independent pools of K_max samples, `chunk` of them per batch: the batch holds `chunk` copies of x, so each
  // column of eps (K_max, chunk, L) is one pool. L_k uses the first k samples of every pool (common random numbers:
  // neighbouring rows of the table then differ by far less noise than either has alone).
  const std::vector<std::int64_t> ks = {1, 2, 5, 10, 20, 50, 200};
  const std::int64_t K_max = ks.back(), R = 10000, chunk = 2000;
  vae::exact::LinearGaussianModel model(truth);
  Tensor x = broadcast_to(tensor(xv, {1, 3}, f64), {chunk, 3});            // (B, D)
  model.set_q(broadcast_to(tensor(m, {1, 2}, f64), {chunk, 2}),            // mu (B, L)
              broadcast_to(log(tensor(var_q, {1, 2}, f64)), {chunk, 2}));  // log_var (B, L)
  std::vector<double> sum_L(ks.size(), 0.0), sum_sq(ks.size(), 0.0);
  Generator gen(11);
  for (std::int64_t r = 0; r < R; r += chunk) {
    Tensor eps = vae::draw_eps(model, x, K_max, gen);  // (K_max, B, L)
    for (std::size_t i = 0; i < ks.size(); ++i) {
      Tensor bound = vae::iwae_bound(model, x, slice(eps, 0, 0, ks[i]));  // (iwae.2) (iwae.6): (B,)
      sum_L[i] += sum(bound).item();
      sum_sq[i] += sum(square(bound)).item();
    }
  }

  std::printf("Linear-Gaussian model (D = 3, L = 2), q(z|x) diagonal, off the posterior and wider than it.\n");
  std::printf("exact: log p(x) = %.4f, ELBO(q) = %.4f (closed form), gap = KL(q || p(z|x)) = %.4f\n", log_px, elbo,
              log_px - elbo);
  std::printf("%lld pools of %lld samples; L_k averages log (1/k) sum_i w_i over the first k of each pool.\n\n",
              static_cast<long long>(R), static_cast<long long>(K_max));
  std::printf("%6s  %10s  %8s  %14s\n", "k", "mean L_k", "+- s.e.", "log p(x) - L_k");
  std::vector<double> L, se;
  for (std::size_t i = 0; i < ks.size(); ++i) {
    const double mk = sum_L[i] / R, var = sum_sq[i] / R - mk * mk;
    L.push_back(mk);
    se.push_back(std::sqrt(var / static_cast<double>(R)));
    std::printf("%6lld  %10.4f  %8.4f  %14.4f\n", static_cast<long long>(ks[i]), mk, se.back(), log_px - mk);
  }
  std::printf("%6s  %10.4f  %8s  %14s\n", "exact", log_px, "", "(log p(x))");

  bool rising = true, below = true;
  for (std::size_t i = 0; i < L.size(); ++i) {
    if (i > 0) rising = rising && L[i] > L[i - 1];  // (iwae.4) L_k <= L_{k+1}
    below = below && L[i] < log_px + 3 * se[i];     // (iwae.4) L_k <= log p(x)
  }
  const bool elbo_ok = std::fabs(L[0] - elbo) < 4 * se[0];  // (iwae.3) L_1 = ELBO
  std::printf("\nL_1 = %.4f matches the closed-form ELBO %.4f within 4 s.e. (iwae.3): %s\n", L[0], elbo,
              elbo_ok ? "yes" : "NO");
  std::printf("the IWAE bound increases with k and stays below log p(x) (iwae.4): %s\n",
              rising && below ? "yes" : "NO");
  std::printf("at k = %lld it is within %.4f nats of log p(x) (iwae.5)\n", static_cast<long long>(K_max),
              log_px - L.back());
  return rising && below && elbo_ok ? 0 : 1;
}
