// log p(x) estimated by importance sampling with k samples from q(z|x) (Burda et al. use k = 5000), drawn in
// chunks so that memory stays bounded whatever k is, with the delta-method standard error and the effective
// sample size of the weights. Math: docs/derivations/estimate.md.
#pragma once
#include <cstdint>
#include <vector>

#include "autodiff/random.hpp"
#include "vae/model.hpp"

namespace tg::vae {

struct LogPxEstimate {
  std::vector<double> log_px;   // (estimate.2) per example: log (1/k) sum_i w_i
  std::vector<double> std_err;  // (estimate.5) per example: delta-method standard error of log_px
  std::vector<double> ess;      // per example: (sum w)^2 / sum w^2, between 1 and k
  double mean_log_px() const;
  double mean_std_err() const;  // standard error of mean_log_px from the per-example errors
};

// x (B, D). At most max_rows = chunk * B rows go through the decoder at once. Records nothing on the tape.
LogPxEstimate estimate_log_px(const LogWeightModel& model, const Tensor& x, std::int64_t k, Generator& gen,
                              std::int64_t max_rows = 8192);

// The same running sums over given log weights (K, B), one chunk: used by estimate_log_px and its tests.
struct LogWeightSums {
  std::vector<double> m, s1, s2;  // (estimate.6) running max, sum of e^(a - m), sum of e^(2(a - m))
  std::int64_t k = 0;
  explicit LogWeightSums(std::int64_t B);
  void add(const Tensor& log_w);  // (K, B)
  LogPxEstimate result() const;
};

}  // namespace tg::vae
