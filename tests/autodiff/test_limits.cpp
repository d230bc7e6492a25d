// Sizes no tensor can have and indices outside a tensor: each is a tg::Error that names the shape, never a wrapped
// size, an out-of-bounds write, a segfault or a bare std::bad_alloc (run these under AddressSanitizer too).
#include "autodiff/checked.hpp"
#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/storage.hpp"
#include "test_util.hpp"

using namespace tg;
using Catch::Matchers::Contains;

namespace {
constexpr std::int64_t big = std::int64_t{1} << 62;  // 2^62: times 4 overflows int64
}

TEST_CASE("limits: an element count beyond int64 is an error naming the shape", "[limits][errors]") {
  REQUIRE_THROWS_AS(ones({big, 4}), Error);
  REQUIRE_THROWS_WITH(ones({big, 4}), "empty: shape (4611686018427387904, 4) has more than 2^63 - 1 elements");
  // 3037000500^2 wraps to a negative count: it must not "work"
  REQUIRE_THROWS_WITH(ones({3037000500, 3037000500}), Contains("(3037000500, 3037000500) has more than 2^63 - 1"));
  REQUIRE_THROWS_WITH(zeros({big, 2, 2}, f64), Contains("has more than 2^63 - 1 elements"));
  REQUIRE_THROWS_WITH(shape_numel({big, big}),
                      "shape_numel: shape (4611686018427387904, 4611686018427387904) has more "
                      "than 2^63 - 1 elements");
  CHECK(shape_numel({big, 0, big}) == 0);  // a zero anywhere: no elements, whatever the other sizes
  CHECK(shape_numel({big, 1}) == big);
  CHECK(ones({big, 0}).numel() == 0);
}

TEST_CASE("limits: negative sizes are errors naming the shape", "[limits][errors]") {
  REQUIRE_THROWS_WITH(zeros({2, -3}), "empty: shape (2, -3) has a negative dimension");
  REQUIRE_THROWS_WITH(ones({0, -1}), "empty: shape (0, -1) has a negative dimension");  // not hidden by the 0
  REQUIRE_THROWS_WITH(shape_numel({-1}), "shape_numel: shape (-1,) has a negative dimension");
  REQUIRE_THROWS_WITH(tensor({1, 2}, {-1, -2}), Contains("(-1, -2) has a negative dimension"));
}

TEST_CASE("limits: sizes that cannot be allocated are errors naming the shape, not std::bad_alloc",
          "[limits][errors]") {
  // 2^61 float64 values need 2^64 bytes: refused before asking the system
  REQUIRE_THROWS_WITH(empty({std::int64_t{1} << 61}, f64),
                      "empty: shape (2305843009213693952,) of float64 needs more "
                      "than 2^62 bytes");
  // 2^50 float32 values (4 PiB) pass the count check; the system refuses them, and the message says so
  REQUIRE_THROWS_WITH(zeros({std::int64_t{1} << 25, std::int64_t{1} << 25}),
                      "empty: shape (33554432, 33554432) of float32 needs 4503599627370496 bytes, which could not be "
                      "allocated");
  REQUIRE_THROWS_WITH(arange(0, 1e19, 1),
                      "arange: from 0.000000 to 10000000000000000000.000000 by 1.000000 is more than 2^62 values");
  REQUIRE_THROWS_WITH(arange(0, 1, std::nan("")), "arange: start, stop and step must be finite and step nonzero");
  REQUIRE_THROWS_WITH(arange(0.0, 1e15, 1.0), Contains("could not be allocated"));
  const MemoryStats before = memory_stats();
  CHECK_THROWS_AS(ones({std::int64_t{1} << 48}), Error);
  CHECK(memory_stats().bytes_in_use == before.bytes_in_use);  // the failed allocation left the pool's books right
}

TEST_CASE("limits: ops whose output shape would overflow stop before writing", "[limits][errors]") {
  const Tensor a = ones({big, 0}), b = ones({big, 0});
  REQUIRE_THROWS_WITH(concat({a, b}, 0),
                      "concat: the size along the axis overflows: 4611686018427387904 + "
                      "4611686018427387904 is more than 2^63 - 1");
  REQUIRE_THROWS_WITH(reshape(zeros({0}), {big, 4, -1}),
                      "reshape: shape (4611686018427387904, 4) has more than 2^63 - 1 elements");
  CHECK(reshape(zeros({0}), {big, 4, 0}).numel() == 0);  // a valid shape: no elements
  const Tensor col = ones({std::int64_t{1} << 40, 0});
  REQUIRE_THROWS_WITH(broadcast_to(ones({1, 1}), {std::int64_t{1} << 40, std::int64_t{1} << 40}),
                      "empty: shape (1099511627776, 1099511627776) has more than 2^63 - 1 elements");
  REQUIRE_THROWS_WITH(matmul(col, ones({0, std::int64_t{1} << 40})), Contains("has more than 2^63 - 1 elements"));
  CHECK(col.numel() == 0);
}

TEST_CASE("limits: every index-taking accessor is bounds-checked", "[limits][errors]") {
  Tensor x = zeros({2, 3});
  REQUIRE_THROWS_WITH(x.flat(6), "flat: index 6 is out of range for 6 elements");
  REQUIRE_THROWS_WITH(x.flat(-1), "flat: index -1 is out of range for 6 elements");
  REQUIRE_THROWS_WITH(x.set_flat(std::int64_t{1} << 40, 1.0), Contains("set_flat: index 1099511627776"));
  REQUIRE_THROWS_WITH(x.at({2, 0}), "at: index 2 is out of range for axis 0 of shape (2, 3)");
  REQUIRE_THROWS_WITH(x.at({0, -1}), Contains("index -1 is out of range for axis 1"));
  REQUIRE_THROWS_WITH(x.at({0}), "at: 1 indices for a tensor of shape (2, 3)");
  REQUIRE_THROWS_WITH(x.set({0, 3}, 1.0), Contains("set: index 3 is out of range for axis 1"));
  REQUIRE_THROWS_WITH(x.size(2), "size: axis 2 is out of range for shape (2, 3)");
  REQUIRE_THROWS_WITH(x.size(-3), Contains("axis -3"));
  REQUIRE_THROWS_WITH(x.item(), Contains("item() needs exactly one element"));
  Tape tape;
  TapeScope scope(tape);
  Tensor w = ones({2}).requires_grad(true);
  const Tensor y = exp(w);
  CHECK(tape.entry(0).op == std::string("exp"));
  REQUIRE_THROWS_WITH(tape.entry(1), "Tape::entry: index 1 is out of range for 1 entries");
  REQUIRE_THROWS_WITH(tape.entry(std::size_t{1} << 63), Contains("is out of range for 1 entries"));
  CHECK(y.numel() == 2);
}

TEST_CASE("limits: float32 clamp compares with the bounds rounded to float32, in value and gradient", "[limits][ops]") {
  // 0.7 is not a float: float(0.7) = 0.699999988... lies below it, float(0.1) = 0.100000001... above 0.1. An x equal
  // to the rounded bound is inside [lo, hi] whichever way the bound was rounded: value kept, gradient 1.
  Tape tape;
  TapeScope scope(tape);
  const float lo = 0.7f, below = std::nextafter(lo, 0.0f);
  Tensor x = tensor({static_cast<double>(lo), static_cast<double>(below), 1.0}, f32).requires_grad(true);
  const Tensor y = clamp(x, 0.7, 1.0);
  CHECK(y.flat(0) == static_cast<double>(lo));
  CHECK(y.flat(1) == static_cast<double>(lo));  // clamped up to the float bound
  backward(sum(y));
  CHECK(x.grad().flat(0) == 1.0);
  CHECK(x.grad().flat(1) == 0.0);
  CHECK(x.grad().flat(2) == 1.0);
  Tensor z = tensor({static_cast<double>(0.1f), static_cast<double>(std::nextafter(0.1f, 1.0f))}, f32);
  z.requires_grad(true);
  const Tensor w = clamp(z, 0.0, 0.1);
  backward(sum(w));
  CHECK(z.grad().flat(0) == 1.0);
  CHECK(z.grad().flat(1) == 0.0);
  CHECK(w.flat(1) == static_cast<double>(0.1f));
}

// Tensors with no elements but huge dims: zeros accepts them, and the products of their other axes (2^80 here) do
// not fit in int64. Every op must still work (or refuse an output that cannot exist), never overflow: run these in
// the asan preset, where UBSan aborts on a signed overflow.
namespace {
constexpr std::int64_t h = std::int64_t{1} << 40;
}

TEST_CASE("limits: sum and mean of an empty tensor with huge dims, and their backward", "[limits][reduce]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = zeros({h, h, 0}).requires_grad(true);
  const Tensor total = sum(x);  // one sum of no elements
  CHECK(total.item() == 0.0);
  backward(total);
  CHECK(x.grad().shape() == Shape{h, h, 0});
  CHECK(sum(x, {0}).shape() == Shape{h, 0});
  CHECK(sum(x, {0, 1}, true).shape() == Shape{1, 1, 0});
  CHECK(mean(x, {0, 1}).shape() == Shape{0});  // it would divide by 2^80: nothing to divide
  REQUIRE_THROWS_WITH(sum(x, {2}), "sum: shape (1099511627776, 1099511627776, 1) has more than 2^63 - 1 elements");
  REQUIRE_THROWS_WITH(mean(x), "mean: the reduced axes of (1099511627776, 1099511627776, 0) are empty");
  Tensor y = zeros({0, h, h}).requires_grad(true);
  const Tensor m = mean(y, {1, 2});
  CHECK(m.shape() == Shape{0});
  backward(sum(m));
  CHECK(y.grad().shape() == Shape{0, h, h});
}

TEST_CASE("limits: max and logsumexp of an empty tensor with huge dims, and their backward", "[limits][reduce]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = zeros({h, h, 0}).requires_grad(true);
  const Tensor a = max(x, 0), b = logsumexp(x, 1, true);
  CHECK(a.shape() == Shape{h, 0});
  CHECK(b.shape() == Shape{h, 1, 0});
  backward(sum(a) + sum(b));
  CHECK(x.grad().shape() == Shape{h, h, 0});
  REQUIRE_THROWS_WITH(max(x, 2), "max: axis 2 of (1099511627776, 1099511627776, 0) is empty");
  REQUIRE_THROWS_WITH(logsumexp(x, -1), "logsumexp: axis 2 of (1099511627776, 1099511627776, 0) is empty");
  const Tensor y = zeros({0, h, h});
  CHECK(max(y, 2).shape() == Shape{0, h});
  CHECK(logsumexp(y, 1).shape() == Shape{0, h});
  const Tensor w = zeros({h, h, 0, 2});  // the axes before the last hold 2^80 (or 0) elements
  CHECK(max(w, 3).shape() == Shape{h, h, 0});
  CHECK(logsumexp(w, -1, true).shape() == Shape{h, h, 0, 1});
}

TEST_CASE("limits: slice, concat and permute of empty tensors with huge dims, and their backward", "[limits][shape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = zeros({h, h, 0}).requires_grad(true);
  Tensor y = zeros({0, h, h}).requires_grad(true);
  const Tensor s1 = slice(x, 2, 0, 0), s2 = slice(x, 0, 1, 3), s3 = slice(y, 1, 0, 5);
  CHECK(s1.shape() == Shape{h, h, 0});
  CHECK(s2.shape() == Shape{2, h, 0});
  CHECK(s3.shape() == Shape{0, 5, h});
  const Tensor c1 = concat({x, x}, 2), c2 = concat({x, x}, 0), c3 = concat({y, y}, 0);
  CHECK(c1.shape() == Shape{h, h, 0});
  CHECK(c2.shape() == Shape{2 * h, h, 0});
  CHECK(c3.shape() == Shape{0, h, h});
  const Tensor p = permute(y, {2, 0, 1});
  CHECK(p.shape() == Shape{h, 0, h});
  backward(sum(s1) + sum(s2) + sum(s3) + sum(c1) + sum(c2) + sum(c3) + sum(p));
  CHECK(x.grad().shape() == Shape{h, h, 0});
  CHECK(y.grad().shape() == Shape{0, h, h});
}

TEST_CASE("limits: checked_mul and checked_add name what overflowed", "[limits][errors]") {
  CHECK(checked_mul(big, 1, "f", "n") == big);
  CHECK(checked_mul(-2, big, "f", "n") == -2 * big);
  CHECK(checked_add(big, big - 1, "f", "n") == std::numeric_limits<std::int64_t>::max());
  REQUIRE_THROWS_WITH(checked_mul(2, std::numeric_limits<std::int64_t>::max(), "VAE", "2 * latent"),
                      "VAE: 2 * latent overflows: 2 * 9223372036854775807 is more than 2^63 - 1");
  REQUIRE_THROWS_WITH(checked_add(big, big, "estimate_log_px", "the number of weights"),
                      "estimate_log_px: the number of weights overflows: 4611686018427387904 + 4611686018427387904 "
                      "is more than 2^63 - 1");
  REQUIRE_THROWS_WITH(checked_product({h, h, 0}, 0, 2, "sum", "the product"),
                      "sum: the product overflows: 1099511627776 * 1099511627776 is more than 2^63 - 1");
  CHECK(checked_product({h, h, 0}, 1, 3, "sum", "the product") == 0);
}

// The fused log-densities at infinite inputs take their limits (docs/prob.md, "Infinite inputs to the fused
// log-densities"), never NaN from 0 * inf or inf - inf. One term per element: event_dims 0, or E = 1 for the kernels.
// The kernels of autodiff/runtime/kernels_fused.cpp take them so: a = x - [t > 0] = 0 gives the term a t = 0; for the
// Normal, d = x - mu = 0 gives y = y / sigma = 0, and |y| = inf gives the term -inf; in the four kernels and their
// twins.
namespace {
constexpr double inf = std::numeric_limits<double>::infinity();

// Bernoulli: x, t, then log p, d/dt, d/dx
const std::vector<std::vector<double>> bernoulli_limits = {
    {1, inf, 0, 0, inf},      {0, -inf, 0, 0, -inf},         {0, inf, -inf, -1, inf},
    {1, -inf, -inf, 1, -inf}, {0.25, inf, -inf, -0.75, inf}, {0.25, -inf, -inf, 0.25, -inf}};
// Normal: x, mu, log sigma, then log N, d/dlog sigma, d/dx (d/dmu is its negative)
const std::vector<std::vector<double>> normal_limits = {{1, 0, -inf, -inf, inf, -inf},
                                                        {0.5, 0.5, -inf, inf, -1, 0},
                                                        {1, 0, inf, -inf, -1, 0},
                                                        {inf, 0, 0, -inf, inf, -inf},
                                                        {-inf, 0, 0, -inf, inf, inf}};

std::vector<double> col(const std::vector<std::vector<double>>& rows, std::size_t c) {
  std::vector<double> v;
  for (const auto& r : rows) v.push_back(r[c]);
  return v;
}

void require_values(const Tensor& got, const std::vector<double>& want, const char* what) {
  for (std::size_t i = 0; i < want.size(); ++i) {
    INFO(what << " [" << i << "]: " << got.flat(static_cast<std::int64_t>(i)) << ", want " << want[i]);
    CHECK(got.flat(static_cast<std::int64_t>(i)) == want[i]);  // exact: +-inf, 0, -1 or a dyadic x - 1
  }
}

template <class T>
void require_twins_at_limits() {
  const auto n = static_cast<std::int64_t>(bernoulli_limits.size());
  std::vector<T> x, t, out(bernoulli_limits.size()), gx(out.size()), gt(out.size()), g(out.size(), T(1));
  for (const auto& r : bernoulli_limits) x.push_back(static_cast<T>(r[0])), t.push_back(static_cast<T>(r[1]));
  kernels::bernoulli_log_prob_reference<T>(0, n, 1, {x.data(), n}, {t.data(), n}, out.data());
  kernels::bernoulli_log_prob_backward_reference<T>(0, n, 1, {x.data(), n}, {t.data(), n}, g.data(), gx.data(),
                                                    gt.data());
  for (std::size_t i = 0; i < out.size(); ++i) {
    INFO("Bernoulli twin, row " << i);
    CHECK(out[i] == static_cast<T>(bernoulli_limits[i][2]));
    CHECK(gt[i] == static_cast<T>(bernoulli_limits[i][3]));
    CHECK(gx[i] == static_cast<T>(bernoulli_limits[i][4]));
  }
  const auto m = static_cast<std::int64_t>(normal_limits.size());
  std::vector<T> nx, mu, ls, nout(normal_limits.size()), ngx(nout.size()), ngmu(nout.size()), ngls(nout.size());
  for (const auto& r : normal_limits)
    nx.push_back(static_cast<T>(r[0])), mu.push_back(static_cast<T>(r[1])), ls.push_back(static_cast<T>(r[2]));
  kernels::normal_log_prob_reference<T>(0, m, 1, {nx.data(), m}, {mu.data(), m}, {ls.data(), m}, nout.data());
  kernels::normal_log_prob_backward_reference<T>(0, m, 1, {nx.data(), m}, {mu.data(), m}, {ls.data(), m}, g.data(),
                                                 ngx.data(), ngmu.data(), ngls.data());
  for (std::size_t i = 0; i < nout.size(); ++i) {
    INFO("Normal twin, row " << i);
    CHECK(nout[i] == static_cast<T>(normal_limits[i][3]));
    CHECK(ngls[i] == static_cast<T>(normal_limits[i][4]));
    CHECK(ngx[i] == static_cast<T>(normal_limits[i][5]));
    CHECK(ngmu[i] == static_cast<T>(-normal_limits[i][5]));
  }
}

}  // namespace

TEST_CASE("limits: bernoulli_log_prob takes its limits at infinite logits, in value and gradient", "[limits][fused]") {
  for (DType dt : {f32, f64}) {
    INFO(dtype_name(dt));
    Tape tape;
    TapeScope scope(tape);
    Tensor x = tensor(col(bernoulli_limits, 0), dt).requires_grad(true);
    Tensor t = tensor(col(bernoulli_limits, 1), dt).requires_grad(true);
    const Tensor lp = bernoulli_log_prob(x, t, 0);
    require_values(lp, col(bernoulli_limits, 2), "log p");
    backward(lp, ones_like(lp));
    require_values(t.grad(), col(bernoulli_limits, 3), "d/dt");
    require_values(x.grad(), col(bernoulli_limits, 4), "d/dx");
    CHECK(bernoulli_log_prob(x, t.detach(), 1).item() == -inf);  // summed: 0 + 0 - inf ...
    CHECK(std::isnan(bernoulli_log_prob(tensor({1.0}, dt), tensor({std::nan("")}, dt), 0).item()));
  }
}

TEST_CASE("limits: normal_log_prob takes its limits at infinite log sigma and x, in value and gradient",
          "[limits][fused]") {
  for (DType dt : {f32, f64}) {
    INFO(dtype_name(dt));
    Tape tape;
    TapeScope scope(tape);
    Tensor x = tensor(col(normal_limits, 0), dt).requires_grad(true);
    Tensor mu = tensor(col(normal_limits, 1), dt).requires_grad(true);
    Tensor ls = tensor(col(normal_limits, 2), dt).requires_grad(true);
    const Tensor lp = normal_log_prob(x, mu, ls, 0);
    require_values(lp, col(normal_limits, 3), "log N");
    backward(lp, ones_like(lp));
    require_values(ls.grad(), col(normal_limits, 4), "d/dlog sigma");
    require_values(x.grad(), col(normal_limits, 5), "d/dx");
    require_values(neg(mu.grad()), col(normal_limits, 5), "-d/dmu");
    // x = inf with sigma = inf has no limit: NaN, documented
    CHECK(std::isnan(normal_log_prob(tensor({inf}, dt), Tensor(), tensor({inf}, dt), 0).item()));
  }
}

TEST_CASE("limits: the fused kernels' reference twins take the same limits", "[limits][fused]") {
  require_twins_at_limits<float>();
  require_twins_at_limits<double>();
}
