// Measuring signal-to-noise ratios (see measure.hpp).
#include "measure.hpp"

#include <algorithm>
#include <cmath>

#include "autodiff/tape.hpp"
#include "nn/optim.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"
#include "vae/model.hpp"

namespace tg::snr {

Snr vae_snr(const vae::VAE& model, const Tensor& x, std::int64_t k, vae::Estimator estimator, std::int64_t draws,
            Generator& gen) {
  std::vector<Tensor> encoder, decoder;
  std::size_t n_enc = 0, n_dec = 0;
  for (const auto& [name, t] : model.named_parameters()) {
    const bool enc = name.rfind("encoder.", 0) == 0;
    (enc ? encoder : decoder).push_back(t);
    (enc ? n_enc : n_dec) += static_cast<std::size_t>(t.numel());
  }
  Moments phi(n_enc), theta(n_dec);
  auto flat_grads = [](const std::vector<Tensor>& params) {
    std::vector<double> g;
    for (const Tensor& t : params) {
      const std::vector<double> v = t.grad().to_vector();
      g.insert(g.end(), v.begin(), v.end());
    }
    return g;
  };
  for (std::int64_t d = 0; d < draws; ++d) {
    current_tape().clear();
    for (Tensor t : encoder) t.zero_grad();
    for (Tensor t : decoder) t.zero_grad();
    backward(mean(vae::iwae_bound_with(model, x, vae::draw_eps(model, x, k, gen), estimator)));
    phi.add(flat_grads(encoder));
    theta.add(flat_grads(decoder));
  }
  current_tape().clear();
  return {phi.mean_snr(), theta.mean_snr(), phi.mean_snr(1.0, true), theta.mean_snr(1.0, true)};
}

vae::VAE partly_trained(const nn::TrainTest& data, std::int64_t steps, Generator& gen) {
  vae::VAE model(vae::iwae_paper_architecture(), gen);
  nn::Adam opt(model.named_parameters(), {.lr = 1e-3, .eps = 1e-4});
  std::int64_t step = 0;
  while (step < steps) {  // epochs of shuffled, dynamically binarised batches
    nn::BatchIterator batches(data.train, {.batch_size = 20, .binarize = nn::Binarize::dynamic}, gen);
    for (Tensor x; step < steps && batches.next(x); ++step) {
      current_tape().clear();
      opt.zero_grad();
      backward(-mean(vae::iwae_bound(model, x, vae::draw_eps(model, x, 5, gen))));  // L_5
      opt.step();
    }
  }
  current_tape().clear();
  return model;
}

}  // namespace tg::snr
