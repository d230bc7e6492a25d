// Two unbiased gradients of E_q[f(z)], q = N(mu, sigma^2), f(z) = (z - 3)^2 (math: docs/derivations/reparam.md):
// the pathwise (reparameterised) estimator (reparam.3) and the score-function (REINFORCE) estimator (reparam.4),
// each computed by the tape, one gradient per draw; their means agree with the exact gradient, their variances not.
#include <cmath>
#include <cstdio>

#include "autodiff/autodiff.hpp"
#include "prob/prob.hpp"

namespace {

struct Stats {
  double mean, var;
};
Stats stats(const tg::Tensor& g) {  // mean and variance of the per-draw gradients
  const double m = tg::mean(g).item();
  return {m, tg::mean(tg::square(g - m)).item()};
}

}  // namespace

int main() {
  using namespace tg;
  const std::int64_t N = 100000;  // seeded draws
  const double mu0 = 1.0, sigma0 = 0.5;
  Generator gen(17);
  Tensor eps = randn({N}, gen, f64).name("eps");  // the same noise for both estimators

  // One copy of (mu, sigma) per draw, so that after backward(sum(...)) the i-th gradient is the i-th draw's.
  auto leaves = [&] {
    Tensor mu = full({N}, mu0, f64).name("mu"), sigma = full({N}, sigma0, f64).name("sigma");
    mu.requires_grad(true);
    sigma.requires_grad(true);
    return std::pair{mu, sigma};
  };
  auto f = [](const Tensor& z) { return square(z - 3.0); };  // f(z) = (z - 3)^2

  // Pathwise: z = mu + sigma eps on the tape; the gradient flows through z: df/dz * dz/d(mu, sigma).
  auto [mu_p, sigma_p] = leaves();
  Tensor z_p = prob::Normal::from_scale(mu_p, sigma_p).rsample_with(eps);  // (reparam.1)
  backward(sum(f(z_p)));                                                   // (reparam.3) 2 (z - 3) * (1, eps)
  current_tape().clear();

  // Score function: f(z) is a constant weight on grad log q(z); z itself is cut from the tape.
  auto [mu_s, sigma_s] = leaves();
  Tensor z_s = (mu_s.detach() + sigma_s.detach() * eps);                 // the same draws, no gradient
  Tensor log_q = prob::Normal::from_scale(mu_s, sigma_s).log_prob(z_s);  // log N(z; mu, sigma^2): (N,)
  backward(sum(f(z_s) * log_q));                                         // (reparam.4) f(z) grad log q(z)
  current_tape().clear();

  // Exact: E_q[(z - 3)^2] = (mu - 3)^2 + sigma^2, so d/dmu = 2 (mu - 3) and d/dsigma = 2 sigma.
  const double exact_mu = 2 * (mu0 - 3), exact_sigma = 2 * sigma0;
  std::printf("q = N(mu = %.1f, sigma = %.1f), f(z) = (z - 3)^2, E_q[f] = (mu - 3)^2 + sigma^2 = %.4f\n", mu0, sigma0,
              (mu0 - 3) * (mu0 - 3) + sigma0 * sigma0);
  std::printf("%lld seeded draws of eps, the same for both estimators; one gradient per draw.\n\n",
              static_cast<long long>(N));
  std::printf("%-10s %-16s %10s %10s %12s %12s\n", "parameter", "estimator", "exact", "mean", "+- s.e.", "variance");
  bool unbiased = true, lower = true;
  double ratio[2];
  const struct {
    const char* name;
    double exact;
    Tensor path, score;
  } rows[] = {{"d/dmu", exact_mu, mu_p.grad(), mu_s.grad()}, {"d/dsigma", exact_sigma, sigma_p.grad(), sigma_s.grad()}};
  for (int r = 0; r < 2; ++r) {
    const Stats p = stats(rows[r].path), s = stats(rows[r].score);
    const double se_p = std::sqrt(p.var / N), se_s = std::sqrt(s.var / N);
    std::printf("%-10s %-16s %10.4f %10.4f %12.4f %12.4f\n", rows[r].name, "pathwise", rows[r].exact, p.mean, se_p,
                p.var);
    std::printf("%-10s %-16s %10.4f %10.4f %12.4f %12.4f\n", "", "score function", rows[r].exact, s.mean, se_s, s.var);
    unbiased = unbiased && std::fabs(p.mean - rows[r].exact) < 4 * se_p && std::fabs(s.mean - rows[r].exact) < 4 * se_s;
    lower = lower && p.var < s.var;
    ratio[r] = s.var / p.var;
  }
  std::printf("\nvariance ratio score / pathwise: %.1f for mu, %.1f for sigma\n", ratio[0], ratio[1]);
  std::printf("both estimators are unbiased (means within 4 s.e. of the exact gradient): %s\n",
              unbiased ? "yes" : "NO");
  std::printf("the pathwise gradient has the lower variance for mu and for sigma: %s\n", lower ? "yes" : "NO");
  std::printf(
      "The score function multiplies the value of f by a zero-mean factor; the pathwise gradient uses "
      "its slope.\n");
  return unbiased && lower ? 0 : 1;
}
