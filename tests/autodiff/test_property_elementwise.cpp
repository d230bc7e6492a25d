// Property-based gradient tests of the elementwise ops (tests/autodiff/property.hpp): every binary op over random
// broadcastable pairs, every unary and scalar op over random shapes, values drawn from each op's domain.
#include "property.hpp"

using namespace tg;
using tgtest::Case;
using tgtest::check_property;
using tgtest::signed_uniform;
using tgtest::uniform;
using tgtest::var;

namespace {

// a (op) b over a random broadcastable pair; b's values from [lo, hi] with a random sign when `b_signed`.
void binary(const char* op, Tensor (*f)(const Tensor&, const Tensor&, Where), bool b_signed = false) {
  check_property(op, [f, b_signed](Generator& gen) {
    auto [sa, sb] = random_broadcast_pair(gen);
    Tensor a = var(uniform(sa, gen, -2, 2), "a");
    Tensor b = var(b_signed ? signed_uniform(sb, gen, 0.5, 2) : uniform(sb, gen, -2, 2), "b");
    return Case{{a, b}, [f](const std::vector<Tensor>& in) { return f(in[0], in[1], Where::current()); }, ""};
  });
}

// f(x) over a random shape, x from [lo, hi] (with a random sign when `signed_x`: away from a kink at 0).
void unary(const char* op, Tensor (*f)(const Tensor&, Where), double lo, double hi, bool signed_x = false) {
  check_property(op, [=](Generator& gen) {
    const Shape s = random_shape(gen);
    Tensor x = var(signed_x ? signed_uniform(s, gen, lo, hi) : uniform(s, gen, lo, hi), "x");
    return Case{{x}, [f](const std::vector<Tensor>& in) { return f(in[0], Where::current()); }, ""};
  });
}

// f(x, s) for a random scalar s in [-2, 2] (x from [lo, hi], signed when asked).
void with_scalar(const char* op, Tensor (*f)(const Tensor&, double, Where), double lo, double hi,
                 bool signed_x = false) {
  check_property(op, [=](Generator& gen) {
    const Shape shape = random_shape(gen);
    Tensor x = var(signed_x ? signed_uniform(shape, gen, lo, hi) : uniform(shape, gen, lo, hi), "x");
    const double s = gen.uniform() * 4 - 2;
    return Case{{x},
                [f, s](const std::vector<Tensor>& in) { return f(in[0], s, Where::current()); },
                "s = " + std::to_string(s)};
  });
}

}  // namespace

TEST_CASE("property: add", "[property][gradcheck]") { binary("add", add); }
TEST_CASE("property: sub", "[property][gradcheck]") { binary("sub", sub); }
TEST_CASE("property: mul", "[property][gradcheck]") { binary("mul", mul); }
TEST_CASE("property: div", "[property][gradcheck]") { binary("div", div, true); }

TEST_CASE("property: add_scalar", "[property][gradcheck]") { with_scalar("add_scalar", add_scalar, -2, 2); }
TEST_CASE("property: rsub_scalar", "[property][gradcheck]") { with_scalar("rsub_scalar", rsub_scalar, -2, 2); }
TEST_CASE("property: mul_scalar", "[property][gradcheck]") { with_scalar("mul_scalar", mul_scalar, -2, 2); }
TEST_CASE("property: div_scalar", "[property][gradcheck]") {
  check_property("div_scalar", [](Generator& gen) {
    Tensor x = var(uniform(random_shape(gen), gen, -2, 2), "x");
    const double s = (gen.uniform() < 0.5 ? -1 : 1) * (0.5 + gen.uniform());  // away from 0
    return Case{{x}, [s](const std::vector<Tensor>& in) { return div_scalar(in[0], s); }, "s = " + std::to_string(s)};
  });
}
TEST_CASE("property: rdiv_scalar", "[property][gradcheck]") { with_scalar("rdiv_scalar", rdiv_scalar, 0.5, 2, true); }
TEST_CASE("property: pow", "[property][gradcheck]") {
  check_property("pow", [](Generator& gen) {
    Tensor x = var(uniform(random_shape(gen), gen, 0.5, 2), "x");  // x > 0: any real power is smooth
    const double p = std::vector<double>{-1.5, 0.5, 2, 3, 0}[gen.below(5)];
    return Case{{x}, [p](const std::vector<Tensor>& in) { return pow(in[0], p); }, "p = " + std::to_string(p)};
  });
}

TEST_CASE("property: neg", "[property][gradcheck]") { unary("neg", neg, -2, 2); }
TEST_CASE("property: exp", "[property][gradcheck]") { unary("exp", exp, -3, 3); }
TEST_CASE("property: log", "[property][gradcheck]") { unary("log", log, 0.2, 4); }
TEST_CASE("property: log1p", "[property][gradcheck]") { unary("log1p", log1p, -0.8, 4); }
TEST_CASE("property: expm1", "[property][gradcheck]") { unary("expm1", expm1, -3, 3); }
TEST_CASE("property: sqrt", "[property][gradcheck]") { unary("sqrt", sqrt, 0.2, 4); }
TEST_CASE("property: square", "[property][gradcheck]") { unary("square", square, -2, 2); }
TEST_CASE("property: abs", "[property][gradcheck]") { unary("abs", abs, 0.1, 2, true); }
TEST_CASE("property: tanh", "[property][gradcheck]") { unary("tanh", tanh, -3, 3); }
TEST_CASE("property: sigmoid", "[property][gradcheck]") { unary("sigmoid", sigmoid, -5, 5); }
TEST_CASE("property: relu", "[property][gradcheck]") { unary("relu", relu, 0.1, 2, true); }
TEST_CASE("property: softplus", "[property][gradcheck]") { unary("softplus", softplus, -5, 5); }
TEST_CASE("property: log_sigmoid", "[property][gradcheck]") { unary("log_sigmoid", log_sigmoid, -5, 5); }

TEST_CASE("property: clamp", "[property][gradcheck]") {
  check_property("clamp", [](Generator& gen) {
    // Values at least 0.05 from either bound: clamp has kinks there.
    Tensor x = var(uniform(random_shape(gen), gen, -2, 2), "x");
    for (std::int64_t i = 0; i < x.numel(); ++i)
      for (double bound : {-0.5, 0.7})
        if (std::abs(x.flat(i) - bound) < 0.05) x.set_flat(i, bound + 0.1);
    return Case{{x}, [](const std::vector<Tensor>& in) { return clamp(in[0], -0.5, 0.7); }, "lo = -0.5, hi = 0.7"};
  });
}

TEST_CASE("property: where", "[property][gradcheck]") {
  check_property("where", [](Generator& gen) {
    auto [sa, sb] = random_broadcast_pair(gen);
    Tensor cond = tgtest::constant(bernoulli(full(broadcast_shapes(sa, sb, "where"), 0.5, f64), gen), "cond");
    Tensor a = var(uniform(sa, gen, -2, 2), "a"), b = var(uniform(sb, gen, -2, 2), "b");
    return Case{{cond, a, b}, [](const std::vector<Tensor>& in) { return where(in[0], in[1], in[2]); }, ""};
  });
}

TEST_CASE("property: cast (float64 to float64; float32 cannot be differenced at eps 1e-6)", "[property][gradcheck]") {
  unary(
      "cast", [](const Tensor& x, Where w) { return cast(x, f64, w); }, -2, 2);
}
