// Unary elementwise ops: forward values, gradcheck (also with x reused: op(x) * x), and edge values
// (0, +-inf, NaN, +-800, 1e-300) with the behaviour documented in docs/tape.md.
#include "test_util.hpp"

using namespace tg;
using tgtest::gradcheck_unary;
using tgtest::inf;
using tgtest::NaN;
using tgtest::randn64;
using tgtest::require_values;
using tgtest::uniform64;

namespace {

// values -> op -> (values, gradient of sum(op(x)) at each value), in float64.
struct Edge {
  Tensor y, dx;
};
Edge at(const std::function<Tensor(const Tensor&)>& op, const std::vector<double>& values) {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor(values, f64).requires_grad(true);
  Tensor y = op(x);
  backward(sum(y));
  return {y, x.grad()};
}

}  // namespace

TEST_CASE("gradcheck: neg", "[ops][gradcheck]") {
  require_values(neg(tensor({1, -2, 0}, f64)), {-1, 2, 0});
  gradcheck_unary([](const Tensor& x) { return neg(x); }, randn64({3, 4}, 1));
  gradcheck_unary([](const Tensor& x) { return -x; }, randn64({5}, 2));
  const Edge e = at([](const Tensor& x) { return neg(x); }, {inf, -inf, NaN});
  require_values(e.y, {-inf, inf, NaN});
  require_values(e.dx, {-1, -1, -1});
}

TEST_CASE("gradcheck: exp", "[ops][gradcheck]") {
  require_values(exp(tensor({0, 1, -1}, f64)), {1, M_E, 1 / M_E});
  gradcheck_unary([](const Tensor& x) { return exp(x); }, randn64({3, 4}, 3));
  const Edge e = at([](const Tensor& x) { return exp(x); }, {-inf, 800, -800, NaN, 0});
  require_values(e.y, {0, inf, 0, NaN, 1});
  require_values(e.dx, {0, inf, 0, NaN, 1});
}

TEST_CASE("gradcheck: log", "[ops][gradcheck][edge]") {
  require_values(log(tensor({1, M_E, 0.5}, f64)), {0, 1, -M_LN2});
  gradcheck_unary([](const Tensor& x) { return log(x); }, uniform64({3, 4}, 0.5, 2.0, 4));
  // log(0) = -inf with gradient +inf; log of a negative number is NaN; log(1e-300) is finite.
  const Edge e = at([](const Tensor& x) { return log(x); }, {0, -1, inf, 1e-300});
  require_values(e.y, {-inf, NaN, inf, std::log(1e-300)});
  require_values(e.dx, {inf, -1, 0, 1e300});
  CHECK(std::isfinite(e.y.flat(3)));
}

TEST_CASE("gradcheck: log1p", "[ops][gradcheck][edge]") {
  require_values(log1p(tensor({0, M_E - 1, 1e-300}, f64)), {0, 1, 1e-300});
  gradcheck_unary([](const Tensor& x) { return log1p(x); }, uniform64({3, 4}, -0.5, 2.0, 5));
  const Edge e = at([](const Tensor& x) { return log1p(x); }, {-1, -2, 1e-300});
  require_values(e.y, {-inf, NaN, 1e-300});
  require_values(e.dx, {inf, -1, 1});
}

TEST_CASE("gradcheck: expm1", "[ops][gradcheck][edge]") {
  require_values(expm1(tensor({0, 1, 1e-300}, f64)), {0, M_E - 1, 1e-300});
  gradcheck_unary([](const Tensor& x) { return expm1(x); }, randn64({3, 4}, 6));
  const Edge e = at([](const Tensor& x) { return expm1(x); }, {-inf, 800, -800});
  require_values(e.y, {-1, inf, -1});
  require_values(e.dx, {0, inf, 0});
}

TEST_CASE("gradcheck: sqrt", "[ops][gradcheck][edge]") {
  require_values(sqrt(tensor({4, 2, 1e-300}, f64)), {2, M_SQRT2, 1e-150});
  gradcheck_unary([](const Tensor& x) { return sqrt(x); }, uniform64({3, 4}, 0.5, 3.0, 7));
  // sqrt(0) = 0 with gradient +inf; sqrt(-1) is NaN.
  const Edge e = at([](const Tensor& x) { return sqrt(x); }, {0, -1, inf});
  require_values(e.y, {0, NaN, inf});
  require_values(e.dx, {inf, NaN, 0});
}

TEST_CASE("gradcheck: square", "[ops][gradcheck]") {
  require_values(square(tensor({3, -2, 0}, f64)), {9, 4, 0});
  gradcheck_unary([](const Tensor& x) { return square(x); }, randn64({3, 4}, 8));
  const Edge e = at([](const Tensor& x) { return square(x); }, {-800, 1e200, 1e-300});
  require_values(e.y, {640000, inf, 0});
  require_values(e.dx, {-1600, 2e200, 2e-300});
}

TEST_CASE("gradcheck: abs", "[ops][gradcheck][edge]") {
  require_values(abs(tensor({-3, 2.5, 0}, f64)), {3, 2.5, 0});
  gradcheck_unary([](const Tensor& x) { return abs(x); }, tgtest::away_from_zero({3, 4}, 0.1, 9));
  // The gradient at the kink x = 0 is 0.
  const Edge e = at([](const Tensor& x) { return abs(x); }, {0, -inf, -2, 5});
  require_values(e.y, {0, inf, 2, 5});
  require_values(e.dx, {0, -1, -1, 1});
}

TEST_CASE("gradcheck: tanh", "[ops][gradcheck][edge]") {
  require_values(tanh(tensor({0, 1, -1}, f64)), {0, 0.7615941559557649, -0.7615941559557649});
  gradcheck_unary([](const Tensor& x) { return tanh(x); }, randn64({3, 4}, 10));
  const Edge e = at([](const Tensor& x) { return tanh(x); }, {800, -800, inf});
  require_values(e.y, {1, -1, 1});
  require_values(e.dx, {0, 0, 0});
}

TEST_CASE("gradcheck: sigmoid", "[ops][gradcheck][edge]") {
  require_values(sigmoid(tensor({0, 1, -1}, f64)), {0.5, 0.7310585786300049, 0.2689414213699951});
  gradcheck_unary([](const Tensor& x) { return sigmoid(x); }, randn64({3, 4}, 11));
  // Never overflows: sigmoid(+-800) is finite, in [0, 1], with gradient 0.
  const Edge e = at([](const Tensor& x) { return sigmoid(x); }, {800, -800, inf, -inf});
  require_values(e.y, {1, 0, 1, 0});
  require_values(e.dx, {0, 0, 0, 0});
  for (float v : {800.0f, -800.0f, 88.0f, -88.0f}) {
    const double s = sigmoid(scalar(v)).item();
    CHECK(std::isfinite(s));
    CHECK(s >= 0.0);
    CHECK(s <= 1.0);
  }
}

TEST_CASE("gradcheck: relu", "[ops][gradcheck][edge]") {
  require_values(relu(tensor({-1, 0, 2}, f64)), {0, 0, 2});
  gradcheck_unary([](const Tensor& x) { return relu(x); }, tgtest::away_from_zero({3, 4}, 0.1, 12));
  // The gradient at x = 0 is 0; NaN propagates.
  const Edge e = at([](const Tensor& x) { return relu(x); }, {0, -inf, inf, NaN});
  require_values(e.y, {0, 0, inf, NaN});
  require_values(e.dx, {0, 0, 1, 0});
}

TEST_CASE("gradcheck: softplus", "[ops][gradcheck][edge]") {
  require_values(softplus(tensor({0, 1, -1}, f64)), {M_LN2, 1.3132616875182228, 0.31326168751822286});
  gradcheck_unary([](const Tensor& x) { return softplus(x); }, randn64({3, 4}, 13));
  // Stable: softplus(800) = 800 (not inf), softplus(-800) = 0; gradient sigmoid(x).
  const Edge e = at([](const Tensor& x) { return softplus(x); }, {800, -800, 0});
  require_values(e.y, {800, 0, M_LN2});
  require_values(e.dx, {1, 0, 0.5});
  CHECK(softplus(scalar(800, f32)).item() == 800.0);
}

TEST_CASE("gradcheck: log_sigmoid", "[ops][gradcheck][edge]") {
  require_values(log_sigmoid(tensor({0, 1}, f64)), {-M_LN2, -0.31326168751822286});
  gradcheck_unary([](const Tensor& x) { return log_sigmoid(x); }, randn64({3, 4}, 14));
  // Stable: log_sigmoid(-800) = -800 (not -inf), log_sigmoid(800) = 0; gradient sigmoid(-x).
  const Edge e = at([](const Tensor& x) { return log_sigmoid(x); }, {-800, 800, 0});
  require_values(e.y, {-800, 0, -M_LN2});
  require_values(e.dx, {1, 0, 0.5});
  CHECK(log_sigmoid(scalar(-800, f32)).item() == -800.0);
}

TEST_CASE("gradcheck: clamp", "[ops][gradcheck][edge]") {
  require_values(clamp(tensor({-2, 0.5, 3}, f64), -1, 1), {-1, 0.5, 1});
  // Points at least 0.05 away from the kinks at -1 and 1.
  Tensor x = randn64({4, 5}, 15);
  for (std::int64_t i = 0; i < x.numel(); ++i)
    for (double kink : {-1.0, 1.0})
      if (std::abs(x.flat(i) - kink) < 0.05) x.set_flat(i, kink + 0.1);
  gradcheck_unary([](const Tensor& v) { return clamp(v, -1, 1); }, x);
  // The gradient is 1 inside [lo, hi] including its ends, 0 outside; NaN stays NaN.
  const Edge e = at([](const Tensor& v) { return clamp(v, -1, 1); }, {-1, 1, -inf, inf, NaN, 0});
  require_values(e.y, {-1, 1, -1, 1, NaN, 0});
  require_values(e.dx, {1, 1, 0, 0, 0, 1});
  REQUIRE_THROWS_WITH(clamp(x, 1, -1),
                      Catch::Matchers::Contains("clamp: lo is 1.000000 and hi is -1.000000; need lo <= hi"));
}

TEST_CASE("gradcheck: cast", "[ops][gradcheck]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({0.1, -2.5, 3}, f64).requires_grad(true);
  Tensor y = cast(x, f32);
  REQUIRE(y.dtype() == f32);
  REQUIRE(y.flat(0) == static_cast<double>(0.1f));
  REQUIRE(cast(x, f64).impl() == x.impl());  // same dtype: x itself, nothing recorded
  backward(sum(mul_scalar(y, 3)));
  REQUIRE(x.grad().dtype() == f64);  // the gradient comes back in the input's dtype
  require_values(x.grad(), {3, 3, 3});
  // Through float32 and back: finite differences in float32 need a larger step and tolerance.
  GradcheckOptions opt;
  opt.eps = 1e-3;
  opt.atol = 1e-3;
  opt.rtol = 1e-3;
  const Tensor v = randn64({2, 3}, 16);
  const GradcheckResult r = gradcheck(
      [](const std::vector<Tensor>& in) {
        const Tensor h = cast(in[0], f32);
        return cast(h * h, f64) + in[0];
      },
      {v}, opt);
  INFO(r.report);
  REQUIRE(r.ok);
}

TEST_CASE("gradcheck: pow", "[ops][gradcheck][edge]") {
  require_values(pow(tensor({2, 3, 4}, f64), 2), {4, 9, 16});
  require_values(pow(tensor({4, 9}, f64), 0.5), {2, 3});
  require_values(pow(tensor({2, 0}, f64), -1), {0.5, inf});
  gradcheck_unary([](const Tensor& x) { return pow(x, 3); }, randn64({3, 4}, 17));
  gradcheck_unary([](const Tensor& x) { return pow(x, -1.5); }, uniform64({3, 4}, 0.5, 2.0, 18));
  gradcheck_unary([](const Tensor& x) { return pow(x, 0.5); }, uniform64({3, 4}, 0.5, 2.0, 19));
  // x^0 = 1 with gradient 0 everywhere (also at 0); 0^0.5 has gradient +inf; (-8)^(1/3) is NaN.
  const Edge zero = at([](const Tensor& x) { return pow(x, 0); }, {0, -2, 5});
  require_values(zero.y, {1, 1, 1});
  require_values(zero.dx, {0, 0, 0});
  const Edge half = at([](const Tensor& x) { return pow(x, 0.5); }, {0, -8});
  require_values(half.y, {0, NaN});
  require_values(half.dx, {inf, NaN});
}
