// Module: registration of parameters and submodules, hierarchical names, zero_grad and the train/eval flag.
#include "nn/module.hpp"

namespace tg::nn {

static void check_local_name(const char* what, const std::string& name) {
  if (name.empty()) fail(what, "name is empty, but must be a non-empty name without '.'");
  if (name.find('.') != std::string::npos)
    fail(what, "name is \"" + name + "\", but must not contain '.' (dots separate the levels of a full name)");
}

void Module::claim_name(const char* what, const std::string& name) {
  if (!names_.insert(name).second) fail(what, "name \"" + name + "\" is already registered");
}

Tensor Module::register_parameter(const std::string& name, Tensor value) {
  check_local_name("register_parameter", name);
  if (!value.defined()) fail("register_parameter", name + " is an undefined Tensor");
  if (!value.is_leaf()) fail("register_parameter", name + " was computed by an op, but a parameter must be a leaf");
  claim_name("register_parameter", name);
  value.requires_grad(true);
  value.name(name);
  params_.emplace_back(name, value);
  return value;
}

void Module::add_child(const std::string& name, std::shared_ptr<Module> child) {
  check_local_name("register_module", name);
  if (!child) fail("register_module", name + " is a null module");
  claim_name("register_module", name);
  // Name the tensors by their path from here; a parent registering this module later extends the names again.
  for (auto& [full, t] : child->named_parameters()) t.name(name + "." + full);
  child->train(training_);
  children_.emplace_back(name, std::move(child));
}

void Module::collect(const std::string& prefix, NamedTensors& out) const {
  for (const auto& [name, t] : params_) out.emplace_back(prefix + name, t);
  for (const auto& [name, child] : children_) child->collect(prefix + name + ".", out);
}

NamedTensors Module::named_parameters() const {
  NamedTensors out;
  collect("", out);
  return out;
}

std::vector<Tensor> Module::parameters() const {
  std::vector<Tensor> out;
  for (auto& [name, t] : named_parameters()) out.push_back(t);
  return out;
}

Tensor Module::parameter(const std::string& name) const {
  for (auto& [n, t] : named_parameters())
    if (n == name) return t;
  fail("Module::parameter", "there is no parameter named \"" + name + "\"");
}

std::int64_t Module::num_parameters() const {
  std::int64_t n = 0;
  for (auto& [name, t] : named_parameters()) n += t.numel();
  return n;
}

void Module::zero_grad() {
  for (auto& [name, t] : named_parameters()) t.zero_grad();
}

void Module::train(bool on) {
  training_ = on;
  for (auto& [name, child] : children_) child->train(on);
}

}  // namespace tg::nn
