// Reference mode against the fast kernels, op by op: each op's value and the gradients of its inputs are computed
// twice, with kernels::reference_mode() off and on, in float32 and float64, and must agree within the bounds of
// docs/kernels.md ("Reference mode"): the same bits where the kernels are exact, within the vector math's ulp
// bounds, and within the reduction error of a pairwise against an in-order sum. (The 100 training steps are in
// tests/vae/test_same_numbers.cpp.)
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/runtime/kernels.hpp"

using namespace tg;

namespace {

using Op = std::function<Tensor(const std::vector<Tensor>&)>;

struct Case {
  std::string name;
  std::vector<Shape> shapes;  // of the inputs, drawn N(0, 1) (shifted to (0.5, 2.5) for log, sqrt, div's b)
  Op op;
  double rel;  // relative bound, in units of the dtype's epsilon, for values and gradients
  bool positive = false;
};

// The op's output and every input's gradient (backward of sum(out * w) with fixed weights w), in one mode.
std::vector<std::vector<double>> run(const Case& c, DType dtype, bool reference) {
  kernels::set_reference_mode(reference);
  Tape tape;
  TapeScope scope(tape);
  Generator gen(17);
  std::vector<Tensor> xs;
  for (const Shape& s : c.shapes) {
    Tensor x = c.positive ? rand_uniform(s, 0.5, 2.5, gen, dtype) : randn(s, gen, dtype);
    xs.push_back(x.requires_grad(true));
  }
  const Tensor y = c.op(xs);
  const Tensor w = rand_uniform(y.shape(), -1, 1, gen, dtype);
  backward(sum(y * w));
  std::vector<std::vector<double>> out{y.to_vector()};
  for (const Tensor& x : xs) out.push_back(x.grad().to_vector());
  return out;
}

void check_case(const Case& c, DType dtype) {
  const bool was = kernels::reference_mode();
  const auto fast = run(c, dtype, false), ref = run(c, dtype, true);
  kernels::set_reference_mode(was);
  const double eps = dtype == f32 ? 0x1p-23 : 0x1p-52;
  for (std::size_t t = 0; t < fast.size(); ++t) {
    REQUIRE(fast[t].size() == ref[t].size());
    for (std::size_t i = 0; i < fast[t].size(); ++i) {
      INFO(c.name << " " << dtype_name(dtype) << (t == 0 ? " value" : " gradient of input " + std::to_string(t - 1))
                  << "[" << i << "]: fast " << fast[t][i] << ", reference " << ref[t][i]);
      CHECK(std::abs(fast[t][i] - ref[t][i]) <= c.rel * eps * std::max(1.0, std::abs(ref[t][i])));
    }
  }
}

Tensor x0(const std::vector<Tensor>& x) { return x[0]; }

// Bounds: 0 where fast and reference give the same bits; 8 eps for the vector math (3 ulp, and the gradient that
// goes through it); 64 eps for sums of up to a few hundred terms and the GEMM, whose order of addition differs.
std::vector<Case> cases() {
  const Shape v{37}, m{7, 45}, row{1, 45};
  return {
      {"add (broadcast)", {m, row}, [](auto& x) { return x[0] + x[1]; }, 64},
      {"sub", {m, m}, [](auto& x) { return x[0] - x[1]; }, 0},
      {"mul", {m, m}, [](auto& x) { return x[0] * x[1]; }, 0},
      {"div", {m, m}, [](auto& x) { return x[0] / x[1]; }, 2, true},
      {"scalar ops", {v}, [](auto& x) { return rdiv_scalar(add_scalar(mul_scalar(x[0], 3), 5), 2); }, 2, true},
      {"pow", {v}, [](auto& x) { return pow(x[0], 1.5); }, 8, true},
      {"neg", {v}, [](auto& x) { return neg(x0(x)); }, 0},
      {"exp", {v}, [](auto& x) { return exp(x0(x)); }, 8},
      {"log", {v}, [](auto& x) { return log(x0(x)); }, 8, true},
      {"log1p", {v}, [](auto& x) { return log1p(x0(x)); }, 8, true},
      {"expm1", {v}, [](auto& x) { return expm1(x0(x)); }, 8},
      {"sqrt", {v}, [](auto& x) { return sqrt(x0(x)); }, 2, true},
      {"square", {v}, [](auto& x) { return square(x0(x)); }, 0},
      {"abs", {v}, [](auto& x) { return abs(x0(x)); }, 0},
      {"tanh", {v}, [](auto& x) { return tanh(x0(x)); }, 8},
      {"sigmoid", {v}, [](auto& x) { return sigmoid(x0(x)); }, 8},
      {"relu", {v}, [](auto& x) { return relu(x0(x)); }, 0},
      {"softplus", {v}, [](auto& x) { return softplus(x0(x)); }, 8},
      {"log_sigmoid", {v}, [](auto& x) { return log_sigmoid(x0(x)); }, 8},
      {"clamp", {v}, [](auto& x) { return clamp(x0(x), -0.5, 0.5); }, 0},
      {"sum", {m}, [](auto& x) { return sum(x0(x)); }, 64},
      {"sum over an axis", {m}, [](auto& x) { return sum(x0(x), {1}); }, 64},
      {"mean", {m}, [](auto& x) { return mean(x0(x), {0}); }, 64},
      {"max", {m}, [](auto& x) { return max(x0(x), 1); }, 0},
      {"logsumexp", {m}, [](auto& x) { return logsumexp(x0(x), 1); }, 64},
      {"matmul", {{7, 33}, {33, 45}}, [](auto& x) { return matmul(x[0], x[1]); }, 64},
      {"linear", {{7, 33}, {45, 33}, {45}}, [](auto& x) { return linear(x[0], x[1], x[2]); }, 64},
      {"linear_relu", {{7, 33}, {45, 33}, {45}}, [](auto& x) { return linear_relu(x[0], x[1], x[2]); }, 64},
      {"linear_tanh", {{7, 33}, {45, 33}, {45}}, [](auto& x) { return linear_tanh(x[0], x[1], x[2]); }, 64},
      {"linear_sigmoid", {{7, 33}, {45, 33}, {45}}, [](auto& x) { return linear_sigmoid(x[0], x[1], x[2]); }, 64},
      {"linear_softplus", {{7, 33}, {45, 33}, {45}}, [](auto& x) { return linear_softplus(x[0], x[1], x[2]); }, 64},
      {"bernoulli_log_prob", {m, m}, [](auto& x) { return bernoulli_log_prob(sigmoid(x[0]), x[1], 1); }, 64},
      {"normal_log_prob", {m, m, m}, [](auto& x) { return normal_log_prob(x[0], x[1], x[2], 1); }, 64},
      {"reshape, permute, transpose",
       {{3, 5, 4}},
       [](auto& x) {
         return transpose(permute(reshape(x[0], {5, 3, 4}), {2, 0, 1}));
       },
       0},
      {"broadcast_to, unsqueeze, squeeze",
       {row},
       [](auto& x) {
         return squeeze(unsqueeze(broadcast_to(x[0], {7, 45}), 0), 0);
       },
       64},
      {"slice, concat, stack",
       {m, m},
       [](auto& x) {
         return stack({concat({slice(x[0], 1, 3, 20), x[1]}, 1), concat({x[1], slice(x[0], 1, 5, 22)}, 1)}, 0);
       },
       0},
      {"where", {m, m}, [](auto& x) { return where(relu(x[0]).detach(), x[0], x[1]); }, 0},
  };
}

}  // namespace

TEST_CASE("reference mode: every op's value and gradients agree with the fast kernels within their bounds",
          "[kernels][reference]") {
  for (const Case& c : cases()) {
    check_case(c, f32);
    check_case(c, f64);
  }
}

TEST_CASE("reference mode: switching it changes which kernel runs", "[kernels][reference]") {
  // tanh's vector math and std::tanh differ in some last bit over enough inputs: if the switch did nothing, the
  // two runs would give the same bits everywhere.
  const bool was = kernels::reference_mode();
  Generator gen(3);
  const Tensor x = randn({4096}, gen, f32);
  kernels::set_reference_mode(false);
  const std::vector<double> fast = tanh(x).to_vector();
  kernels::set_reference_mode(true);
  const std::vector<double> ref = tanh(x).to_vector();
  kernels::set_reference_mode(was);
  CHECK(fast != ref);
}
