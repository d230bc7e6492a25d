// MLP: layer construction, the activation table, and the forward pass (Linear, activation, Linear, ...).
#include "nn/mlp.hpp"

namespace tg::nn {

Tensor identity(const Tensor& x, Where) { return x; }

Activation activation_by_name(const std::string& name) {
  if (name == "relu") return &tg::relu;
  if (name == "tanh") return &tg::tanh;
  if (name == "sigmoid") return &tg::sigmoid;
  if (name == "softplus") return &tg::softplus;
  if (name == "identity") return &identity;
  fail("activation", "name is \"" + name + "\", but must be relu, tanh, sigmoid, softplus or identity");
}

MLP::MLP(const std::vector<std::int64_t>& sizes, const std::string& activation, Generator& gen, bool activate_last,
         DType dtype)
    : sizes_(sizes),
      activation_name_(activation),
      activation_(activation_by_name(activation)),
      activate_last_(activate_last) {
  if (sizes.size() < 2)
    fail("MLP", "sizes has " + std::to_string(sizes.size()) + " entries, but must have at least 2 (in, out)");
  for (std::size_t i = 0; i + 1 < sizes.size(); ++i)
    layers_.push_back(
        register_module(std::to_string(i), std::make_shared<Linear>(sizes[i], sizes[i + 1], gen, true, dtype)));
}

// The one-op form act(linear(x, W, b)) of an activation that has one, else nullptr.
using FusedLinear = Tensor (*)(const Tensor& x, const Tensor& W, const Tensor& b, Where where);
static FusedLinear fused_linear(const std::string& activation) {
  if (activation == "relu") return &tg::linear_relu;
  if (activation == "tanh") return &tg::linear_tanh;
  if (activation == "sigmoid") return &tg::linear_sigmoid;
  if (activation == "softplus") return &tg::linear_softplus;
  return nullptr;
}

// A layer followed by relu, tanh, sigmoid or softplus runs as one fused op (the same values, one tape entry).
Tensor MLP::forward(const Tensor& x, Where where) const {
  const FusedLinear fused = fused_linear(activation_name_);
  Tensor h = x;  // (..., sizes[0])
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    const bool activate = i + 1 < layers_.size() || activate_last_;
    if (activate && fused)
      h = fused(h, layers_[i]->weight, layers_[i]->bias, where);  // (..., sizes[i + 1])
    else
      h = layers_[i]->forward(h, where);
    if (activate && !fused) h = activation_(h, where);
  }
  return h;
}

Linear& MLP::layer(std::size_t i) {
  if (i >= layers_.size())
    fail("MLP::layer",
         "index " + std::to_string(i) + " is out of range for " + std::to_string(layers_.size()) + " layers");
  return *layers_[i];
}

}  // namespace tg::nn
