// The checks every objective makes of its data x (B, D) and noise eps (K, B, L) before using them, so that a wrong
// shape or a NaN in the noise is named where it enters, not where it surfaces (a NaN logit of the decoder, a bound
// per noise row instead of per example). Shapes: docs/derivations/elbo.md.
#pragma once
#include <cstdint>

#include "autodiff/tensor.hpp"

namespace tg::vae {

// x must be (B, D): "fn: x is (4,); it must be (B, D)".
void check_x(const char* fn, const Tensor& x);
// x as above, and eps (K, B, L) with x's B and the model's noise width L, every value finite (while
// prob::validation_enabled()): "fn: eps[0, 1, 2] is nan, but must be finite".
void check_x_eps(const char* fn, const Tensor& x, const Tensor& eps, std::int64_t L);

}  // namespace tg::vae
