// What gdb_step_math steps through (tests/gdb/check_step_math.py): y = tanh(x W), loss = sum(y). The reverse sweep
// runs the backward of sum, of tanh and of matmul; the test steps into the last two from the sweep and checks that
// gdb arrives at their derivatives (docs/debugging.md, "Step into a derivative"). With --fast it switches reference
// mode off first: the test's control, where the same steps must end in SIMD code.
#include <iostream>
#include <string>

#include "autodiff/autodiff.hpp"
#include "autodiff/runtime/kernels.hpp"

int main(int argc, char** argv) {
  using namespace tg;
  if (argc > 1 && std::string(argv[1]) == "--fast") kernels::set_reference_mode(false);
  Tensor x = tensor({0.5, -1, 2, 0.25, 1.5, -0.75}, {2, 3}).requires_grad(true).name("x");    // (2, 3)
  Tensor W = tensor({0.1, 0.2, -0.3, 0.4, 0.5, -0.6}, {3, 2}).requires_grad(true).name("W");  // (3, 2)
  Tensor y = tanh(matmul(x, W)).name("y");                                                    // (2, 2)
  Tensor loss = sum(y).name("loss");                                                          // ()
  backward(loss);
  std::cout << "backward_math: dL/dx[0] = " << x.grad().flat(0) << std::endl;
  return 0;
}
