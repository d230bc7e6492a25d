// The joint (x, eps) view in numbers, on a tiny 6-4-2 VAE: per sample, log p(x, eps) = log w + log q(eps) (joint.3),
// and on average E_eps[log p(x, eps)] = ELBO - H(q(eps)) with H = (d/2) log(2 pi e) (joint.4), (joint.5).
// Math: docs/derivations/joint.md (and reparam.md for the change of variables).
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"
#include "vae/vae.hpp"

int main() {
  using namespace tg;
  Generator gen(5);
  vae::VAE model(vae::Architecture{6, {4}, 2, "tanh", "pytorch"}, gen, f64);  // D = 6, L = d = 2
  Tensor x = tensor({1, 0, 1, 1, 0, 0}, {1, 6}, f64);                         // (B, D) = (1, 6)
  const std::int64_t d = model.latent_dim();
  const prob::StandardNormal q_eps({d}, f64, 1);  // q(eps) = N(0, I_d)
  NoGrad no_grad;                                 // only values here

  // 1. Sample by sample, for five draws of eps.
  Tensor eps = vae::draw_eps(model, x, 5, gen);              // (K, B, L) = (5, 1, 2)
  Tensor log_p_x_eps = vae::log_joint_x_eps(model, x, eps);  // (joint.2) (K, B)
  Tensor log_w = vae::log_weights(model, x, eps);            // (iwae.1)  (K, B)
  Tensor log_q_eps = q_eps.log_prob(eps);                    // log N(eps; 0, I): (K, B)
  std::printf("A 6-4-2 VAE, one binary x, d = %lld. Per sample eps_k:\n\n", static_cast<long long>(d));
  std::printf("%3s  %18s  %12s  %12s  %16s  %9s\n", "k", "eps_k", "log w", "log q(eps)", "log p(x, eps)", "|diff|");
  double worst = 0;
  for (std::int64_t k = 0; k < 5; ++k) {
    const double sum = log_w.flat(k) + log_q_eps.flat(k);  // (joint.3) log p(x, eps) = log w + log q(eps)
    const double diff = std::fabs(log_p_x_eps.flat(k) - sum);
    worst = std::fmax(worst, diff);
    std::printf("%3lld  (%+.3f, %+.3f)  %12.6f  %12.6f  %16.10f  %9.1e\n", static_cast<long long>(k), eps.flat(2 * k),
                eps.flat(2 * k + 1), log_w.flat(k), log_q_eps.flat(k), log_p_x_eps.flat(k), diff);
  }
  const bool per_sample = worst <= 1e-12;
  std::printf("\nper sample: log p(x, eps) = log w + log q(eps) to 1e-12 (joint.3): %s (largest |diff| %.1e)\n",
              per_sample ? "yes" : "NO", worst);

  // 2. On average: E_eps[log p(x, eps)] = ELBO - H(q(eps)), the ELBO estimated with the same K samples (elbo.5).
  const double H = vae::standard_normal_entropy(d);  // (joint.5) (d/2) log(2 pi e)
  std::printf("\nH(q(eps)) = (d/2) log(2 pi e) = %.6f (joint.5)\n\n", H);
  std::printf("%8s  %16s  %12s  %14s  %12s  %10s\n", "K", "mean log p(x,eps)", "ELBO est.", "ELBO est. - H",
              "difference", "its s.e.");
  bool average = true;
  for (std::int64_t K : {100, 10000, 200000}) {
    Tensor e = vae::draw_eps(model, x, K, gen);                                // (K, 1, 2)
    const double mean_joint = mean(vae::log_joint_x_eps(model, x, e)).item();  // E_eps[log p(x, eps)]
    const double elbo = mean(vae::log_weights(model, x, e)).item();            // (elbo.5) E[log w]
    // The two sides differ by mean(log q(eps)) + H, the Monte Carlo error of E[log q(eps)] = -H;
    // log q(eps) = -(d/2) log 2 pi - |eps|^2 / 2 has variance d/2, so its standard error is sqrt(d/2 / K).
    const double diff = mean_joint - (elbo - H);  // (joint.4)
    const double se = std::sqrt(0.5 * static_cast<double>(d) / static_cast<double>(K));
    average = average && std::fabs(diff) < 4 * se;
    std::printf("%8lld  %16.6f  %12.6f  %14.6f  %+12.6f  %10.6f\n", static_cast<long long>(K), mean_joint, elbo,
                elbo - H, diff, se);
  }
  std::printf("\non average: E_eps[log p(x, eps)] = ELBO - H(q(eps)) within 4 s.e. at every K (joint.4): %s\n",
              average ? "yes" : "NO");
  std::printf(
      "Maximising the ELBO is maximising the expected log-likelihood of (x, eps): they differ by the "
      "constant H = %.4f.\n",
      H);
  return per_sample && average ? 0 : 1;
}
