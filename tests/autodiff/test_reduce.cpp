// Reductions: sum, mean, max, logsumexp, sum_to. Forward values, gradcheck over several axes (keepdim or not,
// negative axes), reused inputs, and the edge values of logsumexp and max.
#include "test_util.hpp"

using namespace tg;
using tgtest::inf;
using tgtest::NaN;
using tgtest::randn64;
using tgtest::require_gradcheck;
using tgtest::require_values;

namespace {

Tensor m23() { return tensor({1, 2, 3, 4, 5, 6}, {2, 3}, f64); }

// Values and gradient of sum(op(x)) at x = values.
std::pair<Tensor, Tensor> value_and_grad(const std::function<Tensor(const Tensor&)>& op, const Tensor& values) {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = copy(values).requires_grad(true);
  Tensor y = op(x);
  backward(sum(y));
  return {y, x.grad()};
}

}  // namespace

TEST_CASE("gradcheck: sum", "[ops][gradcheck]") {
  require_values(sum(m23()), {21});
  REQUIRE(sum(m23()).dim() == 0);
  require_values(sum(m23(), {0}), {5, 7, 9});
  require_values(sum(m23(), {1}), {6, 15});
  require_values(sum(m23(), {-1}), {6, 15});
  REQUIRE(sum(m23(), {1}, true).shape() == Shape{2, 1});
  REQUIRE(sum(m23(), {0, 1}, true).shape() == Shape{1, 1});
  REQUIRE(sum(zeros({2, 0}, f64), {1}).shape() == Shape{2});
  require_values(sum(zeros({2, 0}, f64), {1}), {0, 0});
  require_values(sum(scalar(4, f64)), {4});
  const Tensor x = randn64({3, 4, 5}, 61);
  for (bool keepdim : {false, true})
    for (const std::vector<std::int64_t>& axes : {std::vector<std::int64_t>{}, {0}, {1}, {-1}, {0, 2}, {2, 0, 1}}) {
      INFO("keepdim " << keepdim << ", " << axes.size() << " axes");
      require_gradcheck([&](const std::vector<Tensor>& in) { return sum(in[0], axes, keepdim); }, {x});
    }
  // Reused: sum(x) * x uses x twice.
  require_gradcheck([](const std::vector<Tensor>& in) { return sum(in[0], {1}, true) * in[0]; }, {x});
  REQUIRE_THROWS_WITH(sum(x, {0, 0}), Catch::Matchers::Contains("sum: an axis is listed twice"));
  REQUIRE_THROWS_WITH(sum(x, {3}), Catch::Matchers::Contains("sum: axis 3 is out of range for a tensor of rank 3"));
  require_values(sum(tensor({inf, -inf}, f64)), {NaN});
}

TEST_CASE("gradcheck: mean", "[ops][gradcheck]") {
  require_values(mean(m23()), {3.5});
  require_values(mean(m23(), {0}), {2.5, 3.5, 4.5});
  require_values(mean(m23(), {1}, true), {2, 5});
  REQUIRE(mean(m23(), {1}, true).shape() == Shape{2, 1});
  const Tensor x = randn64({3, 4, 5}, 62);
  require_gradcheck([](const std::vector<Tensor>& in) { return mean(in[0]); }, {x});
  require_gradcheck([](const std::vector<Tensor>& in) { return mean(in[0], {0, 2}); }, {x});
  require_gradcheck([](const std::vector<Tensor>& in) { return mean(in[0], {-2}, true) * in[0]; }, {x});
  const auto [y, g] = value_and_grad([](const Tensor& v) { return mean(v, {1}); }, m23());
  require_values(g, {1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3, 1.0 / 3});
  REQUIRE_THROWS_WITH(mean(zeros({2, 0}, f64), {1}),
                      Catch::Matchers::Contains("mean: the reduced axes of (2, 0) are empty"));
}

TEST_CASE("gradcheck: max", "[ops][gradcheck][edge]") {
  const Tensor v = tensor({1, 5, 3, 4, 2, 6}, {2, 3}, f64);
  require_values(max(v, 1), {5, 6});
  require_values(max(v, 0), {4, 5, 6});
  require_values(max(v, -1, true), {5, 6});
  REQUIRE(max(v, -1, true).shape() == Shape{2, 1});
  // Random normals are distinct (no ties within the finite-difference step).
  const Tensor x = randn64({3, 4, 5}, 63);
  for (std::int64_t axis : {0, 1, 2, -1})
    for (bool keepdim : {false, true})
      require_gradcheck([&](const std::vector<Tensor>& in) { return max(in[0], axis, keepdim); }, {x});
  require_gradcheck([](const std::vector<Tensor>& in) { return max(in[0], 1, true) * in[0]; }, {x});
  // Ties: the whole gradient goes to the first maximum. NaN wins; +inf is a maximum like any other.
  const auto [y, g] = value_and_grad([](const Tensor& t) { return max(t, 0); }, tensor({1, 3, 3}, f64));
  require_values(y, {3});
  require_values(g, {0, 1, 0});
  const auto [yn, gn] = value_and_grad([](const Tensor& t) { return max(t, 0); }, tensor({1, NaN, 3}, f64));
  require_values(yn, {NaN});
  require_values(gn, {0, 1, 0});
  require_values(max(tensor({-inf, inf, 800}, f64), 0), {inf});
  require_values(max(tensor({-inf, -inf}, f64), 0), {-inf});
  REQUIRE_THROWS_WITH(max(zeros({2, 0}), 1), Catch::Matchers::Contains("max: axis 1 of (2, 0) is empty"));
}

TEST_CASE("gradcheck: logsumexp", "[ops][gradcheck][edge]") {
  require_values(logsumexp(tensor({0, std::log(2.0), std::log(3.0)}, f64), 0), {std::log(6.0)});
  require_values(logsumexp(tensor({0, 0, 1, 1}, {2, 2}, f64), 1), {M_LN2, 1 + M_LN2});
  require_values(logsumexp(tensor({0, 0, 1, 1}, {2, 2}, f64), 0), {std::log(1 + M_E), std::log(1 + M_E)});
  REQUIRE(logsumexp(zeros({2, 3}, f64), 1, true).shape() == Shape{2, 1});
  const Tensor x = randn64({3, 4, 5}, 64);
  for (std::int64_t axis : {0, 1, -1})
    for (bool keepdim : {false, true})
      require_gradcheck([&](const std::vector<Tensor>& in) { return logsumexp(in[0], axis, keepdim); }, {x});
  require_gradcheck([](const std::vector<Tensor>& in) { return logsumexp(in[0], 2, true) - in[0]; }, {x});
  // Large inputs: no overflow, gradient softmax(x).
  const auto [big, gbig] = value_and_grad([](const Tensor& t) { return logsumexp(t, 0); }, tensor({1000, 10}, f64));
  require_values(big, {1000});
  require_values(gbig, {1, 0});
  const auto [low, glow] = value_and_grad([](const Tensor& t) { return logsumexp(t, 0); }, tensor({-800, -800}, f64));
  require_values(low, {-800 + M_LN2});
  require_values(glow, {0.5, 0.5});
  // All -inf: -inf, gradient uniform (the limit of softmax), never NaN.
  const auto [ninf, gninf] =
      value_and_grad([](const Tensor& t) { return logsumexp(t, 0); }, tensor({-inf, -inf, -inf, -inf}, f64));
  require_values(ninf, {-inf});
  require_values(gninf, {0.25, 0.25, 0.25, 0.25});
  // A +inf entry: +inf, gradient 1 on the +inf entries (shared equally), 0 elsewhere.
  const auto [pinf, gpinf] =
      value_and_grad([](const Tensor& t) { return logsumexp(t, 0); }, tensor({1, inf, -inf, inf}, f64));
  require_values(pinf, {inf});
  require_values(gpinf, {0, 0.5, 0, 0.5});
  // -inf entries among finite ones get weight 0; NaN propagates.
  const auto [mixed, gmixed] = value_and_grad([](const Tensor& t) { return logsumexp(t, 0); }, tensor({0, -inf}, f64));
  require_values(mixed, {0});
  require_values(gmixed, {1, 0});
  require_values(logsumexp(tensor({1, NaN}, f64), 0), {NaN});
  // float32 too.
  CHECK(logsumexp(tensor({1000, 10}, f32), 0).item() == 1000.0);
}

TEST_CASE("gradcheck: sum_to", "[ops][gradcheck][broadcast]") {
  const Tensor v = tensor({1, 2, 3, 4, 5, 6}, {3, 2}, f64);
  require_values(sum_to(v, {2}), {9, 12});
  require_values(sum_to(v, {1, 2}), {9, 12});
  require_values(sum_to(v, {3, 1}), {3, 7, 11});
  require_values(sum_to(v, {}), {21});
  REQUIRE(sum_to(v, {3, 2}).shape() == Shape{3, 2});
  const Tensor x = randn64({3, 4, 5}, 65);
  for (const Shape& s : {Shape{5}, Shape{4, 1}, Shape{1, 5}, Shape{3, 1, 5}, Shape{}, Shape{3, 4, 5}}) {
    INFO("to " << shape_str(s));
    require_gradcheck([&](const std::vector<Tensor>& in) { return sum_to(in[0], s); }, {x});
  }
  REQUIRE_THROWS_WITH(sum_to(v, {3}),
                      Catch::Matchers::Contains("sum_to: a is (3,) and b is (3, 2); they do not broadcast"));
  REQUIRE_THROWS_WITH(sum_to(v, {2, 3, 2}), Catch::Matchers::Contains("cannot sum (3, 2) down to (2, 3, 2)"));
}
