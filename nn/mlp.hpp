// MLP: a stack of Linear layers with an activation between them, built from the layer sizes, e.g.
// MLP({784, 200, 200, 100}, "tanh", gen) is 784 -> 200 -> tanh -> 200 -> tanh -> 100. Layer i's parameters
// are named "i.weight" and "i.bias"; the activation is a plain function, not a module, so it has no name.
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "nn/linear.hpp"

namespace tg::nn {

// An activation is any elementwise op of this signature: tg::relu, tg::tanh, tg::sigmoid, tg::softplus, ...
using Activation = Tensor (*)(const Tensor& x, Where where);
// "relu" | "tanh" | "sigmoid" | "softplus" | "identity"; throws naming the choices otherwise.
Activation activation_by_name(const std::string& name);
Tensor identity(const Tensor& x, Where where = Where::current());

class MLP : public Module {
 public:
  // sizes = {in, hidden..., out}, at least two entries. The activation follows every layer but the last, and
  // the last too if activate_last.
  MLP(const std::vector<std::int64_t>& sizes, const std::string& activation, Generator& gen, bool activate_last = false,
      DType dtype = f32);

  Tensor forward(const Tensor& x, Where where = Where::current()) const;  // (..., in) -> (..., out)
  Tensor operator()(const Tensor& x, Where where = Where::current()) const { return forward(x, where); }

  std::size_t num_layers() const { return layers_.size(); }
  Linear& layer(std::size_t i);  // throws tg::Error when i >= num_layers()
  const std::vector<std::int64_t>& sizes() const { return sizes_; }
  const std::string& activation_name() const { return activation_name_; }

 private:
  std::vector<std::int64_t> sizes_;
  std::string activation_name_;
  Activation activation_;
  bool activate_last_;
  std::vector<std::shared_ptr<Linear>> layers_;
};

}  // namespace tg::nn
