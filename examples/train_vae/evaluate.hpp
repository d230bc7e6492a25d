// Evaluation of a model on held-out data: the test ELBO, IWAE bound and log p(x) estimate, the KL to the prior,
// active units -- and the pictures (inputs beside reconstructions, samples from the prior, the 2-D manifold).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/random.hpp"
#include "report.hpp"
#include "vae/model.hpp"

namespace tg::app {

struct Evaluation {
  double elbo = 0, iwae = 0, log_px = 0, log_px_std_err = 0, kl = 0;
  std::int64_t active_units = 0;  // summed over the stochastic layers
  std::string active_by_layer;    // "16+5" for two layers, "21" for one
};

// x: (N, D) binary test images. iwae_k: samples of the IWAE bound; log_px_k: of the log p(x) estimate.
Evaluation evaluate(const vae::Autoencoder& model, const Tensor& x, std::int64_t iwae_k, std::int64_t log_px_k,
                    Generator& gen);

// Writes reconstructions.png, samples.png and, for a 2-D latent space, manifold.png into dir, for rows of x that are
// height x width images (nothing when they are not). Returns the list of (file, caption) for the index page.
std::vector<std::pair<std::string, std::string>> write_pictures(const vae::Autoencoder& model, const Tensor& x,
                                                                std::int64_t height, std::int64_t width,
                                                                const std::string& dir, Generator& gen);

}  // namespace tg::app
