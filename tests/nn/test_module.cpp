// Tests of Module (hierarchical parameter names, zero_grad, train/eval), Linear (forward by hand, gradcheck),
// MLP and the initialisers (bounds and sample variances).
#include <catch2/catch.hpp>
#include <cmath>
#include <memory>

#include "autodiff/autodiff.hpp"
#include "nn/init.hpp"
#include "nn/linear.hpp"
#include "nn/mlp.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

struct Model : Module {
  std::shared_ptr<MLP> encoder, decoder;
  Model(Generator& gen) {
    encoder = register_module("encoder", std::make_shared<MLP>(std::vector<std::int64_t>{6, 4, 2}, "relu", gen));
    decoder = register_module("decoder", std::make_shared<MLP>(std::vector<std::int64_t>{2, 6}, "tanh", gen));
  }
};

struct Scaled : Module {
  Tensor s;
  explicit Scaled(const std::string& name) { s = register_parameter(name, ones({2})); }
};

void sample_stats(const Tensor& w, double& mean, double& var, double& max_abs) {
  const std::vector<double> v = w.to_vector();
  mean = var = max_abs = 0.0;
  for (double x : v) mean += x, max_abs = std::max(max_abs, std::abs(x));
  mean /= static_cast<double>(v.size());
  for (double x : v) var += (x - mean) * (x - mean);
  var /= static_cast<double>(v.size() - 1);
}

}  // namespace

TEST_CASE("Linear forward is x W^T + b, by hand", "[nn][module]") {
  Generator gen(1);
  Linear layer(3, 2, gen, true, f64);
  layer.weight.set({0, 0}, 1.0), layer.weight.set({0, 1}, 2.0), layer.weight.set({0, 2}, -1.0);
  layer.weight.set({1, 0}, 0.5), layer.weight.set({1, 1}, 0.0), layer.weight.set({1, 2}, 3.0);
  layer.bias.set({0}, 0.25), layer.bias.set({1}, -2.0);
  const Tensor x = tensor({1, 2, 3, -1, 0, 4}, {2, 3}, f64);
  const Tensor y = layer(x);
  REQUIRE(y.shape() == Shape{2, 2});
  CHECK(y.at({0, 0}) == 1 + 4 - 3 + 0.25);
  CHECK(y.at({0, 1}) == 0.5 + 0 + 9 - 2.0);
  CHECK(y.at({1, 0}) == -1 + 0 - 4 + 0.25);
  CHECK(y.at({1, 1}) == -0.5 + 0 + 12 - 2.0);
  CHECK(layer.in_features() == 3);
  CHECK(layer.out_features() == 2);
  current_tape().clear();
}

TEST_CASE("Linear gradients pass gradcheck, with and without bias", "[nn][module]") {
  Generator gen(2);
  for (bool with_bias : {true, false}) {
    Linear layer(4, 3, gen, with_bias, f64);
    Tensor x = randn({5, 4}, gen, f64).name("x");
    x.requires_grad(true);
    std::vector<Tensor> inputs{x, layer.weight};
    if (with_bias) inputs.push_back(layer.bias);
    auto f = [&](const std::vector<Tensor>& in) { return tanh(linear(in[0], in[1], with_bias ? in[2] : Tensor())); };
    const GradcheckResult r = gradcheck(f, inputs);
    INFO(r.report);
    CHECK(r.ok);
    CHECK(layer.named_parameters().size() == (with_bias ? 2u : 1u));
    current_tape().clear();
  }
}

TEST_CASE("Linear rejects bad sizes and inputs", "[nn][module]") {
  Generator gen(3);
  CHECK_THROWS_WITH(Linear(0, 2, gen), "Linear: in_features is 0, but must be >= 1");
  Linear layer(3, 2, gen);
  CHECK_THROWS_AS(layer(zeros({2, 4})), Error);
  MLP mlp({3, 4, 2}, "relu", gen);
  CHECK(mlp.layer(1).weight.shape() == Shape{2, 4});
  CHECK_THROWS_WITH(mlp.layer(2), "MLP::layer: index 2 is out of range for 2 layers");
}

TEST_CASE("MLP parameter names are hierarchical: encoder.0.weight", "[nn][module]") {
  Generator gen(4);
  Model model(gen);
  std::vector<std::string> names;
  for (const auto& [name, t] : model.named_parameters()) {
    names.push_back(name);
    CHECK(t.name() == name);  // print_tape shows the full name
    CHECK(t.requires_grad());
  }
  CHECK(names == std::vector<std::string>{"encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias",
                                          "decoder.0.weight", "decoder.0.bias"});
  CHECK(model.parameter("encoder.1.weight").shape() == Shape{2, 4});
  CHECK(model.num_parameters() == (6 * 4 + 4) + (4 * 2 + 2) + (2 * 6 + 6));
  CHECK(model.parameters().size() == 6);
  CHECK_THROWS_WITH(model.parameter("encoder.2.weight"),
                    "Module::parameter: there is no parameter named \"encoder.2.weight\"");
}

TEST_CASE("MLP forward is Linear, activation, Linear; activate_last applies it at the end", "[nn][module]") {
  Generator gen(5);
  MLP mlp({3, 4, 2}, "tanh", gen, false, f64);
  MLP mlp_last({3, 4, 2}, "sigmoid", gen, true, f64);
  const Tensor x = randn({5, 3}, gen, f64);
  const Tensor want = mlp.layer(1)(tanh(mlp.layer(0)(x)));
  const Tensor want_last = sigmoid(mlp_last.layer(1)(sigmoid(mlp_last.layer(0)(x))));
  const Tensor got = mlp(x), got_last = mlp_last(x);
  for (std::int64_t i = 0; i < want.numel(); ++i) {
    CHECK(got.flat(i) == want.flat(i));
    CHECK(got_last.flat(i) == want_last.flat(i));
  }
  CHECK(mlp.num_layers() == 2);
  CHECK(activation_by_name("relu") == &tg::relu);
  CHECK(activation_by_name("softplus") == &tg::softplus);
  CHECK_THROWS_WITH(MLP({3}, "relu", gen), "MLP: sizes has 1 entries, but must have at least 2 (in, out)");
  CHECK_THROWS_WITH(activation_by_name("gelu"),
                    "activation: name is \"gelu\", but must be relu, tanh, sigmoid, softplus or identity");
  current_tape().clear();
}

TEST_CASE("Module zero_grad forgets gradients; train and eval reach submodules", "[nn][module]") {
  Generator gen(6);
  Model model(gen);
  backward(sum(square(model.decoder->forward(model.encoder->forward(randn({3, 6}, gen))))));
  for (const Tensor& p : model.parameters()) CHECK(p.grad().defined());
  model.zero_grad();
  for (const Tensor& p : model.parameters()) CHECK_FALSE(p.grad().defined());
  CHECK(model.encoder->training());
  model.eval();
  CHECK_FALSE(model.training());
  CHECK_FALSE(model.encoder->training());
  model.train();
  CHECK(model.decoder->training());
  current_tape().clear();
}

TEST_CASE("Module registration rejects dots, empty and repeated names", "[nn][module]") {
  CHECK_THROWS_WITH(Scaled("a.b"), Catch::Contains("register_parameter: name is \"a.b\", but must not contain '.'"));
  CHECK_THROWS_WITH(Scaled(""), Catch::Contains("name is empty"));
  struct Twice : Module {
    Twice() {
      register_parameter("w", zeros({1}));
      register_parameter("w", zeros({1}));
    }
  };
  CHECK_THROWS_WITH(Twice(), "register_parameter: name \"w\" is already registered");
  struct Clash : Module {
    Clash() {
      register_parameter("w", zeros({1}));
      register_module("w", std::make_shared<Scaled>("s"));
    }
  };
  CHECK_THROWS_WITH(Clash(), "register_module: name \"w\" is already registered");
}

TEST_CASE("Module registration takes time linear in the number of submodules (200,000 layers)", "[nn][module]") {
  // A registration that scanned every earlier one would take minutes for 200,000 layers (a checkpoint's card may ask
  // for that many coupling layers); the set of names makes it linear, and a mutation's timeout catches a scan.
  struct Deep : Module {
    Deep() {
      for (int i = 0; i < 200000; ++i) register_module(std::to_string(i), std::make_shared<Module>());
      register_parameter("w", zeros({1}));
    }
  };
  Deep deep;
  CHECK(deep.named_parameters().size() == 1);
  CHECK(deep.named_parameters()[0].first == "w");
}

TEST_CASE("Glorot uniform stays within sqrt(6 / (fan_in + fan_out)) with variance a^2 / 3", "[nn][init]") {
  Generator gen(7);
  Tensor w = zeros({300, 500});
  glorot_uniform(w, gen);
  double mean, var, max_abs;
  sample_stats(w, mean, var, max_abs);
  const double a = std::sqrt(6.0 / 800.0);
  CHECK(max_abs <= a);
  CHECK(max_abs > 0.99 * a);
  CHECK(std::abs(mean) < 0.002);
  CHECK(var == Approx(a * a / 3).epsilon(0.02));
  Generator same(7);
  Tensor w2 = zeros({300, 500});
  glorot_uniform(w2, same);
  CHECK(w2.to_vector() == w.to_vector());  // same seed, same values
}

TEST_CASE("Glorot normal, He uniform and He normal have the documented variances", "[nn][init]") {
  Generator gen(8);
  Tensor w = zeros({200, 400}, f64);
  double mean, var, max_abs;
  glorot_normal(w, gen);
  sample_stats(w, mean, var, max_abs);
  CHECK(var == Approx(2.0 / 600.0).epsilon(0.02));
  he_uniform(w, gen);  // fan_in = 400
  sample_stats(w, mean, var, max_abs);
  CHECK(max_abs <= std::sqrt(2.0) * std::sqrt(3.0 / 400.0));
  CHECK(var == Approx(2.0 / 400.0).epsilon(0.02));
  he_normal(w, gen, FanMode::fan_out);  // fan_out = 200
  sample_stats(w, mean, var, max_abs);
  CHECK(var == Approx(2.0 / 200.0).epsilon(0.02));
  CHECK(std::abs(mean) < 0.003);
  fill_zeros(w);
  sample_stats(w, mean, var, max_abs);
  CHECK(max_abs == 0.0);
}

TEST_CASE("PyTorch's default Linear init is U(-1/sqrt(in), 1/sqrt(in)) for weight and bias", "[nn][init]") {
  Generator gen(9);
  Linear layer(400, 300, gen);
  double mean, var, max_abs;
  sample_stats(layer.weight, mean, var, max_abs);
  CHECK(max_abs <= 1.0 / 20.0);
  CHECK(var == Approx(1.0 / (3 * 400.0)).epsilon(0.02));
  sample_stats(layer.bias, mean, var, max_abs);
  CHECK(max_abs <= 1.0 / 20.0);
  CHECK(max_abs > 0.04);
  CHECK(fans(layer.weight) == std::pair<std::int64_t, std::int64_t>{400, 300});
  CHECK(fans(zeros({8, 3, 5, 5})) == std::pair<std::int64_t, std::int64_t>{75, 200});
  CHECK_THROWS_WITH(fans(zeros({4})), "fans: w is (4,), but must have rank >= 2 (out, in, ...) to have fans");
}
