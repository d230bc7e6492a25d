// Differentiates a small expression and prints its tape before and after backward: the op, the tensor's name,
// shape, a few values, the gradient norm, and the line of this file that made each entry.
#include <iostream>

#include "autodiff/autodiff.hpp"

int main() {
  using namespace tg;
  Tensor x = tensor({0.5, -1.0, 2.0}, f64).name("x");
  Tensor w = tensor({1.5, 0.25, -0.75}, f64).name("w");
  x.requires_grad(true);
  w.requires_grad(true);

  Tensor h = tanh(x * w).name("h");                   // h = tanh(x w)
  Tensor y = sum(square(h) + softplus(x)).name("y");  // y = sum(h^2 + softplus(x))

  std::cout << "y = sum(tanh(x * w)^2 + softplus(x))\n\nBefore backward:\n";
  print_tape(std::cout);
  backward(y);
  std::cout << "\nAfter backward (|grad| filled in):\n";
  print_tape(std::cout);
  std::cout << "\ndy/dx = " << x.grad() << "\ndy/dw = " << w.grad() << "\n";

  auto f = [](const std::vector<Tensor>& in) { return sum(square(tanh(in[0] * in[1])) + softplus(in[0])); };
  std::cout << "\n" << gradcheck(f, {x, w}).report << "\n";
  return 0;
}
