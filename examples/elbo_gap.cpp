// The gap in numbers: on the exact linear-Gaussian model, log p(x), the ELBO of several Gaussian q and
// KL(q || p(z|x)), showing that log p(x) = ELBO + KL for every q (gap.2) and that the gap closes at the posterior
// (gap.3). Math: docs/derivations/gap.md; the closed forms: docs/derivations/linear_gaussian.md.
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

#include "vae/exact/linear_gaussian.hpp"

int main() {
  using namespace tg::vae;
  using namespace tg::vae::exact;
  // D = 3 data dims, d = 2 latent dims, observation noise sigma = 0.5.
  Matrix W(3, 2);
  W.data = {1.0, -0.5, 0.3, 0.8, -0.7, 0.2};
  const LinearGaussian model{W, {0.1, -0.2, 0.3}, 0.5};
  model.validate();
  const Vector x = {1.2, 0.4, -0.9};

  const double log_px = model.log_px(x);         // (linear_gaussian.2)
  const Gaussian post = model.posterior(x);      // (linear_gaussian.3)
  const Matrix precision = inverse_spd(post.S);  // Lambda = Sigma_post^-1

  struct Candidate {
    std::string what;
    Gaussian q;
  };
  std::vector<Candidate> qs = {
      {"the exact posterior p(z|x)", post},
      {"mean-field: post. mean, S = diag(1/Lambda_jj)",
       {post.m, Matrix::diagonal({1 / precision(0, 0), 1 / precision(1, 1)})}},
      {"post. mean, S = I", {post.m, Matrix::identity(2)}},
      {"shifted: mean + (0.5, -0.5), post. S", {add(post.m, Vector{0.5, -0.5}), post.S}},
      {"the prior N(0, I)", standard_normal(2)},
      {"far off: m = (2, 2), S = 0.1 I", {{2.0, 2.0}, Matrix::diagonal({0.1, 0.1})}},
  };

  std::printf("Linear-Gaussian model: p(z) = N(0, I_2), p(x|z) = N(W z + b, 0.5^2 I_3), x = (1.2, 0.4, -0.9)\n");
  std::printf("log p(x) = %.12f   (linear_gaussian.2)\n\n", log_px);
  std::printf("%-46s %16s %16s %16s %9s\n", "q", "ELBO(q)", "KL(q||p(z|x))", "ELBO + KL", "|diff|");
  double worst = 0;
  for (const Candidate& c : qs) {
    const double elbo = model.elbo(x, c.q);               // (elbo.4)
    const double kl = kl_gaussians(c.q, post);            // (kl.2)
    const double diff = std::fabs(log_px - (elbo + kl));  // (gap.2) log p(x) = ELBO + KL
    worst = std::fmax(worst, diff);
    std::printf("%-46s %16.10f %16.10f %16.12f %9.1e\n", c.what.c_str(), elbo, kl, elbo + kl, diff);
  }

  const double tight = std::fabs(model.elbo(x, post) - log_px);  // (gap.3) ELBO = log p(x) at q = p(z|x)
  std::printf("\nEvery row: ELBO <= log p(x) (elbo.2), and the shortfall is exactly the KL to the posterior.\n");
  std::printf("At q = p(z|x) the KL is 0 and the bound is tight: |ELBO - log p(x)| = %.1e (gap.3)\n", tight);
  const bool ok = worst <= 1e-9 && tight <= 1e-9;
  std::printf("log p(x) = ELBO + KL for all %zu q: the numbers add up to 1e-9 (largest |diff| %.1e): %s\n", qs.size(),
              worst, ok ? "yes" : "NO");
  return ok ? 0 : 1;
}
