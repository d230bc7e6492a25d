// Binary elementwise ops (add, sub, mul, div, where) and the ops with a scalar: forward values, gradcheck
// with broadcast shapes and every subset of inputs requiring grad, reused inputs, edge values, and the
// broadcast backward compared with an explicit sum over the broadcast axes.
#include "test_util.hpp"

using namespace tg;
using tgtest::gradcheck_subsets;
using tgtest::inf;
using tgtest::NaN;
using tgtest::randn64;
using tgtest::require_values;
using tgtest::uniform64;

namespace {

using BinaryOp = std::function<Tensor(const Tensor&, const Tensor&)>;

// gradcheck op(a, b) for same shapes, broadcast shapes (3,1,4) with (2,4), a scalar with a matrix, and op(x,
// x).
void gradcheck_binary(const BinaryOp& op, bool positive_b) {
  auto f = [&](const std::vector<Tensor>& in) { return op(in[0], in[1]); };
  auto b_of = [&](const Shape& s, std::uint64_t seed) {
    return positive_b ? uniform64(s, 0.5, 2.0, seed, "b") : randn64(s, seed, "b");
  };
  gradcheck_subsets(f, {randn64({2, 3}, 1, "a"), b_of({2, 3}, 2)});
  gradcheck_subsets(f, {randn64({3, 1, 4}, 3, "a"), b_of({2, 4}, 4)});
  gradcheck_subsets(f, {randn64({4}, 5, "a"), b_of({3, 1}, 6)});
  gradcheck_subsets(f, {randn64({}, 7, "a"), b_of({2, 3}, 8)});
  gradcheck_subsets(f, {randn64({2, 3}, 9, "a"), b_of({}, 10)});
  // Reused input: op(x, x); the tape adds the gradients of both uses.
  const Tensor x = positive_b ? uniform64({2, 3}, 0.5, 2.0, 11) : randn64({2, 3}, 11);
  tgtest::require_gradcheck([&](const std::vector<Tensor>& in) { return op(in[0], in[0]); }, {x});
}

// For a (3,1,4) and b (2,4), out = op(a, b) is (3,2,4). With L = sum(w * out), the gradient of a must be
// (3,1,4) with ga[i,0,k] = sum_j w[i,j,k] da(a[i,0,k], b[j,k]), and that of b (2,4) with gb[j,k] = sum_i
// (...).
void check_broadcast_backward(const BinaryOp& op, const std::function<double(double, double)>& da,
                              const std::function<double(double, double)>& db) {
  Tape tape;
  TapeScope scope(tape);
  const Tensor a = randn64({3, 1, 4}, 21, "a"), b = uniform64({2, 4}, 0.5, 2.0, 22, "b");
  Generator gen(23);
  const Tensor w = randn({3, 2, 4}, gen, f64);
  const Tensor out = op(a, b);
  REQUIRE(out.shape() == Shape{3, 2, 4});
  backward(sum(out * w));
  REQUIRE(a.grad().shape() == a.shape());
  REQUIRE(b.grad().shape() == b.shape());
  std::vector<double> ga(12, 0.0), gb(8, 0.0);
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 2; ++j)
      for (std::int64_t k = 0; k < 4; ++k) {
        const double av = a.at({i, 0, k}), bv = b.at({j, k}), wv = w.at({i, j, k});
        ga[i * 4 + k] += wv * da(av, bv);
        gb[j * 4 + k] += wv * db(av, bv);
      }
  require_values(a.grad(), ga, 1e-10);
  require_values(b.grad(), gb, 1e-10);
}

}  // namespace

TEST_CASE("gradcheck: add", "[ops][gradcheck][broadcast]") {
  require_values(add(tensor({1, 2, 3}, f64), tensor({10, 20, 30}, f64)), {11, 22, 33});
  require_values(tensor({1, 2}, {2, 1}, f64) + tensor({10, 20, 30}, f64), {11, 21, 31, 12, 22, 32});
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return add(a, b); }, false);
  require_values(add(tensor({inf, inf, NaN}, f64), tensor({1, -inf, 1}, f64)), {inf, NaN, NaN});
}

TEST_CASE("gradcheck: sub", "[ops][gradcheck][broadcast]") {
  require_values(sub(tensor({1, 2, 3}, f64), tensor({10, 20, 30}, f64)), {-9, -18, -27});
  require_values(tensor({1, 2}, {2, 1}, f64) - tensor({10, 20, 30}, f64), {-9, -19, -29, -8, -18, -28});
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return sub(a, b); }, false);
  require_values(sub(tensor({inf, inf}, f64), tensor({inf, 1}, f64)), {NaN, inf});
}

TEST_CASE("gradcheck: mul", "[ops][gradcheck][broadcast]") {
  require_values(mul(tensor({1, 2, 3}, f64), tensor({10, 20, 30}, f64)), {10, 40, 90});
  require_values(tensor({1, 2}, {2, 1}, f64) * tensor({10, 20, 30}, f64), {10, 20, 30, 20, 40, 60});
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return mul(a, b); }, false);
  require_values(mul(tensor({0, inf, -800}, f64), tensor({inf, -2, 800}, f64)), {NaN, -inf, -640000});
}

TEST_CASE("gradcheck: div", "[ops][gradcheck][broadcast][edge]") {
  require_values(div(tensor({1, 2, 3}, f64), tensor({4, 5, 6}, f64)), {0.25, 0.4, 0.5});
  require_values(tensor({1, 2}, {2, 1}, f64) / tensor({1, 2, 4}, f64), {1, 0.5, 0.25, 2, 1, 0.5});
  gradcheck_binary([](const Tensor& a, const Tensor& b) { return div(a, b); }, true);
  // IEEE division: 1/0 = inf, -1/0 = -inf, 0/0 = NaN.
  require_values(div(tensor({1, -1, 0}, f64), tensor({0, 0, 0}, f64)), {inf, -inf, NaN});
}

TEST_CASE("broadcast backward: add sums the gradient over broadcast axes", "[ops][broadcast]") {
  check_broadcast_backward([](const Tensor& a, const Tensor& b) { return add(a, b); },
                           [](double, double) { return 1.0; }, [](double, double) { return 1.0; });
}

TEST_CASE("broadcast backward: sub sums the gradient over broadcast axes", "[ops][broadcast]") {
  check_broadcast_backward([](const Tensor& a, const Tensor& b) { return sub(a, b); },
                           [](double, double) { return 1.0; }, [](double, double) { return -1.0; });
}

TEST_CASE("broadcast backward: mul sums the gradient over broadcast axes", "[ops][broadcast]") {
  check_broadcast_backward([](const Tensor& a, const Tensor& b) { return mul(a, b); },
                           [](double, double b) { return b; }, [](double a, double) { return a; });
}

TEST_CASE("broadcast backward: div sums the gradient over broadcast axes", "[ops][broadcast]") {
  check_broadcast_backward([](const Tensor& a, const Tensor& b) { return div(a, b); },
                           [](double, double b) { return 1 / b; }, [](double a, double b) { return -a / (b * b); });
}

TEST_CASE("broadcast backward: where sums the gradient over broadcast axes", "[ops][broadcast]") {
  // cond (2,4), a (3,1,4), b (2,4): out (3,2,4) takes a where cond is nonzero, b elsewhere.
  const Tensor cond = tensor({1, 0, 0, 1, 0, 1, 1, 0}, {2, 4}, f64);
  Tape tape;
  TapeScope scope(tape);
  const Tensor a = randn64({3, 1, 4}, 31, "a"), b = randn64({2, 4}, 32, "b");
  Generator gen(33);
  const Tensor w = randn({3, 2, 4}, gen, f64);
  backward(sum(where(cond, a, b) * w));
  REQUIRE(a.grad().shape() == a.shape());
  REQUIRE(b.grad().shape() == b.shape());
  std::vector<double> ga(12, 0.0), gb(8, 0.0);
  for (std::int64_t i = 0; i < 3; ++i)
    for (std::int64_t j = 0; j < 2; ++j)
      for (std::int64_t k = 0; k < 4; ++k) {
        const bool take_a = cond.at({j, k}) != 0;
        (take_a ? ga[i * 4 + k] : gb[j * 4 + k]) += w.at({i, j, k});
      }
  require_values(a.grad(), ga, 1e-10);
  require_values(b.grad(), gb, 1e-10);
}

TEST_CASE("gradcheck: where", "[ops][gradcheck][broadcast][edge]") {
  const Tensor cond = tensor({1, 0, 1}, f64);
  require_values(where(cond, tensor({1, 2, 3}, f64), tensor({-1, -2, -3}, f64)), {1, -2, 3});
  require_values(where(tensor({1, 0}, {2, 1}, f64), tensor({1, 2}, f64), scalar(9, f64)), {1, 2, 9, 9});
  const Tensor c24 = tensor({1, 0, 0, 1, 0, 1, 1, 0}, {2, 4}, f64);
  auto f = [&](const std::vector<Tensor>& in) { return where(c24, in[0], in[1]); };
  gradcheck_subsets(f, {randn64({3, 1, 4}, 41, "a"), randn64({4}, 42, "b")});
  gradcheck_subsets(f, {randn64({2, 4}, 43, "a"), randn64({2, 4}, 44, "b")});
  tgtest::require_gradcheck([&](const std::vector<Tensor>& in) { return where(c24, in[0], in[0] * in[0]); },
                            {randn64({2, 4}, 45)});
  // where selects, never blends: a NaN or inf in the branch not taken does not reach the output.
  require_values(where(tensor({1, 0}, f64), tensor({1, NaN}, f64), tensor({NaN, inf}, f64)), {1, inf});
  // But backward multiplies: the branch not taken gets 0 * (its derivative), which is NaN where that
  // derivative is infinite (log at 0). Guard the input instead: log(where(x > 0, x, 1)).
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({0, 2}, f64).requires_grad(true);
  backward(sum(where(tensor({0, 1}, f64), log(x), zeros({2}, f64))));
  require_values(x.grad(), {NaN, 0.5});
  REQUIRE_THROWS_WITH(where(cond, tensor({1, 2, 3}, f64), tensor({1, 2, 3}, f32)),
                      Catch::Matchers::Contains("where: a is float64 and b is float32"));
}

TEST_CASE("gradcheck: add_scalar", "[ops][gradcheck]") {
  require_values(add_scalar(tensor({1, 2}, f64), 0.5), {1.5, 2.5});
  require_values(tensor({1, 2}, f64) + 1.0, {2, 3});
  require_values(1.0 + tensor({1, 2}, f64), {2, 3});
  require_values(tensor({1, 2}, f64) - 1.0, {0, 1});
  tgtest::gradcheck_unary([](const Tensor& x) { return add_scalar(x, 3.5); }, randn64({3, 4}, 51));
  REQUIRE(add_scalar(tensor({1}, f32), 0.5).dtype() == f32);
}

TEST_CASE("gradcheck: rsub_scalar", "[ops][gradcheck]") {
  require_values(rsub_scalar(tensor({1, 2}, f64), 5), {4, 3});
  require_values(5.0 - tensor({1, 2}, f64), {4, 3});
  tgtest::gradcheck_unary([](const Tensor& x) { return rsub_scalar(x, 2); }, randn64({3, 4}, 52));
}

TEST_CASE("gradcheck: mul_scalar", "[ops][gradcheck]") {
  require_values(mul_scalar(tensor({1, -2}, f64), 3), {3, -6});
  require_values(tensor({1, -2}, f64) * 2.0, {2, -4});
  require_values(2.0 * tensor({1, -2}, f64), {2, -4});
  require_values(mul_scalar(tensor({1, inf}, f64), 0), {0, NaN});
  tgtest::gradcheck_unary([](const Tensor& x) { return mul_scalar(x, -1.5); }, randn64({3, 4}, 53));
}

TEST_CASE("gradcheck: div_scalar", "[ops][gradcheck]") {
  require_values(div_scalar(tensor({1, -2}, f64), 4), {0.25, -0.5});
  require_values(tensor({1, -2}, f64) / 2.0, {0.5, -1});
  require_values(div_scalar(tensor({1, 0}, f64), 0), {inf, NaN});
  tgtest::gradcheck_unary([](const Tensor& x) { return div_scalar(x, 3); }, randn64({3, 4}, 54));
}

TEST_CASE("gradcheck: rdiv_scalar", "[ops][gradcheck][edge]") {
  require_values(rdiv_scalar(tensor({4, -2}, f64), 1), {0.25, -0.5});
  require_values(2.0 / tensor({4, -2}, f64), {0.5, -1});
  require_values(rdiv_scalar(tensor({0}, f64), 1), {inf});
  tgtest::gradcheck_unary([](const Tensor& x) { return rdiv_scalar(x, 2); }, uniform64({3, 4}, 0.5, 2.0, 55));
}

TEST_CASE("operators record the op they stand for", "[ops][tape]") {
  Tape tape;
  TapeScope scope(tape);
  Tensor x = tensor({1, 2}, f64).requires_grad(true), y = tensor({3, 4}, f64).requires_grad(true);
  const std::vector<Tensor> outs{x + y,   x - y,   x * y,   x / y,   x + 1.0, x - 1.0,
                                 1.0 - x, x * 2.0, 2.0 * x, x / 2.0, 2.0 / x, -x};
  const std::vector<std::string> ops{"add",        "sub",        "mul",         "div",
                                     "add_scalar", "add_scalar", "rsub_scalar", "mul_scalar",
                                     "mul_scalar", "div_scalar", "rdiv_scalar", "neg"};
  REQUIRE(tape.size() == ops.size());
  for (std::size_t i = 0; i < ops.size(); ++i) CHECK(std::string(tape.entry(i).op) == ops[i]);
  require_values(outs[5], {0, 1});
}
