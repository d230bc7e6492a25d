// The VAE's encoder and decoder (see model.hpp). Math: docs/derivations/elbo.md, reparam.md.
#include "vae/model.hpp"

#include "nn/init.hpp"

namespace tg::vae {

prob::StandardNormal prior(std::int64_t L, DType dtype) { return prob::StandardNormal({L}, dtype, 1); }

std::string Architecture::describe() const {
  std::string s = std::to_string(data_dim);
  for (std::int64_t h : hidden) s += "-" + std::to_string(h);
  return s + "-" + std::to_string(latent) + " " + activation;
}

Architecture pytorch_examples_architecture() { return {784, {400}, 20, "relu", "pytorch"}; }
Architecture iwae_paper_architecture() { return {784, {200, 200}, 50, "tanh", "glorot"}; }

static std::vector<std::int64_t> widths(std::int64_t in, const std::vector<std::int64_t>& hidden, std::int64_t out) {
  std::vector<std::int64_t> w{in};
  w.insert(w.end(), hidden.begin(), hidden.end());
  w.push_back(out);
  return w;
}

VAE::VAE(const Architecture& arch, Generator& gen, DType dtype) : arch_(arch) {
  if (arch.data_dim < 1 || arch.latent < 1) fail("VAE", "data_dim and latent must be at least 1");
  if (arch.init != "pytorch" && arch.init != "glorot")
    fail("VAE", "init is '" + arch.init + "', but must be 'pytorch' or 'glorot'");
  if (arch.likelihood != "bernoulli" && arch.likelihood != "normal")
    fail("VAE", "likelihood is '" + arch.likelihood + "', but must be 'bernoulli' or 'normal'");
  const std::int64_t out = arch.likelihood == "normal" ? 2 * arch.data_dim : arch.data_dim;
  std::vector<std::int64_t> reversed(arch.hidden.rbegin(), arch.hidden.rend());
  encoder_ = register_module("encoder", std::make_shared<nn::MLP>(widths(arch.data_dim, arch.hidden, 2 * arch.latent),
                                                                  arch.activation, gen, false, dtype));
  decoder_ = register_module(
      "decoder", std::make_shared<nn::MLP>(widths(arch.latent, reversed, out), arch.activation, gen, false, dtype));
  if (arch.init == "glorot")
    for (auto* mlp : {encoder_.get(), decoder_.get()})
      for (std::size_t i = 0; i < mlp->num_layers(); ++i) {
        nn::glorot_uniform(mlp->layer(i).weight, gen);
        nn::fill_zeros(mlp->layer(i).bias);
      }
}

// q(z|x) = N(mu, diag exp(log_var)): the encoder's last layer gives mu and log_var side by side.
prob::Normal VAE::encode(const Tensor& x) const {
  Tensor h = encoder_->forward(x);                                // (B, 2L)
  Tensor mu = slice(h, -1, 0, arch_.latent);                      // (B, L)
  Tensor log_var = slice(h, -1, arch_.latent, 2 * arch_.latent);  // (B, L)
  return prob::Normal::from_log_var(mu.name("mu"), log_var.name("log_var"), 1);
}

// p(x|z) = prod_d Bernoulli(x_d; sigmoid(logits_d)), or prod_d N(x_d; mean_d, exp(log_var_d))
Tensor VAE::log_likelihood(const Tensor& x, const Tensor& z) const {
  Tensor out = decoder_->forward(z);  // (K, B, D) or (K, B, 2D)
  if (arch_.likelihood == "bernoulli")
    return prob::Bernoulli::from_logits(out.name("logits"), 1).log_prob(x);  // (K, B)
  const std::int64_t D = arch_.data_dim;
  Tensor mean = slice(out, -1, 0, D).name("x_mean"), log_var = slice(out, -1, D, 2 * D).name("x_log_var");
  return prob::Normal::from_log_var(mean, log_var, 1).log_prob(x);  // (K, B)
}

Tensor VAE::decode_mean(const Tensor& z) const {
  Tensor out = decoder_->forward(z);
  return arch_.likelihood == "bernoulli" ? sigmoid(out) : slice(out, -1, 0, arch_.data_dim);
}

}  // namespace tg::vae
