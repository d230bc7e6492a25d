// The importance-sampling estimate of log p(x) (see estimate.hpp); each line is a line of
// docs/derivations/estimate.md, tagged with its equation.
#include "vae/estimate.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/checked.hpp"
#include "autodiff/tape.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"

namespace tg::vae {

LogWeightSums::LogWeightSums(std::int64_t B)
    : m(static_cast<std::size_t>(B), -std::numeric_limits<double>::infinity()),
      s1(static_cast<std::size_t>(B), 0.0),
      s2(static_cast<std::size_t>(B), 0.0) {}

void LogWeightSums::add(const Tensor& log_w) {
  const std::int64_t K = log_w.size(0), B = log_w.size(1);
  if (B != static_cast<std::int64_t>(m.size()))
    fail("estimate_log_px", "log_w has " + std::to_string(B) + " columns, expected " + std::to_string(m.size()));
  for (std::int64_t b = 0; b < B; ++b) {
    double mc = -std::numeric_limits<double>::infinity();
    for (std::int64_t i = 0; i < K; ++i) mc = std::max(mc, log_w.flat(i * B + b));
    const double m_new = std::max(m[b], mc);       // (estimate.6) m' = max(m, m_C)
    if (std::isinf(m_new) && m_new < 0) continue;  // every weight so far is 0
    const double scale = std::exp(m[b] - m_new);   // e^(m - m'), 0 on the first chunk
    s1[b] *= scale;                                // (estimate.6) s1' = s1 e^(m - m') + ...
    s2[b] *= scale * scale;                        // (estimate.6) s2' = s2 e^(2(m - m')) + ...
    for (std::int64_t i = 0; i < K; ++i) {
      const double e = std::exp(log_w.flat(i * B + b) - m_new);
      s1[b] += e;  // e^m s1 / k = mean of the w_i
      s2[b] += e * e;
    }
    m[b] = m_new;
  }
  k = checked_add(k, K, "estimate_log_px", "the number of log weights");
}

LogPxEstimate LogWeightSums::result() const {
  if (k == 0) fail("estimate_log_px", "no log weights were added");
  LogPxEstimate r;
  const double log_k = std::log(static_cast<double>(k));
  for (std::size_t b = 0; b < m.size(); ++b) {
    const double lme = m[b] + std::log(s1[b]) - log_k;                       // (estimate.2) log-mean-exp of a = log w
    const double lme2 = 2 * m[b] + std::log(s2[b]) - log_k;                  // log-mean-exp of 2a
    const double se2 = std::expm1(lme2 - 2 * lme) / static_cast<double>(k);  // (estimate.5)
    r.log_px.push_back(lme);
    r.std_err.push_back(std::sqrt(std::max(se2, 0.0)));  // (estimate.4) std(w) / (sqrt(k) mean(w))
    r.ess.push_back(s1[b] * s1[b] / s2[b]);              // (sum w)^2 / sum w^2 = k / (1 + k se^2)
  }
  return r;
}

double LogPxEstimate::mean_log_px() const {
  if (log_px.empty()) fail("LogPxEstimate::mean_log_px", "the estimate holds no examples");
  double s = 0;
  for (double v : log_px) s += v;
  return s / static_cast<double>(log_px.size());
}

double LogPxEstimate::mean_std_err() const {
  if (std_err.empty()) fail("LogPxEstimate::mean_std_err", "the estimate holds no examples");
  double s = 0;
  for (double v : std_err) s += v * v;
  return std::sqrt(s) / static_cast<double>(std_err.size());
}

LogPxEstimate estimate_log_px(const LogWeightModel& model, const Tensor& x, std::int64_t k, Generator& gen,
                              std::int64_t max_rows) {
  if (k < 1) fail("estimate_log_px", "k is " + std::to_string(k) + ", but must be at least 1");
  if (x.dim() != 2 || x.size(0) == 0)
    fail("estimate_log_px", "x is " + shape_str(x.shape()) + "; it must be (B, D) with B >= 1");
  if (max_rows < 1) fail("estimate_log_px", "max_rows is " + std::to_string(max_rows) + ", but must be at least 1");
  NoGrad no_grad;
  const std::int64_t B = x.size(0), chunk = std::max<std::int64_t>(1, max_rows / std::max<std::int64_t>(B, 1));
  LogWeightSums sums(B);
  // (estimate.1) the mean of the k weights w_i = exp(log w_i) is unbiased for p(x); its log, taken by the sums,
  // (estimate.3) is below log p(x) on average (its mean is L_k) and tends to it as k grows
  for (std::int64_t done = 0, K = 0; done < k; done += K) {  // done + K <= k: no overflow near 2^63
    K = std::min(chunk, k - done);
    // one chunk of log w, see (iwae.1), or the model's own, see (hierarchy.2): (K, B)
    // (hierarchy.6) so for the two-layer model too this estimates log p(x)
    sums.add(cast(model.log_weights(x, draw_eps(model, x, K, gen)), f64));
  }
  return sums.result();
}

}  // namespace tg::vae
