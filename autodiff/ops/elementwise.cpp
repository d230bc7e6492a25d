// Elementwise ops: each block is the forward (a kernel call), the derivative as a comment, and the backward rule.
// Binary ops broadcast like NumPy; the tape sums each gradient back to its input's shape. Math: docs/tape.md.
#include <algorithm>
#include <cmath>
#include <limits>

#include "autodiff/ops/common.hpp"

namespace tg {

using detail::record;
using kernels::Binary;
using kernels::Unary;

// ---- binary -----------------------------------------------------------------------------------------------------

// d(a+b)/da = 1, d(a+b)/db = 1
Tensor add(const Tensor& a, const Tensor& b, Where where) {
  Tensor out = detail::binary_values(Binary::add, a, b, "add");
  return record("add", {a, b}, out, where, [](const Tensor& g) { return Grads{g, g}; });
}

// d(a-b)/da = 1, d(a-b)/db = -1
Tensor sub(const Tensor& a, const Tensor& b, Where where) {
  Tensor out = detail::binary_values(Binary::sub, a, b, "sub");
  return record("sub", {a, b}, out, where, [](const Tensor& g) { return Grads{g, neg(g)}; });
}

// d(a*b)/da = b, d(a*b)/db = a
Tensor mul(const Tensor& a, const Tensor& b, Where where) {
  Tensor out = detail::binary_values(Binary::mul, a, b, "mul");
  return record("mul", {a, b}, out, where, [a, b](const Tensor& g) {
    return Grads{a.requires_grad() ? g * b : Tensor(), b.requires_grad() ? g * a : Tensor()};
  });
}

// d(a/b)/da = 1/b, d(a/b)/db = -a/b^2 = -(a/b)/b
Tensor div(const Tensor& a, const Tensor& b, Where where) {
  Tensor out = detail::binary_values(Binary::div, a, b, "div");
  return record("div", {a, b}, out, where, [b, out](const Tensor& g) { return Grads{g / b, neg(g * out / b)}; });
}

// ---- with a scalar ----------------------------------------------------------------------------------------------

// d(x+s)/dx = 1
Tensor add_scalar(const Tensor& x, double s, Where where) {
  Tensor out = detail::scalar_values(Binary::add, x, s, false, "add_scalar");
  return record("add_scalar", {x}, out, where, [](const Tensor& g) { return Grads{g}; });
}

// d(s-x)/dx = -1
Tensor rsub_scalar(const Tensor& x, double s, Where where) {
  Tensor out = detail::scalar_values(Binary::sub, x, s, true, "rsub_scalar");
  return record("rsub_scalar", {x}, out, where, [](const Tensor& g) { return Grads{neg(g)}; });
}

// d(x*s)/dx = s
Tensor mul_scalar(const Tensor& x, double s, Where where) {
  Tensor out = detail::scalar_values(Binary::mul, x, s, false, "mul_scalar");
  return record("mul_scalar", {x}, out, where, [s](const Tensor& g) { return Grads{g * s}; });
}

// d(x/s)/dx = 1/s
Tensor div_scalar(const Tensor& x, double s, Where where) {
  Tensor out = detail::scalar_values(Binary::div, x, s, false, "div_scalar");
  return record("div_scalar", {x}, out, where, [s](const Tensor& g) { return Grads{g / s}; });
}

// d(s/x)/dx = -s/x^2 = -(s/x)/x
Tensor rdiv_scalar(const Tensor& x, double s, Where where) {
  Tensor out = detail::scalar_values(Binary::div, x, s, true, "rdiv_scalar");
  return record("rdiv_scalar", {x}, out, where, [x, out](const Tensor& g) { return Grads{neg(g * out / x)}; });
}

// d(x^p)/dx = p x^(p-1)
Tensor pow(const Tensor& x, double p, Where where) {
  detail::check_defined("pow", x, "x");
  Tensor out = detail::map_values(x, [p](auto v) { return std::pow(v, static_cast<decltype(v)>(p)); });
  return record("pow", {x}, out, where, [x, p](const Tensor& g) {
    using std::pow;
    return Grads{
        g * detail::map_values(x, [p](auto v) { return p == 0 ? 0 : p * pow(v, static_cast<decltype(v)>(p - 1)); })};
  });
}

// ---- unary ------------------------------------------------------------------------------------------------------

static Tensor unary(const char* op, Unary f, const Tensor& x) {
  detail::check_defined(op, x, "x");
  return detail::unary_values(f, x);
}

// d(-x)/dx = -1
Tensor neg(const Tensor& x, Where where) {
  Tensor y = unary("neg", Unary::neg, x);
  return record("neg", {x}, y, where, [](const Tensor& g) { return Grads{neg(g)}; });
}

// d/dx e^x = e^x
Tensor exp(const Tensor& x, Where where) {
  Tensor y = unary("exp", Unary::exp, x);
  return record("exp", {x}, y, where, [y](const Tensor& g) { return Grads{g * y}; });
}

// d/dx log x = 1/x   (log 0 = -inf with gradient +inf; log of a negative number is NaN)
Tensor log(const Tensor& x, Where where) {
  Tensor y = unary("log", Unary::log, x);
  return record("log", {x}, y, where, [x](const Tensor& g) { return Grads{g / x}; });
}

// d/dx log(1 + x) = 1/(1 + x)
Tensor log1p(const Tensor& x, Where where) {
  Tensor y = unary("log1p", Unary::log1p, x);
  return record("log1p", {x}, y, where, [x](const Tensor& g) { return Grads{g / (x + 1.0)}; });
}

// d/dx (e^x - 1) = e^x = y + 1
Tensor expm1(const Tensor& x, Where where) {
  Tensor y = unary("expm1", Unary::expm1, x);
  return record("expm1", {x}, y, where, [y](const Tensor& g) { return Grads{g * (y + 1.0)}; });
}

// d/dx sqrt(x) = 1 / (2 sqrt(x))   (+inf at 0)
Tensor sqrt(const Tensor& x, Where where) {
  Tensor y = unary("sqrt", Unary::sqrt, x);
  return record("sqrt", {x}, y, where, [y](const Tensor& g) { return Grads{g / (y * 2.0)}; });
}

// d/dx x^2 = 2x
Tensor square(const Tensor& x, Where where) {
  Tensor y = unary("square", Unary::square, x);
  return record("square", {x}, y, where, [x](const Tensor& g) { return Grads{g * x * 2.0}; });
}

// d/dx |x| = sign(x)   (0 at x = 0)
Tensor abs(const Tensor& x, Where where) {
  Tensor y = unary("abs", Unary::abs, x);
  return record("abs", {x}, y, where, [x](const Tensor& g) {
    return Grads{g * detail::map_values(x, [](auto v) { return (v > 0) - (v < 0); })};
  });
}

// d/dx tanh x = 1 - tanh(x)^2 = (1 - y)(1 + y), the second form without cancellation near |y| = 1
Tensor tanh(const Tensor& x, Where where) {
  Tensor y = unary("tanh", Unary::tanh, x);
  return record("tanh", {x}, y, where,
                [y](const Tensor& g) { return Grads{detail::activation_grad(Unary::tanh, y, g)}; });
}

// d/dx sigmoid(x) = sigmoid(x) (1 - sigmoid(x))
Tensor sigmoid(const Tensor& x, Where where) {
  Tensor y = unary("sigmoid", Unary::sigmoid, x);
  return record("sigmoid", {x}, y, where,
                [y](const Tensor& g) { return Grads{detail::activation_grad(Unary::sigmoid, y, g)}; });
}

// d/dx max(x, 0) = 1 if x > 0 else 0   (0 at x = 0), the same as [y > 0]
Tensor relu(const Tensor& x, Where where) {
  Tensor y = unary("relu", Unary::relu, x);
  return record("relu", {x}, y, where,
                [y](const Tensor& g) { return Grads{detail::activation_grad(Unary::relu, y, g)}; });
}

// d/dx log(1 + e^x) = sigmoid(x)
Tensor softplus(const Tensor& x, Where where) {
  Tensor y = unary("softplus", Unary::softplus, x);
  return record("softplus", {x}, y, where, [x](const Tensor& g) { return Grads{g * sigmoid(x)}; });
}

// d/dx log sigmoid(x) = 1 - sigmoid(x) = sigmoid(-x)
Tensor log_sigmoid(const Tensor& x, Where where) {
  Tensor y = unary("log_sigmoid", Unary::log_sigmoid, x);
  return record("log_sigmoid", {x}, y, where, [x](const Tensor& g) { return Grads{g * sigmoid(neg(x))}; });
}

// d/dx clamp(x, lo, hi) = 1 if lo <= x <= hi else 0. The bounds are first rounded to x's dtype, and both the value
// and the gradient compare against the rounded bounds: a float32 x equal to float(lo) is inside, whatever the
// rounding of lo was.
Tensor clamp(const Tensor& x, double lo, double hi, Where where) {
  detail::check_defined("clamp", x, "x");
  if (!(lo <= hi))
    fail("clamp", "lo is " + std::to_string(lo) + " and hi is " + std::to_string(hi) + "; need lo <= hi");
  Tensor y = detail::map_values(x, [lo, hi](auto v) {
    using T = decltype(v);
    const T l = static_cast<T>(lo), h = static_cast<T>(hi);
    return v < l ? l : (v > h ? h : v);
  });
  return record("clamp", {x}, y, where, [x, lo, hi](const Tensor& g) {
    return Grads{g * detail::map_values(x, [lo, hi](auto v) {
                   using T = decltype(v);
                   return static_cast<T>(lo) <= v && v <= static_cast<T>(hi) ? 1 : 0;
                 })};
  });
}

// where(c, a, b) = c ? a : b, so d/da = [c], d/db = [not c]; cond is not differentiated.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b, Where where) {
  detail::check_defined("where", cond, "cond");
  detail::check_same_dtype("where", a, b);
  const Shape shape = broadcast_shapes(broadcast_shapes(cond.shape(), a.shape(), "where"), b.shape(), "where");
  // c = 1 where cond is nonzero, else 0, in a's dtype and the broadcast shape.
  Tensor c = detail::map_values(broadcast_to(cast(cond.detach(), a.dtype()), shape), [](auto v) { return v != 0; });
  const Tensor ab = broadcast_to(a.detach(), shape), bb = broadcast_to(b.detach(), shape);
  Tensor out = empty(shape, a.dtype());
  dispatch(out.dtype(), [&]<class T>(T) {  // select, never blend: a NaN in the branch not taken stays out
    for (std::int64_t i = 0; i < out.numel(); ++i)
      out.data<T>()[i] = c.data<T>()[i] != 0 ? ab.data<T>()[i] : bb.data<T>()[i];
  });
  return record("where", {a, b}, out, where, [c](const Tensor& g) { return Grads{g * c, g * (1.0 - c)}; });
}

// d/dx cast(x) = 1, in the input's dtype
Tensor cast(const Tensor& x, DType dtype, Where where) {
  detail::check_defined("cast", x, "x");
  if (dtype != f32 && dtype != f64)
    fail("cast", "dtype is " + std::to_string(static_cast<int>(dtype)) + ", but must be tg::f32 or tg::f64");
  if (x.dtype() == dtype) return x;
  Tensor y = empty(x.shape(), dtype);
  dispatch(x.dtype(),
           [&]<class S>(S) { dispatch(dtype, [&]<class T>(T) { std::copy_n(x.data<S>(), x.numel(), y.data<T>()); }); });
  const DType from = x.dtype();
  return record("cast", {x}, y, where, [from](const Tensor& g) { return Grads{cast(g, from)}; });
}

}  // namespace tg
