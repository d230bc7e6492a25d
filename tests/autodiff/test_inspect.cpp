// Seeing the tape: print_tape, to_dot, and anomaly mode (forward and backward NaN/Inf named by op, tape
// index, tensor name and file:line).
#include <sstream>

#include "test_util.hpp"

using namespace tg;
using Catch::Matchers::Contains;

TEST_CASE("inspect: print_tape lists op, name, shape, values, gradient norm and file:line", "[inspect]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({3, 4}, f64).name("x");
  x.requires_grad(true);
  const int line_h = __LINE__ + 1;
  Tensor h = (x * 2.0).name("h");
  const int line_y = __LINE__ + 1;
  Tensor y = sum(h).name("loss");
  const std::string before = tape_to_string(tape);
  CHECK_THAT(before, Contains("tape: 2 entries"));
  CHECK_THAT(before, Contains("mul_scalar"));
  CHECK_THAT(before, Contains("sum"));
  CHECK_THAT(before, Contains("loss"));
  CHECK_THAT(before, Contains("(2,)"));
  CHECK_THAT(before, Contains("[6, 8]"));
  CHECK_THAT(before, Contains("[14]"));
  CHECK_THAT(before, Contains("x"));   // the leaf input is shown by name
  CHECK_THAT(before, Contains("#0"));  // sum's input is entry 0
  CHECK_THAT(before, Contains("tests/autodiff/test_inspect.cpp:" + std::to_string(line_h)));
  CHECK_THAT(before, Contains("test_inspect.cpp:" + std::to_string(line_y)));
  backward(y);
  const std::string after = tape_to_string(tape);
  // |grad| of h is |(1, 1)| = sqrt(2) = 1.414; of the loss, 1.
  CHECK_THAT(after, Contains("1.414"));
  CHECK_THAT(before, !Contains("1.414"));
  std::ostringstream os;
  PrintOptions opt;
  opt.values = 1;
  print_tape(os, tape, opt);
  CHECK_THAT(os.str(), Contains("[6, ...]"));
}

TEST_CASE("inspect: print_tape's columns are as wide as their widest cell, and -0 prints as 0", "[inspect]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({-1.0, 2.0}, {1, 2}, f64).name("x");
  x.requires_grad(true);
  Tensor w = tensor({0.5, 0.25, -1.0, 3.0}, {2, 2}, f64).name("encoder.layers.0.weight");
  Tensor b = tensor({0.0, 1.0}, f64).name("encoder.layers.0.bias");
  w.requires_grad(true), b.requires_grad(true);
  Tensor h = (linear(x, w, b) * -0.0).name("h");  // [-0, -0], and so is their mean: they print as 0
  Tensor y = mean(h).name("loss");
  const std::string s = tape_to_string(tape);
  CHECK_THAT(s, Contains("x,encoder.layers.0.weight,encoder.layers.0.bias"));
  CHECK_THAT(s, !Contains("-0"));
  std::istringstream in(s);
  std::string title, header;
  std::getline(in, title);
  std::getline(in, header);
  const std::size_t where_col = header.find("where"), values_col = header.find("values");
  REQUIRE(where_col != std::string::npos);
  int rows = 0;
  for (std::string row; std::getline(in, row); ++rows) {
    INFO(s);
    CHECK(row.find("tests/autodiff/test_inspect.cpp:") == where_col);  // every cell starts in its column
    CHECK(row.substr(values_col, 1) == "[");                           // after the long inputs too
    CHECK(row[where_col - 1] == ' ');                                  // and the cell before it ends before it
  }
  CHECK(rows == 4);  // linear, mul_scalar, and mean as sum then div_scalar
}

TEST_CASE("inspect: to_dot writes a Graphviz digraph of the entries and leaves", "[inspect]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).name("x");
  x.requires_grad(true);
  Tensor c = tensor({3, 4}, f64).name("c");
  Tensor y = sum(x * c);
  const std::string dot = to_dot(tape);
  CHECK_THAT(dot, Catch::Matchers::StartsWith("digraph"));
  CHECK_THAT(dot, Contains("#0 mul"));
  CHECK_THAT(dot, Contains("#1 sum"));
  CHECK_THAT(dot, Contains("n0 -> n1;"));
  CHECK_THAT(dot, Contains("label=\"x\\n(2,)\", style=bold"));    // requires grad
  CHECK_THAT(dot, Contains("label=\"c\\n(2,)\", style=dashed"));  // constant
  CHECK_THAT(dot, Contains("test_inspect.cpp:"));
  CHECK_THAT(dot, Catch::Matchers::EndsWith("}\n"));
  REQUIRE(y.defined());
}

TEST_CASE("inspect: anomaly mode stops at -inf in forward, naming op, index, tensor and line", "[inspect][errors]") {
  Tape tape;
  TapeScope scope(tape);
  AnomalyMode anomaly;
  REQUIRE(anomaly_mode());
  Tensor x = tensor({1, 0}, f64).name("x");
  x.requires_grad(true);
  Tensor ok = exp(x);  // entry 0
  const int line = __LINE__ + 1;
  REQUIRE_THROWS_AS(log(x), AnomalyError);
  try {
    (void)log(x);  // entry 1 would be log
    FAIL("no AnomalyError");
  } catch (const AnomalyError& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Contains("anomaly: forward of 'log'"));
    CHECK_THAT(m, Contains("tape entry 1"));
    CHECK_THAT(m, Contains("'x'"));
    CHECK_THAT(m, Contains("-inf at element 1"));
    CHECK_THAT(m, Contains("tests/autodiff/test_inspect.cpp:" + std::to_string(line + 2)));
  }
  REQUIRE(tape.size() == 1);  // nothing recorded for the failing op
  REQUIRE(ok.defined());
}

TEST_CASE("inspect: anomaly mode catches 0/0 NaN in forward", "[inspect][errors]") {
  Tape tape;
  TapeScope scope(tape);
  AnomalyMode anomaly;
  Tensor a = tensor({0, 1}, f64).name("num"), b = tensor({0, 1}, f64).name("den");
  a.requires_grad(true);
  REQUIRE_THROWS_WITH(a / b,
                      Contains("anomaly: forward of 'div' (tape entry 0, tensor output of ('num', 'den'), shape "
                               "(2,)) has nan at element 0; the op was called at tests/autodiff/test_inspect.cpp:"));
  // Off by default, and AnomalyMode restores the previous setting.
  {
    set_anomaly_mode(false);
    REQUIRE_NOTHROW(a / b);
    set_anomaly_mode(true);
  }
}

TEST_CASE("inspect: anomaly mode catches a NaN produced in backward", "[inspect][errors]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({4, 0}, f64).name("x");
  x.requires_grad(true);
  const int line = __LINE__ + 1;
  Tensor r = sqrt(x).name("r");         // forward is finite: sqrt(0) = 0
  Tensor y = sum(r * zeros({2}, f64));  // dy/dr = 0, so dy/dx = 0 / (2 sqrt(0)) = NaN
  AnomalyMode anomaly;
  try {
    backward(y);
    FAIL("no AnomalyError");
  } catch (const AnomalyError& e) {
    const std::string m = e.what();
    CHECK_THAT(m, Contains("anomaly: backward (gradient of input 0) of 'sqrt'"));
    CHECK_THAT(m, Contains("tape entry 0"));
    CHECK_THAT(m, Contains("tensor 'x'"));
    CHECK_THAT(m, Contains("nan at element 1"));
    CHECK_THAT(m, Contains("tests/autodiff/test_inspect.cpp:" + std::to_string(line)));
  }
  // Without anomaly mode the NaN just arrives in the gradient.
  set_anomaly_mode(false);
  backward(y);
  CHECK(x.grad().flat(0) == 0.0);
  CHECK(std::isnan(x.grad().flat(1)));
  set_anomaly_mode(true);
}

TEST_CASE("inspect: AnomalyMode is scoped", "[inspect]") {
  REQUIRE_FALSE(anomaly_mode());
  {
    AnomalyMode on;
    REQUIRE(anomaly_mode());
  }
  REQUIRE_FALSE(anomaly_mode());
}
