// Two stochastic layers (see hierarchy.hpp); each line is a line of docs/derivations/hierarchy.md.
#include "vae/hierarchy.hpp"

#include "autodiff/checked.hpp"
#include "autodiff/tape.hpp"
#include "prob/kl.hpp"
#include "vae/checks.hpp"
#include "vae/iwae.hpp"

namespace tg::vae {

namespace {

// The variance over the rows of mu (N, L) of each column, in float64: L values.
std::vector<double> column_variances(const Tensor& mu) {
  const Tensor m = cast(mu, f64);
  return mean(square(m - mean(m, {0}, true)), {0}).to_vector();
}

}  // namespace

std::string TwoLayerArchitecture::describe() const {
  std::string s = std::to_string(data_dim);
  for (std::int64_t h : hidden1) s += "-" + std::to_string(h);
  s += "-[" + std::to_string(latent1) + "]";
  for (std::int64_t h : hidden2) s += "-" + std::to_string(h);
  return s + "-[" + std::to_string(latent2) + "] " + activation;
}

TwoLayerArchitecture iwae_paper_two_layer_architecture() {
  return {784, {200, 200}, 100, {100, 100}, 50, "tanh", "glorot"};
}

TwoLayerVAE::TwoLayerVAE(const TwoLayerArchitecture& arch, Generator& gen, DType dtype) : arch_(arch) {
  if (arch.data_dim < 1 || arch.latent1 < 1 || arch.latent2 < 1)
    fail("TwoLayerVAE", "data_dim, latent1 and latent2 must be at least 1");
  if (arch.likelihood != "bernoulli" && arch.likelihood != "normal")
    fail("TwoLayerVAE", "likelihood is '" + arch.likelihood + "', but must be 'bernoulli' or 'normal'");
  const std::int64_t D = arch.data_dim, L1 = arch.latent1, L2 = arch.latent2;
  checked_add(L1, L2, "TwoLayerVAE", "the noise width latent1 + latent2");  // noise_dim(), eps (K, B, L1 + L2)
  const char* op = "TwoLayerVAE";
  const std::vector<std::int64_t> back1(arch.hidden1.rbegin(), arch.hidden1.rend());
  const std::vector<std::int64_t> back2(arch.hidden2.rbegin(), arch.hidden2.rend());
  const std::string& act = arch.activation;
  q_z1_x_ = register_module("q_z1_x", make_mlp(layer_sizes(D, arch.hidden1, checked_mul(2, L1, op, "2 * latent1")), act,
                                               arch.init, gen, dtype));
  q_z2_z1_ = register_module("q_z2_z1", make_mlp(layer_sizes(L1, arch.hidden2, checked_mul(2, L2, op, "2 * latent2")),
                                                 act, arch.init, gen, dtype));
  p_z1_z2_ = register_module(
      "p_z1_z2", make_mlp(layer_sizes(L2, back2, checked_mul(2, L1, op, "2 * latent1")), act, arch.init, gen, dtype));
  const std::int64_t out = arch.likelihood == "normal" ? checked_mul(2, D, op, "2 * data_dim") : D;
  p_x_z1_ = register_module("p_x_z1", make_mlp(layer_sizes(L1, back1, out), act, arch.init, gen, dtype));
}

prob::Normal TwoLayerVAE::encode1(const Tensor& x) const { return gaussian_from(q_z1_x_->forward(x), arch_.latent1); }
prob::Normal TwoLayerVAE::encode2(const Tensor& z1) const {
  return gaussian_from(q_z2_z1_->forward(z1), arch_.latent2);
}
prob::Normal TwoLayerVAE::decode2(const Tensor& z2) const {
  return gaussian_from(p_z1_z2_->forward(z2), arch_.latent1);
}
Tensor TwoLayerVAE::log_likelihood(const Tensor& x, const Tensor& z1) const {
  return observation_log_likelihood(p_x_z1_->forward(z1), x, arch_.likelihood);  // (K, B)
}

HierarchySample TwoLayerVAE::sample(const Tensor& x, const Tensor& eps) const {
  const std::int64_t L1 = arch_.latent1, L2 = arch_.latent2;
  if (eps.dim() != 3 || eps.size(-1) != L1 + L2)
    fail("TwoLayerVAE", "eps is " + shape_str(eps.shape()) + "; it must be (K, B, " + std::to_string(L1 + L2) + ")");
  check_x_eps("TwoLayerVAE", x, eps, L1 + L2);                                    // x (B, D), eps of x's B, finite
  const Tensor eps1 = slice(eps, -1, 0, L1), eps2 = slice(eps, -1, L1, L1 + L2);  // (K, B, L1), (K, B, L2)
  prob::Normal q1 = encode1(x);                                                   // q(z1|x): (B, L1)
  Tensor z1 = q1.rsample_with(eps1).name("z1");  // (hierarchy.1) z1 = mu1(x) + sigma1(x) eps1: (K, B, L1)
  prob::Normal q2 = encode2(z1);                 // q(z2|z1): (K, B, L2)
  Tensor z2 = q2.rsample_with(eps2).name("z2");  // (hierarchy.1) z2 = mu2(z1) + sigma2(z1) eps2: (K, B, L2)
  return {q1, z1, q2, z2};
}

Tensor TwoLayerVAE::log_weights(const Tensor& x, const Tensor& eps) const {
  const HierarchySample s = sample(x, eps);                         // see (hierarchy.1)
  Tensor log_px_z1 = log_likelihood(x, s.z1);                       // log p(x|z1): (K, B)
  Tensor log_pz1_z2 = decode2(s.z2).log_prob(s.z1);                 // log p(z1|z2): (K, B)
  Tensor log_pz2 = prior(arch_.latent2, x.dtype()).log_prob(s.z2);  // log p(z2): (K, B)
  Tensor log_q = s.q1.log_prob(s.z1) + s.q2.log_prob(s.z2);         // log q(z1|x) + log q(z2|z1): (K, B)
  // (hierarchy.2) log w = log p(x, z1, z2) - log q(z1, z2|x)
  return (log_px_z1 + log_pz1_z2 + log_pz2 - log_q).name("log_w");
}

Tensor TwoLayerVAE::elbo(const Tensor& x, const Tensor& eps) const { return hierarchy_elbo(*this, x, eps); }

Tensor TwoLayerVAE::kl_to_prior(const Tensor& x, const Tensor& eps) const {
  const HierarchySample s = sample(x, eps);
  Tensor log_q = s.q1.log_prob(s.z1) + s.q2.log_prob(s.z2);  // (K, B)
  Tensor log_p = decode2(s.z2).log_prob(s.z1) + prior(arch_.latent2, x.dtype()).log_prob(s.z2);
  return mean(log_q - log_p, {0});  // KL(q(z1, z2|x) || p(z1, z2)) by Monte Carlo: (B,)
}

Tensor TwoLayerVAE::decode_mean(const Tensor& z2) const {
  return observation_mean(p_x_z1_->forward(decode2(z2).loc()), arch_.likelihood, arch_.data_dim);
}

Tensor TwoLayerVAE::reconstruct(const Tensor& x) const {
  return observation_mean(p_x_z1_->forward(encode1(x).loc()), arch_.likelihood, arch_.data_dim);
}

std::vector<std::vector<double>> TwoLayerVAE::layer_mean_variances(const Tensor& x) const {
  NoGrad no_grad;
  const Tensor mu1 = encode1(x).loc();    // E_q[z1]: (N, L1)
  const Tensor mu2 = encode2(mu1).loc();  // E_q[z2] given z1 = E_q[z1]: (N, L2)
  return {column_variances(mu1), column_variances(mu2)};
}

Tensor hierarchy_elbo(const TwoLayerVAE& model, const Tensor& x, const Tensor& eps) {
  const HierarchySample s = model.sample(x, eps);                                          // see (hierarchy.1)
  Tensor log_px_z1 = model.log_likelihood(x, s.z1);                                        // log p(x|z1): (K, B)
  Tensor log_pz1_z2 = model.decode2(s.z2).log_prob(s.z1);                                  // log p(z1|z2): (K, B)
  Tensor log_qz1 = s.q1.log_prob(s.z1);                                                    // log q(z1|x): (K, B)
  Tensor kl2 = prob::kl_divergence(s.q2, prior(model.architecture().latent2, x.dtype()));  // see (kl.4): (K, B)
  // (hierarchy.3) E_q[log p(x, z1, z2) - log q(z1, z2|x)] with the z2 part, E_q(z2|z1)[log p(z2) - log q(z2|z1)],
  // in closed form: minus the KL of q(z2|z1) to the prior
  return mean(log_px_z1 + log_pz1_z2 - log_qz1 - kl2, {0}).name("elbo");  // (B,)
}

Tensor hierarchy_iwae_bound(const TwoLayerVAE& model, const Tensor& x, const Tensor& eps) {
  // (hierarchy.4) log (1/K) sum_k w_k: the bound of iwae.md, whatever the posterior, see (iwae.6)
  return iwae_bound_from_log_weights(model.log_weights(x, eps));  // (B,)
}

Tensor hierarchy_log_joint_x_eps(const TwoLayerVAE& model, const Tensor& x, const Tensor& eps) {
  const HierarchySample s = model.sample(x, eps);                                  // see (hierarchy.1)
  Tensor log_px_z1 = model.log_likelihood(x, s.z1);                                // (K, B)
  Tensor log_pz1_z2 = model.decode2(s.z2).log_prob(s.z1);                          // (K, B)
  Tensor log_pz2 = prior(model.architecture().latent2, x.dtype()).log_prob(s.z2);  // (K, B)
  // log |det d(z1, z2)/d(eps1, eps2)|: the Jacobian is block triangular (z1 does not depend on eps2), so the
  // determinant is the product of the diagonal blocks', sum log sigma1 + sum log sigma2(z1), see (reparam.2)
  Tensor log_det = s.q1.transform().log_abs_det_jacobian() + s.q2.transform().log_abs_det_jacobian();  // (K, B)
  // (hierarchy.5) log p(x, eps1, eps2) = log p(x|z1) + log p(z1|z2) + log p(z2) + log |det d(z1, z2)/d(eps1, eps2)|
  return (log_px_z1 + log_pz1_z2 + log_pz2 + log_det).name("log_p_x_eps");
}

}  // namespace tg::vae
