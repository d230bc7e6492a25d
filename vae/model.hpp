// The models: what an objective needs from a latent-variable model (LatentModel), and the VAE itself -- an encoder
// q_phi(z|x) (MLP -> mu, log_var -> Normal) and a decoder p_theta(x|z) (MLP -> Bernoulli logits for binary data,
// or mean and log-variance of a Normal for continuous data) under the prior p(z) = N(0, I). Two named architectures:
// pytorch/examples' VAE and the IWAE paper's. docs/derivations/elbo.md.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/mlp.hpp"
#include "prob/bernoulli.hpp"
#include "prob/normal.hpp"

namespace tg::vae {

// Shapes: K samples per example, B examples, L latent dims, D data dims.
class LatentModel {
 public:
  virtual ~LatentModel() = default;
  virtual prob::Normal encode(const Tensor& x) const = 0;  // q(z|x): x (B, D) -> Normal over (B, L), event dims 1
  // log p(x|z) summed over the data dims: x (B, D), z (K, B, L) -> (K, B)
  virtual Tensor log_likelihood(const Tensor& x, const Tensor& z) const = 0;
  virtual std::int64_t latent_dim() const = 0;
};

// The prior p(z) = N(0, I_L) over the last axis.
prob::StandardNormal prior(std::int64_t L, DType dtype);

struct Architecture {
  std::int64_t data_dim = 784;
  std::vector<std::int64_t> hidden = {400};  // encoder widths; the decoder mirrors them
  std::int64_t latent = 20;
  std::string activation = "relu";
  std::string init = "pytorch";          // "pytorch" (nn.Linear's default) or "glorot" (Glorot uniform, zero bias)
  std::string likelihood = "bernoulli";  // p(x|z): "bernoulli" (binary x) or "normal" (continuous x, diagonal)
  std::string describe() const;          // "784-400-20 relu"
};
Architecture pytorch_examples_architecture();  // 784-400-20, ReLU (pytorch/examples/vae)
Architecture iwae_paper_architecture();        // 784-200-200-50, tanh, Glorot (Burda et al. 2016, one layer)

class VAE : public nn::Module, public LatentModel {
 public:
  VAE(const Architecture& arch, Generator& gen, DType dtype = f32);
  prob::Normal encode(const Tensor& x) const override;                     // q(z|x)
  Tensor log_likelihood(const Tensor& x, const Tensor& z) const override;  // log p(x|z), Bernoulli or Normal
  Tensor decode_mean(const Tensor& z) const;  // E[x|z] (..., D): sigmoid(logits), or the Normal's mean
  std::int64_t latent_dim() const override { return arch_.latent; }
  const Architecture& architecture() const { return arch_; }

 private:
  Architecture arch_;
  std::shared_ptr<nn::MLP> encoder_;  // D -> hidden... -> 2L (mu and log_var side by side)
  std::shared_ptr<nn::MLP> decoder_;  // L -> ...hidden -> D logits, or 2D (mean and log-variance side by side)
};

}  // namespace tg::vae
