// Diagnostics (see diagnostics.hpp).
#include "vae/diagnostics.hpp"

#include "autodiff/tape.hpp"
#include "vae/iwae_gradient.hpp"

namespace tg::vae {

std::vector<double> kl_per_dimension(const LatentModel& model, const Tensor& x) {
  NoGrad no_grad;
  prob::Normal q = model.encode(x);
  // see (kl.4), per dimension: 1/2 (mu^2 + sigma^2 - 1 - log sigma^2), averaged over the batch
  Tensor kl = mean((square(q.loc()) + q.variance() - 1.0 - q.log_var()) * 0.5, {0});
  return kl.to_vector();
}

std::vector<double> posterior_mean_variance(const LatentModel& model, const Tensor& x, std::int64_t max_rows) {
  if (max_rows < 1)  // the chunk loop below would never end
    fail("posterior_mean_variance", "max_rows is " + std::to_string(max_rows) + ", but must be at least 1");
  NoGrad no_grad;
  std::vector<Tensor> mus;
  const std::int64_t N = x.size(0);
  for (std::int64_t start = 0, rows = 0; start < N; start += rows) {  // start + rows <= N: no overflow near 2^63
    rows = std::min(max_rows, N - start);
    mus.push_back(cast(model.encode(slice(x, 0, start, start + rows)).loc(), f64));
  }
  Tensor mu = concat(mus, 0);  // (N, L)
  Tensor centred = mu - mean(mu, {0}, true);
  return mean(square(centred), {0}).to_vector();  // Cov_x(E_q[z_u]) for each u
}

std::int64_t active_units(const LatentModel& model, const Tensor& x, double threshold) {
  std::int64_t n = 0;
  for (double v : posterior_mean_variance(model, x)) n += v > threshold;
  return n;
}

std::vector<double> effective_sample_size(const Tensor& log_w) {
  if (log_w.dim() != 2 || log_w.size(0) == 0)
    fail("effective_sample_size", "log_w is " + shape_str(log_w.shape()) + "; it must be (K, B) with K >= 1");
  NoGrad no_grad;
  const Tensor w_tilde = normalised_weights(cast(log_w.detach(), f64));  // see (iwae_gradient.1): (K, B)
  return (1.0 / sum(square(w_tilde), {0}))
      .to_vector();  // (iwae_gradient.3) ESS = 1 / sum_k w~_k^2 = (sum w)^2 / sum w^2
}

}  // namespace tg::vae
