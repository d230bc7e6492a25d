// Module: the base of every layer and model. A module owns named parameters (leaf tensors that require grad)
// and named submodules, so a model's parameters have hierarchical names like "encoder.0.weight" -- the names
// that checkpoints store and that print_tape shows.
#pragma once
#include <memory>
#include <string>
#include <unordered_set>
#include <utility>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg::nn {

using NamedTensors = std::vector<std::pair<std::string, Tensor>>;

class Module {
 public:
  Module() = default;
  virtual ~Module() = default;

  // Depth-first, in registration order: own parameters first, then each submodule's under "<child>.".
  NamedTensors named_parameters() const;
  std::vector<Tensor> parameters() const;
  Tensor parameter(const std::string& name) const;  // by full name; throws if there is none
  std::int64_t num_parameters() const;              // total number of scalars

  void zero_grad();  // forgets every parameter's gradient (call once per training step, before backward)

  // Training / evaluation mode, propagated to submodules. Layers with mode-dependent behaviour read
  // training().
  void train(bool on = true);
  void eval() { train(false); }
  bool training() const { return training_; }

 protected:
  // Registers `value` under `name` (no '.' allowed): marks it requires_grad and names the tensor. Returns it.
  Tensor register_parameter(const std::string& name, Tensor value);
  // Registers a submodule under `name` and renames its parameter tensors "<name>.<...>" for print_tape.
  template <class M>
  std::shared_ptr<M> register_module(const std::string& name, std::shared_ptr<M> child) {
    add_child(name, child);
    return child;
  }

 private:
  void add_child(const std::string& name, std::shared_ptr<Module> child);
  void collect(const std::string& prefix, NamedTensors& out) const;
  void claim_name(const char* what, const std::string& name);
  NamedTensors params_;
  std::vector<std::pair<std::string, std::shared_ptr<Module>>> children_;
  std::unordered_set<std::string> names_;  // of params_ and children_: registering n modules takes O(n), not O(n^2)
  bool training_ = true;
};

}  // namespace tg::nn
