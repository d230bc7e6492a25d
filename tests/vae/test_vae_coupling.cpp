// The coupling-layer flow posterior (vae/coupling.cpp): each layer's and the whole flow's log-determinant against the
// tape's Jacobian, the importance weights of the flow posterior on the exact linear-Gaussian model (they average to
// p(x) only if every log-determinant is right), the joint (x, eps) identity for the flow, and gradient checks.
// Math: docs/derivations/coupling.md, joint.md.
#include <catch2/catch.hpp>
#include <cmath>
#include <functional>
#include <vector>

#include "autodiff/gradcheck.hpp"
#include "autodiff/tape.hpp"
#include "vae/coupling.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

// Every parameter of m drawn from N(0, scale^2): a flow that is far from the identity.
void randomise(nn::Module& m, Generator& gen, double scale) {
  for (Tensor p : m.parameters())
    for (std::int64_t i = 0; i < p.numel(); ++i) p.set_flat(i, scale * gen.normal());
}

// The Jacobian d out / d in of a map from (1, 1, n) to (1, 1, n), one backward sweep per output.
Matrix jacobian(const std::function<Tensor(const Tensor&)>& f, const Tensor& at) {
  const std::int64_t n = at.size(-1);
  Matrix J(static_cast<std::size_t>(n), static_cast<std::size_t>(n));
  Tensor in = copy(at);
  in.requires_grad(true);
  for (std::int64_t out = 0; out < n; ++out) {
    in.zero_grad();
    Tensor seed = zeros({1, 1, n}, f64);
    seed.set({0, 0, out}, 1.0);
    backward(f(in), seed);
    for (std::int64_t i = 0; i < n; ++i)
      J(static_cast<std::size_t>(out), static_cast<std::size_t>(i)) = in.grad().flat(i);
    current_tape().clear();
  }
  return J;
}

double log_abs_det(const Matrix& J) { return 0.5 * log_det_spd(matmul(transpose(J), J)); }

}  // namespace

TEST_CASE(
    "(coupling.1) (coupling.2) a coupling layer keeps one half, rescales the other coordinate by coordinate, and its "
    "log_det is log |det dy/du| of the tape's Jacobian",
    "[coupling][flow]") {
  Generator gen(91);
  const Tensor h = randn({1, 3}, gen, f64), u = randn({1, 1, 5}, gen, f64);  // context (B, C), u (K, B, L)
  for (bool flip : {false, true}) {
    CouplingLayer layer(5, 3, 6, flip, gen, f64);
    const CouplingLayer::Output identity = layer.forward(u, h);  // the last layer starts at zero
    for (std::int64_t i = 0; i < 5; ++i) CHECK(identity.y.flat(i) == u.flat(i));
    CHECK(identity.log_det.item() == 0.0);
    randomise(layer, gen, 0.7);
    const CouplingLayer::Output out = layer.forward(u, h);
    const std::int64_t keep_begin = flip ? 2 : 0, keep_end = flip ? 5 : 2;  // floor(5/2) = 2 kept without flip
    for (std::int64_t i = keep_begin; i < keep_end; ++i) CHECK(out.y.flat(i) == u.flat(i));
    const Matrix J = jacobian([&](const Tensor& v) { return layer.forward(v, h).y; }, u);
    for (std::size_t r = 0; r < 5; ++r)
      for (std::size_t c = 0; c < 5; ++c) {
        const bool r_kept = static_cast<std::int64_t>(r) >= keep_begin && static_cast<std::int64_t>(r) < keep_end;
        const bool c_kept = static_cast<std::int64_t>(c) >= keep_begin && static_cast<std::int64_t>(c) < keep_end;
        if (r_kept) CHECK(J(r, c) == (r == c ? 1.0 : 0.0));            // y_keep = u_keep
        if (!r_kept && !c_kept && r != c) CHECK(J(r, c) == 0.0);       // coordinate by coordinate
        if (!r_kept && r == c) CHECK(std::abs(J(r, c) - 1.0) > 1e-3);  // really rescaled
      }
    INFO("flip " << flip << ": log_det " << out.log_det.item() << ", log |det J| " << log_abs_det(J));
    CHECK(out.log_det.item() == near(log_abs_det(J), 1e-10));
  }
  CHECK_THROWS_WITH(CouplingLayer(1, 3, 6, false, gen, f64), Catch::Contains("needs at least 2 dims"));
}

TEST_CASE(
    "(coupling.3) the flow's log_det is log |det dz/deps| of the tape's Jacobian, through mu + sigma eps and "
    "every layer",
    "[coupling][flow]") {
  Generator gen(92);
  CouplingFlow flow(4, 3, 3, gen, f64);
  randomise(flow, gen, 0.7);
  const Tensor x = randn({1, 4}, gen, f64);
  const prob::Normal q = prob::Normal::from_log_var(randn({1, 3}, gen, f64), randn({1, 3}, gen, f64), 1);
  const Tensor eps = randn({1, 1, 3}, gen, f64);
  const Matrix J = jacobian([&](const Tensor& e) { return flow.sample(q, x, e).z; }, eps);
  const CouplingFlow::Sample s = flow.sample(q, x, eps);
  INFO("log_det " << s.log_det.item() << ", log |det J| " << log_abs_det(J));
  CHECK(s.log_det.item() == near(log_abs_det(J), 1e-10));
  CHECK(std::abs(s.log_det.item() - q.transform().log_abs_det_jacobian().item()) > 0.05);  // the layers count
  // conditioned on x: the same q and eps with another x give another z
  const Tensor z_other = flow.sample(q, randn({1, 4}, gen, f64), eps).z;
  double moved = 0;
  for (std::int64_t i = 0; i < 3; ++i) moved = std::max(moved, std::abs(z_other.flat(i) - s.z.flat(i)));
  CHECK(moved > 0.01);
  CHECK(flow.num_layers() == 3);
  CHECK_THROWS_WITH(CouplingFlow(4, 3, 0, gen, f64), Catch::Contains("layers is 0"));
}

TEST_CASE(
    "(coupling.4) on the exact model, the flow posterior's importance weights average to p(x), and with the layers at "
    "the identity they are the Gaussian's",
    "[coupling][flow][linear_gaussian]") {
  Bench bench(93);
  set_q_near_posterior(bench.model, bench.x, 0.3, 0.3);
  Generator gen(94);
  CouplingFlow flow(5, 3, 2, gen, f64);
  const Tensor eps = draw_eps(bench.model, bench.x, 7, gen);
  const Tensor gaussian = log_weights(bench.model, bench.x, eps),
               at_identity = flow_log_weights(bench.model, flow, bench.x, eps);
  for (std::int64_t i = 0; i < 7 * Bench::B; ++i) CHECK(at_identity.flat(i) == near(gaussian.flat(i), 1e-12));
  randomise(flow, gen, 0.2);
  const Tensor log_w = flow_log_weights(bench.model, flow, bench.x, draw_eps(bench.model, bench.x, 20000, gen));
  for (std::int64_t b = 0; b < Bench::B; ++b) {
    std::vector<double> ratio;  // w / p(x)
    for (std::int64_t i = 0; i < 20000; ++i) ratio.push_back(std::exp(log_w.at({i, b}) - bench.log_px(b)));
    const Stats s(ratio);
    INFO("example " << b << ": mean of w / p(x) " << s.mean << " +- " << s.se);
    CHECK(std::abs(s.mean - 1) < 4 * s.se);
    CHECK(s.se < 0.02);
  }
}

TEST_CASE(
    "(joint.6) (joint.7) for the coupling posterior, flow_log_joint_x_eps is log p(x|z) + log p(z) + log |det dz/deps| "
    "and equals flow_log_weights plus log N(eps)",
    "[coupling][flow][joint]") {
  Bench bench(95);
  bench.random_q();
  Generator gen(96);
  CouplingFlow flow(5, 3, 4, gen, f64);
  randomise(flow, gen, 0.5);
  const Tensor eps = draw_eps(bench.model, bench.x, 6, gen);  // (K, B, L)
  const Tensor joint = flow_log_joint_x_eps(bench.model, flow, bench.x, eps);
  const Tensor log_w = flow_log_weights(bench.model, flow, bench.x, eps);
  const Tensor log_q_eps = prior(3, f64).log_prob(eps);  // (K, B)
  const CouplingFlow::Sample s = flow.sample(bench.model.encode(bench.x), bench.x, eps);
  const Tensor pieces = bench.model.log_likelihood(bench.x, s.z) + prior(3, f64).log_prob(s.z) + s.log_det;
  double largest_det = 0;
  for (std::int64_t i = 0; i < 6 * Bench::B; ++i) {
    CHECK(joint.flat(i) == near(pieces.flat(i), 1e-12));                     // (joint.6)
    CHECK(joint.flat(i) == near(log_w.flat(i) + log_q_eps.flat(i), 1e-10));  // (joint.7)
    largest_det = std::max(largest_det, std::abs(s.log_det.flat(i)));
  }
  CHECK(largest_det > 0.1);
}

TEST_CASE("(coupling.4) (joint.6) FlowVAE's log weights and joint density pass gradcheck for every parameter",
          "[coupling][flow][gradcheck]") {
  Generator gen(97);
  Architecture arch{6, {5}, 4, "tanh", "glorot"};
  arch.posterior = "coupling", arch.coupling_layers = 2;
  FlowVAE model(arch, gen, f64);
  randomise(model, gen, 0.4);
  const Tensor x = bernoulli(full({3, 6}, 0.5, f64), gen), eps = draw_eps(model, x, 2, gen);
  const std::vector<Tensor> params = model.parameters();
  REQUIRE(params.size() == 8 + 2 + 2 * 4);  // VAE 8, context 2, two coupling nets of 2 layers
  for (const auto& [name, f] : std::vector<std::pair<const char*, std::function<Tensor()>>>{
           {"log_weights", [&] { return model.log_weights(x, eps); }},
           {"flow_log_weights", [&] { return flow_log_weights(model.vae(), model.flow(), x, eps); }},
           {"flow_log_joint_x_eps", [&] { return flow_log_joint_x_eps(model.vae(), model.flow(), x, eps); }},
           {"elbo", [&] { return model.elbo(x, eps); }}}) {
    const GradcheckResult r = gradcheck([&](const std::vector<Tensor>&) { return f(); }, params);
    INFO(name << ": " << r.report);
    CHECK(r.ok);
  }
}

TEST_CASE("FlowVAE: names, description, pictures and the errors of a wrong posterior", "[coupling][flow]") {
  Generator gen(98);
  Architecture arch = iwae_paper_architecture();
  arch.posterior = "coupling";
  const FlowVAE model(arch, gen);
  CHECK(model.describe() == "784-200-200-50 tanh, 4 coupling layers");
  CHECK(model.parameter("vae.encoder.0.weight").shape() == Shape{200, 784});
  CHECK(model.parameter("flow.context.0.weight").shape() == Shape{50, 784});
  CHECK(model.parameter("flow.3.net.0.weight").shape() == Shape{100, 75});  // 25 kept + 50 context -> 100
  CHECK(model.parameter("flow.3.net.1.weight").shape() == Shape{50, 100});  // s and t for the 25 others
  const Tensor x = bernoulli(full({2, 784}, 0.3), gen);
  CHECK(model.reconstruct(x).shape() == Shape{2, 784});
  CHECK(model.layer_mean_variances(x).at(0).size() == 50);
  CHECK(model.kl_to_prior(x, draw_eps(model, x, 3, gen)).shape() == Shape{2});
  CHECK_THROWS_WITH(FlowVAE(iwae_paper_architecture(), gen), Catch::Contains("a FlowVAE's is 'coupling'"));
  CHECK_THROWS_WITH(VAE(arch, gen), Catch::Contains("a VAE's is 'gaussian'"));
}
