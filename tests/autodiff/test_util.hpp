// Helpers shared by the autodiff tests: seeded float64 inputs, gradcheck with every subset of inputs
// requiring grad, and value comparisons. Each test records on its own Tape (tg::TapeScope), never on the
// thread's default one.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <limits>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/runtime/kernels.hpp"

namespace tgtest {

// The fast kernels for the life of this object, also in a reference-mode build: for tests of what the fast kernels
// themselves do (their accuracy, how the pool splits them), which reference mode would route to the plain twins.
struct FastKernels {
  bool was = tg::kernels::reference_mode();
  FastKernels() { tg::kernels::set_reference_mode(false); }
  ~FastKernels() { tg::kernels::set_reference_mode(was); }
  FastKernels(const FastKernels&) = delete;
  FastKernels& operator=(const FastKernels&) = delete;
};

using Fn = std::function<tg::Tensor(const std::vector<tg::Tensor>&)>;
inline constexpr double inf = std::numeric_limits<double>::infinity();
inline constexpr double NaN = std::numeric_limits<double>::quiet_NaN();

// N(0, 1) values in float64, seeded, as a leaf that requires grad.
inline tg::Tensor randn64(const tg::Shape& shape, std::uint64_t seed, const std::string& name = "x") {
  tg::Generator gen(seed);
  tg::Tensor x = tg::randn(shape, gen, tg::f64).name(name);
  x.requires_grad(true);
  return x;
}

// U[lo, hi) values in float64, seeded, as a leaf that requires grad.
inline tg::Tensor uniform64(const tg::Shape& shape, double lo, double hi, std::uint64_t seed,
                            const std::string& name = "x") {
  tg::Generator gen(seed);
  tg::Tensor x = tg::rand_uniform(shape, lo, hi, gen, tg::f64).name(name);
  x.requires_grad(true);
  return x;
}

// N(0, 1) values pushed at least `gap` away from 0 (for ops with a kink at 0: relu, abs).
inline tg::Tensor away_from_zero(const tg::Shape& shape, double gap, std::uint64_t seed,
                                 const std::string& name = "x") {
  tg::Tensor x = randn64(shape, seed, name);
  for (std::int64_t i = 0; i < x.numel(); ++i) {
    const double v = x.flat(i);
    x.set_flat(i, v >= 0 ? v + gap : v - gap);
  }
  return x;
}

inline void require_gradcheck(const Fn& f, const std::vector<tg::Tensor>& inputs) {
  const tg::GradcheckResult r = tg::gradcheck(f, inputs);
  INFO(r.report);
  REQUIRE(r.ok);
}

// gradcheck f once for every non-empty subset of inputs requiring grad (a only, b only, both, ...), on
// copies.
inline void gradcheck_subsets(const Fn& f, const std::vector<tg::Tensor>& inputs) {
  const std::size_t n = inputs.size();
  for (unsigned mask = 1; mask < (1u << n); ++mask) {
    std::vector<tg::Tensor> in;
    for (std::size_t i = 0; i < n; ++i) {
      tg::Tensor c = tg::copy(inputs[i]).name(inputs[i].name());
      c.requires_grad(((mask >> i) & 1u) != 0);
      in.push_back(c);
    }
    const tg::GradcheckResult r = tg::gradcheck(f, in);
    INFO("inputs requiring grad (bit mask): " << mask);
    INFO(r.report);
    REQUIRE(r.ok);
  }
}

// Unary op checks: gradcheck of op(x), and of op(x) * x (x reused: both paths' gradients must add up).
inline void gradcheck_unary(const std::function<tg::Tensor(const tg::Tensor&)>& op, const tg::Tensor& x) {
  require_gradcheck([&](const std::vector<tg::Tensor>& in) { return op(in[0]); }, {x});
  require_gradcheck([&](const std::vector<tg::Tensor>& in) { return tg::mul(op(in[0]), in[0]); }, {x});
}

inline void require_values(const tg::Tensor& x, const std::vector<double>& expected, double eps = 1e-12) {
  REQUIRE(x.numel() == static_cast<std::int64_t>(expected.size()));
  for (std::size_t i = 0; i < expected.size(); ++i) {
    INFO("element " << i);
    const double v = x.flat(static_cast<std::int64_t>(i));
    if (std::isnan(expected[i])) {
      CHECK(std::isnan(v));
    } else if (std::isinf(expected[i])) {
      CHECK(v == expected[i]);
    } else {
      CHECK(v == Approx(expected[i]).epsilon(eps).margin(expected[i] == 0 ? eps : 0.0));  // tiny values: relative
    }
  }
}

inline void require_same(const tg::Tensor& x, const tg::Tensor& y, double eps = 1e-12) {
  REQUIRE(x.shape() == y.shape());
  require_values(x, y.to_vector(), eps);
}

}  // namespace tgtest
