// The gradient signal-to-noise ratios of vae/snr.hpp (what examples/snr_k prints): the moments against values by
// hand, the log-log slope, the batched measurement on the exact linear-Gaussian model against one draw per backward
// sweep, and the slopes in k of Rainforth et al. (2018) and Tucker et al. (2019). Math: docs/derivations/estimators.md.
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "autodiff/tape.hpp"
#include "vae/elbo.hpp"
#include "vae/snr.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::snr;

TEST_CASE("Moments: |mean| / std per component, averaged, with and without the noise floor", "[snr][estimators]") {
  Moments m(3);
  for (double v : {1.0, 2.0, 3.0, 4.0}) m.add({7.0, v, v > 2.5 ? -1.0 : 1.0});  // component 0 never varies
  CHECK(m.draws() == 4);
  // component 1: mean 2.5, sample variance 5/3; component 2: mean 0, variance 4/3
  const double snr1 = 2.5 / std::sqrt(5.0 / 3.0);
  CHECK(m.mean_snr() == Approx((snr1 + 0.0) / 2).epsilon(1e-12));
  CHECK(m.mean_snr(0.1) == Approx(0.1 * snr1 / 2).epsilon(1e-12));
  const double corrected1 = std::sqrt(2.5 * 2.5 - (5.0 / 3.0) / 4) / std::sqrt(5.0 / 3.0);
  CHECK(m.mean_snr(1.0, true) == Approx(corrected1 / 2).epsilon(1e-12));
  CHECK(Moments(2).mean_snr() == 0.0);  // no draws: nothing to report, not NaN
}

TEST_CASE("log_log_slope fits log snr against log k, leaving out points that have no log", "[snr][estimators]") {
  const std::vector<double> k{1, 10, 100, 1000};
  CHECK(log_log_slope(k, {2.0, 2.0 / std::sqrt(10.0), 0.2, 2.0 / std::sqrt(1000.0)}) == Approx(-0.5).epsilon(1e-12));
  CHECK(log_log_slope(k, {0.5, 5.0, 0.0, 500.0}) == Approx(1.0).epsilon(1e-12));  // the 0 is left out
  CHECK(std::isnan(log_log_slope({1, 10}, {1.0, -1.0})));
}

namespace {

// The same SNRs as exact_snr, one draw per backward sweep: x is the problem's one row, so no gradient is a mean of
// several draws and nothing needs rescaling.
Snr one_draw_per_sweep(ExactProblem& p, std::int64_t k, Estimator estimator, std::int64_t draws, Generator& gen) {
  Tensor W = p.model.W(), b = p.model.b();
  W.requires_grad(true), b.requires_grad(true);
  const std::int64_t L = p.mu.size(1);
  Moments phi(static_cast<std::size_t>(2 * L)), theta(static_cast<std::size_t>(W.numel() + b.numel()));
  for (std::int64_t d = 0; d < draws; ++d) {
    Tensor mu = copy(p.mu), log_var = copy(p.log_var);  // (1, L) leaves
    mu.requires_grad(true), log_var.requires_grad(true);
    p.model.set_q(mu, log_var);
    W.zero_grad(), b.zero_grad();
    backward(sum(iwae_bound_with(p.model, p.x, draw_eps(p.model, p.x, k, gen), estimator)));
    std::vector<double> g_phi = mu.grad().to_vector(), g_lv = log_var.grad().to_vector();
    g_phi.insert(g_phi.end(), g_lv.begin(), g_lv.end());
    std::vector<double> g_theta = W.grad().to_vector(), g_b = b.grad().to_vector();
    g_theta.insert(g_theta.end(), g_b.begin(), g_b.end());
    phi.add(g_phi), theta.add(g_theta);
    current_tape().clear();
  }
  W.requires_grad(false), b.requires_grad(false);
  return {phi.mean_snr(), theta.mean_snr(), phi.mean_snr(1.0, true), theta.mean_snr(1.0, true)};
}

}  // namespace

TEST_CASE("exact_snr: the batched measurement gives the SNR of one draw, for both networks", "[snr][estimators]") {
  ExactProblem p = make_exact_problem();
  Generator gen(131);
  for (Estimator e : {Estimator::reparam, Estimator::dreg}) {
    const Snr batched = exact_snr(p, 10, e, 40000, gen);  // 400 sweeps of 100 rows
    const Snr single = one_draw_per_sweep(p, 10, e, 4000, gen);
    INFO(estimator_name(e) << ": inference " << batched.inference << " against " << single.inference << " (corrected "
                           << batched.inference_corrected << " against " << single.inference_corrected
                           << "), generative " << batched.generative << " against " << single.generative);
    // without the noise floor, which is larger for the 4000 draws of the single sweeps than for the 40000 batched
    CHECK(batched.inference_corrected == Approx(single.inference_corrected).epsilon(0.15));
    CHECK(batched.generative == Approx(single.generative).epsilon(0.15));
  }
}

TEST_CASE("exact_snr: slopes in k on the exact model, reparam's encoder falling as 1/sqrt(k), the rest rising",
          "[snr][estimators]") {
  // Rainforth et al. 2018: with reparam the inference network's SNR falls like k^-1/2 while the generative network's
  // rises like k^1/2; Tucker et al. 2019: DReG's inference SNR rises like k^1/2 too.
  ExactProblem p = make_exact_problem();
  Generator gen(132);
  const std::vector<double> ks{1, 10, 100};
  for (Estimator e : {Estimator::reparam, Estimator::dreg}) {
    std::vector<double> inference, generative;
    for (double k : ks) {
      const Snr s = exact_snr(p, static_cast<std::int64_t>(k), e, 20000, gen);
      inference.push_back(s.inference_corrected), generative.push_back(s.generative_corrected);
    }
    // DReG's encoder reaches its asymptotic rate only past k = 10 (at k = 1 it is STL's, already high): fit 10, 100
    const double slope_phi =
        e == Estimator::reparam ? log_log_slope(ks, inference) : log_log_slope({10, 100}, {inference[1], inference[2]});
    const double slope_theta = log_log_slope(ks, generative);
    INFO(estimator_name(e) << ": inference " << inference[0] << ", " << inference[1] << ", " << inference[2]
                           << " (slope " << slope_phi << "); generative " << generative[0] << ", " << generative[1]
                           << ", " << generative[2] << " (slope " << slope_theta << ")");
    // 0.1 for reparam: with fewer independent draws than it counts (one row read R times, say), the noise floor
    // left at k = 100 (SNR 0.03) would flatten the slope to about -0.35
    CHECK(slope_phi == Approx(e == Estimator::reparam ? -0.5 : 0.5).margin(e == Estimator::reparam ? 0.1 : 0.15));
    CHECK(slope_theta == Approx(0.5).margin(0.15));
  }
}
