// The VAE's encoder and decoder (see model.hpp). Math: docs/derivations/elbo.md, reparam.md.
#include "vae/model.hpp"

#include "autodiff/checked.hpp"
#include "nn/init.hpp"
#include "prob/kl.hpp"
#include "vae/diagnostics.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"

namespace tg::vae {

prob::StandardNormal prior(std::int64_t L, DType dtype) { return prob::StandardNormal({L}, dtype, 1); }

std::string Architecture::describe() const {
  std::string s = std::to_string(data_dim);
  for (std::int64_t h : hidden) s += "-" + std::to_string(h);
  s += "-" + std::to_string(latent) + " " + activation;
  return posterior == "coupling" ? s + ", " + std::to_string(coupling_layers) + " coupling layers" : s;
}

Architecture pytorch_examples_architecture() { return {784, {400}, 20, "relu", "pytorch"}; }
Architecture iwae_paper_architecture() { return {784, {200, 200}, 50, "tanh", "glorot"}; }

std::vector<std::int64_t> layer_sizes(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t out) {
  std::vector<std::int64_t> w{in};
  w.insert(w.end(), hidden.begin(), hidden.end());
  w.push_back(out);
  return w;
}

void glorot_init(nn::MLP& mlp, Generator& gen) {
  for (std::size_t i = 0; i < mlp.num_layers(); ++i) {
    nn::glorot_uniform(mlp.layer(i).weight, gen);
    nn::fill_zeros(mlp.layer(i).bias);
  }
}

std::shared_ptr<nn::MLP> make_mlp(const std::vector<std::int64_t>& sizes, const std::string& activation,
                                  const std::string& init, Generator& gen, DType dtype) {
  if (init != "pytorch" && init != "glorot")
    fail("make_mlp", "init is '" + init + "', but must be 'pytorch' or 'glorot'");
  auto mlp = std::make_shared<nn::MLP>(sizes, activation, gen, false, dtype);
  if (init == "glorot") glorot_init(*mlp, gen);
  return mlp;
}

prob::Normal gaussian_from(const Tensor& out, std::int64_t L) {
  const std::int64_t two_L = checked_mul(2, L, "gaussian_from", "2 * L");
  Tensor mu = slice(out, -1, 0, L);           // (..., L)
  Tensor log_var = slice(out, -1, L, two_L);  // (..., L)
  return prob::Normal::from_log_var(mu.name("mu"), log_var.name("log_var"), 1);
}

// p(x|z) = prod_d Bernoulli(x_d; sigmoid(logits_d)), or prod_d N(x_d; mean_d, exp(log_var_d))
Tensor observation_log_likelihood(Tensor out, const Tensor& x, const std::string& likelihood) {
  if (likelihood == "bernoulli") return prob::Bernoulli::from_logits(out.name("logits"), 1).log_prob(x);  // (K, B)
  const std::int64_t D = x.size(-1), two_D = checked_mul(2, D, "observation_log_likelihood", "2 * D");
  Tensor mean = slice(out, -1, 0, D).name("x_mean"), log_var = slice(out, -1, D, two_D).name("x_log_var");
  return prob::Normal::from_log_var(mean, log_var, 1).log_prob(x);  // (K, B)
}

Tensor observation_mean(const Tensor& out, const std::string& likelihood, std::int64_t D) {
  return likelihood == "bernoulli" ? sigmoid(out) : slice(out, -1, 0, D);
}

VAE::VAE(const Architecture& arch, Generator& gen, DType dtype) : arch_(arch) {
  if (arch.data_dim < 1 || arch.latent < 1) fail("VAE", "data_dim and latent must be at least 1");
  if (arch.init != "pytorch" && arch.init != "glorot")
    fail("VAE", "init is '" + arch.init + "', but must be 'pytorch' or 'glorot'");
  if (arch.likelihood != "bernoulli" && arch.likelihood != "normal")
    fail("VAE", "likelihood is '" + arch.likelihood + "', but must be 'bernoulli' or 'normal'");
  const std::int64_t out =
      arch.likelihood == "normal" ? checked_mul(2, arch.data_dim, "VAE", "2 * data_dim") : arch.data_dim;
  const std::int64_t two_latent = checked_mul(2, arch.latent, "VAE", "2 * latent");  // mu and log_var
  if (arch.posterior != "gaussian")
    fail("VAE", "posterior is '" + arch.posterior + "'; a VAE's is 'gaussian' (FlowVAE has the coupling posterior)");
  const std::vector<std::int64_t> reversed(arch.hidden.rbegin(), arch.hidden.rend());
  encoder_ = register_module(
      "encoder", make_mlp(layer_sizes(arch.data_dim, arch.hidden, two_latent), arch.activation, "pytorch", gen, dtype));
  decoder_ = register_module("decoder",
                             make_mlp(layer_sizes(arch.latent, reversed, out), arch.activation, "pytorch", gen, dtype));
  if (arch.init == "glorot")  // after both are built, so that a seed gives the weights it always gave
    for (nn::MLP* mlp : {encoder_.get(), decoder_.get()}) glorot_init(*mlp, gen);
}

// q(z|x) = N(mu, diag exp(log_var)): the encoder's last layer gives mu and log_var side by side.
prob::Normal VAE::encode(const Tensor& x) const {
  return gaussian_from(encoder_->forward(x), arch_.latent);  // (B, 2L) -> Normal over (B, L)
}

Tensor VAE::log_likelihood(const Tensor& x, const Tensor& z) const {
  return observation_log_likelihood(decoder_->forward(z), x, arch_.likelihood);  // (K, B)
}

Tensor VAE::decode_mean(const Tensor& z) const {
  return observation_mean(decoder_->forward(z), arch_.likelihood, arch_.data_dim);
}

Tensor VAE::log_weights(const Tensor& x, const Tensor& eps) const { return vae::log_weights(*this, x, eps); }

Tensor VAE::elbo(const Tensor& x, const Tensor& eps) const { return elbo_analytic(*this, x, eps); }

Tensor VAE::kl_to_prior(const Tensor& x, const Tensor&) const {
  return prob::kl_divergence(encode(x), prior(arch_.latent, x.dtype()));  // closed form, see (kl.4): (B,)
}

Tensor VAE::reconstruct(const Tensor& x) const { return decode_mean(encode(x).loc()); }

std::vector<std::vector<double>> VAE::layer_mean_variances(const Tensor& x) const {
  return {posterior_mean_variance(*this, x)};
}

}  // namespace tg::vae
