// The error messages of bad input, checked by text: each says what, where and why, and none crashes.
#include "test_util.hpp"

using namespace tg;
using Catch::Matchers::Contains;

TEST_CASE("errors: matmul inner dimension mismatch", "[errors]") {
  REQUIRE_THROWS_AS(matmul(zeros({3, 4}), zeros({5, 2})), Error);
  REQUIRE_THROWS_WITH(matmul(zeros({3, 4}), zeros({5, 2})),
                      "matmul: a is (3, 4) and b is (5, 2); inner dimensions 4 and 5 must match");
}

TEST_CASE("errors: broadcast failure names both shapes", "[errors][broadcast]") {
  REQUIRE_THROWS_WITH(add(zeros({3, 1, 4}), zeros({2, 5})),
                      "add: a is (3, 1, 4) and b is (2, 5); they do not broadcast (axis -1: 4 vs 5)");
  REQUIRE_THROWS_WITH(mul(zeros({2, 3}), zeros({3, 3})), Contains("mul: a is (2, 3) and b is (3, 3)"));
  REQUIRE_THROWS_WITH(sub(zeros({4}), zeros({3})), Contains("sub: a is (4,) and b is (3,)"));
  REQUIRE_THROWS_WITH(div(zeros({2, 2}), zeros({3, 1})), Contains("(axis -2: 2 vs 3)"));
  REQUIRE_THROWS_WITH(where(zeros({2}), zeros({3}), zeros({3})), Contains("where: a is (2,) and b is (3,)"));
  REQUIRE_THROWS_WITH(broadcast_shapes({2}, {3}, "myop"), Contains("myop: a is (2,) and b is (3,)"));
  REQUIRE(broadcast_shapes({3, 1, 4}, {2, 4}, "x") == Shape{3, 2, 4});
  REQUIRE(broadcast_shapes({}, {2}, "x") == Shape{2});
}

TEST_CASE("errors: bad axis", "[errors]") {
  REQUIRE_THROWS_WITH(sum(zeros({2, 3}), {2}), "sum: axis 2 is out of range for a tensor of rank 2 (valid: -2 to 1)");
  REQUIRE_THROWS_WITH(max(zeros({2, 3}), -3), "max: axis -3 is out of range for a tensor of rank 2 (valid: -2 to 1)");
  REQUIRE_THROWS_WITH(logsumexp(zeros({2}), 1), Contains("logsumexp: axis 1 is out of range"));
  REQUIRE_THROWS_WITH(mean(zeros({2}), {5}), Contains("mean: axis 5 is out of range"));
  REQUIRE_THROWS_WITH(slice(zeros({2}), 1, 0, 1), Contains("slice: axis 1 is out of range"));
  REQUIRE_THROWS_WITH(concat({zeros({2})}, 1), Contains("concat: axis 1 is out of range"));
  REQUIRE_THROWS_WITH(stack({zeros({2})}, 3), Contains("stack: axis 3 is out of range for a tensor of rank 2"));
  REQUIRE_THROWS_WITH(squeeze(zeros({2}), 1), Contains("squeeze: axis 1 is out of range"));
}

TEST_CASE("errors: reshape mismatch", "[errors]") {
  REQUIRE_THROWS_WITH(reshape(zeros({2, 3}), {5}), "reshape: cannot reshape (2, 3) (6 elements) to (5,)");
  REQUIRE_THROWS_WITH(reshape(zeros({2, 3}), {-2, 3}), Contains("at most one -1 and no other negative size"));
}

TEST_CASE("errors: slice out of range", "[errors]") {
  REQUIRE_THROWS_WITH(slice(zeros({4, 3}), 0, 2, 5), "slice: [2, 5) is not a range within axis 0 of (4, 3) (size 4)");
}

TEST_CASE("errors: concat mismatch", "[errors]") {
  REQUIRE_THROWS_WITH(concat({zeros({2, 3}), zeros({2, 4})}, 0),
                      "concat: tensor 1 is (2, 4) but tensor 0 is (2, 3); all dims but axis 0 must match");
}

TEST_CASE("errors: permute with a bad permutation", "[errors]") {
  REQUIRE_THROWS_WITH(permute(zeros({2, 3}), {1, 1}),
                      "permute: the permutation has 2 entries that must be each axis of (2, 3) exactly once");
  REQUIRE_THROWS_WITH(permute(zeros({2, 3}), {0, 1, 2}), Contains("the permutation has 3 entries"));
}

TEST_CASE("errors: undefined tensors are named, not dereferenced", "[errors][edge]") {
  REQUIRE_THROWS_WITH(exp(Tensor()), "exp: x is an undefined Tensor");
  REQUIRE_THROWS_WITH(add(Tensor(), zeros({2})), "add: a is an undefined Tensor");
  REQUIRE_THROWS_WITH(sum(Tensor()), "sum: x is an undefined Tensor");
  REQUIRE_THROWS_WITH(matmul(zeros({2, 2}), Tensor()), "matmul: b is an undefined Tensor");
  REQUIRE_THROWS_WITH(reshape(Tensor(), {1}), "reshape: x is an undefined Tensor");
  Tensor x = tensor({1}, f64);
  REQUIRE_THROWS_WITH(x.grad().item(),
                      Contains("this Tensor is undefined (default-constructed, or a gradient never computed)"));
}

TEST_CASE("errors: every message is a tg::Error, which is a std::invalid_argument", "[errors]") {
  REQUIRE_THROWS_AS(reshape(zeros({2}), {3}), Error);
  REQUIRE_THROWS_AS(reshape(zeros({2}), {3}), std::invalid_argument);
  REQUIRE_THROWS_AS(slice(zeros({2}), 0, 0, 3), std::invalid_argument);
}

TEST_CASE("errors: cast to a dtype that does not exist names the number", "[errors]") {
  const Tensor x = zeros({2});
  REQUIRE_THROWS_WITH(cast(x, static_cast<DType>(7)), "cast: dtype is 7, but must be tg::f32 or tg::f64");
  REQUIRE(std::string(dtype_name(static_cast<DType>(7))) == "an unknown dtype");
}
