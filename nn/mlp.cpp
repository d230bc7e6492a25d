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

Tensor MLP::forward(const Tensor& x, Where where) const {
  Tensor h = x;  // (..., sizes[0])
  for (std::size_t i = 0; i < layers_.size(); ++i) {
    h = layers_[i]->forward(h, where);  // (..., sizes[i + 1])
    if (i + 1 < layers_.size() || activate_last_) h = activation_(h, where);
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
