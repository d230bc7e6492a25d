// tapegrad/vae: the VAE, the IWAE and the joint (x, eps) view, each objective a short function whose lines are
// the lines of a derivation in docs/derivations/ (tags like (iwae.2) mark them).
//
//   tg::Generator gen(1);
//   tg::vae::VAE model(tg::vae::iwae_paper_architecture(), gen);
//   tg::Tensor eps = tg::vae::draw_eps(model, x, /*K=*/5, gen);       // (K, B, L)
//   tg::Tensor bound = tg::vae::iwae_bound(model, x, eps);            // (B,): L_5 per example
//   tg::backward(-tg::mean(bound));                                   // gradients for every parameter
#pragma once
#include "vae/coupling.hpp"
#include "vae/diagnostics.hpp"
#include "vae/elbo.hpp"
#include "vae/estimate.hpp"
#include "vae/estimators.hpp"
#include "vae/exact/linear_gaussian.hpp"
#include "vae/exact/linear_gaussian_model.hpp"
#include "vae/hierarchy.hpp"
#include "vae/io/checkpoint.hpp"
#include "vae/iwae.hpp"
#include "vae/iwae_gradient.hpp"
#include "vae/joint.hpp"
#include "vae/model.hpp"
