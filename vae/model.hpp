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

// Any latent-variable model whose posterior is reparameterised, z = g(eps; x), seen through its importance weights
// log w = log p(x, z) - log q(z|x): what draw_eps and estimate_log_px need, whatever the posterior (one Gaussian
// layer, two stochastic layers, a flow). docs/derivations/iwae.md.
class LogWeightModel {
 public:
  virtual ~LogWeightModel() = default;
  virtual std::int64_t noise_dim() const = 0;  // the width of eps (K, B, noise_dim)
  // log w for the noise eps (K, B, noise_dim): x (B, D) -> (K, B)
  virtual Tensor log_weights(const Tensor& x, const Tensor& eps) const = 0;
};

// A model with one Gaussian stochastic layer, q(z|x) = N(mu, diag sigma^2): the objectives of elbo.hpp, iwae.hpp,
// joint.hpp and estimators.hpp are written for it.
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

// The pieces every model here is built from. An MLP with sizes {in, hidden..., out}, initialised "pytorch"
// (nn.Linear's default) or "glorot" (Glorot uniform weights, zero biases).
void glorot_init(nn::MLP& mlp, Generator& gen);
std::shared_ptr<nn::MLP> make_mlp(const std::vector<std::int64_t>& sizes, const std::string& activation,
                                  const std::string& init, Generator& gen, DType dtype);
// {in, hidden..., out}
std::vector<std::int64_t> layer_sizes(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t out);
// A diagonal Gaussian from a network output (..., 2L): mu and log_var side by side; event dims 1.
prob::Normal gaussian_from(const Tensor& out, std::int64_t L);
// log p(x|out) summed over the D data dims, for a decoder output `out`: Bernoulli logits (..., D) or the mean and
// log-variance of a Normal (..., 2D). x (B, D), out (K, B, D or 2D) -> (K, B)
Tensor observation_log_likelihood(Tensor out, const Tensor& x, const std::string& likelihood);
// E[x|out]: sigmoid(logits), or the Normal's mean. -> (..., D)
Tensor observation_mean(const Tensor& out, const std::string& likelihood, std::int64_t D);

struct Architecture {
  std::int64_t data_dim = 784;
  std::vector<std::int64_t> hidden = {400};  // encoder widths; the decoder mirrors them
  std::int64_t latent = 20;
  std::string activation = "relu";
  std::string init = "pytorch";          // "pytorch" (nn.Linear's default) or "glorot" (Glorot uniform, zero bias)
  std::string likelihood = "bernoulli";  // p(x|z): "bernoulli" (binary x) or "normal" (continuous x, diagonal)
  std::string posterior = "gaussian";    // q(z|x): "gaussian" (VAE) or "coupling" (FlowVAE, coupling.hpp)
  std::int64_t coupling_layers = 4;      // with posterior "coupling": affine coupling layers after the Gaussian
  std::string describe() const;          // "784-400-20 relu", "784-200-200-50 tanh, 4 coupling layers"
};
Architecture pytorch_examples_architecture();  // 784-400-20, ReLU (pytorch/examples/vae)
Architecture iwae_paper_architecture();        // 784-200-200-50, tanh, Glorot (Burda et al. 2016, one layer)

// What train_vae needs from any of the trainable models (VAE, TwoLayerVAE, FlowVAE): parameters (a Module), log
// weights, an ELBO, and the pieces of its report: pictures, the KL to the prior and active units.
class Autoencoder : public nn::Module, public LogWeightModel {
 public:
  virtual std::string describe() const = 0;  // "784-200-200-50 tanh"
  // The ELBO estimator the model trains with (closed-form KL terms where it has them): x (B, D), eps -> (B,)
  virtual Tensor elbo(const Tensor& x, const Tensor& eps) const = 0;
  // KL(q(z|x) || p(z)) for every example, in closed form or estimated with the samples of eps: (B,)
  virtual Tensor kl_to_prior(const Tensor& x, const Tensor& eps) const = 0;
  virtual std::int64_t prior_dim() const = 0;             // the width of the top latent layer, drawn from N(0, I)
  virtual Tensor decode_mean(const Tensor& z) const = 0;  // E[x|z] for top-level z (..., prior_dim) -> (..., D)
  virtual Tensor reconstruct(const Tensor& x) const = 0;  // E[x|z] at the posterior's centre (eps = 0): (B, D)
  // For every stochastic layer, the variance over the examples of x of the posterior mean of each unit (u is active
  // when it exceeds 0.01, Burda et al. 2016).
  virtual std::vector<std::vector<double>> layer_mean_variances(const Tensor& x) const = 0;
};

class VAE : public Autoencoder, public LatentModel {
 public:
  VAE(const Architecture& arch, Generator& gen, DType dtype = f32);
  prob::Normal encode(const Tensor& x) const override;                     // q(z|x)
  Tensor log_likelihood(const Tensor& x, const Tensor& z) const override;  // log p(x|z), Bernoulli or Normal
  Tensor decode_mean(const Tensor& z) const override;  // E[x|z] (..., D): sigmoid(logits), or the Normal's mean
  std::int64_t latent_dim() const override { return arch_.latent; }
  const Architecture& architecture() const { return arch_; }
  // As an Autoencoder: log_weights (iwae.hpp), elbo_analytic (elbo.hpp), the closed-form KL, see (kl.4); z = mu.
  std::int64_t noise_dim() const override { return arch_.latent; }
  Tensor log_weights(const Tensor& x, const Tensor& eps) const override;
  std::string describe() const override { return arch_.describe(); }
  Tensor elbo(const Tensor& x, const Tensor& eps) const override;
  Tensor kl_to_prior(const Tensor& x, const Tensor& eps) const override;
  std::int64_t prior_dim() const override { return arch_.latent; }
  Tensor reconstruct(const Tensor& x) const override;
  std::vector<std::vector<double>> layer_mean_variances(const Tensor& x) const override;

 private:
  Architecture arch_;
  std::shared_ptr<nn::MLP> encoder_;  // D -> hidden... -> 2L (mu and log_var side by side)
  std::shared_ptr<nn::MLP> decoder_;  // L -> ...hidden -> D logits, or 2D (mean and log-variance side by side)
};

}  // namespace tg::vae
