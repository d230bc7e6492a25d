// A flow posterior: affine coupling layers conditioned on x (NICE, Dinh, Krueger & Bengio 2014; Real NVP, Dinh,
// Sohl-Dickstein & Bengio 2017) on top of a model's Gaussian q(z|x), so that z = g(eps; x) = f_T(...f_1(mu + sigma
// eps)) and log |det dz/deps| = sum log sigma + the sum of the layers' log-scales. The importance weights, the ELBO
// and the joint (x, eps) density follow from the change of variables. Math: docs/derivations/coupling.md, joint.md.
//
//   CouplingFlow flow(D, L, /*layers=*/4, gen);                        // identity map at initialisation
//   Tensor log_w = flow_log_weights(model, flow, x, eps);              // (K, B), any LatentModel's decoder
#pragma once
#include <cstdint>
#include <memory>
#include <vector>

#include "vae/model.hpp"

namespace tg::vae {

// One affine coupling layer over L dims. It keeps one half of u (the first floor(L/2) coordinates, or with `flip` the
// others) and scales and shifts the other half by functions of the kept half and a context h(x):
//   y_keep = u_keep,   y_change = u_change * exp(s) + t,   (s, t) = net(u_keep, h),   s = tanh(.) in (-1, 1).
// The net's last layer starts at zero, so a new layer is the identity.
class CouplingLayer : public nn::Module {
 public:
  CouplingLayer(std::int64_t L, std::int64_t context, std::int64_t hidden, bool flip, Generator& gen, DType dtype);
  struct Output {
    Tensor y;        // (K, B, L)
    Tensor log_det;  // log |det dy/du| = sum s: (K, B)
  };
  Output forward(const Tensor& u, const Tensor& h) const;  // u (K, B, L), h (B, C) -- (coupling.1) (coupling.2)

 private:
  std::int64_t L_, keep_begin_, keep_end_;  // the kept coordinates [keep_begin_, keep_end_)
  std::shared_ptr<nn::MLP> net_;            // (kept + C) -> hidden -> 2 * changed
};

// The stack: a context network h(x) (one tanh layer, D -> C) and `layers` coupling layers that alternate the kept half.
class CouplingFlow : public nn::Module {
 public:
  // Hidden width of the coupling nets 2L, context width L.
  CouplingFlow(std::int64_t data_dim, std::int64_t L, std::int64_t layers, Generator& gen, DType dtype = f32);
  struct Sample {
    Tensor z;        // (K, B, L)
    Tensor log_det;  // log |det dz/deps|: (K, B)
  };
  // (coupling.3) z = f_T(...f_1(mu + sigma eps; h(x))...; h(x)) for q = N(mu, sigma^2) over (B, L), eps (K, B, L)
  Sample sample(const prob::Normal& q, const Tensor& x, const Tensor& eps) const;
  std::int64_t num_layers() const { return static_cast<std::int64_t>(layers_.size()); }

 private:
  std::shared_ptr<nn::MLP> context_;
  std::vector<std::shared_ptr<CouplingLayer>> layers_;
};

// (coupling.4) log w = log p(x|z) + log p(z) - log q(z|x), log q(z|x) = log N(eps; 0, I) - log |det dz/deps|, for
// z = g(eps; x) of the flow on top of model's q; model's decoder gives log p(x|z).   x (B, D), eps (K, B, L) -> (K, B)
Tensor flow_log_weights(const LatentModel& model, const CouplingFlow& flow, const Tensor& x, const Tensor& eps);
// (joint.6) log p(x, eps) = log p(x|z) + log p(z) + log |det dz/deps|, z = g(eps; x): the joint view of any
// reparameterised posterior, here the flow's.   -> (K, B)
Tensor flow_log_joint_x_eps(const LatentModel& model, const CouplingFlow& flow, const Tensor& x, const Tensor& eps);

// A VAE whose posterior is the coupling flow (Architecture::posterior "coupling"): the VAE's encoder gives the
// Gaussian that the flow starts from, its decoder p(x|z). Parameters "vae.*" and "flow.*".
class FlowVAE : public Autoencoder {
 public:
  FlowVAE(const Architecture& arch, Generator& gen, DType dtype = f32);
  const VAE& vae() const { return *vae_; }
  const CouplingFlow& flow() const { return *flow_; }
  std::int64_t noise_dim() const override { return vae_->latent_dim(); }
  Tensor log_weights(const Tensor& x, const Tensor& eps) const override;  // flow_log_weights
  std::string describe() const override { return arch_.describe(); }
  Tensor elbo(const Tensor& x, const Tensor& eps) const override;         // (1/K) sum_k log w_k
  Tensor kl_to_prior(const Tensor& x, const Tensor& eps) const override;  // by Monte Carlo
  std::int64_t prior_dim() const override { return vae_->latent_dim(); }
  Tensor decode_mean(const Tensor& z) const override { return vae_->decode_mean(z); }
  Tensor reconstruct(const Tensor& x) const override;                                     // E[x|z] at z = g(0; x)
  std::vector<std::vector<double>> layer_mean_variances(const Tensor& x) const override;  // of g(0; x)

 private:
  Architecture arch_;
  std::shared_ptr<VAE> vae_;
  std::shared_ptr<CouplingFlow> flow_;
};

}  // namespace tg::vae
