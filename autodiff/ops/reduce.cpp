// Reductions: sum, mean, max over an axis, logsumexp over an axis, and sum_to (the adjoint of broadcasting).
// Each views x as (outer, n, inner) around the reduced axis and calls one kernel. Math: docs/tape.md.
#include <algorithm>
#include <cmath>
#include <limits>
#include <memory>

#include "autodiff/checked.hpp"
#include "autodiff/ops/common.hpp"
#include "autodiff/runtime/storage.hpp"

namespace tg {

using detail::record;

namespace {

struct Split {  // x viewed as (outer, n, inner) around the axes first .. last
  std::int64_t outer = 1, n = 1, inner = 1;
};
// Only for a shape with elements: then every product fits. A tensor with none is never viewed so (its result is
// made directly, see the ops), since (0, 2^40, 2^40) has an inner product of 2^80 around axis 0.
Split split_at(const char* op, const Shape& shape, std::int64_t first, std::int64_t last) {
  const auto f = static_cast<std::size_t>(first), l = static_cast<std::size_t>(last) + 1;
  return {checked_product(shape, 0, f, op, "the product of the axes before the reduced ones"),
          checked_product(shape, f, l, op, "the product of the reduced axes"),
          checked_product(shape, l, shape.size(), op, "the product of the axes after the reduced ones")};
}
Split split_at(const char* op, const Shape& shape, std::int64_t axis) { return split_at(op, shape, axis, axis); }

// Sorted, distinct, non-negative axes; empty input means every axis.
Dims normalize_axes(const char* op, const Dims& axes, std::int64_t rank) {
  Dims out;
  if (axes.empty())
    for (std::int64_t d = 0; d < rank; ++d) out.push_back(d);
  for (std::int64_t a : axes) out.push_back(detail::normalize_axis(op, a, rank));
  std::sort(out.begin(), out.end());
  if (std::adjacent_find(out.begin(), out.end()) != out.end()) fail(op, "an axis is listed twice");
  return out;
}

Shape reduced_shape(const Shape& shape, const Dims& axes, bool keepdim) {
  Shape out;
  for (std::int64_t d = 0; d < static_cast<std::int64_t>(shape.size()); ++d) {
    const bool reduced = std::find(axes.begin(), axes.end(), d) != axes.end();
    if (!reduced)
      out.push_back(shape[d]);
    else if (keepdim)
      out.push_back(1);
  }
  return out;
}

// Sums the given (sorted) axes, kept as size 1. Each run of adjacent axes is one kernel call over their product,
// so a sum over every axis is one pairwise sum of all the elements.
Tensor sum_values(const char* op, const Tensor& x, const Dims& axes) {
  if (x.numel() == 0) {  // no elements: every sum is 0, in the shape with the axes kept as 1 (which may be empty)
    Shape kept = x.shape();
    for (std::int64_t a : axes) kept[a] = 1;
    shape_numel(kept, op);  // (2^40, 2^40, 1) from (2^40, 2^40, 0) is too large: say so as this op
    return zeros(kept, x.dtype());
  }
  Tensor cur = x;
  for (std::size_t i = 0; i < axes.size();) {
    std::size_t j = i + 1;
    while (j < axes.size() && axes[j] == axes[j - 1] + 1) ++j;  // axes[i .. j) are adjacent
    const Split s = split_at(op, cur.shape(), axes[i], axes[j - 1]);
    Shape shape = cur.shape();
    for (std::size_t k = i; k < j; ++k) shape[axes[k]] = 1;
    Tensor next = empty(shape, x.dtype());
    dispatch(x.dtype(),
             [&]<class T>(T) { kernels::reduce_sum<T>(s.outer, s.n, s.inner, cur.data<T>(), next.data<T>()); });
    cur = next;
    i = j;
  }
  return cur;
}

// max or logsumexp of an x with no elements: an error if the reduced axis is empty (no maximum), else the result
// has no elements either (x is empty along another axis, which the result keeps), and neither has the gradient.
Tensor empty_reduction(const char* op, const Tensor& x, std::int64_t axis, bool keepdim, Where where) {
  if (x.shape()[axis] == 0) fail(op, "axis " + std::to_string(axis) + " of " + shape_str(x.shape()) + " is empty");
  Tensor out = empty(reduced_shape(x.shape(), {axis}, keepdim), x.dtype());
  const Shape x_shape = x.shape();
  return record(op, {x}, out, where, [x_shape](const Tensor& g) { return Grads{zeros(x_shape, g.dtype())}; });
}

}  // namespace

// d/dx_i sum(x) = 1: the gradient is g broadcast back over the summed axes.
Tensor sum(const Tensor& x, const Dims& axes, bool keepdim, Where where) {
  detail::check_defined("sum", x, "x");
  const auto ax = normalize_axes("sum", axes, x.dim());
  Tensor kept = sum_values("sum", x, ax);
  Tensor out = reshape(kept.detach(), reduced_shape(x.shape(), ax, keepdim));
  return record("sum", {x}, out, where, [x, kept](const Tensor& g) {  // kept shares out's values: nothing to copy
    return Grads{broadcast_to(reshape(g, kept.shape()), x.shape())};
  });
}
Tensor sum(const Tensor& x, Where where) { return sum(x, {}, false, where); }

// d/dx_i mean(x) = 1/n
Tensor mean(const Tensor& x, const Dims& axes, bool keepdim, Where where) {
  detail::check_defined("mean", x, "x");
  const Dims ax = normalize_axes("mean", axes, x.dim());
  if (std::any_of(ax.begin(), ax.end(), [&](std::int64_t a) { return x.shape()[a] == 0; }))
    fail("mean", "the reduced axes of " + shape_str(x.shape()) + " are empty");
  // n = the count each mean divides by; with x empty elsewhere the result is empty, and n (maybe 2^80) unused
  std::int64_t n = 1;
  if (x.numel() > 0)
    for (std::int64_t a : ax) n = checked_mul(n, x.shape()[a], "mean", "the number of elements averaged");
  return div_scalar(sum(x, axes, keepdim, where), static_cast<double>(n), where);
}
Tensor mean(const Tensor& x, Where where) { return mean(x, {}, false, where); }

// d/dx_i max(x) = 1 at the (first) maximum, 0 elsewhere
Tensor max(const Tensor& x, std::int64_t axis, bool keepdim, Where where) {
  detail::check_defined("max", x, "x");
  axis = detail::normalize_axis("max", axis, x.dim());
  if (x.numel() == 0) return empty_reduction("max", x, axis, keepdim, where);
  const Split s = split_at("max", x.shape(), axis);
  const auto argmax = allocate_storage(static_cast<std::size_t>(s.outer * s.inner) * sizeof(std::int64_t));
  Tensor out = empty(reduced_shape(x.shape(), {axis}, keepdim), x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    kernels::reduce_max<T>(s.outer, s.n, s.inner, x.data<T>(), out.data<T>(), static_cast<std::int64_t*>(argmax->data));
  });
  const Shape x_shape = x.shape();
  return record("max", {x}, out, where, [argmax, s, x_shape](const Tensor& g) {
    Tensor gx = zeros(x_shape, g.dtype());
    const auto* pos = static_cast<const std::int64_t*>(argmax->data);
    dispatch(g.dtype(), [&]<class T>(T) {
      for (std::int64_t o = 0; o < s.outer; ++o)
        for (std::int64_t i = 0; i < s.inner; ++i)
          gx.data<T>()[(o * s.n + pos[o * s.inner + i]) * s.inner + i] = g.data<T>()[o * s.inner + i];
    });
    return Grads{gx};
  });
}

// d/dx_i logsumexp(x) = exp(x_i - lse) = softmax(x)_i. Where lse is +-inf the softmax is its limit: weight
// 1/count on the entries equal to the maximum (so all -inf gives the uniform weights, never NaN).
Tensor logsumexp(const Tensor& x, std::int64_t axis, bool keepdim, Where where) {
  detail::check_defined("logsumexp", x, "x");
  axis = detail::normalize_axis("logsumexp", axis, x.dim());
  if (x.numel() == 0) return empty_reduction("logsumexp", x, axis, keepdim, where);
  const Split s = split_at("logsumexp", x.shape(), axis);
  Tensor out = empty(reduced_shape(x.shape(), {axis}, keepdim), x.dtype());
  dispatch(x.dtype(),
           [&]<class T>(T) { kernels::reduce_logsumexp<T>(s.outer, s.n, s.inner, x.data<T>(), out.data<T>()); });
  return record("logsumexp", {x}, out, where, [x, out, s](const Tensor& g) {
    Tensor gx = empty(x.shape(), x.dtype());
    dispatch(x.dtype(), [&]<class T>(T) {
      const T *px = x.data<T>(), *pl = out.data<T>(), *pg = g.data<T>();
      T* pgx = gx.data<T>();
      for (std::int64_t o = 0; o < s.outer; ++o)
        for (std::int64_t i = 0; i < s.inner; ++i) {
          const T lse = pl[o * s.inner + i], gi = pg[o * s.inner + i];
          std::int64_t count = 0;
          for (std::int64_t k = 0; k < s.n; ++k) count += px[(o * s.n + k) * s.inner + i] == lse;
          for (std::int64_t k = 0; k < s.n; ++k) {
            const T xk = px[(o * s.n + k) * s.inner + i];
            const T w = std::isinf(lse) ? (xk == lse ? T(1) / T(count) : T(0)) : std::exp(xk - lse);
            pgx[(o * s.n + k) * s.inner + i] = gi * w;
          }
        }
    });
    return Grads{gx};
  });
}

// sum_to(x, shape): sums the axes along which `shape` was broadcast to x's shape (the adjoint of broadcast_to).
// d/dx sum_to(x) : the gradient is g broadcast back to x's shape.
Tensor sum_to(const Tensor& x, const Shape& shape, Where where) {
  detail::check_defined("sum_to", x, "x");
  if (broadcast_shapes(shape, x.shape(), "sum_to") != x.shape())
    fail("sum_to",
         "cannot sum " + shape_str(x.shape()) + " down to " + shape_str(shape) + " (it does not broadcast to it)");
  const std::int64_t lead = x.dim() - static_cast<std::int64_t>(shape.size());
  Dims axes;
  for (std::int64_t d = 0; d < x.dim(); ++d)
    if (d < lead || (shape[d - lead] == 1 && x.shape()[d] != 1)) axes.push_back(d);
  Tensor out = reshape((axes.empty() ? x : sum_values("sum_to", x, axes)).detach(), shape);
  const Shape x_shape = x.shape();
  return record("sum_to", {x}, out, where, [x_shape](const Tensor& g) { return Grads{broadcast_to(g, x_shape)}; });
}

}  // namespace tg
