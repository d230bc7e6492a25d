// The fused ops: bernoulli_log_prob, normal_log_prob and linear + activation. Values against the composition of
// elementwise ops they replace, gradcheck in float64 (broadcast operands, undefined mu / log_sigma, with and
// without bias), the cancellation at x = 1, t = 30, the fast kernels against their plain twins, and errors.
#include <cmath>

#include "autodiff/runtime/kernels.hpp"
#include "test_util.hpp"

using namespace tg;
using tgtest::gradcheck_subsets;
using tgtest::randn64;
using tgtest::require_same;
using tgtest::uniform64;

namespace {

Tensor sum_last(const Tensor& x, int event_dims) {
  std::vector<std::int64_t> axes;
  for (int k = 1; k <= event_dims; ++k) axes.push_back(-k);
  return event_dims == 0 ? x : sum(x, axes);
}

// The compositions the fused ops replace.
Tensor bernoulli_composed(const Tensor& x, const Tensor& t, int event_dims) {
  return sum_last(x * t - softplus(t), event_dims);
}
Tensor normal_composed(const Tensor& x, const Tensor& mu, const Tensor& log_sigma, int event_dims) {
  Tensor y = (x - mu) * exp(-log_sigma);
  return sum_last(square(y) * -0.5 - log_sigma - 0.91893853320467274178, event_dims);
}

struct ShapePair {
  Shape x, other;
  int event_dims;
};
// Same shapes, the data repeated over samples ((B, D) with (K, B, D)) both ways, a broadcast that is not a
// repetition of whole rows ((B, 1) with (B, D)), and event_dims 0, 1, 2.
const std::vector<ShapePair> shape_pairs = {{{3, 5}, {3, 5}, 1},    {{3, 5}, {2, 3, 5}, 1}, {{2, 3, 5}, {3, 5}, 2},
                                            {{3, 1}, {3, 5}, 1},    {{4}, {3, 4}, 0},       {{2, 3, 4}, {2, 3, 4}, 3},
                                            {{1, 6}, {2, 3, 6}, 1}, {{3, 5}, {5}, 1}};

}  // namespace

TEST_CASE("bernoulli_log_prob: values of sum(x t - softplus(t)), gradcheck with broadcasting", "[ops][fused]") {
  std::uint64_t seed = 1;
  for (const ShapePair& s : shape_pairs) {
    INFO("x " << shape_str(s.x) << " logits " << shape_str(s.other) << " event_dims " << s.event_dims);
    const Tensor x = uniform64(s.x, 0, 1, seed++, "x"), t = randn64(s.other, seed++, "t") * 3.0;
    require_same(bernoulli_log_prob(x, t.detach(), s.event_dims), bernoulli_composed(x, t.detach(), s.event_dims),
                 1e-13);
    gradcheck_subsets([&](const std::vector<Tensor>& in) { return bernoulli_log_prob(in[0], in[1], s.event_dims); },
                      {x, t.detach().name("t")});
  }
}

TEST_CASE("bernoulli_log_prob: x = 1, t = 30 keeps full precision, value and gradient", "[ops][fused][edge]") {
  const double exact = -std::log1p(std::exp(-30.0));   // -9.357622968840175e-14
  const double exact_grad = 1 / (1 + std::exp(30.0));  // 1 - sigmoid(30) = sigmoid(-30)
  for (DType dtype : {f64, f32}) {
    const double tol = dtype == f64 ? 1e-15 : 1e-6;
    for (double sign : {1.0, -1.0}) {  // x = 1, t = 30 and x = 0, t = -30
      Tape tape;
      TapeScope scope(tape);
      const Tensor x = full({4}, sign > 0 ? 1.0 : 0.0, dtype);
      Tensor t = full({4}, 30 * sign, dtype).requires_grad(true);
      const Tensor lp = bernoulli_log_prob(x, t, 1);
      INFO(dtype_name(dtype) << " sign " << sign << ": " << lp.item());
      CHECK(std::abs(lp.item() - 4 * exact) <= tol * 4 * std::abs(exact));
      backward(lp);
      CHECK(std::abs(t.grad().flat(0) - sign * exact_grad) <= tol * exact_grad);
    }
  }
  // The composition loses it: 30 - softplus(30) keeps about two digits in float64.
  const Tensor composed = bernoulli_composed(full({1}, 1.0, f64), full({1}, 30.0, f64), 1);
  CHECK(std::abs(composed.item() - exact) > 1e-3 * std::abs(exact));
}

TEST_CASE("normal_log_prob: values of the composition, gradcheck, mu and log_sigma broadcast or absent",
          "[ops][fused]") {
  std::uint64_t seed = 100;
  for (const ShapePair& s : shape_pairs) {
    INFO("x " << shape_str(s.x) << " mu, log_sigma " << shape_str(s.other) << " event_dims " << s.event_dims);
    const Tensor x = randn64(s.x, seed++, "x"), mu = randn64(s.other, seed++, "mu");
    const Tensor ls = randn64(s.other, seed++, "log_sigma") * 0.5;
    require_same(normal_log_prob(x, mu, ls.detach(), s.event_dims), normal_composed(x, mu, ls.detach(), s.event_dims),
                 1e-13);
    gradcheck_subsets([&](const std::vector<Tensor>& in) { return normal_log_prob(in[0], in[1], in[2], s.event_dims); },
                      {x, mu, ls.detach().name("log_sigma")});
    // The standard normal: mu and log_sigma undefined (zero).
    const Tensor zero = zeros({}, f64);
    require_same(normal_log_prob(x, Tensor(), Tensor(), s.event_dims), normal_composed(x, zero, zero, s.event_dims),
                 1e-13);
    gradcheck_subsets([&](const std::vector<Tensor>& in) { return normal_log_prob(in[0], Tensor(), in[1], 1); },
                      {x, ls.detach().name("log_sigma")});
  }
}

TEST_CASE("fused log-densities: errors name the op and the operand", "[ops][fused][errors]") {
  const Tensor x = zeros({2, 3}, f64), t32 = zeros({2, 3}, f32);
  REQUIRE_THROWS_WITH(bernoulli_log_prob(x, t32, 1), Catch::Contains("bernoulli_log_prob: logits is float32"));
  REQUIRE_THROWS_WITH(normal_log_prob(x, Tensor(), t32, 1), Catch::Contains("normal_log_prob: log_sigma is float32"));
  REQUIRE_THROWS_WITH(bernoulli_log_prob(x, x, 3), Catch::Contains("event_dims is 3"));
  REQUIRE_THROWS_WITH(normal_log_prob(x, zeros({4}, f64), Tensor(), 1), Catch::Contains("do not broadcast"));
  REQUIRE_THROWS_WITH(bernoulli_log_prob(Tensor(), x, 1), Catch::Contains("x is an undefined Tensor"));
}

TEST_CASE("linear_relu, linear_tanh, linear_sigmoid, linear_softplus: act(linear) in one op, gradcheck",
          "[ops][fused][matmul]") {
  using Fused = Tensor (*)(const Tensor&, const Tensor&, const Tensor&, Where);
  using Act = Tensor (*)(const Tensor&, Where);
  const std::vector<std::tuple<Fused, Act, const char*>> cases = {{&linear_relu, &relu, "linear_relu"},
                                                                  {&linear_tanh, &tanh, "linear_tanh"},
                                                                  {&linear_sigmoid, &sigmoid, "linear_sigmoid"},
                                                                  {&linear_softplus, &softplus, "linear_softplus"}};
  std::uint64_t seed = 200;
  for (const auto& [fused, act, name] : cases)
    for (const Shape& xs : std::vector<Shape>{{4, 3}, {2, 5, 3}}) {
      INFO(name << " x " << shape_str(xs));
      const Tensor x = tgtest::away_from_zero(xs, 0.05, seed++, "x"), W = randn64({6, 3}, seed++, "W");
      const Tensor b = randn64({6}, seed++, "b");
      require_same(fused(x, W, b, Where::current()), act(linear(x, W, b, Where::current()), Where::current()), 0);
      gradcheck_subsets([&](const std::vector<Tensor>& in) { return fused(in[0], in[1], in[2], Where::current()); },
                        {x, W, b});
      gradcheck_subsets([&](const std::vector<Tensor>& in) { return fused(in[0], in[1], Tensor(), Where::current()); },
                        {x, W});
      Tape tape;  // one entry
      TapeScope scope(tape);
      const Tensor y = fused(x, W, b, Where::current());
      REQUIRE(tape.size() == 1);
      REQUIRE(std::string(tape.entry(0).op) == name);
    }
}

namespace {

template <class T>
std::vector<T> values(std::size_t n, std::uint64_t seed, double scale, double shift = 0) {
  Generator gen(seed);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(shift + scale * gen.normal());
  return v;
}

// Relative agreement of two sums of terms of magnitude `scale`: a few rounding errors per term.
template <class T>
void require_close(T fast, T twin, double scale) {
  INFO("fast " << fast << " twin " << twin);
  REQUIRE(std::abs(static_cast<double>(fast) - twin) <= 64 * std::numeric_limits<T>::epsilon() * scale);
}

// The fused kernels against their twins: event sizes across vector widths, operands full, repeating and null.
template <class T>
void check_fused_kernels() {
  for (std::int64_t E : {1, 3, 8, 9, 17, 67, 784})
    for (std::int64_t period_rows : {6, 2, 1}) {  // rows of the repeating operand: 6 = full
      const std::int64_t R = 6;
      INFO("E " << E << " period rows " << period_rows);
      const auto x = values<T>(static_cast<std::size_t>(R * E), 1, 1, 0.5), t = values<T>(x.size(), 2, 4);
      const auto mu = values<T>(static_cast<std::size_t>(period_rows * E), 3, 1), ls = values<T>(mu.size(), 4, 0.5);
      const auto g = values<T>(static_cast<std::size_t>(R), 5, 1);
      const kernels::Rows<T> xr{x.data(), R * E}, tr{t.data(), R * E}, mr{mu.data(), period_rows * E},
          lr{ls.data(), period_rows * E};
      std::vector<T> out(R), out_twin(R);
      kernels::bernoulli_log_prob<T>(0, R, E, mr, tr, out.data());
      kernels::bernoulli_log_prob_reference<T>(0, R, E, mr, tr, out_twin.data());
      for (std::int64_t r = 0; r < R; ++r) require_close(out[r], out_twin[r], 5.0 * E);
      std::vector<T> gx(x.size()), gt(x.size()), gx_twin(x.size()), gt_twin(x.size());
      kernels::bernoulli_log_prob_backward<T>(0, R, E, mr, tr, g.data(), gx.data(), gt.data());
      kernels::bernoulli_log_prob_backward_reference<T>(0, R, E, mr, tr, g.data(), gx_twin.data(), gt_twin.data());
      for (std::size_t i = 0; i < gx.size(); ++i) {  // gt = g (x - sigmoid(t)) may cancel: an absolute bound
        REQUIRE(gx[i] == gx_twin[i]);
        REQUIRE(std::abs(gt[i] - gt_twin[i]) <= 8 * std::numeric_limits<T>::epsilon() * std::abs(g[i / E]) * 2);
      }
      for (const kernels::Rows<T>& m : {mr, kernels::Rows<T>{}}) {
        kernels::normal_log_prob<T>(0, R, E, xr, m, lr, out.data());
        kernels::normal_log_prob_reference<T>(0, R, E, xr, m, lr, out_twin.data());
        for (std::int64_t r = 0; r < R; ++r) require_close(out[r], out_twin[r], 20.0 * E);
        std::vector<T> gm(x.size()), gl(x.size()), gm_twin(x.size()), gl_twin(x.size());
        kernels::normal_log_prob_backward<T>(0, R, E, xr, m, lr, g.data(), gx.data(), gm.data(), gl.data());
        kernels::normal_log_prob_backward_reference<T>(0, R, E, xr, m, lr, g.data(), gx_twin.data(), gm_twin.data(),
                                                       gl_twin.data());
        for (std::size_t i = 0; i < gx.size(); ++i) {
          REQUIRE(kernels::ulp_distance(gx[i], gx_twin[i]) <= 8);  // e^-log_sigma (2 ulp) enters squared
          REQUIRE(kernels::ulp_distance(gm[i], gm_twin[i]) <= 8);
          REQUIRE(std::abs(gl[i] - gl_twin[i]) <= 16 * std::numeric_limits<T>::epsilon() * (1 + std::abs(gl_twin[i])));
        }
      }
    }
  // A range of rows [r0, r1) writes those rows only, with the bits a whole call gives them.
  const std::int64_t R = 9, E = 13;
  const auto x = values<T>(R * E, 6, 1, 0.5), t = values<T>(R * E, 7, 3);
  const kernels::Rows<T> xr{x.data(), R * E}, tr{t.data(), R * E};
  std::vector<T> whole(R), part(R, T(-7));
  kernels::bernoulli_log_prob<T>(0, R, E, xr, tr, whole.data());
  kernels::bernoulli_log_prob<T>(3, 7, E, xr, tr, part.data());
  for (std::int64_t r = 0; r < R; ++r) REQUIRE(part[r] == (r >= 3 && r < 7 ? whole[r] : T(-7)));
}

template <class T>
void check_activation_backward() {
  for (kernels::Unary f :
       {kernels::Unary::relu, kernels::Unary::tanh, kernels::Unary::sigmoid, kernels::Unary::softplus})
    for (std::int64_t n : {0, 1, 7, 8, 9, 31, 67}) {
      auto pre = values<T>(static_cast<std::size_t>(n), 8, 2);
      std::vector<T> y(pre.size()), gx(pre.size()), gx_twin(pre.size());
      const auto g = values<T>(pre.size(), 9, 1);
      kernels::unary_reference<T>(f, n, pre.data(), y.data());
      kernels::activation_backward<T>(f, n, y.data(), g.data(), gx.data());
      kernels::activation_backward_reference<T>(f, n, y.data(), g.data(), gx_twin.data());
      for (std::int64_t i = 0; i < n; ++i) {
        INFO("activation " << static_cast<int>(f) << " n " << n << " i " << i);
        REQUIRE(kernels::ulp_distance(gx[i], gx_twin[i]) <= 2);
      }
    }
}

}  // namespace

TEST_CASE("fused kernels: Bernoulli and Normal log-densities and backward against their twins", "[kernels][fused]") {
  check_fused_kernels<float>();
  check_fused_kernels<double>();
}

TEST_CASE("fused kernels: activation_backward from the output against its twin", "[kernels][fused]") {
  check_activation_backward<float>();
  check_activation_backward<double>();
}
