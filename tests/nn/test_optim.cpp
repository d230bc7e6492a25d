// Tests of SGD and Adam against their update rules written out by hand in float64, convergence on a
// quadratic, clip_grad_norm, optimiser state get/set, and the learning-rate schedules (the IWAE table).
#include <catch2/catch.hpp>
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "nn/optim.hpp"
#include "nn/schedule.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

// loss = sum(c * p^2 + p), so grad = 2 c p + 1; c is fixed per element.
const std::vector<double> c_values{0.5, 2.0, -1.0};
std::vector<double> grad_of(const std::vector<double>& p) {
  std::vector<double> g(p.size());
  for (std::size_t i = 0; i < p.size(); ++i) g[i] = 2 * c_values[i] * p[i] + 1;
  return g;
}
void take_gradient(Tensor& p) {
  p.zero_grad();
  backward(sum(tensor(c_values, f64) * square(p) + p));
  current_tape().clear();
}

}  // namespace

TEST_CASE("Adam: three steps match the update computed by hand in float64", "[nn][optim]") {
  const double lr = 0.1, b1 = 0.9, b2 = 0.999, eps = 1e-8, wd = 0.01;
  Tensor p = tensor({1.0, -0.5, 2.0}, f64).name("p");
  p.requires_grad(true);
  Adam adam({{"p", p}}, {.lr = lr, .beta1 = b1, .beta2 = b2, .eps = eps, .weight_decay = wd});
  std::vector<double> q{1.0, -0.5, 2.0}, m(3, 0.0), v(3, 0.0);
  for (int t = 1; t <= 3; ++t) {
    take_gradient(p);
    adam.step();
    const std::vector<double> g0 = grad_of(q);
    for (std::size_t i = 0; i < 3; ++i) {
      const double g = g0[i] + wd * q[i];
      m[i] = b1 * m[i] + (1 - b1) * g;
      v[i] = b2 * v[i] + (1 - b2) * g * g;
      const double m_hat = m[i] / (1 - std::pow(b1, t)), v_hat = v[i] / (1 - std::pow(b2, t));
      q[i] -= lr * m_hat / (std::sqrt(v_hat) + eps);
    }
    for (std::size_t i = 0; i < 3; ++i) CHECK(p.flat(static_cast<std::int64_t>(i)) == Approx(q[i]).epsilon(1e-12));
  }
  CHECK(adam.steps() == 3);
  const OptimizerState s = adam.state();
  REQUIRE(s.buffers.size() == 2);
  CHECK(s.buffers[0].first == "m.p");
  CHECK(s.buffers[1].first == "v.p");
  for (std::int64_t i = 0; i < 3; ++i) {
    CHECK(s.buffers[0].second.flat(i) == Approx(m[static_cast<std::size_t>(i)]).epsilon(1e-12));
    CHECK(s.buffers[1].second.flat(i) == Approx(v[static_cast<std::size_t>(i)]).epsilon(1e-12));
  }
}

TEST_CASE("SGD with momentum, weight decay and Nesterov matches the update by hand", "[nn][optim]") {
  for (bool nesterov : {false, true}) {
    const double lr = 0.05, mu = 0.9, wd = 0.1;
    Tensor p = tensor({1.0, -0.5, 2.0}, f64);
    p.requires_grad(true);
    SGD sgd({{"p", p}}, {.lr = lr, .momentum = mu, .weight_decay = wd, .nesterov = nesterov});
    std::vector<double> q{1.0, -0.5, 2.0}, buf(3, 0.0);
    for (int t = 1; t <= 4; ++t) {
      take_gradient(p);
      sgd.step();
      const std::vector<double> g0 = grad_of(q);
      for (std::size_t i = 0; i < 3; ++i) {
        double d = g0[i] + wd * q[i];
        buf[i] = t == 1 ? d : mu * buf[i] + d;  // the first step starts the buffer at d (PyTorch)
        d = nesterov ? d + mu * buf[i] : buf[i];
        q[i] -= lr * d;
      }
      for (std::size_t i = 0; i < 3; ++i) CHECK(p.flat(static_cast<std::int64_t>(i)) == Approx(q[i]).epsilon(1e-13));
    }
  }
}

TEST_CASE("SGD with dampening: the buffer keeps (1 - dampening) of each new gradient after the first step",
          "[nn][optim]") {
  const double lr = 0.1, mu = 0.8, damp = 0.3;
  Tensor p = tensor({1.0, -0.5, 2.0}, f64);
  p.requires_grad(true);
  SGD sgd({{"p", p}}, {.lr = lr, .momentum = mu, .dampening = damp});
  CHECK(sgd.options().dampening == damp);
  std::vector<double> q{1.0, -0.5, 2.0}, buf(3, 0.0);
  for (int t = 1; t <= 4; ++t) {
    take_gradient(p);
    sgd.step();
    const std::vector<double> g = grad_of(q);
    for (std::size_t i = 0; i < 3; ++i) {
      buf[i] = t == 1 ? g[i] : mu * buf[i] + (1 - damp) * g[i];  // torch.optim.SGD: no dampening on the first step
      q[i] -= lr * buf[i];
    }
    for (std::size_t i = 0; i < 3; ++i) CHECK(p.flat(static_cast<std::int64_t>(i)) == Approx(q[i]).epsilon(1e-13));
  }
  CHECK(sgd.state().buffers.at(0).second.flat(1) == Approx(buf[1]).epsilon(1e-13));
  CHECK_THROWS_WITH(SGD({{"p", p}}, {.lr = lr, .momentum = mu, .dampening = 0.1, .nesterov = true}),
                    "sgd: nesterov is on, but needs momentum > 0 and dampening 0");
}

TEST_CASE("set_lr changes the step size and refuses what is not a learning rate", "[nn][optim]") {
  Tensor p = tensor({1.0, -0.5, 2.0}, f64);
  p.requires_grad(true);
  SGD sgd({{"p", p}}, {.lr = 0.5});
  sgd.set_lr(0.25);
  CHECK(sgd.lr() == 0.25);
  take_gradient(p);  // grad[0] = 2 * 0.5 * 1 + 1 = 2
  sgd.step();
  CHECK(p.flat(0) == Approx(0.5).epsilon(1e-15));
  CHECK_THROWS_WITH(sgd.set_lr(-1), "sgd: lr is -1.000000, but must be finite and >= 0");
  CHECK_THROWS_WITH(sgd.set_lr(std::nan("")), Catch::Contains("lr is nan"));
  CHECK(sgd.lr() == 0.25);
  const std::vector<Optimizer::BufferSpec> specs = Adam({{"p", p}}, {}).buffer_specs();
  REQUIRE(specs.size() == 2);
  CHECK(specs[1].name == "v.p");
  CHECK(specs[1].shape == Shape{3});
  CHECK(specs[1].dtype == f64);
  CHECK(specs[1].required);
}

TEST_CASE("SGD without momentum is p - lr grad; parameters without gradient are skipped", "[nn][optim]") {
  Tensor p = tensor({1.0, 2.0}, f64), unused = tensor({5.0}, f64);
  p.requires_grad(true), unused.requires_grad(true);
  SGD sgd({{"p", p}, {"unused", unused}}, {.lr = 0.5});
  p.zero_grad();
  backward(sum(square(p)));  // grad = 2p
  current_tape().clear();
  sgd.step();
  CHECK(p.flat(0) == 0.0);
  CHECK(p.flat(1) == 0.0);
  CHECK(unused.flat(0) == 5.0);
  CHECK(sgd.state().buffers.empty());
}

TEST_CASE("Adam and SGD with momentum converge on a quadratic", "[nn][optim]") {
  const std::vector<double> target{3.0, -2.0, 0.5, 1.0};
  const Tensor t = tensor(target), a = tensor({1.0, 4.0, 0.5, 2.0});
  for (int which = 0; which < 2; ++which) {
    Tensor x = zeros({4});
    x.requires_grad(true);
    std::unique_ptr<Optimizer> opt;
    if (which == 0)
      opt = std::make_unique<Adam>(NamedTensors{{"x", x}}, AdamOptions{.lr = 0.05});
    else
      opt = std::make_unique<SGD>(NamedTensors{{"x", x}}, SgdOptions{.lr = 0.05, .momentum = 0.9});
    for (int step = 0; step < 600; ++step) {
      opt->zero_grad();
      backward(sum(a * square(x - t)));
      current_tape().clear();
      opt->step();
    }
    for (std::size_t i = 0; i < 4; ++i) CHECK(x.flat(static_cast<std::int64_t>(i)) == Approx(target[i]).margin(1e-3));
  }
}

TEST_CASE("clip_grad_norm scales by the global norm and returns it", "[nn][optim]") {
  Tensor a = tensor({1.0, 1.0}, f64), b = tensor({1.0}, f64), none = tensor({1.0}, f64);
  a.requires_grad(true), b.requires_grad(true), none.requires_grad(true);
  backward(sum(tensor({3.0, 4.0}, f64) * a) + sum(tensor({12.0}, f64) * b));  // grads (3, 4) and (12): norm 13
  current_tape().clear();
  CHECK(clip_grad_norm({a, b, none}, 100.0) == Approx(13.0).epsilon(1e-15));
  CHECK(a.grad().flat(0) == 3.0);  // below max_norm: unchanged
  CHECK(clip_grad_norm({a, b, none}, 6.5) == Approx(13.0).epsilon(1e-15));
  const double coef = 6.5 / (13.0 + 1e-6);
  CHECK(a.grad().flat(0) == Approx(3.0 * coef).epsilon(1e-15));
  CHECK(a.grad().flat(1) == Approx(4.0 * coef).epsilon(1e-15));
  CHECK(b.grad().flat(0) == Approx(12.0 * coef).epsilon(1e-15));
  CHECK(clip_grad_norm({a, b}, 100.0) == Approx(6.5).epsilon(1e-6));
  CHECK(clip_grad_norm({a, b}, 5.0) == Approx(6.5).epsilon(1e-6));  // a norm under twice max_norm is clipped too
  CHECK(clip_grad_norm({a, b}, 100.0) == Approx(5.0).epsilon(1e-6));
  CHECK_THROWS_WITH(clip_grad_norm({a}, 0.0), "clip_grad_norm: max_norm is 0.000000, but must be positive");
}

TEST_CASE("Optimiser state: set_state restores buffers and step, and checks kind and shapes", "[nn][optim]") {
  Tensor p = tensor({1.0, -0.5, 2.0}, f64);
  p.requires_grad(true);
  Adam adam({{"p", p}}, {.lr = 0.1});
  for (int i = 0; i < 2; ++i) take_gradient(p), adam.step();
  const OptimizerState saved = adam.state();
  const std::vector<double> p_saved = p.to_vector();
  take_gradient(p), adam.step();
  const std::vector<double> p_three = p.to_vector();
  // rewind the parameter and the optimiser, then take the third step again
  for (std::int64_t i = 0; i < 3; ++i) p.set_flat(i, p_saved[static_cast<std::size_t>(i)]);
  adam.set_state(saved);
  CHECK(adam.steps() == 2);
  take_gradient(p), adam.step();
  CHECK(p.to_vector() == p_three);

  SGD sgd({{"p", p}}, {.lr = 0.1, .momentum = 0.5});
  CHECK_THROWS_WITH(sgd.set_state(saved), "sgd::set_state: the state is of a adam optimiser, but this one is sgd");
  OptimizerState bad = saved;
  bad.buffers[0].second = zeros({2}, f64);
  CHECK_THROWS_WITH(adam.set_state(bad), "adam::set_state: m.p is (2,) float64, but must be (3,) float64");
  bad.buffers.pop_back();
  bad.buffers[0].second = zeros({3}, f64);
  CHECK_THROWS_WITH(adam.set_state(bad), "adam::set_state: the state has no buffer v.p");
  CHECK_THROWS_WITH(Adam({{"p", p}}, {.beta1 = 1.0}), "adam: beta1 is 1.000000, but must be in [0, 1)");
}

TEST_CASE("IWAE schedule: stage i runs 3^i epochs at lr 1e-3 * 10^(-i/7)", "[nn][schedule]") {
  const Schedule s = Schedule::iwae();
  REQUIRE(s.stages().size() == 8);
  const std::int64_t lengths[8] = {1, 3, 9, 27, 81, 243, 729, 2187};
  const std::int64_t firsts[8] = {0, 1, 4, 13, 40, 121, 364, 1093};
  for (int i = 0; i < 8; ++i) {
    const ScheduleStage& st = s.stages()[static_cast<std::size_t>(i)];
    CHECK(st.epochs == lengths[i]);
    CHECK(st.first_epoch == firsts[i]);
    CHECK(st.lr == Approx(1e-3 * std::pow(10.0, -i / 7.0)).epsilon(1e-14));
    CHECK(s.lr_at(st.first_epoch) == st.lr);
    CHECK(s.lr_at(st.first_epoch + st.epochs - 1) == st.lr);
  }
  CHECK(s.total_epochs() == 3280);
  CHECK(s.lr_at(0) == Approx(1e-3));
  CHECK(s.lr_at(1) == Approx(1e-3 * std::pow(10.0, -1.0 / 7)));
  CHECK(s.lr_at(3279) == Approx(1e-4));
  CHECK(s.lr_at(5000) == Approx(1e-4));  // after the last stage, the last rate stays
  CHECK(s.describe() == "iwae (8 stages, 3280 epochs, lr 0.001 -> 0.0001)");
}

TEST_CASE("Constant and step schedules; bad arguments are rejected", "[nn][schedule]") {
  CHECK(Schedule::constant(0.01).lr_at(123) == 0.01);
  const Schedule s = Schedule::step(0.1, 10, 0.5);
  CHECK(s.lr_at(0) == 0.1);
  CHECK(s.lr_at(9) == 0.1);
  CHECK(s.lr_at(10) == 0.05);
  CHECK(s.lr_at(25) == 0.025);
  CHECK(s.total_epochs() == 0);
  CHECK(Schedule::from_name("iwae", 1e-3).total_epochs() == 3280);
  CHECK_THROWS_WITH(Schedule::from_name("cosine", 1e-3),
                    "Schedule: name is \"cosine\", but must be constant, step or iwae");
  CHECK_THROWS_WITH(s.lr_at(-1), "Schedule::lr_at: epoch is -1, but must be >= 0");
  CHECK_THROWS_WITH(Schedule::step(0.1, 0, 0.5), "Schedule::step: step_size is 0, but must be >= 1");
}

TEST_CASE("Adam: the SIMD update gives the plain loop's bits, every length 0..67, both lerp forms", "[nn][optim]") {
  auto check = [](auto zero, const AdamOptions& o) {
    using T = decltype(zero);
    for (std::int64_t n = 0; n <= 67; ++n) {
      Generator gen(static_cast<std::uint64_t>(n) + 1);
      std::vector<T> p(n), g(n), m(n), v(n);
      for (std::int64_t i = 0; i < n; ++i) {
        p[i] = static_cast<T>(gen.normal()), g[i] = static_cast<T>(gen.normal() * 1e-2);
        m[i] = static_cast<T>(gen.normal() * 1e-3), v[i] = static_cast<T>(gen.uniform() * 1e-4);
      }
      std::vector<T> p2 = p, m2 = m, v2 = v;
      for (std::int64_t t = 1; t <= 3; ++t) {
        adam_update<T>(n, p.data(), g.data(), m.data(), v.data(), o, 1e-3, t);
        adam_update_reference<T>(n, p2.data(), g.data(), m2.data(), v2.data(), o, 1e-3, t);
      }
      INFO("n " << n << " beta1 " << o.beta1 << " weight decay " << o.weight_decay);
      REQUIRE(p == p2);
      REQUIRE(m == m2);
      REQUIRE(v == v2);
    }
  };
  for (const AdamOptions& o : {AdamOptions{}, AdamOptions{1e-3, 0.3, 0.99, 1e-4, 0.01}}) {
    check(float{}, o);
    check(double{}, o);
  }
}
