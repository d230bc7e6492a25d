// Float32 backward against float64 finite differences: training runs in float32, whose kernels (SIMD paths, tails,
// blocked sums) differ from the float64 ones gradcheck sees. For each op, the tape's float32 gradient of
// sum(w * f(x)) must match central differences of the same function computed in float64, within a float32 tolerance
// (|ad - fd| <= 1e-4 + 2e-3 |fd|). Sizes are odd (37, 300) so that vector tails and the GEMM's K blocking are crossed.
#include "test_util.hpp"

using namespace tg;
using tgtest::Fn;

namespace {

// Float32 tape gradient of sum(w * f(inputs)) against float64 central differences, for every input.
void check_f32(const char* what, const Fn& f, const std::vector<Tensor>& inputs64, double rtol = 2e-3,
               double atol = 1e-4) {
  INFO(what);
  Tape tape;
  TapeScope scope(tape);
  std::vector<Tensor> x32, x64;
  for (const Tensor& x : inputs64) {
    Tensor c = cast(x.detach(), f32);
    Tensor leaf = copy(c).name(x.name());
    leaf.requires_grad(true);
    x32.push_back(leaf);
    x64.push_back(copy(x.detach()));
  }
  Tensor out64;
  {
    NoGrad no_grad;
    out64 = f(x64);
  }
  Generator gen(99);
  const Tensor w = randn(out64.shape(), gen, f64);
  backward(sum(f(x32) * cast(w, f32)));
  auto objective = [&] {
    NoGrad no_grad;
    return sum(f(x64) * w).item();
  };
  const double eps = 1e-6;
  for (std::size_t i = 0; i < x64.size(); ++i) {
    REQUIRE(x32[i].grad().defined());
    const Tensor g = x32[i].grad();
    int bad = 0;
    for (std::int64_t e = 0; e < x64[i].numel(); ++e) {
      const double x0 = x64[i].flat(e);
      x64[i].set_flat(e, x0 + eps);
      const double up = objective();
      x64[i].set_flat(e, x0 - eps);
      const double down = objective();
      x64[i].set_flat(e, x0);
      const double fd = (up - down) / (2 * eps), ad = g.flat(e);
      if (std::abs(ad - fd) > atol + rtol * std::abs(fd) && bad++ < 3) {
        FAIL_CHECK("input " << i << " element " << e << ": float32 backward " << ad << ", float64 finite difference "
                            << fd);
      }
    }
    CHECK(bad == 0);
  }
}

Fn unary(Tensor (*op)(const Tensor&, Where)) {
  return [op](const std::vector<Tensor>& in) { return op(in[0], Where::current()); };
}

}  // namespace

TEST_CASE("float32 backward of every unary op matches float64 finite differences", "[ops][float32][gradcheck]") {
  const Tensor x = tgtest::randn64({37}, 1), pos = tgtest::uniform64({37}, 0.2, 3.0, 2);
  const Tensor kink = tgtest::away_from_zero({37}, 0.05, 3);
  check_f32("neg", unary(neg), {x});
  check_f32("exp", unary(exp), {x});
  check_f32("log", unary(log), {pos});
  check_f32("log1p", unary(log1p), {pos});
  check_f32("expm1", unary(expm1), {x});
  check_f32("sqrt", unary(sqrt), {pos});
  check_f32("square", unary(square), {x});
  check_f32("abs", unary(abs), {kink});
  check_f32("tanh", unary(tanh), {x});
  check_f32("sigmoid", unary(sigmoid), {x});
  check_f32("relu", unary(relu), {kink});
  check_f32("softplus", unary(softplus), {x});
  check_f32("log_sigmoid", unary(log_sigmoid), {x});
  check_f32("pow 3", [](const std::vector<Tensor>& in) { return pow(in[0], 3.0); }, {x});
  check_f32("pow -1.5", [](const std::vector<Tensor>& in) { return pow(in[0], -1.5); }, {pos});
  check_f32("clamp", [](const std::vector<Tensor>& in) { return clamp(in[0], -0.5, 0.7); }, {kink});
  check_f32("scalar ops", [](const std::vector<Tensor>& in) { return (2.5 - in[0]) * 3.0 / 1.5 + 0.25; }, {x});
  check_f32("rdiv", [](const std::vector<Tensor>& in) { return 2.0 / in[0]; }, {pos});
}

TEST_CASE("float32 backward of binary ops with broadcasting matches float64 finite differences",
          "[ops][float32][gradcheck][broadcast]") {
  const Tensor a = tgtest::randn64({3, 37}, 4, "a"), b = tgtest::randn64({37}, 5, "b");
  const Tensor col = tgtest::randn64({3, 1}, 6, "col"), pos = tgtest::uniform64({3, 37}, 0.5, 2.0, 7, "pos");
  check_f32("add", [](const std::vector<Tensor>& in) { return in[0] + in[1]; }, {a, b});
  check_f32("sub", [](const std::vector<Tensor>& in) { return in[0] - in[1]; }, {col, a});
  check_f32("mul", [](const std::vector<Tensor>& in) { return in[0] * in[1]; }, {a, col});
  check_f32("div", [](const std::vector<Tensor>& in) { return in[0] / in[1]; }, {b, pos});
  check_f32("x * x", [](const std::vector<Tensor>& in) { return in[0] * in[0]; }, {a});
  const Tensor cond = tensor(std::vector<double>(37, 0.0), f64);
  Tensor c = copy(cond);
  for (std::int64_t i = 0; i < 37; i += 3) c.set_flat(i, 1.0);
  check_f32("where", [c](const std::vector<Tensor>& in) { return where(c, in[0], in[1]); }, {a, b});
}

TEST_CASE("float32 backward of reductions matches float64 finite differences", "[reduce][float32][gradcheck]") {
  const Tensor x = tgtest::randn64({5, 37}, 8);
  check_f32("sum all", [](const std::vector<Tensor>& in) { return sum(in[0]); }, {x});
  check_f32("sum axis 1", [](const std::vector<Tensor>& in) { return sum(in[0], {1}); }, {x});
  check_f32("mean axis 0 keepdim", [](const std::vector<Tensor>& in) { return mean(in[0], {0}, true); }, {x});
  check_f32("max axis 1", [](const std::vector<Tensor>& in) { return max(in[0], 1); }, {x});
  check_f32("logsumexp axis 1", [](const std::vector<Tensor>& in) { return logsumexp(in[0], 1); }, {x});
  check_f32("logsumexp axis 0", [](const std::vector<Tensor>& in) { return logsumexp(in[0] * 30.0, 0); }, {x});
  check_f32("sum_to", [](const std::vector<Tensor>& in) { return sum_to(in[0], {1, 37}); }, {x});
}

TEST_CASE("float32 backward of matmul and linear, across the GEMM's K blocking, matches float64 finite differences",
          "[matmul][float32][gradcheck]") {
  // K = 300 crosses a K block of 256; (2, 5, 300) x (300, 7) also broadcasts the batch.
  const Tensor a = tgtest::randn64({2, 5, 300}, 9, "a"), b = tgtest::randn64({300, 7}, 10, "b");
  check_f32(
      "matmul", [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); }, {a, b}, 3e-3, 3e-4);
  const Tensor x = tgtest::randn64({9, 37}, 11, "x"), W = tgtest::randn64({13, 37}, 12, "W");
  const Tensor bias = tgtest::randn64({13}, 13, "bias");
  check_f32("linear", [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in[2]); }, {x, W, bias});
}

TEST_CASE("float32 backward of shape ops matches float64 finite differences", "[shape][float32][gradcheck]") {
  const Tensor x = tgtest::randn64({2, 3, 5}, 14), y = tgtest::randn64({2, 4, 5}, 15);
  check_f32("reshape", [](const std::vector<Tensor>& in) { return reshape(in[0], {5, -1}) * 2.0; }, {x});
  check_f32("permute", [](const std::vector<Tensor>& in) { return permute(in[0], {2, 0, 1}); }, {x});
  check_f32("transpose", [](const std::vector<Tensor>& in) { return transpose(in[0], 0, 2); }, {x});
  check_f32("broadcast_to", [](const std::vector<Tensor>& in) { return broadcast_to(in[0], {4, 2, 3, 5}); }, {x});
  check_f32("slice", [](const std::vector<Tensor>& in) { return slice(in[0], 1, 1, 3); }, {x});
  check_f32("concat", [](const std::vector<Tensor>& in) { return concat({in[0], in[1]}, 1); }, {x, y});
  check_f32("stack", [](const std::vector<Tensor>& in) { return stack({in[0], in[0] * 2.0}, 1); }, {x});
  check_f32("squeeze", [](const std::vector<Tensor>& in) { return squeeze(unsqueeze(in[0], 1), 1); }, {x});
}
