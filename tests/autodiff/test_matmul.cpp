// matmul (2-D, batched, broadcast batch dims) and linear: forward values, gradcheck with every subset of
// inputs, reused inputs, the broadcast backward against an explicit sum over the batch, and the error
// messages.
#include "test_util.hpp"

using namespace tg;
using tgtest::gradcheck_subsets;
using tgtest::randn64;
using tgtest::require_values;

namespace {
auto matmul_fn = [](const std::vector<Tensor>& in) { return matmul(in[0], in[1]); };
}

TEST_CASE("gradcheck: matmul 2-D", "[ops][gradcheck]") {
  require_values(matmul(tensor({1, 2, 3, 4}, {2, 2}, f64), tensor({5, 6, 7, 8}, {2, 2}, f64)), {19, 22, 43, 50});
  const Tensor r = matmul(tensor({1, 2, 3, 4, 5, 6}, {2, 3}, f64), tensor({1, 0, -1, 2, 0.5, 1}, {3, 2}, f64));
  REQUIRE(r.shape() == Shape{2, 2});
  require_values(r, {1 * 1 + 2 * -1 + 3 * 0.5, 0 + 2 * 2 + 3 * 1, 4 * 1 + 5 * -1 + 6 * 0.5, 0 + 5 * 2 + 6 * 1});
  gradcheck_subsets(matmul_fn, {randn64({3, 4}, 71, "a"), randn64({4, 2}, 72, "b")});
  gradcheck_subsets(matmul_fn, {randn64({1, 5}, 73, "a"), randn64({5, 1}, 74, "b")});
  // Reused: x @ x.
  tgtest::require_gradcheck([](const std::vector<Tensor>& in) { return matmul(in[0], in[0]); }, {randn64({3, 3}, 75)});
  REQUIRE(matmul(zeros({2, 0}, f64), zeros({0, 3}, f64)).shape() == Shape{2, 3});
  require_values(matmul(zeros({2, 0}, f64), zeros({0, 3}, f64)), {0, 0, 0, 0, 0, 0});
}

TEST_CASE("gradcheck: matmul batched and with broadcast batch dims", "[ops][gradcheck][broadcast]") {
  gradcheck_subsets(matmul_fn, {randn64({2, 3, 4}, 76, "a"), randn64({2, 4, 5}, 77, "b")});
  gradcheck_subsets(matmul_fn, {randn64({2, 1, 3, 4}, 78, "a"), randn64({5, 4, 2}, 79, "b")});
  gradcheck_subsets(matmul_fn, {randn64({3, 4}, 80, "a"), randn64({2, 4, 5}, 81, "b")});
  gradcheck_subsets(matmul_fn, {randn64({2, 3, 4}, 82, "a"), randn64({4, 2}, 83, "b")});
  REQUIRE(matmul(zeros({2, 1, 3, 4}), zeros({5, 4, 2})).shape() == Shape{2, 5, 3, 2});
}

TEST_CASE("broadcast backward: matmul sums the gradient over broadcast batch dims", "[ops][broadcast]") {
  Tape tape;
  TapeScope scope(tape);
  const Tensor a = randn64({3, 4}, 84, "a"), b = randn64({2, 4, 5}, 85, "b");
  Generator gen(86);
  const Tensor w = randn({2, 3, 5}, gen, f64);
  backward(sum(matmul(a, b) * w));
  REQUIRE(a.grad().shape() == Shape{3, 4});
  REQUIRE(b.grad().shape() == Shape{2, 4, 5});
  // dL/da[i,k] = sum_n sum_j w[n,i,j] b[n,k,j];  dL/db[n,k,j] = sum_i a[i,k] w[n,i,j].
  std::vector<double> ga(12, 0.0), gb(40, 0.0);
  for (std::int64_t n = 0; n < 2; ++n)
    for (std::int64_t i = 0; i < 3; ++i)
      for (std::int64_t k = 0; k < 4; ++k)
        for (std::int64_t j = 0; j < 5; ++j) {
          ga[i * 4 + k] += w.at({n, i, j}) * b.at({n, k, j});
          gb[(n * 4 + k) * 5 + j] += a.at({i, k}) * w.at({n, i, j});
        }
  require_values(a.grad(), ga, 1e-10);
  require_values(b.grad(), gb, 1e-10);
}

TEST_CASE("gradcheck: linear", "[ops][gradcheck]") {
  const Tensor x = tensor({1, 2, 3, 4, 5, 6}, {2, 3}, f64);
  const Tensor W = tensor({1, 0, -1, 2, 1, 0}, {2, 3}, f64);
  const Tensor b = tensor({0.5, -1}, f64);
  require_values(linear(x, W, b), {1 - 3 + 0.5, 2 + 2 - 1, 4 - 6 + 0.5, 8 + 5 - 1});
  require_values(linear(x, W, Tensor()), {-2, 4, -2, 13});
  auto f = [](const std::vector<Tensor>& in) { return linear(in[0], in[1], in.size() > 2 ? in[2] : Tensor()); };
  gradcheck_subsets(f, {randn64({4, 3}, 91, "x"), randn64({5, 3}, 92, "W"), randn64({5}, 93, "b")});
  gradcheck_subsets(f, {randn64({2, 3, 4}, 94, "x"), randn64({2, 4}, 95, "W"), randn64({2}, 96, "b")});
  gradcheck_subsets(f, {randn64({3}, 97, "x"), randn64({2, 3}, 98, "W")});
  // Same values and gradients as matmul(x, W^T) + b.
  Tape tape;
  TapeScope scope(tape);
  Tensor xs = randn64({2, 3, 4}, 99, "x"), Ws = randn64({5, 4}, 100, "W"), bs = randn64({5}, 101, "b");
  const Tensor y1 = linear(xs, Ws, bs);
  backward(sum(y1 * y1));
  const Tensor gx = xs.grad(), gW = Ws.grad(), gb = bs.grad();
  xs.zero_grad(), Ws.zero_grad(), bs.zero_grad();
  const Tensor y2 = matmul(xs, transpose(Ws)) + bs;
  backward(sum(y2 * y2));
  tgtest::require_same(y1, y2, 1e-12);
  tgtest::require_same(gx, xs.grad(), 1e-12);
  tgtest::require_same(gW, Ws.grad(), 1e-12);
  tgtest::require_same(gb, bs.grad(), 1e-12);
}

TEST_CASE("matmul and linear error messages", "[ops][errors]") {
  REQUIRE_THROWS_WITH(matmul(zeros({3, 4}), zeros({5, 2})),
                      "matmul: a is (3, 4) and b is (5, 2); inner dimensions 4 and 5 must match");
  REQUIRE_THROWS_WITH(matmul(zeros({4}), zeros({4, 2})), Catch::Matchers::Contains("both need at least 2 dims"));
  REQUIRE_THROWS_WITH(matmul(zeros({2, 3, 4}), zeros({3, 4, 2})),
                      "matmul: a is (2, 3, 4) and b is (3, 4, 2); batch dimensions 2 and 3 (axis -3) do not broadcast");
  REQUIRE_THROWS_WITH(matmul(zeros({3, 4}, f32), zeros({4, 2}, f64)),
                      Catch::Matchers::Contains("matmul: a is float32 and b is float64"));
  REQUIRE_THROWS_WITH(linear(zeros({2, 3}), zeros({4, 5}), Tensor()),
                      "linear: x is (2, 3) and W is (4, 5); x's last dimension must equal W's in-features 5");
  REQUIRE_THROWS_WITH(linear(zeros({2, 3}), zeros({4, 3}), zeros({3})),
                      Catch::Matchers::Contains("linear: b is (3,); it must be (4,)"));
  REQUIRE_THROWS_WITH(linear(zeros({2, 3}), zeros({3}), Tensor()), Catch::Matchers::Contains("it must be (out, in)"));
}
