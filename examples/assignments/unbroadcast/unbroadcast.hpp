// Exercise unbroadcast: the gradient of a broadcast input. Write it in your copy of unbroadcast/skeleton.cpp; grade it
// with examples/assignments/grade.sh unbroadcast YOUR_FILE.cpp. The rules: docs/tape.md (broadcasting).
#pragma once
#include "autodiff/ops.hpp"

namespace assignment {

// The gradient g of a binary op's output, brought back to the shape of an input that was broadcast: g is summed over
// the leading axes broadcasting added and over the axes where the input had size 1 (kept, of size 1), so that the
// result has `shape`. shape broadcasts to g's shape. Built from tg ops (tg::sum, tg::reshape).
tg::Tensor unbroadcast(const tg::Tensor& g, const tg::Shape& shape);

// a + b with NumPy broadcasting, recorded with a backward rule that uses your unbroadcast (given).
tg::Tensor my_add(const tg::Tensor& a, const tg::Tensor& b, tg::Where where = tg::Where::current());

}  // namespace assignment
