// Shared helpers of the op families (see common.hpp).
#include "autodiff/ops/common.hpp"

#include <algorithm>

#include "autodiff/checked.hpp"
#include "autodiff/runtime/thread_pool.hpp"

namespace tg::detail {

void undefined_input(const char* op, const char* arg) { fail(op, std::string(arg) + " is an undefined Tensor"); }

void different_dtypes(const char* op, const Tensor& a, const Tensor& b) {
  fail(op, std::string("a is ") + dtype_name(a.dtype()) + " and b is " + dtype_name(b.dtype()) +
               "; tapegrad does not promote silently: convert one with tg::cast(x, tg::f64) or tg::cast(x, tg::f32)");
}

std::int64_t normalize_axis(const char* op, std::int64_t axis, std::int64_t rank) {
  if (axis < -rank || axis >= rank)
    fail(op, "axis " + std::to_string(axis) + " is out of range for a tensor of rank " + std::to_string(rank) +
                 " (valid: " + std::to_string(-rank) + " to " + std::to_string(rank - 1) + ")");
  return axis < 0 ? axis + rank : axis;
}

Dims strides_of(const Shape& shape) {
  Dims s(shape.size(), 1);
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return s;  // no elements to step over: (0, 2^40, 2^40)
  for (std::int64_t i = static_cast<std::int64_t>(shape.size()) - 2; i >= 0; --i)
    s[i] = checked_mul(s[i + 1], shape[i + 1], "strides_of", "a stride");
  return s;
}

Dims broadcast_strides(const Shape& shape, const Shape& out) {
  Dims s(out.size(), 0);
  const Dims own = strides_of(shape);
  const std::size_t offset = out.size() - shape.size();
  for (std::size_t i = 0; i < shape.size(); ++i) s[offset + i] = shape[i] == 1 ? 0 : own[i];
  return s;
}

Tensor unary_values(kernels::Unary f, const Tensor& x) {
  Tensor y = empty_like(x);
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    parallel_blocks(x.numel(), kernels::cost_ns::unary(f),
                    [&](std::int64_t b, std::int64_t e) { kernels::unary<T>(f, e - b, px + b, py + b); });
  });
  return y;
}

bool repeats_in(const Shape& shape, const Shape& out) {
  std::size_t lead = 0;
  while (lead < shape.size() && shape[lead] == 1) ++lead;
  const std::size_t r = shape.size() - lead;
  return r <= out.size() && std::equal(shape.begin() + lead, shape.end(), out.end() - r);
}

// The output in rows of its last axis, each row one kernels::binary call with strides 0 or 1: the general case.
template <class T>
static void binary_rows(kernels::Binary f, const Tensor& a, const Tensor& b, Tensor& out) {
  const Shape& out_shape = out.shape();
  const auto sa = broadcast_strides(a.shape(), out_shape), sb = broadcast_strides(b.shape(), out_shape);
  const std::size_t r = out_shape.size();
  const std::int64_t row = r ? out_shape[r - 1] : 1;
  const std::int64_t rsa = r ? sa[r - 1] : 0, rsb = r ? sb[r - 1] : 0;
  Dims idx(r, 0);  // index of the current row's first element
  for (std::int64_t start = 0; start < out.numel(); start += row) {
    std::int64_t oa = 0, ob = 0;
    for (std::size_t d = 0; d + 1 < r; ++d) oa += idx[d] * sa[d], ob += idx[d] * sb[d];
    kernels::binary<T>(f, row, a.data<T>() + oa, rsa, b.data<T>() + ob, rsb, out.data<T>() + start);
    for (std::int64_t d = static_cast<std::int64_t>(r) - 2; d >= 0; --d) {  // next row, like an odometer
      if (++idx[d] < out_shape[d]) break;
      idx[d] = 0;
    }
  }
}

// Contiguous fast paths first: same shapes (one call), a single value against a full tensor (one call, stride
// 0), a repeating operand against a full one (one call per repetition, both strides 1); then the general rows.
Tensor binary_values(kernels::Binary f, const Tensor& a, const Tensor& b, const char* op) {
  check_same_dtype(op, a, b);
  if (a.shape() == b.shape()) {  // the common case, and every step of a scalar computation
    Tensor out = empty_like(a);
    dispatch(a.dtype(),
             [&]<class T>(T) { kernels::binary<T>(f, a.numel(), a.data<T>(), 1, b.data<T>(), 1, out.data<T>()); });
    return out;
  }
  const Shape out_shape = broadcast_shapes(a.shape(), b.shape(), op);
  Tensor out = empty(out_shape, a.dtype());
  const std::int64_t n = out.numel(), na = a.numel(), nb = b.numel();
  if (n == 0) return out;
  dispatch(a.dtype(), [&]<class T>(T) {
    const T *pa = a.data<T>(), *pb = b.data<T>();
    T* po = out.data<T>();
    if (na == n && nb == n) return kernels::binary<T>(f, n, pa, 1, pb, 1, po);  // (2, 3) with (1, 2, 3), say
    if (na == n && nb == 1) return kernels::binary<T>(f, n, pa, 1, pb, 0, po);
    if (na == 1 && nb == n) return kernels::binary<T>(f, n, pa, 0, pb, 1, po);
    if (na == n && repeats_in(b.shape(), out_shape)) {
      for (std::int64_t k = 0; k < n; k += nb) kernels::binary<T>(f, nb, pa + k, 1, pb, 1, po + k);
      return;
    }
    if (nb == n && repeats_in(a.shape(), out_shape)) {
      for (std::int64_t k = 0; k < n; k += na) kernels::binary<T>(f, na, pa, 1, pb + k, 1, po + k);
      return;
    }
    binary_rows<T>(f, a, b, out);
  });
  return out;
}

Tensor scalar_values(kernels::Binary f, const Tensor& x, double s, bool scalar_first, const char* op) {
  check_defined(op, x, "x");
  Tensor out = empty_like(x);
  dispatch(x.dtype(), [&]<class T>(T) {
    const T v = static_cast<T>(s);
    if (scalar_first)
      kernels::binary<T>(f, x.numel(), &v, 0, x.data<T>(), 1, out.data<T>());
    else
      kernels::binary<T>(f, x.numel(), x.data<T>(), 1, &v, 0, out.data<T>());
  });
  return out;
}

Tensor activation_grad(kernels::Unary f, const Tensor& y, const Tensor& g) {
  Tensor gx = empty_like(y);
  dispatch(y.dtype(), [&]<class T>(T) {
    const T *py = y.data<T>(), *pg = g.data<T>();
    T* out = gx.data<T>();
    parallel_blocks(y.numel(), kernels::cost_ns::activation_backward, [&](std::int64_t b, std::int64_t e) {
      kernels::activation_backward<T>(f, e - b, py + b, pg + b, out + b);
    });
  });
  return gx;
}

}  // namespace tg::detail

namespace tg {

Shape broadcast_shapes(const Shape& a, const Shape& b, const char* op) {
  const std::size_t r = std::max(a.size(), b.size());
  Shape out(r);
  for (std::size_t i = 0; i < r; ++i) {
    const std::int64_t da = i < r - a.size() ? 1 : a[i - (r - a.size())];
    const std::int64_t db = i < r - b.size() ? 1 : b[i - (r - b.size())];
    if (da != db && da != 1 && db != 1)
      fail(op, "a is " + shape_str(a) + " and b is " + shape_str(b) + "; they do not broadcast (axis " +
                   std::to_string(static_cast<std::int64_t>(i) - static_cast<std::int64_t>(r)) + ": " +
                   std::to_string(da) + " vs " + std::to_string(db) + ")");
    out[i] = da == 1 ? db : da;
  }
  return out;
}

}  // namespace tg
