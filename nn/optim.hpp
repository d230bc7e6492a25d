// Optimisers that update parameters in place from their gradients: SGD (momentum, dampening, Nesterov, weight
// decay) and Adam (Kingma & Ba 2015), each following torch.optim's update rule step for step; clip_grad_norm
// by the global norm; and the optimiser state as named tensors, for checkpoints.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/module.hpp"

namespace tg::nn {

// What a checkpoint needs to resume an optimiser exactly: its kind ("sgd", "adam"), the number of steps
// taken, and its buffers by name ("m.<param>", "v.<param>" for Adam, "momentum.<param>" for SGD).
struct OptimizerState {
  std::string kind;
  std::int64_t step = 0;
  NamedTensors buffers;
};

class Optimizer {
 public:
  // params: named leaf tensors that require grad (Module::named_parameters()); names must be unique.
  Optimizer(NamedTensors params, double lr, const char* kind);
  virtual ~Optimizer() = default;

  virtual void step() = 0;  // one update from the current gradients; parameters without a gradient are skipped
  void zero_grad();         // forgets every parameter's gradient

  double lr() const { return lr_; }
  void set_lr(double lr);  // e.g. from a Schedule at the start of each epoch
  std::int64_t steps() const { return steps_; }
  const NamedTensors& params() const { return params_; }
  const std::string& kind() const { return kind_; }

  // One buffer an optimiser keeps per parameter: its name ("m.<param>"), the parameter it belongs to, and
  // whether a saved state must contain it (SGD's momentum does not exist before the parameter's first
  // update).
  struct Buffer {
    std::string name;
    Tensor* value;
    const Tensor* param;
    bool required;
    bool non_negative = false;  // e.g. Adam's second moment
  };
  struct BufferSpec {
    std::string name;
    Shape shape;
    DType dtype;
    bool required;
  };
  std::vector<BufferSpec> buffer_specs() const;  // what set_state expects: shape and dtype of each buffer

  OptimizerState state() const;                     // copies of the defined buffers
  void check_state(const OptimizerState& s) const;  // throws unless set_state(s) would succeed; changes nothing
  // Checks kind, step, names, shapes, dtypes and values (finite; Adam's v >= 0), then copies the values in.
  void set_state(const OptimizerState& s);

 protected:
  virtual std::vector<Buffer> buffers() = 0;  // in a fixed order
  NamedTensors params_;
  double lr_;
  std::int64_t steps_ = 0;

 private:
  std::string kind_;
};

struct SgdOptions {
  double lr = 0.01;
  double momentum = 0.0;
  double dampening = 0.0;
  double weight_decay = 0.0;
  bool nesterov = false;
};

// torch.optim.SGD: g = grad + wd p; b = g on the first step, else b = mu b + (1 - dampening) g;
// g = g + mu b (Nesterov) or b; p = p - lr g.
class SGD : public Optimizer {
 public:
  SGD(NamedTensors params, const SgdOptions& options);
  void step() override;
  const SgdOptions& options() const { return options_; }

 protected:
  std::vector<Buffer> buffers() override;

 private:
  SgdOptions options_;
  std::vector<Tensor> momentum_;  // one per parameter; undefined until its first step
};

struct AdamOptions {
  double lr = 1e-3;
  double beta1 = 0.9;
  double beta2 = 0.999;
  double eps = 1e-8;  // the IWAE paper uses 1e-4
  double weight_decay = 0.0;
};

// torch.optim.Adam (amsgrad off): t = t + 1; g = grad + wd p; m = lerp(m, g, 1 - b1);
// v = b2 v + (1 - b2) g^2; p = p - (lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 - b2^t) + eps).
class Adam : public Optimizer {
 public:
  Adam(NamedTensors params, const AdamOptions& options);
  void step() override;
  const AdamOptions& options() const { return options_; }

 protected:
  std::vector<Buffer> buffers() override;

 private:
  AdamOptions options_;
  std::vector<Tensor> m_, v_;  // first and second moment estimates, zeros at the start
};

// Scales all gradients together so that their global L2 norm is at most max_norm (when it is larger:
// g = g * max_norm / (norm + 1e-6), like torch.nn.utils.clip_grad_norm_). Returns the norm before clipping.
double clip_grad_norm(const std::vector<Tensor>& params, double max_norm);

}  // namespace tg::nn
