// Evaluation and pictures of train_vae (see evaluate.hpp).
#include "evaluate.hpp"

#include "autodiff/tape.hpp"
#include "prob/kl.hpp"
#include "vae/vae.hpp"

namespace tg::app {

Evaluation evaluate(const vae::Autoencoder& model, const Tensor& x, std::int64_t iwae_k, std::int64_t log_px_k,
                    Generator& gen) {
  NoGrad no_grad;
  Evaluation e;
  const std::int64_t N = x.size(0), chunk = std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(iwae_k, 10));
  double elbo = 0, iwae = 0, kl = 0;
  for (std::int64_t start = 0; start < N; start += chunk) {
    Tensor xb = slice(x, 0, start, std::min(N, start + chunk));
    Tensor eps = vae::draw_eps(model, xb, 10, gen);             // (10, B, noise)
    elbo += sum(mean(model.log_weights(xb, eps), {0})).item();  // the ELBO by Monte Carlo, see (elbo.5)
    iwae += sum(vae::iwae_bound_from_log_weights(model.log_weights(xb, vae::draw_eps(model, xb, iwae_k, gen)))).item();
    kl += sum(model.kl_to_prior(xb, eps)).item();
  }
  const vae::LogPxEstimate est = vae::estimate_log_px(model, x, log_px_k, gen);
  e.elbo = elbo / static_cast<double>(N);
  e.iwae = iwae / static_cast<double>(N);
  e.kl = kl / static_cast<double>(N);
  e.log_px = est.mean_log_px();
  e.log_px_std_err = est.mean_std_err();
  for (const std::vector<double>& layer : model.layer_mean_variances(x)) {
    std::int64_t active = 0;
    for (double v : layer) active += v > 0.01;  // Burda et al.'s threshold
    e.active_units += active;
    e.active_by_layer += (e.active_by_layer.empty() ? "" : "+") + std::to_string(active);
  }
  return e;
}

std::vector<std::pair<std::string, std::string>> write_pictures(const vae::Autoencoder& model, const Tensor& x,
                                                                std::int64_t height, std::int64_t width,
                                                                const std::string& dir, Generator& gen) {
  NoGrad no_grad;
  std::vector<std::pair<std::string, std::string>> files;
  if (height < 1 || width < 1 || height * width != x.size(1)) return files;  // not images
  const std::int64_t n = std::min<std::int64_t>(16, x.size(0)), L = model.prior_dim();
  Tensor inputs = slice(x, 0, 0, n);
  Tensor recon = model.reconstruct(inputs);  // mean of p(x|z) at the posterior's centre
  write_image_grid(dir + "/reconstructions.png", concat({inputs, recon}, 0), n, height, width);
  files.emplace_back("reconstructions.png", "test inputs (top) and reconstructions (bottom)");
  Tensor samples = model.decode_mean(randn({64, L}, gen, x.dtype()));  // z ~ p(z), then the mean of p(x|z)
  write_image_grid(dir + "/samples.png", samples, 8, height, width);
  files.emplace_back("samples.png", "decoded samples from the prior p(z)");
  if (L == 2) {  // the decoded manifold: z on a 15 x 15 grid over [-2, 2]^2
    const int g = 15;
    Tensor z = empty({g * g, 2}, x.dtype());
    for (int i = 0; i < g; ++i)
      for (int j = 0; j < g; ++j) {
        z.set({i * g + j, 0}, -2.0 + 4.0 * j / (g - 1));
        z.set({i * g + j, 1}, 2.0 - 4.0 * i / (g - 1));
      }
    write_image_grid(dir + "/manifold.png", model.decode_mean(z), g, height, width);
    files.emplace_back("manifold.png", "the decoder over a grid of the 2-D latent space");
  }
  return files;
}

}  // namespace tg::app
