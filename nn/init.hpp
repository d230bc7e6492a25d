// Initialisers: fill an existing parameter tensor in place from an explicit Generator (same seed, same
// values). Glorot/Xavier (Glorot & Bengio 2010), He/Kaiming (He et al. 2015) and PyTorch's default for
// nn.Linear. Fans follow PyTorch: for a weight (out, in, ...) fan_in = in * receptive field, fan_out = out *
// receptive field.
#pragma once
#include <cstdint>
#include <utility>

#include "autodiff/random.hpp"
#include "autodiff/tensor.hpp"

namespace tg::nn {

enum class FanMode { fan_in, fan_out };

std::pair<std::int64_t, std::int64_t> fans(const Tensor& w);  // (fan_in, fan_out); w must have rank >= 2

void fill_zeros(Tensor& w);
void fill_uniform(Tensor& w, double lo, double hi, Generator& gen);  // U[lo, hi), row-major order
void fill_normal(Tensor& w, double mean, double std, Generator& gen);

// U(-a, a) with a = gain * sqrt(6 / (fan_in + fan_out))
void glorot_uniform(Tensor& w, Generator& gen, double gain = 1.0);
// N(0, s^2) with s = gain * sqrt(2 / (fan_in + fan_out))
void glorot_normal(Tensor& w, Generator& gen, double gain = 1.0);
// U(-a, a) with a = gain * sqrt(3 / fan); gain sqrt(2) suits ReLU (PyTorch's kaiming_uniform_ with a = 0)
void he_uniform(Tensor& w, Generator& gen, FanMode mode = FanMode::fan_in, double gain = 1.4142135623730951);
// N(0, s^2) with s = gain / sqrt(fan)
void he_normal(Tensor& w, Generator& gen, FanMode mode = FanMode::fan_in, double gain = 1.4142135623730951);

// PyTorch's nn.Linear.reset_parameters: kaiming_uniform_(a = sqrt 5) for the weight, which is U(-1/sqrt(in),
// 1/sqrt(in)), and U(-1/sqrt(in), 1/sqrt(in)) for the bias (if defined). Weight first, then bias.
void torch_linear_init(Tensor& weight, Tensor& bias, Generator& gen);

}  // namespace tg::nn
