// Signal-to-noise ratios of gradient estimators (Rainforth et al. 2018): for every parameter, SNR = |E[g]| / std[g]
// over independent draws of the estimator's gradient g, averaged over the parameters of the inference network (phi)
// and of the generative network (theta), measured on the exact linear-Gaussian model. examples/snr_k prints them
// against k. Math: docs/derivations/estimators.md; measurements: docs/results.md.
#pragma once
#include <cstdint>
#include <vector>

#include "autodiff/random.hpp"
#include "vae/estimators.hpp"
#include "vae/exact/linear_gaussian_model.hpp"

namespace tg::vae::snr {

// Running sums of g and g^2 over the draws of a gradient, one pair per parameter component.
class Moments {
 public:
  explicit Moments(std::size_t n) : s1_(n, 0.0), s2_(n, 0.0) {}
  void add(const std::vector<double>& g);  // one draw, n components
  // The mean over the components of |mean| / std, times `scale`; components that never vary (std 0) are left out.
  // With n draws a component whose E[g] is 0 still shows |mean| / std of about sqrt(2 / (pi n)), the noise floor;
  // `corrected` takes sqrt(max(0, mean^2 - var / n)) for |E[g]| instead, which removes that floor on average.
  double mean_snr(double scale = 1.0, bool corrected = false) const;
  std::int64_t draws() const { return n_; }

 private:
  std::vector<double> s1_, s2_;
  std::int64_t n_ = 0;
};

struct Snr {
  double inference = 0, generative = 0;                      // mean over the parameters of |mean| / std
  double inference_corrected = 0, generative_corrected = 0;  // the same with the noise floor removed
};

// The exact linear-Gaussian model with L = 5 latent and D = 10 data dimensions, one data point x, and q = N(mu,
// exp(log_var)) moved away from the exact posterior (its mean by half a posterior standard deviation, its log-variance
// by 0.5), as a partly trained encoder would be.
struct ExactProblem {
  exact::LinearGaussianModel model;
  Tensor x;            // (1, D)
  Tensor mu, log_var;  // (1, L): q, the inference "network" phi; W and b of the model are theta
};
ExactProblem make_exact_problem();

// SNR of the estimator's gradient of L_k on the exact problem, from `draws` draws: the rows of a batch of R copies of
// x are independent draws for mu and log_var; W and b are shared by the rows, so their gradient is the mean of R draws
// and its SNR is divided by sqrt(R); R = 100, so theta has draws / 100 draws of its own (at least 2).
Snr exact_snr(ExactProblem& p, std::int64_t k, Estimator estimator, std::int64_t draws, Generator& gen);

// The least-squares slope of log SNR against log k (points with SNR <= 0 or not finite are left out).
double log_log_slope(const std::vector<double>& k, const std::vector<double>& snr);

}  // namespace tg::vae::snr
