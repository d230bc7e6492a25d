// Matrix products: matmul (2-D, and batched with broadcast batch dims) and linear (y = x W^T + b). Both go through
// kernels::gemm, whose transpose flags let the backward use A^T and B^T without materialising them.
#include <algorithm>

#include "autodiff/ops/common.hpp"
#include "autodiff/runtime/thread_pool.hpp"

namespace tg {

using detail::record;

namespace {

// op(a) @ op(b) over broadcast batch dims, where op transposes the last two axes when asked. Not recorded.
Tensor batched_gemm(const Tensor& a, bool ta, const Tensor& b, bool tb) {
  const std::int64_t ra = a.dim(), rb = b.dim();
  const std::int64_t M = ta ? a.shape()[ra - 1] : a.shape()[ra - 2], K = ta ? a.shape()[ra - 2] : a.shape()[ra - 1];
  const std::int64_t N = tb ? b.shape()[rb - 2] : b.shape()[rb - 1];
  const Shape batch_a(a.shape().begin(), a.shape().end() - 2), batch_b(b.shape().begin(), b.shape().end() - 2);
  const Shape batch = broadcast_shapes(batch_a, batch_b, "matmul");
  Shape out_shape = batch;
  out_shape.push_back(M);
  out_shape.push_back(N);
  Tensor out = empty(out_shape, a.dtype());
  const auto sa = detail::broadcast_strides(batch_a, batch), sb = detail::broadcast_strides(batch_b, batch);
  const std::int64_t nb = shape_numel(batch);
  dispatch(a.dtype(), [&]<class T>(T) {
    for (std::int64_t i = 0; i < nb; ++i) {
      std::int64_t oa = 0, ob = 0, rest = i;  // batch offsets of a and b (in matrices)
      for (std::int64_t d = static_cast<std::int64_t>(batch.size()) - 1; d >= 0; --d) {
        oa += (rest % batch[d]) * sa[d];
        ob += (rest % batch[d]) * sb[d];
        rest /= batch[d];
      }
      kernels::gemm<T>(ta, tb, M, N, K, a.data<T>() + oa * M * K, b.data<T>() + ob * K * N, out.data<T>() + i * M * N,
                       false);
    }
  });
  return out;
}

// The gradients of y = x W^T + b with x viewed as (R, in), for g = dL/dy: g W, g^T x and the column sums of g.
Grads linear_grads(const Tensor& x, const Tensor& W, const Tensor& b, const Tensor& g) {
  const std::int64_t out_f = W.size(0), in_f = W.size(1),
                     R = shape_numel(Shape(x.shape().begin(), x.shape().end() - 1));
  Grads grads(b.defined() ? 3 : 2);
  dispatch(g.dtype(), [&]<class T>(T) {
    if (x.requires_grad()) {
      grads[0] = empty(x.shape(), x.dtype());
      kernels::gemm<T>(false, false, R, in_f, out_f, g.data<T>(), W.data<T>(), grads[0].data<T>(), false);
    }
    if (W.requires_grad()) {
      grads[1] = empty(W.shape(), W.dtype());
      kernels::gemm<T>(true, false, out_f, in_f, R, g.data<T>(), x.data<T>(), grads[1].data<T>(), false);
    }
    if (b.defined() && b.requires_grad()) {
      grads[2] = empty(b.shape(), b.dtype());
      kernels::reduce_sum<T>(1, R, out_f, g.data<T>(), grads[2].data<T>());
    }
  });
  return grads;
}

}  // namespace

// C = A B:  dL/dA = dL/dC B^T,  dL/dB = A^T dL/dC   (summed over broadcast batch dims by the tape)
Tensor matmul(const Tensor& a, const Tensor& b, Where where) {
  detail::check_same_dtype("matmul", a, b);
  if (a.dim() < 2 || b.dim() < 2)
    fail("matmul", "a is " + shape_str(a.shape()) + " and b is " + shape_str(b.shape()) +
                       "; both need at least 2 dims (reshape a vector to (1, n) or (n, 1))");
  if (a.size(-1) != b.size(-2))
    fail("matmul", "a is " + shape_str(a.shape()) + " and b is " + shape_str(b.shape()) + "; inner dimensions " +
                       std::to_string(a.size(-1)) + " and " + std::to_string(b.size(-2)) + " must match");
  for (std::int64_t i = 3; i <= std::min(a.dim(), b.dim()); ++i)
    if (a.size(-i) != b.size(-i) && a.size(-i) != 1 && b.size(-i) != 1)
      fail("matmul", "a is " + shape_str(a.shape()) + " and b is " + shape_str(b.shape()) + "; batch dimensions " +
                         std::to_string(a.size(-i)) + " and " + std::to_string(b.size(-i)) + " (axis -" +
                         std::to_string(i) + ") do not broadcast");
  Tensor out = batched_gemm(a, false, b, false);
  return record("matmul", {a, b}, out, where, [a, b](const Tensor& g) {
    return Grads{a.requires_grad() ? batched_gemm(g, false, b, true) : Tensor(),
                 b.requires_grad() ? batched_gemm(a, true, g, false) : Tensor()};
  });
}

// y = x W^T + b with x viewed as (R, in):  dL/dx = g W,  dL/dW = g^T x,  dL/db = sum over rows of g
Tensor linear(const Tensor& x, const Tensor& W, const Tensor& b, Where where) {
  detail::check_same_dtype("linear", x, W);
  if (W.dim() != 2) fail("linear", "W is " + shape_str(W.shape()) + "; it must be (out, in)");
  if (x.dim() < 1 || x.size(-1) != W.size(1))
    fail("linear", "x is " + shape_str(x.shape()) + " and W is " + shape_str(W.shape()) +
                       "; x's last dimension must equal W's in-features " + std::to_string(W.size(1)));
  // R: the rows of x, the product of its leading dims (not numel / in_f, which is 0 for in_f = 0 whatever the rows)
  const std::int64_t out_f = W.size(0), in_f = W.size(1),
                     R = shape_numel(Shape(x.shape().begin(), x.shape().end() - 1));
  if (b.defined()) {
    detail::check_same_dtype("linear", x, b);
    if (b.shape() != Shape{out_f})
      fail("linear", "b is " + shape_str(b.shape()) + "; it must be (" + std::to_string(out_f) + ",) to match W " +
                         shape_str(W.shape()));
  }
  Shape out_shape = x.shape();
  out_shape.back() = out_f;
  Tensor y = empty(out_shape, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    T* py = y.data<T>();
    if (b.defined())
      for (std::int64_t r = 0; r < R; ++r) std::copy_n(b.data<T>(), out_f, py + r * out_f);
    kernels::gemm<T>(false, true, R, out_f, in_f, x.data<T>(), W.data<T>(), py, b.defined());
  });
  TensorList inputs{x, W};
  if (b.defined()) inputs.push_back(b);
  return record("linear", std::move(inputs), y, where, [x, W, b](const Tensor& g) { return linear_grads(x, W, b, g); });
}

// y = act(x W^T + b): the affine values (computed by linear, unrecorded), the activation in place, one entry.
// dL/dpre = dL/dy act'(pre), taken from y (kernels::activation_backward); then as linear.
static Tensor linear_activation(const char* op, kernels::Unary act, const Tensor& x, const Tensor& W, const Tensor& b,
                                Where where) {
  Tensor y;
  {
    NoGrad affine_only;
    y = linear(x, W, b, where);
  }
  dispatch(y.dtype(), [&]<class T>(T) {
    T* py = y.data<T>();
    parallel_blocks(y.numel(), kernels::cost_ns::unary(act),
                    [&](std::int64_t b, std::int64_t e) { kernels::unary<T>(act, e - b, py + b, py + b); });
  });
  TensorList inputs{x, W};
  if (b.defined()) inputs.push_back(b);
  return record(op, std::move(inputs), y, where, [x, W, b, y, act](const Tensor& g) {
    return linear_grads(x, W, b, detail::activation_grad(act, y, g));
  });
}

// d relu(pre)/dpre = [y > 0]
Tensor linear_relu(const Tensor& x, const Tensor& W, const Tensor& b, Where where) {
  return linear_activation("linear_relu", kernels::Unary::relu, x, W, b, where);
}
// d tanh(pre)/dpre = 1 - y^2
Tensor linear_tanh(const Tensor& x, const Tensor& W, const Tensor& b, Where where) {
  return linear_activation("linear_tanh", kernels::Unary::tanh, x, W, b, where);
}
// d sigmoid(pre)/dpre = y (1 - y)
Tensor linear_sigmoid(const Tensor& x, const Tensor& W, const Tensor& b, Where where) {
  return linear_activation("linear_sigmoid", kernels::Unary::sigmoid, x, W, b, where);
}
// d softplus(pre)/dpre = sigmoid(pre) = 1 - e^-y
Tensor linear_softplus(const Tensor& x, const Tensor& W, const Tensor& b, Where where) {
  return linear_activation("linear_softplus", kernels::Unary::softplus, x, W, b, where);
}

}  // namespace tg
