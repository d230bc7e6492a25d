// gradcheck itself: it passes a correct custom op, catches a wrong backward (naming the input, the element,
// the analytic and the numeric value), and rejects inputs it cannot check.
#include "autodiff/ops/common.hpp"
#include "test_util.hpp"

using namespace tg;
using Catch::Matchers::Contains;

namespace {

// cube(x) = x^3 written as a user would write a new op: forward values, derivative comment, backward rule,
// and record on the current tape. With `wrong`, the backward uses 2x^2 instead of 3x^2. d/dx x^3 = 3 x^2
Tensor cube(const Tensor& x, bool wrong, Where where = Where::current()) {
  Tensor y = detail::map_values(x, [](auto v) { return v * v * v; });
  const double k = wrong ? 2.0 : 3.0;
  return current_tape().record("cube", {x}, y, where,
                               [x, k](const Tensor& g) { return std::vector<Tensor>{g * square(x) * k}; });
}

}  // namespace

TEST_CASE("gradcheck: a correct custom op passes", "[gradcheck]") {
  const Tensor x = tgtest::randn64({2, 3}, 131, "x");
  const GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return cube(in[0], false); }, {x});
  INFO(r.report);
  REQUIRE(r.ok);
  REQUIRE(static_cast<bool>(r));
  CHECK_THAT(r.report, Contains("all gradients match"));
  CHECK(r.max_abs_error < 1e-6);
  // The custom op records like a built-in one, with the caller's line.
  Tape tape;
  TapeScope scope(tape);
  Tensor v = tensor({2}, f64).requires_grad(true);
  backward(sum(cube(v, false)));
  CHECK(v.grad().item() == 12.0);
  CHECK(std::string(tape.entry(0).op) == "cube");
  CHECK_THAT(where_str(tape.entry(0).where), Contains("tests/autodiff/test_gradcheck.cpp:"));
}

namespace {

// x^2 with a backward that is wrong at one element only: 2x, plus `slip` at flat index `at`.
Tensor square_slip(const Tensor& x, std::int64_t at, double slip, Where where = Where::current()) {
  Tensor y = detail::map_values(x, [](auto v) { return v * v; });
  return current_tape().record("square_slip", {x}, y, where, [x, at, slip](const Tensor& g) {
    Tensor dx = copy(g * x * 2.0);
    dx.set_flat(at, dx.flat(at) + slip);
    return std::vector<Tensor>{dx};
  });
}

}  // namespace

TEST_CASE("gradcheck: the worst element is reported with its index, both values and the relative error",
          "[gradcheck]") {
  Tensor x = tensor({0.5, -1.0, 2.0, 1.5, -0.25, 3.0}, {2, 3}, f64).name("x");
  x.requires_grad(true);
  // A small slip at [1, 1] that still fails, and nowhere else: that element is the worst.
  const GradcheckResult bad = gradcheck([](const std::vector<Tensor>& in) { return square_slip(in[0], 4, 0.01); }, {x});
  INFO(bad.report);
  REQUIRE_FALSE(bad.ok);
  CHECK(bad.worst.input == 0);
  CHECK(bad.worst.flat == 4);
  CHECK(bad.worst.index == std::vector<std::int64_t>{1, 1});
  CHECK(bad.worst.analytic - bad.worst.numeric == Approx(0.01).margin(1e-6));
  CHECK(bad.worst.rel_error ==
        Approx(0.01 / std::max(std::abs(bad.worst.analytic), std::abs(bad.worst.numeric))).epsilon(1e-3));
  CHECK_THAT(bad.report, Contains("gradcheck: worst element: input 0 'x' (2, 3), element 4 [1, 1]: analytic "));
  CHECK_THAT(bad.report, Contains("relative error "));
  // A passing check names its worst element too.
  const GradcheckResult good = gradcheck([](const std::vector<Tensor>& in) { return square_slip(in[0], 4, 0.0); }, {x});
  INFO(good.report);
  REQUIRE(good.ok);
  CHECK(good.worst.flat >= 0);
  CHECK(good.worst.rel_error < 1e-6);
  CHECK_THAT(good.report, Contains("worst element: input 0 'x' (2, 3), element "));
}

TEST_CASE("gradcheck: a wrong backward is caught and reported by input name, element and both values", "[gradcheck]") {
  Tensor x = tensor({1.0, -2.0, 0.5}, f64).name("x");
  x.requires_grad(true);
  Tensor w = tensor({1.5}, f64).name("w");
  w.requires_grad(true);
  const GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return cube(in[0], true) * in[1]; }, {x, w});
  REQUIRE_FALSE(r.ok);
  REQUIRE_FALSE(static_cast<bool>(r));
  INFO(r.report);
  // f = sum(cube(x) * w * u) with gradcheck's fixed weights u; analytic uses 2x^2, numeric is 3x^2 (times w
  // u).
  CHECK_THAT(r.report, Contains("input 0 'x' (3,), element 1 [1]"));
  CHECK_THAT(r.report, Contains("analytic (backward) = "));
  CHECK_THAT(r.report, Contains("numeric (finite difference) = "));
  CHECK_THAT(r.report, !Contains("'w'"));  // w's gradient is right
  CHECK(r.max_abs_error > 0.5);
  // The numbers in the report are the analytic and numeric values: their ratio is 2/3 at every element.
  const auto pos_a = r.report.find("analytic (backward) = ") + 22,
             pos_n = r.report.find("numeric (finite difference) = ") + 30;
  const double analytic = std::stod(r.report.substr(pos_a)), numeric = std::stod(r.report.substr(pos_n));
  CHECK(analytic / numeric == Approx(2.0 / 3.0).epsilon(1e-5));
  // x's own gradient slot is left as it was.
  CHECK_FALSE(x.grad().defined());
}

TEST_CASE("gradcheck: max_report limits the listed mismatches", "[gradcheck]") {
  const Tensor x = tgtest::uniform64({4, 5}, 0.5, 1.5, 132, "x");
  GradcheckOptions opt;
  opt.max_report = 2;
  const GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return cube(in[0], true); }, {x}, opt);
  REQUIRE_FALSE(r.ok);
  CHECK_THAT(r.report, Contains("element 0 [0, 0]"));
  CHECK_THAT(r.report, Contains("element 1 [0, 1]"));
  CHECK_THAT(r.report, !Contains("element 2 [0, 2]"));
  CHECK_THAT(r.report, Contains("and 18 more mismatches"));
}

TEST_CASE("gradcheck: float32 inputs and non-leaves are rejected with a clear message", "[gradcheck][errors]") {
  Tensor x = tensor({1, 2}, f32).name("x");
  x.requires_grad(true);
  auto f = [](const std::vector<Tensor>& in) { return exp(in[0]); };
  REQUIRE_THROWS_WITH(gradcheck(f, {x}),
                      "gradcheck: input 0 'x' (2,) is float32; finite differences need float64 "
                      "(create it with tg::f64 or convert it with tg::cast(x, tg::f64))");
  Tape tape;
  TapeScope scope(tape);
  Tensor y = tensor({1, 2}, f64).requires_grad(true);
  REQUIRE_THROWS_WITH(gradcheck(f, {y * 2.0}), Contains("gradcheck: input 0 (2,) is not a leaf"));
  REQUIRE_THROWS_WITH(gradcheck(f, {Tensor()}), "gradcheck: input 0 is an undefined Tensor");
}

TEST_CASE("gradcheck: inputs that do not require grad are held fixed", "[gradcheck]") {
  Tensor a = tgtest::randn64({3}, 133, "a");
  Tensor b = tensor({1, 2, 3}, f64).name("b");  // no requires_grad: not checked, still used
  const GradcheckResult r = gradcheck([](const std::vector<Tensor>& in) { return cube(in[0], false) * in[1]; }, {a, b});
  INFO(r.report);
  REQUIRE(r.ok);
  // With the wrong rule, only a is blamed.
  const GradcheckResult bad =
      gradcheck([](const std::vector<Tensor>& in) { return cube(in[0], true) * in[1]; }, {a, b});
  REQUIRE_FALSE(bad.ok);
  CHECK_THAT(bad.report, Contains("input 0 'a'"));
  CHECK_THAT(bad.report, !Contains("'b'"));
}
