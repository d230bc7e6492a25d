// The VAE's encoder and decoders by value, with the last layers set by hand (weights 0, biases known) so that every
// output is known: q(z|x) reads mu and log_var from the right halves; the Normal decoder's log-likelihood uses its
// mean and log-variance as given; decode_mean is sigmoid(logits) or the Normal's mean. Also the named
// architectures, and gradchecks over several architectures, activations and both likelihoods.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <numbers>

#include "autodiff/autodiff.hpp"
#include "vae/vae.hpp"

using namespace tg;
using namespace tg::vae;

namespace {

// Sets the last layer of the encoder or decoder: weight 0, bias = values (so its output is `values` for any input).
void set_last_layer(VAE& model, const std::string& part, const std::vector<double>& values) {
  const std::size_t layers = model.architecture().hidden.size() + 1;
  const std::string prefix = part + "." + std::to_string(layers - 1) + ".";
  Tensor w = model.parameter(prefix + "weight"), b = model.parameter(prefix + "bias");
  for (std::int64_t i = 0; i < w.numel(); ++i) w.set_flat(i, 0.0);
  REQUIRE(b.numel() == static_cast<std::int64_t>(values.size()));
  for (std::size_t i = 0; i < values.size(); ++i) b.set_flat(static_cast<std::int64_t>(i), values[i]);
}

double log_normal(double x, double mean, double log_var) {
  return -0.5 * (x - mean) * (x - mean) / std::exp(log_var) - 0.5 * log_var - 0.5 * std::log(2 * std::numbers::pi);
}

}  // namespace

TEST_CASE("VAE encode reads mu from the first half and log_var from the second", "[vae][model]") {
  Generator gen(3);
  VAE model({4, {3}, 2, "tanh", "glorot"}, gen, f64);
  set_last_layer(model, "encoder", {0.5, -1.0, 0.25, -2.0});
  const prob::Normal q = model.encode(randn({3, 4}, gen, f64));
  REQUIRE(q.shape() == Shape{3, 2});
  for (std::int64_t b = 0; b < 3; ++b) {
    CHECK(q.loc().at({b, 0}) == 0.5);
    CHECK(q.loc().at({b, 1}) == -1.0);
    CHECK(q.log_var().at({b, 0}) == 0.25);
    CHECK(q.log_var().at({b, 1}) == -2.0);
    CHECK(q.scale().at({b, 1}) == Approx(std::exp(-1.0)).epsilon(1e-15));
  }
}

TEST_CASE("VAE with a Normal decoder: log p(x|z) uses its mean and log-variance as given; decode_mean is the mean",
          "[vae][model]") {
  Generator gen(4);
  VAE model({3, {2}, 2, "tanh", "glorot", "normal"}, gen, f64);
  const std::vector<double> mean = {0.5, -1.0, 2.0}, log_var = {0.0, -1.5, 0.8};
  std::vector<double> bias = mean;
  bias.insert(bias.end(), log_var.begin(), log_var.end());
  set_last_layer(model, "decoder", bias);
  const Tensor x = tensor({0.1, -0.7, 2.5, 1.0, 0.0, -3.0}, {2, 3}, f64);
  const Tensor z = randn({4, 2, 2}, gen, f64);  // (K, B, L)
  const Tensor ll = model.log_likelihood(x, z);
  REQUIRE(ll.shape() == Shape{4, 2});
  for (std::int64_t b = 0; b < 2; ++b) {
    double expected = 0;
    for (std::int64_t d = 0; d < 3; ++d) {
      const auto k = static_cast<std::size_t>(d);
      expected += log_normal(x.at({b, d}), mean[k], log_var[k]);
    }
    for (std::int64_t k = 0; k < 4; ++k) CHECK(ll.at({k, b}) == Approx(expected).epsilon(1e-13));
  }
  const Tensor m = model.decode_mean(z);
  REQUIRE(m.shape() == Shape{4, 2, 3});
  for (std::int64_t i = 0; i < m.numel(); ++i) CHECK(m.flat(i) == mean[static_cast<std::size_t>(i % 3)]);
}

TEST_CASE("VAE with a Bernoulli decoder: decode_mean is sigmoid of the logits, log p(x|z) is x t - softplus(t)",
          "[vae][model]") {
  Generator gen(5);
  VAE model({3, {}, 2, "relu", "pytorch"}, gen, f64);
  const std::vector<double> logits = {-2.0, 0.0, 3.0};
  set_last_layer(model, "decoder", logits);
  const Tensor z = randn({2, 2}, gen, f64);
  const Tensor m = model.decode_mean(z);
  REQUIRE(m.shape() == Shape{2, 3});
  for (std::int64_t i = 0; i < 6; ++i)
    CHECK(m.flat(i) == Approx(1 / (1 + std::exp(-logits[static_cast<std::size_t>(i % 3)]))).epsilon(1e-15));
  const Tensor x = tensor({1, 0, 1}, {1, 3}, f64);
  const double expected = (-2.0 - std::log1p(std::exp(-2.0))) + (-std::log(2.0)) + (3.0 - std::log1p(std::exp(3.0)));
  CHECK(model.log_likelihood(x, randn({2, 1, 2}, gen, f64)).flat(1) == Approx(expected).epsilon(1e-14));
}

TEST_CASE("The named architectures: pytorch/examples' VAE and the IWAE paper's", "[vae][model]") {
  const Architecture p = pytorch_examples_architecture(), w = iwae_paper_architecture();
  CHECK(p.describe() == "784-400-20 relu");
  CHECK(p.init == "pytorch");
  CHECK(w.describe() == "784-200-200-50 tanh");
  CHECK(w.init == "glorot");
  CHECK(w.likelihood == "bernoulli");
  Generator gen(6);
  const VAE model(w, gen);
  CHECK(model.parameter("encoder.0.weight").shape() == Shape{200, 784});
  CHECK(model.parameter("encoder.2.weight").shape() == Shape{100, 200});  // mu and log_var: 2 x 50
  CHECK(model.parameter("decoder.2.weight").shape() == Shape{784, 200});
  CHECK(model.parameter("decoder.2.bias").to_vector() == std::vector<double>(784, 0.0));  // Glorot: zero bias
  // encoder 784-200-200-100 and decoder 50-200-200-784, weights and biases
  CHECK(model.num_parameters() == (784 * 200 + 200) + (200 * 200 + 200) + (200 * 100 + 100) + (50 * 200 + 200) +
                                      (200 * 200 + 200) + (200 * 784 + 784));
}

TEST_CASE("gradcheck of every objective over architectures, activations and both likelihoods",
          "[vae][gradcheck][elbo][iwae][joint]") {
  using Objective = std::function<Tensor(const LatentModel&, const Tensor&, const Tensor&)>;
  const std::vector<std::pair<const char*, Objective>> objectives = {{"elbo_analytic", elbo_analytic},
                                                                     {"elbo_monte_carlo", elbo_monte_carlo},
                                                                     {"iwae_bound", iwae_bound},
                                                                     {"log_joint_x_eps", log_joint_x_eps}};
  const std::vector<std::vector<std::int64_t>> hiddens = {{}, {4}, {5, 3}};
  int checked = 0;
  for (const auto& hidden : hiddens)
    for (const char* activation : {"relu", "tanh", "sigmoid", "softplus"})
      for (const char* likelihood : {"bernoulli", "normal"}) {
        Generator gen(100 + checked);
        VAE model({5, hidden, 2, activation, checked % 2 ? "pytorch" : "glorot", likelihood}, gen, f64);
        const Tensor x =
            std::string(likelihood) == "bernoulli" ? bernoulli(full({3, 5}, 0.5, f64), gen) : randn({3, 5}, gen, f64);
        const Tensor eps = draw_eps(model, x, 2, gen);  // frozen noise
        for (const auto& [name, objective] : objectives) {
          INFO(name << ", hidden " << hidden.size() << " layers, " << activation << ", " << likelihood);
          const GradcheckResult r =
              gradcheck([&](const std::vector<Tensor>&) { return objective(model, x, eps); }, model.parameters());
          INFO(r.report);
          CHECK(r.ok);
        }
        ++checked;
      }
  CHECK(checked == 24);
}
