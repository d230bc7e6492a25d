// Tensor handles: factories, rank 0, element access, detach/name/requires_grad, printing.
#include <sstream>

#include "test_util.hpp"

using namespace tg;
using tgtest::require_values;

TEST_CASE("tensor: factories give the right shape, dtype and values", "[tensor]") {
  Tensor z = zeros({2, 3});
  REQUIRE(z.shape() == Shape{2, 3});
  REQUIRE(z.dtype() == f32);
  REQUIRE(z.numel() == 6);
  REQUIRE(z.dim() == 2);
  require_values(z, {0, 0, 0, 0, 0, 0});
  require_values(ones({3}, f64), {1, 1, 1});
  require_values(full({2, 2}, 2.5, f64), {2.5, 2.5, 2.5, 2.5});
  require_values(arange(4, f64), {0, 1, 2, 3});
  require_values(arange(1.0, 2.0, 0.25, f64), {1.0, 1.25, 1.5, 1.75});
  Tensor t = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, f64);
  REQUIRE(t.shape() == Shape{2, 3});
  REQUIRE(t.at({1, 0}) == 4.0);
  REQUIRE(t.size(-1) == 3);
  REQUIRE(t.size(0) == 2);
  REQUIRE(zeros_like(t).dtype() == f64);
  require_values(ones_like(t), {1, 1, 1, 1, 1, 1});
  require_values(full_like(t, -1), {-1, -1, -1, -1, -1, -1});
  REQUIRE(empty({0, 3}).numel() == 0);
}

TEST_CASE("tensor: rank 0 scalars", "[tensor][edge]") {
  Tensor s = scalar(3.5, f64);
  REQUIRE(s.dim() == 0);
  REQUIRE(s.shape().empty());
  REQUIRE(s.numel() == 1);
  REQUIRE(s.item() == 3.5);
  REQUIRE(s.at({}) == 3.5);
  REQUIRE(shape_str(s.shape()) == "()");
  REQUIRE(shape_str({4}) == "(4,)");
  REQUIRE(shape_str({3, 4}) == "(3, 4)");
}

TEST_CASE("tensor: at, set, flat and to_vector", "[tensor]") {
  Tensor t = zeros({2, 3}, f64);
  t.set({1, 2}, 7.0);
  t.set_flat(0, -1.0);
  REQUIRE(t.at({1, 2}) == 7.0);
  REQUIRE(t.flat(5) == 7.0);
  REQUIRE(t.to_vector() == std::vector<double>{-1, 0, 0, 0, 0, 7});
  Tensor f = zeros({2}, f32);
  f.set({1}, 0.1);
  REQUIRE(f.at({1}) == Approx(0.1).epsilon(1e-7));
  REQUIRE(f.data<float>()[1] == 0.1f);
  REQUIRE_THROWS_WITH(t.at({2, 0}), Catch::Matchers::Contains("index 2 is out of range for axis 0 of shape (2, 3)"));
  REQUIRE_THROWS_WITH(t.at({0}), Catch::Matchers::Contains("1 indices for a tensor of shape (2, 3)"));
  REQUIRE_THROWS_WITH(t.flat(6), Catch::Matchers::Contains("index 6 is out of range for 6 elements"));
  REQUIRE_THROWS_WITH(t.item(), Catch::Matchers::Contains("item() needs exactly one element"));
  REQUIRE_THROWS_WITH(t.data<float>(), Catch::Matchers::Contains("tensor is float64, asked for float"));
  REQUIRE_THROWS_WITH(t.size(2), Catch::Matchers::Contains("axis 2 is out of range for shape (2, 3)"));
}

TEST_CASE("tensor: empty_like has the other's shape and dtype, and a record or buffer of its own", "[tensor]") {
  for (const Tensor& x : {tensor({1, 2, 3, 4, 5, 6}, {2, 3}, f64), scalar(2.5), tensor({1, 2}, f32)}) {
    const Tensor y = empty_like(x);
    CHECK(y.shape() == x.shape());
    CHECK(y.dtype() == x.dtype());
    CHECK(y.raw_data() != x.raw_data());
    CHECK(y.is_leaf());
    CHECK_FALSE(y.requires_grad());
  }
  REQUIRE_THROWS_WITH(empty_like(Tensor()), "empty_like: x is an undefined Tensor");
}

TEST_CASE("tensor: factory errors", "[tensor][errors]") {
  REQUIRE_THROWS_WITH(tensor({1, 2, 3}, {2, 2}), "tensor: 3 values do not fill shape (2, 2)");
  REQUIRE_THROWS_WITH(empty({2, -1}), Catch::Matchers::Contains("negative dimension"));
  REQUIRE_THROWS_WITH(arange(0.0, 1.0, 0.0), Catch::Matchers::Contains("step nonzero"));
  Tensor undefined;
  REQUIRE_FALSE(undefined.defined());
  REQUIRE_THROWS_WITH(undefined.shape(), Catch::Matchers::Contains("this Tensor is undefined"));
  REQUIRE_THROWS_AS(tensor({1, 2, 3}, {2, 2}), Error);
}

TEST_CASE("tensor: copy has fresh storage, detach shares values and drops requires_grad", "[tensor]") {
  Tensor x = tensor({1, 2, 3}, f64).name("x");
  x.requires_grad(true);
  Tensor c = copy(x);
  c.set_flat(0, 10);
  REQUIRE(x.flat(0) == 1.0);
  REQUIRE_FALSE(c.requires_grad());
  Tensor d = x.detach();
  REQUIRE(d.name() == "x");
  REQUIRE_FALSE(d.requires_grad());
  REQUIRE(d.is_leaf());
  REQUIRE(d.raw_data() == x.raw_data());
}

TEST_CASE("tensor: operator<< shows shape, dtype, name and values", "[tensor]") {
  Tensor x = tensor({1.5, -2, 3}, f64).name("x");
  x.requires_grad(true);
  std::ostringstream os;
  os << x;
  const std::string s = os.str();
  CHECK_THAT(s, Catch::Matchers::Contains("shape=(3,)"));
  CHECK_THAT(s, Catch::Matchers::Contains("dtype=float64"));
  CHECK_THAT(s, Catch::Matchers::Contains("name=x"));
  CHECK_THAT(s, Catch::Matchers::Contains("requires_grad"));
  CHECK_THAT(s, Catch::Matchers::Contains("[1.5, -2, 3]"));
  CHECK_THAT(to_string(scalar(0.25)), Catch::Matchers::Contains("dtype=float32)\n0.25"));
  CHECK_THAT(to_string(tensor({1, 2, 3, 4}, {2, 2})), Catch::Matchers::Contains("[[1, 2], [3, 4]]"));
  CHECK(to_string(Tensor()) == "tensor(undefined)");
}

TEST_CASE("tensor: printing a large tensor is abbreviated with ...", "[tensor]") {
  const std::string s = to_string(arange(100, f64));
  CHECK_THAT(s, Catch::Matchers::Contains("[0, 1, 2, ..., 97, 98, 99]"));
  CHECK_THAT(s, !Catch::Matchers::Contains("50"));
  const std::string m = to_string(reshape(arange(400, f64), {20, 20}));
  CHECK_THAT(m, Catch::Matchers::Contains("[[0, 1, 2, ..., 17, 18, 19], [20, 21, 22, ..., 37, 38, 39], [40, 41, 42, "
                                          "..., 57, 58, 59], ..., [340"));
  CHECK_THAT(m, Catch::Matchers::EndsWith("397, 398, 399]]"));
  CHECK(s.size() < 120);
}

TEST_CASE("tensor: requires_grad, name and zero_grad on leaves", "[tensor][tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64);
  REQUIRE_FALSE(x.requires_grad());
  REQUIRE(x.requires_grad(true).requires_grad());
  REQUIRE(x.is_leaf());
  REQUIRE_FALSE(x.grad().defined());
  Tensor y = sum(x * x);
  REQUIRE_FALSE(y.is_leaf());
  REQUIRE(y.requires_grad());
  backward(y);
  require_values(x.grad(), {2, 4});
  x.zero_grad();
  REQUIRE_FALSE(x.grad().defined());
  REQUIRE(x.name("weights").name() == "weights");
}

TEST_CASE("tensor: Shape (Dims) reads like a vector, is kept inline, and stops at rank 8", "[tensor][errors]") {
  Shape s{2, 3};
  s.insert(s.begin() + 1, 7);
  REQUIRE(s == Shape{2, 7, 3});
  const std::int64_t more[] = {4, 5};
  s.insert(s.end(), std::begin(more), std::end(more));
  REQUIRE(s == Shape{2, 7, 3, 4, 5});
  s.erase(s.begin());
  s.pop_back();
  REQUIRE(s == Shape{7, 3, 4});
  CHECK(s.back() == 4);
  const std::vector<std::int64_t> v = s;  // converts both ways
  CHECK(v == std::vector<std::int64_t>{7, 3, 4});
  CHECK(Shape(v) == s);
  CHECK(Shape(v.begin(), v.end() - 1) == Shape{7, 3});
  CHECK(Shape(3, 1) == Shape{1, 1, 1});
  CHECK(sizeof(Shape) <= 80);  // inline: making a shape never touches the heap
  CHECK(zeros(Shape(8, 1)).dim() == 8);
  CHECK_THROWS_WITH(zeros(Shape(9, 1)), Catch::Matchers::Contains("at most 8"));
  Shape eight(8, 2);
  CHECK_THROWS_WITH(eight.push_back(2), Catch::Matchers::Contains("tapegrad's tensors have rank at most 8"));
  CHECK_THROWS_WITH(reshape(zeros({1}), std::vector<std::int64_t>(9, 1)), Catch::Matchers::Contains("at most 8"));
}
