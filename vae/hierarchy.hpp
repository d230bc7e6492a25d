// Two stochastic layers, the second architecture of the IWAE paper (Burda, Grosse & Salakhutdinov 2016, section 5):
// the generative model p(z2) p(z1|z2) p(x|z1) and the posterior q(z1|x) q(z2|z1), each conditional a diagonal
// Gaussian (Bernoulli or Gaussian for x) whose parameters an MLP computes. Its log weights, ELBO, IWAE bound and joint
// (x, eps) density are written for the hierarchy; estimate_log_px takes it as any LogWeightModel.
// Math: docs/derivations/hierarchy.md.
//
//   TwoLayerVAE model(iwae_paper_two_layer_architecture(), gen);  // 784-200-200-[100]-100-100-[50]
//   Tensor eps = draw_eps(model, x, 5, gen);                      // (K, B, L1 + L2): eps1 and eps2 side by side
//   Tensor bound = hierarchy_iwae_bound(model, x, eps);           // (B,)
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vae/model.hpp"

namespace tg::vae {

struct TwoLayerArchitecture {
  std::int64_t data_dim = 784;                     // D
  std::vector<std::int64_t> hidden1 = {200, 200};  // between x and z1: q(z1|x), and p(x|z1) mirrored
  std::int64_t latent1 = 100;                      // L1
  std::vector<std::int64_t> hidden2 = {100, 100};  // between z1 and z2: q(z2|z1), and p(z1|z2) mirrored
  std::int64_t latent2 = 50;                       // L2
  std::string activation = "tanh";
  std::string init = "glorot";
  std::string likelihood = "bernoulli";  // p(x|z1): "bernoulli" or "normal"
  std::string describe() const;          // "784-200-200-[100]-100-100-[50] tanh": [n] are the stochastic layers
};
// Burda et al. 2016, two stochastic layers: x -> 200 -> 200 -> z1 (100) -> 100 -> 100 -> z2 (50), tanh, and back.
TwoLayerArchitecture iwae_paper_two_layer_architecture();

// One reparameterised draw of (z1, z2) ~ q(z1|x) q(z2|z1) and the distributions it came from.
struct HierarchySample {
  prob::Normal q1;  // q(z1|x): over (B, L1)
  Tensor z1;        // (K, B, L1)
  prob::Normal q2;  // q(z2|z1): over (K, B, L2)
  Tensor z2;        // (K, B, L2)
};

class TwoLayerVAE : public Autoencoder {
 public:
  TwoLayerVAE(const TwoLayerArchitecture& arch, Generator& gen, DType dtype = f32);
  const TwoLayerArchitecture& architecture() const { return arch_; }

  prob::Normal encode1(const Tensor& x) const;                     // q(z1|x): x (B, D) -> over (B, L1)
  prob::Normal encode2(const Tensor& z1) const;                    // q(z2|z1): (..., L1) -> over (..., L2)
  prob::Normal decode2(const Tensor& z2) const;                    // p(z1|z2): (..., L2) -> over (..., L1)
  Tensor log_likelihood(const Tensor& x, const Tensor& z1) const;  // log p(x|z1): z1 (K, B, L1) -> (K, B)
  // (hierarchy.1) z1 = mu1(x) + sigma1(x) eps1, z2 = mu2(z1) + sigma2(z1) eps2, eps (K, B, L1 + L2)
  HierarchySample sample(const Tensor& x, const Tensor& eps) const;

  // As an Autoencoder (noise eps1, eps2 side by side; z2 is the top layer):
  std::int64_t noise_dim() const override { return arch_.latent1 + arch_.latent2; }
  // (hierarchy.2) log w = log p(x|z1) + log p(z1|z2) + log p(z2) - log q(z1|x) - log q(z2|z1): (K, B)
  Tensor log_weights(const Tensor& x, const Tensor& eps) const override;
  std::string describe() const override { return arch_.describe(); }
  Tensor elbo(const Tensor& x, const Tensor& eps) const override;  // hierarchy_elbo
  Tensor kl_to_prior(const Tensor& x, const Tensor& eps) const override;
  std::int64_t prior_dim() const override { return arch_.latent2; }
  Tensor decode_mean(const Tensor& z2) const override;  // E[x|z1] at z1 = the mean of p(z1|z2)
  Tensor reconstruct(const Tensor& x) const override;   // E[x|z1] at z1 = mu1(x)
  std::vector<std::vector<double>> layer_mean_variances(const Tensor& x) const override;  // z1, then z2

 private:
  TwoLayerArchitecture arch_;
  std::shared_ptr<nn::MLP> q_z1_x_, q_z2_z1_, p_z1_z2_, p_x_z1_;
};

// (hierarchy.3) the ELBO with the top layer's KL(q(z2|z1) || p(z2)) in closed form:
// (1/K) sum_k [log p(x|z1_k) + log p(z1_k|z2_k) - log q(z1_k|x) - KL(q(z2|z1_k) || N(0, I))].   -> (B,)
Tensor hierarchy_elbo(const TwoLayerVAE& model, const Tensor& x, const Tensor& eps);
// (hierarchy.4) L_K = log (1/K) sum_k w_k with the hierarchy's weights (hierarchy.2).   -> (B,)
Tensor hierarchy_iwae_bound(const TwoLayerVAE& model, const Tensor& x, const Tensor& eps);
// (hierarchy.5) log p(x, eps1, eps2) = log p(x|z1) + log p(z1|z2) + log p(z2) + sum log sigma1 + sum log sigma2(z1):
// the joint (x, eps) view of joint.md for the hierarchy, whose Jacobian d(z1, z2)/d(eps1, eps2) is triangular.  -> (K,
// B)
Tensor hierarchy_log_joint_x_eps(const TwoLayerVAE& model, const Tensor& x, const Tensor& eps);

}  // namespace tg::vae
