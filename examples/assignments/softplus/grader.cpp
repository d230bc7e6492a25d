// Grader of exercise softplus: my_softplus's backward against finite differences on random shapes (float64), at
// the edges (x = +-800, 0), in float32, and against the slips that are easy to make. Exit status: failed checks.
#include <limits>

#include "grading.hpp"
#include "softplus/softplus.hpp"

using grading::num;
using tg::Tensor;

namespace {

// dL/dx that the student's backward gives for L = sum(my_softplus(x) * w).
Tensor student_grad(const Tensor& x0, const Tensor& w) {
  tg::Tape tape;
  tg::TapeScope scope(tape);
  Tensor x = tg::copy(x0).name("x");
  x.requires_grad(true);
  tape.backward(tg::sum(assignment::my_softplus(x) * w));
  return x.grad().defined() ? x.grad() : tg::zeros_like(x);
}

std::vector<grading::Slip> slips(const Tensor& x, const Tensor& w) {
  tg::NoGrad no_grad;
  return {{tg::zeros_like(x), "your backward returns zeros: it must return g * (d/dx softplus(x))"},
          {tg::sigmoid(x),
           "this is d/dx softplus(x) alone: multiply it by g, the gradient arriving from the output "
           "(the chain rule)"},
          {w * tg::sigmoid(tg::neg(x)),
           "g / (1 + e^x) = g sigmoid(-x): the derivative of log(1 + e^x) is (1 / (1 + e^x)) times the derivative of "
           "1 + e^x, which is e^x: the e^x in the numerator is missing (sigmoid(x) = e^x / (1 + e^x))"},
          {w * tg::exp(x),
           "e^x is the derivative of e^x; softplus is log(1 + e^x), so the chain rule gives "
           "e^x / (1 + e^x)"},
          {w * tg::sigmoid(x) * tg::sigmoid(tg::neg(x)), "sigmoid(x) (1 - sigmoid(x)) is the second derivative"}};
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("softplus: the backward rule of softplus(x) = log(1 + e^x)", argc, argv);
  tg::Generator gen(2024);

  grader.check("d/dx softplus(x) = sigmoid(x) at 9 points, times the incoming gradient g", 3, [&] {
    Tensor x = tg::tensor({-4, -2, -1, -0.5, 0, 0.5, 1, 2, 4}, tg::f64);
    Tensor w = tg::tensor({0.5, 1.5, 2, 1, 3, 0.7, 1.2, 2.5, 0.9}, tg::f64);
    Tensor mine = student_grad(x, w);
    Tensor expected = w * tg::sigmoid(x);
    if (grading::close(mine, expected, 1e-9)) return std::string();
    return "dL/dx at " + grading::compare(mine, expected) + grading::diagnose(mine, slips(x, w));
  });

  grader.check("gradcheck (float64, finite differences) on 40 random shapes with size-0 and size-1 axes", 1, [&] {
    for (int trial = 0; trial < 40; ++trial) {
      const tg::Shape shape = tg::random_shape(gen);
      Tensor x = tg::mul_scalar(tg::randn(shape, gen, tg::f64), 3.0).name("x");
      x.requires_grad(true);
      const tg::GradcheckResult r =
          tg::gradcheck([](const std::vector<Tensor>& in) { return assignment::my_softplus(in[0]); }, {x});
      if (!r.ok) return "shape " + tg::shape_str(shape) + " (trial " + std::to_string(trial) + "):\n" + r.report;
    }
    return std::string();
  });

  grader.check("edges: d/dx softplus at x = -800, 0, 800 is 0, 1/2, 1 (finite: no e^800)", 2, [&] {
    Tensor x = tg::tensor({-800, 0, 800}, tg::f64), w = tg::ones({3}, tg::f64);
    Tensor mine = student_grad(x, w), expected = tg::tensor({0, 0.5, 1}, tg::f64);
    if (grading::close(mine, expected, 1e-12)) return std::string();
    std::string hint;
    if (!std::isfinite(mine.flat(0)) || !std::isfinite(mine.flat(2)))
      hint =
          "\nhint: e^800 overflows to inf and inf / inf is NaN: write e^x / (1 + e^x) as sigmoid(x) "
          "(tg::sigmoid never overflows)";
    return grading::compare(mine, expected) + hint;
  });

  grader.check("float32 input gives float32 gradients equal to float64's within 1e-6", 1, [&] {
    Tensor x64 = tg::randn({5, 3}, gen, tg::f64), w64 = tg::rand({5, 3}, gen, tg::f64);
    Tensor mine = student_grad(tg::cast(x64, tg::f32), tg::cast(w64, tg::f32));
    if (mine.dtype() != tg::f32) return std::string("the gradient of a float32 x is ") + tg::dtype_name(mine.dtype());
    Tensor expected = tg::cast(w64 * tg::sigmoid(x64), tg::f32);
    return grading::close(mine, expected, 1e-6) ? std::string() : grading::compare(mine, expected);
  });

  return grader.finish();
}
