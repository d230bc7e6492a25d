// Shape ops: reshape (shares storage), permute/transpose, broadcast_to, unsqueeze/squeeze, slice, concat, stack.
// Their derivatives move gradient values back to where they came from. Math: docs/tape.md.
#include <algorithm>
#include <cstring>
#include <iterator>
#include <numeric>  // iota

#include "autodiff/checked.hpp"
#include "autodiff/ops/common.hpp"

namespace tg {

using detail::record;

// d reshape(x)/dx: the gradient reshaped back. The output shares x's storage.
Tensor reshape(const Tensor& x, const Shape& shape, Where where) {
  detail::check_defined("reshape", x, "x");
  Shape s = shape;
  const auto unknown = std::count(s.begin(), s.end(), -1);
  if (unknown > 1 || std::any_of(s.begin(), s.end(), [](std::int64_t d) { return d < -1; }))
    fail("reshape", "target " + shape_str(shape) + " may hold at most one -1 and no other negative size");
  Shape known_dims;
  std::copy_if(s.begin(), s.end(), std::back_inserter(known_dims), [](std::int64_t d) { return d != -1; });
  const std::int64_t known = shape_numel(known_dims, "reshape");
  if (unknown == 1 && known != 0 && x.numel() % known == 0) *std::find(s.begin(), s.end(), -1) = x.numel() / known;
  if (std::count(s.begin(), s.end(), -1) || shape_numel(s, "reshape") != x.numel())
    fail("reshape", "cannot reshape " + shape_str(x.shape()) + " (" + std::to_string(x.numel()) + " elements) to " +
                        shape_str(shape));
  auto impl = new_impl();
  impl->shape = s;
  impl->numel = x.numel();
  impl->dtype = x.dtype();
  impl->storage = share_values(x.impl_ptr());
  impl->data = x.impl()->data;
  const Shape x_shape = x.shape();
  return record("reshape", {x}, Tensor(impl), where, [x_shape](const Tensor& g) { return Grads{reshape(g, x_shape)}; });
}

Tensor unsqueeze(const Tensor& x, std::int64_t axis, Where where) {
  detail::check_defined("unsqueeze", x, "x");
  axis = detail::normalize_axis("unsqueeze", axis, x.dim() + 1);
  Shape s = x.shape();
  s.insert(s.begin() + axis, 1);
  return reshape(x, s, where);
}

Tensor squeeze(const Tensor& x, std::int64_t axis, Where where) {
  detail::check_defined("squeeze", x, "x");
  axis = detail::normalize_axis("squeeze", axis, x.dim());
  if (x.shape()[axis] != 1)
    fail("squeeze", "axis " + std::to_string(axis) + " of " + shape_str(x.shape()) + " has size " +
                        std::to_string(x.shape()[axis]) + ", not 1");
  Shape s = x.shape();
  s.erase(s.begin() + axis);
  return reshape(x, s, where);
}

// Copies x into `out_shape` reading x at `src_strides` (one per output axis). Not recorded.
static Tensor gather_strided(const Tensor& x, const Shape& out_shape, const Dims& src_strides) {
  Tensor out = empty(out_shape, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* po = out.data<T>();
    Dims idx(out_shape.size(), 0);
    std::int64_t src = 0;
    for (std::int64_t i = 0; i < out.numel(); ++i) {
      po[i] = px[src];
      for (std::int64_t d = static_cast<std::int64_t>(out_shape.size()) - 1; d >= 0; --d) {
        src += src_strides[d];
        if (++idx[d] < out_shape[d]) break;
        src -= src_strides[d] * out_shape[d];
        idx[d] = 0;
      }
    }
  });
  return out;
}

// permute moves axis perm[i] of x to axis i; its derivative applies the inverse permutation to the gradient.
Tensor permute(const Tensor& x, const Dims& perm, Where where) {
  detail::check_defined("permute", x, "x");
  Dims p(perm.size()), inverse(perm.size());
  bool ok = static_cast<std::int64_t>(perm.size()) == x.dim();
  for (std::size_t i = 0; ok && i < perm.size(); ++i) p[i] = detail::normalize_axis("permute", perm[i], x.dim());
  Dims sorted = p;
  std::sort(sorted.begin(), sorted.end());
  for (std::size_t i = 0; ok && i < sorted.size(); ++i) ok = sorted[i] == static_cast<std::int64_t>(i);
  if (!ok)
    fail("permute", "the permutation has " + std::to_string(perm.size()) + " entries that must be each axis of " +
                        shape_str(x.shape()) + " exactly once");
  const auto xs = detail::strides_of(x.shape());
  Shape out_shape(p.size());
  Dims src(p.size());
  for (std::size_t i = 0; i < p.size(); ++i)
    out_shape[i] = x.shape()[p[i]], src[i] = xs[p[i]], inverse[p[i]] = static_cast<std::int64_t>(i);
  Tensor out = gather_strided(x, out_shape, src);
  return record("permute", {x}, out, where, [inverse](const Tensor& g) { return Grads{permute(g, inverse)}; });
}

Tensor transpose(const Tensor& x, std::int64_t axis0, std::int64_t axis1, Where where) {
  detail::check_defined("transpose", x, "x");
  Dims p(static_cast<std::size_t>(x.dim()));
  std::iota(p.begin(), p.end(), 0);
  std::swap(p[detail::normalize_axis("transpose", axis0, x.dim())],
            p[detail::normalize_axis("transpose", axis1, x.dim())]);
  return permute(x, p, where);
}

// broadcast_to repeats x along broadcast axes; its derivative sums the gradient back (sum_to).
Tensor broadcast_to(const Tensor& x, const Shape& shape, Where where) {
  detail::check_defined("broadcast_to", x, "x");
  if (static_cast<std::int64_t>(shape.size()) < x.dim() || broadcast_shapes(x.shape(), shape, "broadcast_to") != shape)
    fail("broadcast_to", "cannot broadcast " + shape_str(x.shape()) + " to " + shape_str(shape));
  if (x.shape() == shape) return x;
  Tensor out = gather_strided(x, shape, detail::broadcast_strides(x.shape(), shape));
  const Shape x_shape = x.shape();
  return record("broadcast_to", {x}, out, where, [x_shape](const Tensor& g) { return Grads{sum_to(g, x_shape)}; });
}

// Copies a block of (outer, rows, inner) between tensors of different sizes along the middle axis. Not recorded.
static void copy_block(const Tensor& from, std::int64_t from_rows, std::int64_t from_start, Tensor& to,
                       std::int64_t to_rows, std::int64_t to_start, std::int64_t rows, std::int64_t outer,
                       std::int64_t inner) {
  const std::size_t es = dtype_size(from.dtype());
  const auto* src = static_cast<const char*>(from.raw_data());
  auto* dst = static_cast<char*>(to.raw_data());
  for (std::int64_t o = 0; o < outer; ++o)
    std::memcpy(dst + ((o * to_rows + to_start) * inner) * es, src + ((o * from_rows + from_start) * inner) * es,
                static_cast<std::size_t>(rows * inner) * es);
}

// The products of the axes before and after `axis`: only for a shape with elements, where they are sure to fit
// ((2^40, 2^40, 0) has none, and 2^80 before its last axis), so slice and concat copy nothing when there are none.
static std::int64_t outer_of(const char* op, const Shape& s, std::int64_t axis) {
  return checked_product(s, 0, static_cast<std::size_t>(axis), op, "the product of the axes before the axis");
}
static std::int64_t inner_of(const char* op, const Shape& s, std::int64_t axis) {
  return checked_product(s, static_cast<std::size_t>(axis) + 1, s.size(), op, "the product of the axes after the axis");
}

// slice takes [start, stop) along one axis; its derivative puts the gradient back there, zero elsewhere.
Tensor slice(const Tensor& x, std::int64_t axis, std::int64_t start, std::int64_t stop, Where where) {
  detail::check_defined("slice", x, "x");
  axis = detail::normalize_axis("slice", axis, x.dim());
  const std::int64_t n = x.shape()[axis];
  const std::int64_t a = start < 0 ? start + n : start, b = stop < 0 ? stop + n : stop;
  if (a < 0 || b > n || a > b)
    fail("slice", "[" + std::to_string(start) + ", " + std::to_string(stop) + ") is not a range within axis " +
                      std::to_string(axis) + " of " + shape_str(x.shape()) + " (size " + std::to_string(n) + ")");
  Shape out_shape = x.shape();
  out_shape[axis] = b - a;
  const bool none = x.numel() == 0;  // nothing to copy, either way
  const std::int64_t outer = none ? 0 : outer_of("slice", x.shape(), axis);
  const std::int64_t inner = none ? 0 : inner_of("slice", x.shape(), axis);
  Tensor out = empty(out_shape, x.dtype());
  copy_block(x, n, a, out, b - a, 0, b - a, outer, inner);
  const Shape x_shape = x.shape();
  return record("slice", {x}, out, where, [x_shape, a, b, n, outer, inner](const Tensor& g) {
    Tensor gx = zeros(x_shape, g.dtype());
    copy_block(g, b - a, 0, gx, n, a, b - a, outer, inner);
    return Grads{gx};
  });
}

// concat joins along one axis; the derivative hands each input its slice of the gradient.
Tensor concat(const std::vector<Tensor>& xs, std::int64_t axis, Where where) {
  if (xs.empty()) fail("concat", "needs at least one tensor");
  for (const Tensor& x : xs) detail::check_same_dtype("concat", xs[0], x);
  axis = detail::normalize_axis("concat", axis, xs[0].dim());
  Shape out_shape = xs[0].shape();
  out_shape[axis] = 0;
  for (std::size_t i = 0; i < xs.size(); ++i) {
    Shape s = xs[i].shape();
    if (s.size() == out_shape.size()) s[axis] = 0;
    if (s != out_shape || xs[i].dim() != xs[0].dim())
      fail("concat", "tensor " + std::to_string(i) + " is " + shape_str(xs[i].shape()) + " but tensor 0 is " +
                         shape_str(xs[0].shape()) + "; all dims but axis " + std::to_string(axis) + " must match");
  }
  std::vector<std::int64_t> starts;
  for (const Tensor& x : xs) {
    starts.push_back(out_shape[axis]);
    out_shape[axis] = checked_add(out_shape[axis], x.shape()[axis], "concat", "the size along the axis");
  }
  Tensor out = empty(out_shape, xs[0].dtype());
  const bool none = out.numel() == 0;  // then every input is empty too: nothing to copy
  const std::int64_t outer = none ? 0 : outer_of("concat", out_shape, axis);
  const std::int64_t inner = none ? 0 : inner_of("concat", out_shape, axis), n = out_shape[axis];
  for (std::size_t i = 0; i < xs.size(); ++i)
    copy_block(xs[i], xs[i].shape()[axis], 0, out, n, starts[i], xs[i].shape()[axis], outer, inner);
  return record("concat", xs, out, where, [xs, starts, axis](const Tensor& g) {
    Grads grads;
    for (std::size_t i = 0; i < xs.size(); ++i)
      grads.push_back(slice(g, axis, starts[i], starts[i] + xs[i].shape()[axis]));
    return grads;
  });
}

Tensor stack(const std::vector<Tensor>& xs, std::int64_t axis, Where where) {
  if (xs.empty()) fail("stack", "needs at least one tensor");
  axis = detail::normalize_axis("stack", axis, xs[0].dim() + 1);
  std::vector<Tensor> expanded;
  for (const Tensor& x : xs) {
    if (x.defined() && x.shape() != xs[0].shape())
      fail("stack", "tensor " + std::to_string(expanded.size()) + " is " + shape_str(x.shape()) + " but tensor 0 is " +
                        shape_str(xs[0].shape()) + "; stacked tensors must have the same shape");
    expanded.push_back(unsqueeze(x, axis, where));
  }
  return concat(expanded, axis, where);
}

}  // namespace tg
