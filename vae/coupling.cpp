// The coupling-layer flow posterior (see coupling.hpp); each line is a line of docs/derivations/coupling.md.
#include "vae/coupling.hpp"

#include "autodiff/checked.hpp"
#include "autodiff/tape.hpp"
#include "nn/init.hpp"
#include "vae/checks.hpp"

namespace tg::vae {

CouplingLayer::CouplingLayer(std::int64_t L, std::int64_t context, std::int64_t hidden, bool flip, Generator& gen,
                             DType dtype)
    : L_(L), keep_begin_(flip ? L / 2 : 0), keep_end_(flip ? L : L / 2) {
  if (L < 2) fail("CouplingLayer", "L is " + std::to_string(L) + ", but a coupling layer needs at least 2 dims");
  const std::int64_t kept = keep_end_ - keep_begin_, changed = L - kept;
  const std::int64_t in = checked_add(kept, context, "CouplingLayer", "the input width kept + context");
  const std::int64_t out = checked_mul(2, changed, "CouplingLayer", "the output width 2 * changed");  // s and t
  net_ = register_module("net", make_mlp({in, hidden, out}, "tanh", "glorot", gen, dtype));
  nn::fill_zeros(net_->layer(1).weight);  // s = t = 0: the identity until training moves it
}

CouplingLayer::Output CouplingLayer::forward(const Tensor& u, const Tensor& h) const {
  const std::int64_t K = u.size(0), B = u.size(1), C = h.size(-1);
  const Tensor kept = slice(u, -1, keep_begin_, keep_end_);                                              // (K, B, kept)
  const Tensor changed = keep_begin_ == 0 ? slice(u, -1, keep_end_, L_) : slice(u, -1, 0, keep_begin_);  // (K, B, n)
  const std::int64_t n = changed.size(-1);
  Tensor st = net_->forward(concat({kept, broadcast_to(h, {K, B, C})}, -1));  // (K, B, 2n)
  Tensor s = tanh(slice(st, -1, 0, n)).name("log_scale");                     // (K, B, n), in (-1, 1)
  Tensor t = slice(st, -1, n, 2 * n).name("shift");                           // (K, B, n)
  Tensor y_changed = changed * exp(s) + t;  // (coupling.1) y_change = u_change * exp(s(u_keep, h)) + t(u_keep, h)
  Tensor y = keep_begin_ == 0 ? concat({kept, y_changed}, -1) : concat({y_changed, kept}, -1);  // (K, B, L)
  // (coupling.2) dy/du is triangular (y_keep = u_keep; y_change depends on u_change only through exp(s) u_change), so
  // |det| is the product of its diagonal, exp(s): log |det dy/du| = sum s
  return {y, sum(s, {-1})};
}

CouplingFlow::CouplingFlow(std::int64_t data_dim, std::int64_t L, std::int64_t layers, Generator& gen, DType dtype) {
  if (layers < 1) fail("CouplingFlow", "layers is " + std::to_string(layers) + ", but must be at least 1");
  const std::int64_t hidden = checked_mul(2, L, "CouplingFlow", "the hidden width 2 * L");
  context_ = register_module(
      "context", std::make_shared<nn::MLP>(std::vector<std::int64_t>{data_dim, L}, "tanh", gen, true, dtype));
  for (std::int64_t i = 0; i < layers; ++i)
    layers_.push_back(
        register_module(std::to_string(i), std::make_shared<CouplingLayer>(L, L, hidden, i % 2 == 1, gen, dtype)));
}

CouplingFlow::Sample CouplingFlow::sample(const prob::Normal& q, const Tensor& x, const Tensor& eps) const {
  check_x_eps("CouplingFlow", x, eps, q.shape()[q.shape().size() - 1]);  // x (B, D), eps (K, B, L), finite
  const Tensor h = context_->forward(x).name("context");                 // h(x): (B, C)
  Tensor z = q.rsample_with(eps);  // z_0 = mu + sigma eps, see (reparam.1): (K, B, L)
  Tensor log_det = zeros({eps.size(0), eps.size(1)}, eps.dtype()) + q.transform().log_abs_det_jacobian();  // (K, B)
  for (const auto& layer : layers_) {
    const CouplingLayer::Output out = layer->forward(z, h);  // z_l = f_l(z_(l-1); h)
    z = out.y;
    log_det = log_det + out.log_det;
  }
  // (coupling.3) log |det dz/deps| = sum_j log sigma_j + sum_l sum s_l: the chain rule multiplies the determinants
  return {z.name("z"), log_det.name("log_det")};
}

Tensor flow_log_weights(const LatentModel& model, const CouplingFlow& flow, const Tensor& x, const Tensor& eps) {
  const CouplingFlow::Sample s = flow.sample(model.encode(x), x, eps);    // see (coupling.3)
  const prob::StandardNormal p_z = prior(model.latent_dim(), x.dtype());  // p(z), and the law of eps
  Tensor log_px_z = model.log_likelihood(x, s.z);                         // log p(x|z): (K, B)
  Tensor log_pz = p_z.log_prob(s.z);                                      // log p(z): (K, B)
  Tensor log_qz = p_z.log_prob(eps) - s.log_det;      // (coupling.4) log q(z|x) = log N(eps; 0, I) - log |det dz/deps|
  return (log_px_z + log_pz - log_qz).name("log_w");  // (coupling.4) log w = log p(x, z) - log q(z|x): (K, B)
}

Tensor flow_log_joint_x_eps(const LatentModel& model, const CouplingFlow& flow, const Tensor& x, const Tensor& eps) {
  const CouplingFlow::Sample s = flow.sample(model.encode(x), x, eps);  // see (coupling.3)
  Tensor log_px_z = model.log_likelihood(x, s.z);                       // (K, B)
  Tensor log_pz = prior(model.latent_dim(), x.dtype()).log_prob(s.z);   // (K, B)
  // (joint.6) log p(x, eps) = log p(x|g(eps)) + log p(g(eps)) + log |det dg/deps|
  // (joint.7) = log w + log q(eps) sample by sample, since log q(z|x) = log q(eps) - log |det dg/deps|
  return (log_px_z + log_pz + s.log_det).name("log_p_x_eps");
}

FlowVAE::FlowVAE(const Architecture& arch, Generator& gen, DType dtype) : arch_(arch) {
  if (arch.posterior != "coupling")
    fail("FlowVAE", "posterior is '" + arch.posterior + "'; a FlowVAE's is 'coupling' (VAE has the Gaussian one)");
  Architecture gaussian = arch;
  gaussian.posterior = "gaussian";
  vae_ = register_module("vae", std::make_shared<VAE>(gaussian, gen, dtype));
  flow_ = register_module("flow",
                          std::make_shared<CouplingFlow>(arch.data_dim, arch.latent, arch.coupling_layers, gen, dtype));
}

Tensor FlowVAE::log_weights(const Tensor& x, const Tensor& eps) const {
  return flow_log_weights(*vae_, *flow_, x, eps);
}

Tensor FlowVAE::elbo(const Tensor& x, const Tensor& eps) const { return mean(log_weights(x, eps), {0}).name("elbo"); }

Tensor FlowVAE::kl_to_prior(const Tensor& x, const Tensor& eps) const {
  const CouplingFlow::Sample s = flow_->sample(vae_->encode(x), x, eps);
  const prob::StandardNormal p_z = prior(vae_->latent_dim(), x.dtype());
  return mean(p_z.log_prob(eps) - s.log_det - p_z.log_prob(s.z), {0});  // E_q[log q(z|x) - log p(z)]: (B,)
}

Tensor FlowVAE::reconstruct(const Tensor& x) const {
  const Tensor eps0 = zeros({1, x.size(0), vae_->latent_dim()}, x.dtype());
  return squeeze(vae_->decode_mean(flow_->sample(vae_->encode(x), x, eps0).z), 0);  // (B, D)
}

std::vector<std::vector<double>> FlowVAE::layer_mean_variances(const Tensor& x) const {
  NoGrad no_grad;
  const Tensor eps0 = zeros({1, x.size(0), vae_->latent_dim()}, x.dtype());
  const Tensor centre = cast(squeeze(flow_->sample(vae_->encode(x), x, eps0).z, 0), f64);  // g(0; x): (N, L)
  return {mean(square(centre - mean(centre, {0}, true)), {0}).to_vector()};
}

}  // namespace tg::vae
