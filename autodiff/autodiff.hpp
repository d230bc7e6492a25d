// tapegrad/autodiff in five minutes.
//
//   #include "autodiff/autodiff.hpp"
//   tg::Tensor x = tg::tensor({1.0, 2.0, 3.0}).name("x");
//   x.requires_grad(true);                      // a leaf whose gradient we want
//   tg::Tensor y = tg::sum(tg::exp(x) * x);     // every op appends one entry to the current tape
//   tg::backward(y);                            // one reverse sweep over the tape
//   std::cout << x.grad();                      // dy/dx = e^x (1 + x)
//   tg::print_tape(std::cout);                  // op, name, shape, values, |grad|, file:line per entry
//   tg::current_tape().clear();                 // start the next step with an empty tape
//
// Tensors are float32 (default) or float64, any rank, contiguous row-major; binary ops broadcast like NumPy.
// Randomness comes from tg::Generator (same seed, same numbers everywhere). gradcheck (autodiff/gradcheck.hpp)
// checks any function's gradients against finite differences. The rules of the tape are in docs/tape.md.
#pragma once
#include "autodiff/gradcheck.hpp"
#include "autodiff/inspect.hpp"
#include "autodiff/ops.hpp"
#include "autodiff/random.hpp"
#include "autodiff/tape.hpp"
#include "autodiff/tensor.hpp"
