// Writing your own differentiable op: softsign(x) = x / (1 + |x|), as forward + derivative comment + backward rule
// recorded with tg::current_tape().record(...), checked with tg::gradcheck; then the same op with a wrong backward,
// which gradcheck catches and reports. The recipe: docs/tape.md, section 3 ("Writing your own op").
#include <cmath>
#include <cstdio>
#include <iostream>

#include "autodiff/autodiff.hpp"

namespace {

using tg::Tensor;
using tg::Where;

// softsign(x) = x / (1 + |x|), elementwise, without recording anything: the forward kernel.
Tensor softsign_values(const Tensor& x) {
  Tensor y = tg::empty(x.shape(), x.dtype());
  tg::dispatch(x.dtype(), [&]<class T>(T) {
    const T* px = x.data<T>();
    T* py = y.data<T>();
    for (std::int64_t i = 0; i < x.numel(); ++i) py[i] = px[i] / (T(1) + std::abs(px[i]));
  });
  return y;
}

// d/dx softsign(x) = 1 / (1 + |x|)^2
Tensor softsign(const Tensor& x, Where where = Where::current()) {
  Tensor y = softsign_values(x);                                                      // forward: plain values
  return tg::current_tape().record("softsign", {x}, y, where, [x](const Tensor& g) {  // g = dL/dy, y's shape
    return tg::Grads{g / tg::square(tg::abs(x) + 1.0)};                               // dL/dx = g / (1 + |x|)^2
  });
}

// The same op with a classic slip in the backward: the square is forgotten, g / (1 + |x|).
Tensor softsign_wrong(const Tensor& x, Where where = Where::current()) {
  Tensor y = softsign_values(x);
  return tg::current_tape().record("softsign_wrong", {x}, y, where, [x](const Tensor& g) {
    return tg::Grads{g / (tg::abs(x) + 1.0)};  // WRONG: should be g / (1 + |x|)^2
  });
}

}  // namespace

int main() {
  using namespace tg;
  Generator gen(7);
  Tensor x = randn({6}, gen, f64).name("x");  // seeded random points; softsign is smooth enough at 0
  x.requires_grad(true);

  std::cout << "softsign(x) = x / (1 + |x|),   d/dx softsign(x) = 1 / (1 + |x|)^2\n\n";
  Tensor y = softsign(x).name("y");
  Tensor loss = sum(y).name("loss");
  backward(loss);
  print_tape(std::cout, current_tape(), PrintOptions{3});
  std::cout << "\n  x        softsign(x)   tape dy/dx    1/(1+|x|)^2\n";
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double xv = x.flat(i);
    std::printf("  %+.4f  %+.6f     %.8f    %.8f\n", xv, y.flat(i), x.grad().flat(i),
                1.0 / ((1.0 + std::fabs(xv)) * (1.0 + std::fabs(xv))));
  }
  current_tape().clear();

  // gradcheck differentiates sum(f(x) * r) for a fixed random r, by the tape and by central differences.
  auto f_right = [](const std::vector<Tensor>& in) { return softsign(in[0]); };
  auto f_wrong = [](const std::vector<Tensor>& in) { return softsign_wrong(in[0]); };
  GradcheckResult right = gradcheck(f_right, {x});
  GradcheckResult wrong = gradcheck(f_wrong, {x});

  std::cout << "\nsoftsign with the right backward: gradcheck " << (right.ok ? "PASSED" : "FAILED") << "\n  "
            << right.report << "\n";
  std::cout << "\nsoftsign_wrong (backward forgets the square): gradcheck " << (wrong.ok ? "PASSED" : "FAILED") << "\n"
            << wrong.report;
  std::cout << "\nRead the report: 'analytic' is what the backward rule gave, 'numeric' the finite difference;\n"
               "their ratio is 1 + |x|, exactly the factor the wrong rule left out.\n";
  return right.ok && !wrong.ok ? 0 : 1;
}
