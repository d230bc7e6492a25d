// Linear: the affine layer y = x W^T + b with PyTorch's layout, weight (out, in) and bias (out), initialised
// like torch.nn.Linear (U(-1/sqrt(in), 1/sqrt(in)) for both) from an explicit Generator.
#pragma once
#include <cstdint>

#include "autodiff/ops.hpp"
#include "autodiff/random.hpp"
#include "nn/module.hpp"

namespace tg::nn {

class Linear : public Module {
 public:
  // in_features, out_features >= 1. Without bias, `bias` stays undefined and is not a parameter.
  Linear(std::int64_t in_features, std::int64_t out_features, Generator& gen, bool with_bias = true, DType dtype = f32);

  // x (..., in) -> (..., out). `where` is the caller's line, so the tape points at the model, not at this
  // file.
  Tensor forward(const Tensor& x, Where where = Where::current()) const;
  Tensor operator()(const Tensor& x, Where where = Where::current()) const { return forward(x, where); }

  std::int64_t in_features() const { return weight.size(1); }
  std::int64_t out_features() const { return weight.size(0); }

  Tensor weight;  // (out, in)
  Tensor bias;    // (out), or undefined
};

}  // namespace tg::nn
