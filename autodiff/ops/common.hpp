// Helpers shared by the op families (internal): recording on the current tape, dtype and axis checks, and the
// broadcasting loop of binary elementwise ops.
#pragma once
#include <string>
#include <vector>

#include "autodiff/ops.hpp"
#include "autodiff/runtime/kernels.hpp"
#include "autodiff/tape.hpp"

namespace tg::detail {

// Every library op records through here: its backward rule must fit inside the tape entry (no heap allocation).
template <class F>
Tensor record(const char* op, TensorList inputs, Tensor out, Where where, F backward) {
  static_assert(Backward::fits_inline<F>, "this backward rule captures more than Backward::inline_bytes");
  if (!grad_enabled() && !anomaly_mode()) return out;  // inside a backward sweep, say: nothing to record or check
  return current_tape().record(op, std::move(inputs), out, where, std::move(backward));
}

[[noreturn]] void undefined_input(const char* op, const char* arg);
[[noreturn]] void different_dtypes(const char* op, const Tensor& a, const Tensor& b);
inline void check_defined(const char* op, const Tensor& x, const char* arg) {
  if (!x.defined()) [[unlikely]]
    undefined_input(op, arg);
}
inline void check_same_dtype(const char* op, const Tensor& a, const Tensor& b) {
  check_defined(op, a, "a");
  check_defined(op, b, "b");
  if (a.dtype() != b.dtype()) [[unlikely]]
    different_dtypes(op, a, b);
}
std::int64_t normalize_axis(const char* op, std::int64_t axis, std::int64_t rank);

// y = f(x) elementwise, through kernels::unary.
Tensor unary_values(kernels::Unary f, const Tensor& x);
// out = a op b with NumPy broadcasting, through kernels::binary.
Tensor binary_values(kernels::Binary f, const Tensor& a, const Tensor& b, const char* op);
// out = x op s (or s op x when scalar_first), s rounded to x's dtype: the same values as binary_values with a
// one-element tensor holding s, without making that tensor.
Tensor scalar_values(kernels::Binary f, const Tensor& x, double s, bool scalar_first, const char* op);
// dL/dx = g f'(x) computed from the activation's output y = f(x) (kernels::activation_backward): one pass and one
// new tensor instead of the three or four a chain of ops would make. y and g have the same shape and dtype.
Tensor activation_grad(kernels::Unary f, const Tensor& y, const Tensor& g);

// out[i] = f(x[i]) (and f(x[i], y[i]) for same-shape x, y) for small backward helpers (masks, signs). Not recorded.
template <class F>
Tensor map_values(const Tensor& x, F f) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* po = out.data<T>();
    for (std::int64_t i = 0; i < x.numel(); ++i) po[i] = static_cast<T>(f(px[i]));
  });
  return out;
}
template <class F>
Tensor map_values(const Tensor& x, const Tensor& y, F f) {
  Tensor out = empty(x.shape(), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    const T *px = x.data<T>(), *py = y.data<T>();
    T* po = out.data<T>();
    for (std::int64_t i = 0; i < x.numel(); ++i) po[i] = static_cast<T>(f(px[i], py[i]));
  });
  return out;
}

// True when `shape` (leading 1s dropped) is the trailing part of `out`: broadcast to `out`, its values repeat
// every numel(shape) elements. Row + bias ((B, L) and (L)) and samples + data ((K, B, L) and (B, L)) are such.
bool repeats_in(const Shape& shape, const Shape& out);

// Strides (in elements) of a row-major shape; broadcast_strides gives 0 on the axes where `shape` is broadcast
// to `out` (its dims aligned to the right).
Dims strides_of(const Shape& shape);
Dims broadcast_strides(const Shape& shape, const Shape& out);

}  // namespace tg::detail
