// Grader of exercise custom_op: numeric_gradient against the exact derivatives of two functions (and the slips of
// finite differences, computed the wrong way on purpose), my_tanh's backward against 1 - tanh(x)^2, in float64 and
// float32. Exit status: the number of failed checks.
#include <cmath>

#include "custom_op/custom_op.hpp"
#include "grading.hpp"

using tg::Tensor;
using Function = std::function<double(const Tensor&)>;

namespace {

// The finite differences students write by mistake, computed here as they would compute them.
Tensor wrong_differences(const Function& f, const Tensor& x, double h, int slip) {
  Tensor xh = tg::copy(x), grad = tg::zeros_like(x);
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double xi = slip == 2 ? xh.flat(i) : x.flat(i);
    xh.set_flat(i, xi + h);
    const double up = f(xh);
    xh.set_flat(i, slip == 0 ? xi : xi - h);
    const double down = f(xh);
    if (slip != 2) xh.set_flat(i, xi);
    grad.set_flat(i, slip == 0 ? (up - down) / h : (up - down) / (2 * h));  // 0: forward, 1: central, 2: not restored
  }
  return grad;
}

std::string check_numeric(const Function& f, const Tensor& x, const Tensor& exact, const char* what) {
  const double h = 1e-5;
  const Tensor mine = assignment::numeric_gradient(f, x, h);
  if (grading::close(mine, exact, 1e-8)) return "";
  const Tensor central = wrong_differences(f, x, h, 1);
  return std::string(what) + ": " + grading::compare(mine, exact) +
         grading::diagnose(mine, {{tg::zeros_like(x), "yours is 0: fill in the differences where it says TODO"},
                                  {wrong_differences(f, x, h, 0),
                                   "this is a forward difference (f(x + h) - f(x)) / h, wrong by O(h): use the "
                                   "central difference (f(x + h) - f(x - h)) / (2 h), wrong by O(h^2)"},
                                  {central * 2.0, "twice the derivative: the two points are 2 h apart, divide by 2 h"},
                                  {wrong_differences(f, x, h, 2),
                                   "element i was not put back to x_i after its differences: every later element "
                                   "is differentiated at a shifted point"}});
}

std::string check_tanh(const Tensor& x, const Tensor& g) {
  const Tensor mine = grading::gradients([](const auto& in) { return assignment::my_tanh(in[0]); }, {x}, g)[0];
  const Tensor y = tg::tanh(x), expected = g * (1.0 - tg::square(y));
  if (grading::close(mine, expected, 1e-12)) return "";
  return "dL/dx: " + grading::compare(mine, expected) +
         grading::diagnose(mine, {{tg::zeros_like(x), "your backward returns zeros: return g * (d/dx tanh(x))"},
                                  {g * (1.0 - tg::square(x)),
                                   "1 - x^2 uses the input: d/dx tanh(x) = 1 - tanh(x)^2 = 1 - y^2, the output"},
                                  {1.0 - tg::square(y), "this is d/dx tanh(x) alone: multiply by g (the chain rule)"}});
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("custom_op: tanh as an op of your own, and central differences", argc, argv);
  tg::Generator gen(19);
  const Tensor w = tg::randn({2, 3}, gen, tg::f64), x = tg::randn({2, 3}, gen, tg::f64);
  const Function cubic = [&](const Tensor& v) { return tg::sum(w * v * v * v).item(); };
  const Function square = [&](const Tensor& v) { return std::pow(tg::sum(w * v).item(), 2); };
  const std::string numeric = "numeric_gradient of sum(w x^3) is 3 w x^2 within 1e-8 (h = 1e-5)";
  const std::string tanh = "my_tanh: dL/dx = g (1 - tanh(x)^2) at 7 points from -3 to 20";

  grader.check(numeric, 2, [&] { return check_numeric(cubic, x, w * tg::square(x) * 3.0, "d/dx sum(w x^3)"); });
  grader.check("numeric_gradient of (sum w x)^2 is 2 (sum w x) w within 1e-8", 2,
               [&] { return check_numeric(square, x, w * (2 * tg::sum(w * x).item()), "d/dx (sum w x)^2"); });
  grader.check(
      "numeric_gradient leaves x as it was", 1,
      [&] {
        const Tensor fresh = tg::randn({2, 3}, gen, tg::f64), before = tg::copy(fresh);
        assignment::numeric_gradient(cubic, fresh, 1e-5);
        return grading::close(fresh, before, 0.0) ? std::string() : "x changed: " + grading::compare(fresh, before);
      },
      numeric);
  grader.check(tanh, 3, [&] {
    return check_tanh(tg::tensor({-3, -1, -0.25, 0, 0.5, 2, 20}, tg::f64),
                      tg::tensor({0.5, 1.5, -2, 1, 3, 0.7, 1.2}, tg::f64));
  });
  grader.check(
      "my_tanh in float32 gives float32 gradients equal to float64's within 1e-6", 1,
      [&] {
        const Tensor x64 = tg::randn({4, 3}, gen, tg::f64), g64 = tg::randn({4, 3}, gen, tg::f64);
        const Tensor mine = grading::gradients([](const auto& in) { return assignment::my_tanh(in[0]); },
                                               {tg::cast(x64, tg::f32)}, tg::cast(g64, tg::f32))[0];
        if (mine.dtype() != tg::f32)
          return std::string("the gradient of a float32 x is ") + tg::dtype_name(mine.dtype());
        const Tensor expected = tg::cast(g64 * (1.0 - tg::square(tg::tanh(x64))), tg::f32);
        return grading::close(mine, expected, 1e-6) ? std::string() : grading::compare(mine, expected);
      },
      tanh);
  return grader.finish();
}
