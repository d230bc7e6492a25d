// Exercise custom_op: an op of your own, and the finite differences that check it. Write both in your copy of
// custom_op/skeleton.cpp; grade it with examples/assignments/grade.sh custom_op YOUR_FILE.cpp.
// The recipe for an op: docs/tape.md; what gradcheck does: autodiff/gradcheck.hpp.
#pragma once
#include <functional>

#include "autodiff/ops.hpp"

namespace assignment {

// tanh(x) elementwise, any shape, float32 or float64, recorded on the tape with your backward rule.
tg::Tensor my_tanh(const tg::Tensor& x, tg::Where where = tg::Where::current());

// df/dx by central differences: element i is (f(x + h e_i) - f(x - h e_i)) / (2 h), with x's shape. x is float64;
// f reads a tensor of x's shape and returns a number. x itself is left as it was.
tg::Tensor numeric_gradient(const std::function<double(const tg::Tensor&)>& f, const tg::Tensor& x, double h = 1e-5);

}  // namespace assignment
