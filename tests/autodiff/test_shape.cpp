// Shape ops: reshape, permute, transpose, broadcast_to, unsqueeze, squeeze, slice, concat, stack. Forward
// values, gradcheck, reused inputs (the gradients of both uses add up), and the error messages.
#include "test_util.hpp"

using namespace tg;
using tgtest::randn64;
using tgtest::require_gradcheck;
using tgtest::require_values;

namespace {
Tensor a23() { return tensor({1, 2, 3, 4, 5, 6}, {2, 3}, f64); }
}  // namespace

TEST_CASE("gradcheck: reshape", "[ops][gradcheck]") {
  const Tensor r = reshape(a23(), {3, 2});
  REQUIRE(r.shape() == Shape{3, 2});
  REQUIRE(r.at({2, 0}) == 5.0);
  REQUIRE(reshape(a23(), {-1}).shape() == Shape{6});
  REQUIRE(reshape(a23(), {3, -1}).shape() == Shape{3, 2});
  REQUIRE(reshape(scalar(2), {1, 1}).shape() == Shape{1, 1});
  const Tensor x = randn64({2, 3, 4}, 111);
  require_gradcheck([](const std::vector<Tensor>& in) { return reshape(in[0], {4, -1}); }, {x});
  require_gradcheck([](const std::vector<Tensor>& in) { return reshape(in[0], {24}) * reshape(in[0], {24}); }, {x});
  REQUIRE_THROWS_WITH(reshape(a23(), {4}), "reshape: cannot reshape (2, 3) (6 elements) to (4,)");
  REQUIRE_THROWS_WITH(reshape(a23(), {-1, -1}), Catch::Matchers::Contains("may hold at most one -1"));
  REQUIRE_THROWS_WITH(reshape(a23(), {4, -1}),
                      Catch::Matchers::Contains("cannot reshape (2, 3) (6 elements) to (4, -1)"));
}

TEST_CASE("gradcheck: permute", "[ops][gradcheck]") {
  const Tensor x = reshape(arange(24, f64), {2, 3, 4});
  const Tensor p = permute(x, {2, 0, 1});
  REQUIRE(p.shape() == Shape{4, 2, 3});
  for (std::int64_t i = 0; i < 2; ++i)
    for (std::int64_t j = 0; j < 3; ++j)
      for (std::int64_t k = 0; k < 4; ++k) REQUIRE(p.at({k, i, j}) == x.at({i, j, k}));
  REQUIRE(permute(x, {-1, 0, 1}).shape() == Shape{4, 2, 3});
  REQUIRE(permute(scalar(3), {}).item() == 3.0);
  const Tensor r = randn64({2, 3, 4}, 112);
  for (const std::vector<std::int64_t>& perm : {std::vector<std::int64_t>{2, 0, 1}, {1, 0, 2}, {0, 1, 2}, {2, 1, 0}})
    require_gradcheck([&](const std::vector<Tensor>& in) { return permute(in[0], perm); }, {r});
  require_gradcheck(
      [](const std::vector<Tensor>& in) {
        return permute(in[0], {1, 0}) * in[0];
      },
      {randn64({3, 3}, 113)});
  REQUIRE_THROWS_WITH(permute(x, {0, 1}),
                      Catch::Matchers::Contains(
                          "permute: the permutation has 2 entries that must be each axis of (2, 3, 4) exactly once"));
  REQUIRE_THROWS_WITH(permute(x, {0, 1, 1}), Catch::Matchers::Contains("each axis of (2, 3, 4) exactly once"));
  REQUIRE_THROWS_WITH(permute(x, {0, 1, 3}), Catch::Matchers::Contains("permute: axis 3 is out of range"));
}

TEST_CASE("gradcheck: transpose", "[ops][gradcheck]") {
  const Tensor t = transpose(a23());
  REQUIRE(t.shape() == Shape{3, 2});
  require_values(t, {1, 4, 2, 5, 3, 6});
  REQUIRE(transpose(zeros({2, 3, 4}), 0, 2).shape() == Shape{4, 3, 2});
  require_gradcheck([](const std::vector<Tensor>& in) { return transpose(in[0], 0, -1); }, {randn64({2, 3, 4}, 114)});
  require_gradcheck([](const std::vector<Tensor>& in) { return transpose(in[0]) + in[0]; }, {randn64({3, 3}, 115)});
  REQUIRE_THROWS_WITH(transpose(zeros({2, 3}), 0, 2),
                      "transpose: axis 2 is out of range for a tensor of rank 2 (valid: -2 to 1)");
}

TEST_CASE("gradcheck: broadcast_to", "[ops][gradcheck][broadcast]") {
  const Tensor b = broadcast_to(tensor({1, 2, 3}, f64), {2, 3});
  require_values(b, {1, 2, 3, 1, 2, 3});
  require_values(broadcast_to(tensor({1, 2}, {2, 1}, f64), {2, 3}), {1, 1, 1, 2, 2, 2});
  require_values(broadcast_to(scalar(7, f64), {2}), {7, 7});
  for (const auto& [from, to] : std::vector<std::pair<Shape, Shape>>{
           {{3}, {2, 3}}, {{2, 1}, {2, 3}}, {{1, 3, 1}, {2, 3, 4}}, {{}, {2, 2}}, {{2, 3}, {2, 3}}}) {
    INFO(shape_str(from) << " -> " << shape_str(to));
    const Shape target = to;
    require_gradcheck([&](const std::vector<Tensor>& in) { return broadcast_to(in[0], target); }, {randn64(from, 116)});
  }
  // The gradient of a broadcast input is the sum over the broadcast axes.
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, {2, 1}, f64).requires_grad(true);
  backward(sum(broadcast_to(x, {3, 2, 4}) * 2.0));
  REQUIRE(x.grad().shape() == Shape{2, 1});
  require_values(x.grad(), {24, 24});
  REQUIRE_THROWS_WITH(broadcast_to(zeros({3}), {4}),
                      Catch::Matchers::Contains("broadcast_to: a is (3,) and b is (4,)"));
  REQUIRE_THROWS_WITH(broadcast_to(zeros({2, 3}), {3}), "broadcast_to: cannot broadcast (2, 3) to (3,)");
}

TEST_CASE("gradcheck: unsqueeze", "[ops][gradcheck]") {
  REQUIRE(unsqueeze(a23(), 0).shape() == Shape{1, 2, 3});
  REQUIRE(unsqueeze(a23(), 2).shape() == Shape{2, 3, 1});
  REQUIRE(unsqueeze(a23(), -1).shape() == Shape{2, 3, 1});
  require_values(unsqueeze(a23(), 1), {1, 2, 3, 4, 5, 6});
  require_gradcheck([](const std::vector<Tensor>& in) { return unsqueeze(in[0], 1) * in[0]; }, {randn64({2, 3}, 117)});
  REQUIRE_THROWS_WITH(unsqueeze(a23(), 3),
                      Catch::Matchers::Contains("unsqueeze: axis 3 is out of range for a tensor of rank 3"));
}

TEST_CASE("gradcheck: squeeze", "[ops][gradcheck]") {
  REQUIRE(squeeze(zeros({2, 1, 3}), 1).shape() == Shape{2, 3});
  REQUIRE(squeeze(zeros({2, 3, 1}), -1).shape() == Shape{2, 3});
  require_gradcheck([](const std::vector<Tensor>& in) { return squeeze(in[0], 0) + in[0]; }, {randn64({1, 4}, 118)});
  REQUIRE_THROWS_WITH(squeeze(zeros({2, 3}), 1), "squeeze: axis 1 of (2, 3) has size 3, not 1");
}

TEST_CASE("gradcheck: slice", "[ops][gradcheck]") {
  require_values(slice(a23(), 1, 1, 3), {2, 3, 5, 6});
  require_values(slice(a23(), 0, 1, 2), {4, 5, 6});
  require_values(slice(a23(), -1, -2, -1), {2, 5});
  REQUIRE(slice(a23(), 1, 2, 2).shape() == Shape{2, 0});
  const Tensor x = randn64({3, 5, 2}, 119);
  require_gradcheck([](const std::vector<Tensor>& in) { return slice(in[0], 1, 1, 4); }, {x});
  require_gradcheck([](const std::vector<Tensor>& in) { return slice(in[0], 0, -2, 3); }, {x});
  // Overlapping slices of one tensor: their gradients add up where they overlap.
  Tape tape;
  TapeScope scope(tape);
  Tensor v = tensor({1, 2, 3, 4}, f64).requires_grad(true);
  backward(sum(slice(v, 0, 0, 3)) + sum(slice(v, 0, 1, 4)));
  require_values(v.grad(), {1, 2, 2, 1});
  REQUIRE_THROWS_WITH(slice(a23(), 1, 1, 4), "slice: [1, 4) is not a range within axis 1 of (2, 3) (size 3)");
  REQUIRE_THROWS_WITH(slice(a23(), 1, 2, 1), Catch::Matchers::Contains("[2, 1) is not a range"));
  REQUIRE_THROWS_WITH(slice(a23(), 1, -4, 1), Catch::Matchers::Contains("[-4, 1) is not a range"));
}

TEST_CASE("gradcheck: concat", "[ops][gradcheck]") {
  const Tensor c = concat({a23(), tensor({7, 8}, {2, 1}, f64)}, 1);
  REQUIRE(c.shape() == Shape{2, 4});
  require_values(c, {1, 2, 3, 7, 4, 5, 6, 8});
  require_values(concat({a23(), a23()}, 0), {1, 2, 3, 4, 5, 6, 1, 2, 3, 4, 5, 6});
  tgtest::gradcheck_subsets([](const std::vector<Tensor>& in) { return concat(in, -1); },
                            {randn64({2, 3}, 120, "a"), randn64({2, 1}, 121, "b"), randn64({2, 2}, 122, "c")});
  // Reused: concat({x, x}) gives x the gradient of both halves.
  tgtest::require_gradcheck(
      [](const std::vector<Tensor>& in) {
        return concat({in[0], in[0] * in[0]}, 0);
      },
      {randn64({2, 3}, 123)});
  REQUIRE_THROWS_WITH(concat({zeros({2, 3}), zeros({3, 3})}, 1),
                      "concat: tensor 1 is (3, 3) but tensor 0 is (2, 3); all dims but axis 1 must match");
  REQUIRE_THROWS_WITH(concat({zeros({2, 3}), zeros({2, 3, 1})}, 0), Catch::Matchers::Contains("tensor 1 is (2, 3, 1)"));
  REQUIRE_THROWS_WITH(concat({}, 0), "concat: needs at least one tensor");
  REQUIRE_THROWS_WITH(concat({zeros({2}, f32), zeros({2}, f64)}, 0),
                      Catch::Matchers::Contains("concat: a is float32 and b is float64"));
}

TEST_CASE("gradcheck: stack", "[ops][gradcheck]") {
  const Tensor s = stack({tensor({1, 2}, f64), tensor({3, 4}, f64)}, 0);
  REQUIRE(s.shape() == Shape{2, 2});
  require_values(s, {1, 2, 3, 4});
  require_values(stack({tensor({1, 2}, f64), tensor({3, 4}, f64)}, 1), {1, 3, 2, 4});
  REQUIRE(stack({zeros({2, 3}), zeros({2, 3}), zeros({2, 3})}, -1).shape() == Shape{2, 3, 3});
  tgtest::gradcheck_subsets([](const std::vector<Tensor>& in) { return stack(in, 1); },
                            {randn64({2, 3}, 124, "a"), randn64({2, 3}, 125, "b")});
  tgtest::require_gradcheck(
      [](const std::vector<Tensor>& in) {
        return stack({in[0], in[0]}, 0);
      },
      {randn64({3}, 126)});
  REQUIRE_THROWS_WITH(stack({zeros({2}), zeros({3})}, 0),
                      "stack: tensor 1 is (3,) but tensor 0 is (2,); stacked tensors must have the same shape");
}
