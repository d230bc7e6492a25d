// Every differentiable op. Each is implemented in one block (forward, derivative comment, backward) in a file of
// its family: ops/elementwise.cpp, ops/reduce.cpp, ops/matmul.cpp, ops/shape.cpp, ops/fused.cpp. Binary ops broadcast
// like NumPy. Every op takes the caller's source location as a defaulted last argument: the tape shows the line that
// made it.
#pragma once
#include <source_location>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg {

using Where = std::source_location;

// ---- elementwise, binary (NumPy broadcasting; both inputs must have the same dtype) -----------------------------
Tensor add(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor sub(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor mul(const Tensor& a, const Tensor& b, Where where = Where::current());
Tensor div(const Tensor& a, const Tensor& b, Where where = Where::current());
// ---- elementwise with a scalar (the result keeps x's dtype) -----------------------------------------------------
Tensor add_scalar(const Tensor& x, double s, Where where = Where::current());   // x + s
Tensor rsub_scalar(const Tensor& x, double s, Where where = Where::current());  // s - x
Tensor mul_scalar(const Tensor& x, double s, Where where = Where::current());   // x * s
Tensor div_scalar(const Tensor& x, double s, Where where = Where::current());   // x / s
Tensor rdiv_scalar(const Tensor& x, double s, Where where = Where::current());  // s / x
Tensor pow(const Tensor& x, double p, Where where = Where::current());          // x^p
// ---- elementwise, unary -----------------------------------------------------------------------------------------
Tensor neg(const Tensor& x, Where where = Where::current());
Tensor exp(const Tensor& x, Where where = Where::current());
Tensor log(const Tensor& x, Where where = Where::current());
Tensor log1p(const Tensor& x, Where where = Where::current());
Tensor expm1(const Tensor& x, Where where = Where::current());
Tensor sqrt(const Tensor& x, Where where = Where::current());
Tensor square(const Tensor& x, Where where = Where::current());
Tensor abs(const Tensor& x, Where where = Where::current());
Tensor tanh(const Tensor& x, Where where = Where::current());
Tensor sigmoid(const Tensor& x, Where where = Where::current());
Tensor relu(const Tensor& x, Where where = Where::current());
Tensor softplus(const Tensor& x, Where where = Where::current());     // log(1 + e^x), stable: softplus(800) = 800
Tensor log_sigmoid(const Tensor& x, Where where = Where::current());  // -softplus(-x): log_sigmoid(-800) = -800
Tensor clamp(const Tensor& x, double lo, double hi, Where where = Where::current());
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, Where where = Where::current());  // cond != 0
Tensor cast(const Tensor& x, DType dtype, Where where = Where::current());  // float32 <-> float64

// ---- reductions. axes may be negative; an empty axes list means all axes ----------------------------------------
Tensor sum(const Tensor& x, Where where = Where::current());  // all elements -> scalar
Tensor sum(const Tensor& x, const Dims& axes, bool keepdim = false, Where where = Where::current());
Tensor mean(const Tensor& x, Where where = Where::current());
Tensor mean(const Tensor& x, const Dims& axes, bool keepdim = false, Where where = Where::current());
Tensor max(const Tensor& x, std::int64_t axis, bool keepdim = false, Where where = Where::current());
Tensor logsumexp(const Tensor& x, std::int64_t axis, bool keepdim = false, Where where = Where::current());
Tensor sum_to(const Tensor& x, const Shape& shape, Where where = Where::current());  // undo a broadcast

// ---- matrix products --------------------------------------------------------------------------------------------
// (M, K) @ (K, N) -> (M, N); with more dims, the leading (batch) dims broadcast: (..., M, K) @ (..., K, N).
Tensor matmul(const Tensor& a, const Tensor& b, Where where = Where::current());
// The affine layer y = x W^T + b, PyTorch's layout: x (..., in), W (out, in), b (out) or undefined -> (..., out).
Tensor linear(const Tensor& x, const Tensor& W, const Tensor& b, Where where = Where::current());
// act(x W^T + b) as one op: the activation runs in place on the affine output, its derivative comes from the
// output, and there is one tape entry instead of two. The same values as act(linear(x, W, b)).
Tensor linear_relu(const Tensor& x, const Tensor& W, const Tensor& b, Where where = Where::current());
Tensor linear_tanh(const Tensor& x, const Tensor& W, const Tensor& b, Where where = Where::current());
Tensor linear_sigmoid(const Tensor& x, const Tensor& W, const Tensor& b, Where where = Where::current());
Tensor linear_softplus(const Tensor& x, const Tensor& W, const Tensor& b, Where where = Where::current());

// ---- fused log-densities: one pass and one tape entry each, summed over the last event_dims axes -------------
// The operands broadcast like NumPy; the result has their broadcast shape without the event axes.
// Bernoulli from logits t: x t - softplus(t), exact also where the two terms nearly cancel (x = 1, t = 30).
Tensor bernoulli_log_prob(const Tensor& x, const Tensor& logits, int event_dims, Where where = Where::current());
// Diagonal Normal: -1/2 ((x - mu) / sigma)^2 - log sigma - 1/2 log(2 pi) with sigma = e^log_sigma; an undefined
// mu or log_sigma means 0 (the standard normal).
Tensor normal_log_prob(const Tensor& x, const Tensor& mu, const Tensor& log_sigma, int event_dims,
                       Where where = Where::current());

// ---- shapes -----------------------------------------------------------------------------------------------------
Tensor reshape(const Tensor& x, const Shape& shape, Where where = Where::current());  // one -1 allowed
Tensor permute(const Tensor& x, const Dims& perm, Where where = Where::current());
Tensor transpose(const Tensor& x, std::int64_t axis0 = -2, std::int64_t axis1 = -1, Where where = Where::current());
Tensor broadcast_to(const Tensor& x, const Shape& shape, Where where = Where::current());
Tensor unsqueeze(const Tensor& x, std::int64_t axis, Where where = Where::current());
Tensor squeeze(const Tensor& x, std::int64_t axis, Where where = Where::current());
Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t stop,
             Where where = Where::current());  // [start, stop) along axis; negative indices count from the end
Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis, Where where = Where::current());
Tensor stack(const std::vector<Tensor>& xs, std::int64_t axis, Where where = Where::current());

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op);  // throws naming op and both shapes

// ---- operators. The right operand carries the source line (operators cannot take a defaulted argument). --------
struct Operand {
  const Tensor& t;
  Where where;
  Operand(const Tensor& t, Where where = Where::current()) : t(t), where(where) {}  // NOLINT: implicit on purpose
};
struct ScalarOperand {
  double s;
  Where where;
  ScalarOperand(double s, Where where = Where::current()) : s(s), where(where) {}  // NOLINT
};
inline Tensor operator+(const Tensor& a, Operand b) { return add(a, b.t, b.where); }
inline Tensor operator-(const Tensor& a, Operand b) { return sub(a, b.t, b.where); }
inline Tensor operator*(const Tensor& a, Operand b) { return mul(a, b.t, b.where); }
inline Tensor operator/(const Tensor& a, Operand b) { return div(a, b.t, b.where); }
inline Tensor operator+(const Tensor& a, ScalarOperand b) { return add_scalar(a, b.s, b.where); }
inline Tensor operator-(const Tensor& a, ScalarOperand b) { return add_scalar(a, -b.s, b.where); }
inline Tensor operator*(const Tensor& a, ScalarOperand b) { return mul_scalar(a, b.s, b.where); }
inline Tensor operator/(const Tensor& a, ScalarOperand b) { return div_scalar(a, b.s, b.where); }
inline Tensor operator+(ScalarOperand a, const Tensor& b) { return add_scalar(b, a.s, a.where); }
inline Tensor operator-(ScalarOperand a, const Tensor& b) { return rsub_scalar(b, a.s, a.where); }
inline Tensor operator*(ScalarOperand a, const Tensor& b) { return mul_scalar(b, a.s, a.where); }
inline Tensor operator/(ScalarOperand a, const Tensor& b) { return rdiv_scalar(b, a.s, a.where); }
inline Tensor operator-(Operand x) { return neg(x.t, x.where); }

}  // namespace tg
