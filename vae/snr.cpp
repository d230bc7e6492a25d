// Signal-to-noise ratios of gradient estimators on the exact linear-Gaussian model (see snr.hpp). Math:
// docs/derivations/estimators.md.
#include "vae/snr.hpp"

#include <algorithm>
#include <cmath>

#include "autodiff/tape.hpp"
#include "vae/elbo.hpp"

namespace tg::vae::snr {

void Moments::add(const std::vector<double>& g) {
  for (std::size_t i = 0; i < g.size(); ++i) s1_[i] += g[i], s2_[i] += g[i] * g[i];
  ++n_;
}

double Moments::mean_snr(double scale, bool corrected) const {
  const double n = static_cast<double>(n_);
  double total = 0;
  std::int64_t used = 0;
  for (std::size_t i = 0; i < s1_.size(); ++i) {
    const double mean = s1_[i] / n, var = (s2_[i] - n * mean * mean) / (n - 1);
    if (!(var > 1e-30 * (mean * mean + 1e-300))) continue;  // never varies: no ratio to speak of
    const double signal = corrected ? std::sqrt(std::max(0.0, mean * mean - var / n)) : std::abs(mean);
    total += signal / std::sqrt(var), ++used;
  }
  return used == 0 ? 0.0 : scale * total / static_cast<double>(used);
}

ExactProblem make_exact_problem() {
  constexpr std::size_t D = 10, L = 5;
  exact::Matrix W(D, L);  // orthogonal columns of norms 0.5 ... 1.7: the exact posterior is diagonal
  for (std::size_t j = 0; j < L; ++j)
    W(2 * j, j) = W(2 * j + 1, j) = (0.5 + 0.3 * static_cast<double>(j)) / std::sqrt(2.0);
  exact::Vector b(D);
  for (std::size_t i = 0; i < D; ++i) b[i] = 0.1 * static_cast<double>(i) - 0.4;
  ExactProblem p{exact::LinearGaussianModel({W, b, 0.7}), Tensor(), Tensor(), Tensor()};
  p.x = tensor({1.2, 0.9, -0.3, -0.8, 1.9, 1.4, -1.1, -0.2, 0.6, 0.1}, {1, static_cast<std::int64_t>(D)}, f64);
  p.model.use_exact_posterior(p.x);
  const Tensor sd = exp(p.model.q_log_var() * 0.5);
  p.mu = (p.model.q_mu() + sd * 0.5).detach();       // (1, L)
  p.log_var = (p.model.q_log_var() + 0.5).detach();  // (1, L)
  return p;
}

Snr exact_snr(ExactProblem& p, std::int64_t k, Estimator estimator, std::int64_t draws, Generator& gen) {
  const std::int64_t R = 100, G = std::max<std::int64_t>(2, draws / R), L = p.mu.size(1), D = p.x.size(1);
  Tensor W = p.model.W(), b = p.model.b();  // handles on the model's own decoder tensors: theta
  W.requires_grad(true), b.requires_grad(true);
  const Tensor x = broadcast_to(p.x, {R, D}).detach();  // (R, D): R draws at once
  Moments phi(static_cast<std::size_t>(2 * L)), theta(static_cast<std::size_t>(D * L + D));
  for (std::int64_t g = 0; g < G; ++g) {
    Tensor mu = copy(broadcast_to(p.mu, {R, L})), log_var = copy(broadcast_to(p.log_var, {R, L}));  // (R, L) leaves
    mu.requires_grad(true), log_var.requires_grad(true);
    p.model.set_q(mu, log_var);
    W.zero_grad(), b.zero_grad();
    backward(sum(iwae_bound_with(p.model, x, draw_eps(p.model, x, k, gen), estimator)));
    for (std::int64_t r = 0; r < R; ++r) {  // row r of the encoder's gradient is one draw
      std::vector<double> g_phi;
      for (const Tensor& t : {mu.grad(), log_var.grad()})
        for (std::int64_t u = 0; u < L; ++u) g_phi.push_back(t.flat(r * L + u));
      phi.add(g_phi);
    }
    std::vector<double> g_theta = W.grad().to_vector(), g_b = b.grad().to_vector();  // sums of R draws
    g_theta.insert(g_theta.end(), g_b.begin(), g_b.end());
    for (double& v : g_theta) v /= static_cast<double>(R);
    theta.add(g_theta);
    current_tape().clear();
  }
  W.requires_grad(false), b.requires_grad(false);
  const double per_draw = 1.0 / std::sqrt(static_cast<double>(R));
  return {phi.mean_snr(), theta.mean_snr(per_draw), phi.mean_snr(1.0, true), theta.mean_snr(per_draw, true)};
}

double log_log_slope(const std::vector<double>& k, const std::vector<double>& snr) {
  double n = 0, sx = 0, sy = 0, sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < k.size(); ++i) {
    if (!(snr[i] > 0) || !std::isfinite(snr[i])) continue;
    const double lx = std::log(k[i]), ly = std::log(snr[i]);
    n += 1, sx += lx, sy += ly, sxx += lx * lx, sxy += lx * ly;
  }
  return n < 2 ? NAN : (n * sxy - sx * sy) / (n * sxx - sx * sx);
}

}  // namespace tg::vae::snr
