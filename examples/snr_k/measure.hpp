// Signal-to-noise ratios of gradient estimators for a VAE on Fashion-MNIST, beside those on the exact linear-Gaussian
// model (vae/snr.hpp, where SNR = |E[g]| / std[g] and its moments are defined). Math: docs/derivations/estimators.md;
// the measurements: docs/results.md.
#pragma once
#include <cstdint>

#include "autodiff/random.hpp"
#include "nn/data.hpp"
#include "vae/estimators.hpp"
#include "vae/model.hpp"
#include "vae/snr.hpp"

namespace tg::snr {

using vae::snr::exact_snr;
using vae::snr::ExactProblem;
using vae::snr::log_log_slope;
using vae::snr::make_exact_problem;
using vae::snr::Moments;
using vae::snr::Snr;

// SNR of the estimator's gradient of mean_b L_k(x_b) for a VAE and a fixed minibatch x (B, D): every draw is one
// backward sweep with fresh noise. Encoder parameters are phi, decoder parameters theta.
Snr vae_snr(const vae::VAE& model, const Tensor& x, std::int64_t k, vae::Estimator estimator, std::int64_t draws,
            Generator& gen);

// The IWAE paper's one-layer VAE (784-200-200-50, tanh) after `steps` Adam steps (lr 1e-3, eps 1e-4) on L_5 with
// batches of 20 dynamically binarised training images: the "partly trained" Fashion-MNIST model.
vae::VAE partly_trained(const nn::TrainTest& data, std::int64_t steps, Generator& gen);

}  // namespace tg::snr
