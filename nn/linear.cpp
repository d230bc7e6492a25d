// Linear: registration of weight (out, in) and bias (out), PyTorch's default initialisation, and the forward
// y = x W^T + b through tg::linear (whose backward is in autodiff/ops/matmul.cpp).
#include "nn/linear.hpp"

#include <string>

#include "nn/init.hpp"

namespace tg::nn {

Linear::Linear(std::int64_t in_features, std::int64_t out_features, Generator& gen, bool with_bias, DType dtype) {
  if (in_features < 1) fail("Linear", "in_features is " + std::to_string(in_features) + ", but must be >= 1");
  if (out_features < 1) fail("Linear", "out_features is " + std::to_string(out_features) + ", but must be >= 1");
  Tensor w = zeros({out_features, in_features}, dtype);
  Tensor b = with_bias ? zeros({out_features}, dtype) : Tensor();
  torch_linear_init(w, b, gen);
  weight = register_parameter("weight", w);
  if (with_bias) bias = register_parameter("bias", b);
}

Tensor Linear::forward(const Tensor& x, Where where) const { return linear(x, weight, bias, where); }

}  // namespace tg::nn
