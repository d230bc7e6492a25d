// The rules of the tape (docs/tape.md): accumulation, a second backward, zero_grad, NoGrad, detach, clear and
// stale tensors, a destroyed tape, dtype mixing, seeds, TapeScope and per-thread tapes, and source locations.
#include <array>
#include <thread>

#include "test_util.hpp"

using namespace tg;
using Catch::Matchers::Contains;
using tgtest::require_values;

TEST_CASE("tape: gradients accumulate for x*x, x+x and a diamond", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, -2, 3}, f64).requires_grad(true);
  backward(sum(x * x));
  require_values(x.grad(), {2, -4, 6});  // d/dx x^2 = 2x: both uses of x add up
  x.zero_grad();
  backward(sum(x + x));
  require_values(x.grad(), {2, 2, 2});
  x.zero_grad();
  // Diamond: a = 2x and b = e^x both come from x, and c = a * b joins them; dc/dx = 2 e^x + 2x e^x.
  Tensor a = x * 2.0, b = exp(x), c = sum(a * b);
  backward(c);
  for (std::int64_t i = 0; i < 3; ++i) {
    const double v = x.flat(i);
    CHECK(x.grad().flat(i) == Approx(2 * std::exp(v) + 2 * v * std::exp(v)).epsilon(1e-12));
  }
  // The recorded tensors a and b also got their gradients: dc/da = b, dc/db = a.
  tgtest::require_same(a.grad(), b, 1e-12);
  tgtest::require_same(b.grad(), a, 1e-12);
}

TEST_CASE("tape: a second backward doubles leaf gradients but restarts those of recorded tensors", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  Tensor h = x * 3.0;
  Tensor y = sum(h * h);  // dy/dh = 2h = 6x, dy/dx = 18x
  backward(y);
  require_values(h.grad(), {6, 12});
  require_values(x.grad(), {18, 36});
  backward(y);
  require_values(h.grad(), {6, 12});   // recorded tensor: recomputed, not accumulated
  require_values(x.grad(), {36, 72});  // leaf: accumulated
  x.zero_grad();
  backward(y);
  require_values(x.grad(), {18, 36});
}

TEST_CASE("tape: a leaf's gradient is its own copy, a recorded tensor's gradient lives on its handle", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  Tensor h = x + 0.0;
  Tensor y = sum(h);
  backward(y);
  REQUIRE(x.grad().raw_data() != h.grad().raw_data());  // scaling x.grad() in place cannot change h.grad()
  require_values(y.grad(), {1});
  tape.clear();
  require_values(h.grad(), {1, 1});  // clear() drops the entries, not the gradients on the handles you hold
  h.zero_grad();
  REQUIRE_FALSE(h.grad().defined());
}

TEST_CASE("tape: a gradient that shares its values with another is added to in a copy, not in place", "[tape]") {
  // h's gradient first arrives through reshape's backward, a view of r's gradient; the second one, through h * c2,
  // must not be added into that view, which would change r's gradient too. Values in a buffer (float64) and inside
  // the tensor's record (float32, 16 bytes) take different paths.
  for (DType dtype : {f64, f32}) {
    Tape tape;
    TapeScope scope(tape);
    Tensor x = tensor({1, 2, 3, 4}, dtype).requires_grad(true);
    Tensor c1 = tensor({10, 20, 30, 40}, {2, 2}, dtype), c2 = tensor({1, 1, 1, 1}, dtype);
    Tensor h = x * 1.0;
    Tensor first = sum(h * c2);  // recorded first, swept last
    Tensor r = reshape(h, {2, 2});
    backward(first + sum(r * c1));
    require_values(r.grad(), {10, 20, 30, 40});
    require_values(h.grad(), {11, 21, 31, 41});
    require_values(x.grad(), {11, 21, 31, 41});
  }
}

TEST_CASE("tape: gradients reach only inputs that require grad and lie on a path to the loss", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  Tensor c = tensor({3, 4}, f64);  // a constant
  Tensor unused = exp(x);          // recorded, but not on the path to y
  Tensor y = sum(x * c);
  backward(y);
  require_values(x.grad(), {3, 4});
  REQUIRE_FALSE(c.grad().defined());
  REQUIRE_FALSE(unused.grad().defined());
  REQUIRE(tape.size() == 3);
  Tensor k = c * c;  // no input requires grad: nothing is recorded
  REQUIRE(tape.size() == 3);
  REQUIRE(k.is_leaf());
  REQUIRE_FALSE(k.requires_grad());
}

TEST_CASE("tape: backward from an intermediate tensor sweeps only the entries up to it", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({2}, f64).requires_grad(true);
  Tensor a = x * x;       // entry 0
  Tensor b = sum(a * x);  // entries 1, 2 (recorded after a)
  backward(sum(a));       // entry 3, but the sweep starts there and never reaches b's entries' gradients
  require_values(x.grad(), {4});
  REQUIRE_FALSE(b.grad().defined());
}

TEST_CASE("tape: NoGrad records nothing and nests", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  REQUIRE(grad_enabled());
  {
    NoGrad no_grad;
    REQUIRE_FALSE(grad_enabled());
    Tensor y = exp(x) * x;
    REQUIRE(tape.size() == 0);
    REQUIRE(y.is_leaf());
    REQUIRE_FALSE(y.requires_grad());
    require_values(y, {std::exp(1.0), 2 * std::exp(2.0)});
    {
      NoGrad inner;
      REQUIRE_FALSE(grad_enabled());
    }
    REQUIRE_FALSE(grad_enabled());
    REQUIRE_THROWS_WITH(backward(sum(y)), Contains("was not computed by a recorded op"));
  }
  REQUIRE(grad_enabled());
  Tensor z = exp(x);
  REQUIRE(tape.size() == 1);
  REQUIRE(z.requires_grad());
}

TEST_CASE("tape: detach cuts the graph", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 3}, f64).requires_grad(true);
  Tensor y = sum(x * x.detach());  // d/dx only through the first factor: x's value
  backward(y);
  require_values(x.grad(), {1, 3});
  Tensor h = exp(x);
  Tensor d = h.detach();
  REQUIRE(d.is_leaf());
  REQUIRE_FALSE(d.requires_grad());
  require_values(d, {std::exp(1.0), std::exp(3.0)});
}

TEST_CASE("tape: requires_grad on a non-leaf throws", "[tape][errors]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1}, f64).requires_grad(true);
  Tensor y = (x * 2.0).name("y");
  REQUIRE_THROWS_AS(y.requires_grad(true), Error);
  REQUIRE_THROWS_WITH(y.requires_grad(false), Contains("requires_grad: 'y' was computed by an op; only leaves"));
  REQUIRE_NOTHROW(y.detach().requires_grad(true));
}

TEST_CASE("tape: a tensor from a cleared tape is an error in a new op, never a crash", "[tape][errors]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  Tensor h = exp(x).name("h");
  const std::uint64_t generation = tape.generation();
  REQUIRE(tape.owns(h));
  tape.clear();
  REQUIRE(tape.size() == 0);
  REQUIRE(tape.generation() > generation);  // a number no tape has had
  REQUIRE_FALSE(tape.owns(h));
  REQUIRE_THROWS_WITH(h * 2.0,
                      "mul_scalar: input 0 'h' (2,) was recorded on a tape that has since been cleared or "
                      "destroyed; use .detach() to take its value as a constant");
  REQUIRE_THROWS_WITH(add(x, h), Contains("add: input 1 'h' (2,) was recorded on a tape that has since been cleared"));
  REQUIRE_THROWS_WITH(backward(sum(h)), Contains("sum: input 0 'h'"));
  REQUIRE_THROWS_WITH(backward(h, ones({2}, f64)), Contains("backward: input 0 'h' (2,) was recorded on a tape that"));
  {
    NoGrad no_grad;  // under NoGrad a stale tensor is just its value
    require_values(h * 2.0, {2 * std::exp(1.0), 2 * std::exp(2.0)});
    REQUIRE_THROWS_WITH(backward(h, ones({2}, f64)), Contains("backward: loss 'h' was not recorded on this tape"));
  }
  // Its value and the leaves stay usable: detach() gives a constant, x records afresh.
  Tensor y = sum(h.detach() * x);
  backward(y);
  require_values(x.grad(), {std::exp(1.0), std::exp(2.0)});
}

TEST_CASE("tape: a tape destroyed while its tensors live", "[tape][errors]") {
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  Tensor h, y;
  {
    Tape tape;
    TapeScope scope(tape);
    h = (x * x).name("h");
    y = sum(h);
    backward(y);
  }
  require_values(h, {1, 4});  // values and gradients stay readable
  require_values(h.grad(), {1, 1});
  require_values(x.grad(), {2, 4});
  Tape other;
  TapeScope scope(other);
  REQUIRE_THROWS_WITH(
      exp(h), Contains("exp: input 0 'h' (2,) was recorded on a tape that has since been cleared or destroyed"));
  REQUIRE_THROWS_WITH(backward(y), Contains("was recorded on a tape that has since been cleared or destroyed"));
  require_values(exp(h.detach()), {std::exp(1.0), std::exp(4.0)});
}

TEST_CASE("tape: mixing float32 and float64 throws naming both dtypes, cast converts", "[tape][errors]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor a = tensor({1, 2}, f32), b = tensor({3, 4}, f64);
  REQUIRE_THROWS_WITH(a + b,
                      "add: a is float32 and b is float64; tapegrad does not promote silently: convert one "
                      "with tg::cast(x, tg::f64) or tg::cast(x, tg::f32)");
  REQUIRE_THROWS_WITH(mul(b, a), Contains("mul: a is float64 and b is float32"));
  REQUIRE_THROWS_WITH(div(a, b), Contains("float32"));
  Tensor c = cast(a, f64) + b;
  REQUIRE(c.dtype() == f64);
  require_values(c, {4, 6});
}

TEST_CASE("tape: backward of a non-scalar needs a seed", "[tape][errors]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2, 3}, f64).requires_grad(true);
  Tensor y = x * x;
  REQUIRE_THROWS_WITH(backward(y),
                      "backward: loss has shape (3,); reduce it to one element (sum, mean) or pass a "
                      "seed gradient of that shape");
  REQUIRE_THROWS_WITH(backward(y, ones({2}, f64)), "backward: seed is (2,) float64 but loss is (3,) float64");
  REQUIRE_THROWS_WITH(backward(y, ones({3}, f32)), "backward: seed is (3,) float32 but loss is (3,) float64");
  backward(y, tensor({1, 0, 2}, f64));  // the gradient of sum(seed * y)
  require_values(x.grad(), {2, 0, 12});
  // A one-element loss of any rank is seeded with 1.
  x.zero_grad();
  backward(sum(y, {0}, true));
  require_values(x.grad(), {2, 4, 6});
  REQUIRE_THROWS_WITH(backward(x), Contains("backward: loss (unnamed) was not computed by a recorded op"));
  REQUIRE_THROWS_WITH(backward(Tensor()), "backward: loss is an undefined Tensor");
}

TEST_CASE("tape: TapeScope selects another tape and restores the previous one", "[tape]") {
  Tape& outer = current_tape();
  Tape a, b;
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  Tensor ya, yb;
  {
    TapeScope sa(a);
    REQUIRE(&current_tape() == &a);
    ya = sum(x * x);
    {
      TapeScope sb(b);
      REQUIRE(&current_tape() == &b);
      yb = sum(exp(x));
      REQUIRE_THROWS_WITH(
          ya * 2.0, Contains("mul_scalar: input 0 (unnamed) () was recorded on another tape than the current one"));
      REQUIRE_THROWS_WITH(backward(ya), Contains("recorded on another tape than the current one"));
      b.backward(yb);  // a tape can also be used directly
    }
    REQUIRE(&current_tape() == &a);
    REQUIRE(a.size() == 2);
    REQUIRE(b.size() == 2);
  }
  REQUIRE(&current_tape() == &outer);
  require_values(x.grad(), {std::exp(1.0), std::exp(2.0)});
  REQUIRE(a.owns(ya));
  REQUIRE_FALSE(b.owns(ya));
}

TEST_CASE("tape: each thread has its own current tape and grad mode", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  NoGrad no_grad;
  bool other_enabled = false, other_default = false;
  double other_grad = 0;
  std::thread t([&] {
    other_enabled = grad_enabled();
    other_default = &current_tape() != &tape;
    Tensor v = tensor({3}, f64).requires_grad(true);
    backward(sum(v * v));
    other_grad = v.grad().item();
    current_tape().clear();
  });
  t.join();
  CHECK(other_enabled);  // NoGrad here does not reach the other thread
  CHECK(other_default);
  CHECK(other_grad == 6.0);
  CHECK(tape.size() == 0);
}

TEST_CASE("tape: each entry records the source line that called the op", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  const int line_exp = __LINE__ + 1;
  Tensor y = exp(x);
  const int line_mul = __LINE__ + 1;
  Tensor z = y * x;
  REQUIRE(tape.size() == 2);
  CHECK(tape.entry(0).where.line() == static_cast<std::uint_least32_t>(line_exp));
  CHECK(tape.entry(1).where.line() == static_cast<std::uint_least32_t>(line_mul));
  CHECK(where_str(tape.entry(0).where) == "tests/autodiff/test_tape.cpp:" + std::to_string(line_exp));
  CHECK(where_str(tape.entry(1).where) == "tests/autodiff/test_tape.cpp:" + std::to_string(line_mul));
  CHECK(std::string(tape.entry(1).op) == "mul");
  REQUIRE(tape.entry(1).inputs.size() == 2);
  CHECK(tape.entry(1).inputs[0].impl() == y.impl());
  CHECK(tape.entry(1).out.impl() == z.impl());
  CHECK(z.impl()->entry == 1);
}

TEST_CASE("tape: a rule with large captures and an op with many inputs still work (kept on the heap)", "[tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true);
  std::array<double, 64> weights{};  // 512 bytes of captures: more than Backward::inline_bytes
  weights[63] = 5;
  auto rule = [weights](const Tensor& g) { return Grads{g * weights[63]}; };
  static_assert(!Backward::fits_inline<decltype(rule)>);
  Tensor y = tape.record("scale", {x}, x.detach() * 5.0, Where::current(), rule);
  // entries move when the tape's vector grows (the closure with them): record more, then sweep
  for (int i = 0; i < 40; ++i) y = y + 0.0;
  backward(sum(y));
  require_values(x.grad(), {5, 5});
  // concat of six tensors: the inputs and the gradients spill over TensorList's four inline slots
  std::vector<Tensor> parts;
  for (int i = 0; i < 6; ++i) parts.push_back(tensor({double(i)}, f64).requires_grad(true));
  Tensor c = concat(parts, 0);
  REQUIRE(tape.entry(tape.size() - 1).inputs.size() == 6);
  backward(sum(c * tensor({1, 2, 3, 4, 5, 6}, f64)));
  for (int i = 0; i < 6; ++i) require_values(parts[static_cast<std::size_t>(i)].grad(), {double(i + 1)});
}
