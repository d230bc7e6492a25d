// Two stochastic layers (vae/hierarchy.cpp). The exact checks run on a *linear* two-layer model: with no hidden layers,
// identity activations and the log-variance halves of the generative networks' weights set to zero,
// p(z2) = N(0, I), p(z1|z2) = N(A z2 + a, s1^2 I) and p(x|z1) = N(W z1 + b, sigma^2 I), so that
// p(x) = N(W a + b, W (A A^T + s1^2 I) W^T + sigma^2 I) is known in closed form. Math: docs/derivations/hierarchy.md.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <vector>

#include "autodiff/gradcheck.hpp"
#include "autodiff/tape.hpp"
#include "vae/elbo.hpp"
#include "vae/estimate.hpp"
#include "vae/hierarchy.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

// D = 4, L1 = 3, L2 = 2. q(z1|x) and q(z2|z1) are set near the exact posterior: their means are those of p(z1|x) and
// p(z2|z1), their variances the diagonals of the posterior covariances, widened by e^0.3.
struct LinearHierarchy {
  static constexpr std::int64_t D = 4, L1 = 3, L2 = 2;
  Generator gen{81};
  TwoLayerVAE model{TwoLayerArchitecture{D, {}, L1, {}, L2, "identity", "pytorch", "normal"}, gen, f64};
  Matrix A{L1, L2}, W{D, L1};
  Vector a = Vector(L1), b = Vector(D);
  double s1 = 0.6, sigma = 0.5;
  Tensor x;  // (3, D): three data points drawn from the model

  LinearHierarchy() {
    for (double& v : A.data) v = gen.normal();
    for (double& v : W.data) v = gen.normal();
    for (double& v : a) v = 0.5 * gen.normal();
    for (double& v : b) v = 0.5 * gen.normal();
    set_gaussian_layer("p_z1_z2", A, a, Vector(L1, 2 * std::log(s1)));
    set_gaussian_layer("p_x_z1", W, b, Vector(D, 2 * std::log(sigma)));
    // p(z1|x): prior N(a, S1) with S1 = A A^T + s1^2 I, then x; covariance P1 = (S1^-1 + W^T W / sigma^2)^-1
    Matrix S1 = matmul(A, transpose(A));
    for (std::size_t i = 0; i < S1.rows; ++i) S1(i, i) += s1 * s1;
    const Matrix S1_inv = inverse_spd(S1);
    const Matrix P1 = inverse_spd(add(S1_inv, scale(matmul(transpose(W), W), 1 / (sigma * sigma))));
    const Matrix M1 = scale(matmul(P1, transpose(W)), 1 / (sigma * sigma));  // mean = M1 x + m1
    const Vector m1 = matvec(P1, sub(matvec(S1_inv, a), scale(matvec(transpose(W), b), 1 / (sigma * sigma))));
    set_gaussian_layer("q_z1_x", M1, m1, widened_log_diagonal(P1));
    // p(z2|z1): covariance P2 = (I + A^T A / s1^2)^-1, mean P2 A^T (z1 - a) / s1^2
    Matrix P2_inv = scale(matmul(transpose(A), A), 1 / (s1 * s1));
    for (std::size_t i = 0; i < P2_inv.rows; ++i) P2_inv(i, i) += 1;
    const Matrix P2 = inverse_spd(P2_inv), M2 = scale(matmul(P2, transpose(A)), 1 / (s1 * s1));
    set_gaussian_layer("q_z2_z1", M2, scale(matvec(M2, a), -1), widened_log_diagonal(P2));
    x = zeros({3, D}, f64);
    for (std::int64_t r = 0; r < 3; ++r) {
      Vector z2{gen.normal(), gen.normal()}, z1 = add(matvec(A, z2), a);
      for (double& v : z1) v += s1 * gen.normal();
      const Vector m = add(matvec(W, z1), b);
      for (std::int64_t j = 0; j < D; ++j) x.set({r, j}, m[static_cast<std::size_t>(j)] + sigma * gen.normal());
    }
  }
  static Vector widened_log_diagonal(const Matrix& P) {
    Vector v(P.rows);
    for (std::size_t i = 0; i < P.rows; ++i) v[i] = std::log(P(i, i)) + 0.3;
    return v;
  }
  // The network `name` (one linear layer, out = 2 n) made to output the mean M u + m and the log-variance log_var.
  void set_gaussian_layer(const std::string& name, const Matrix& M, const Vector& m, const Vector& log_var) {
    Tensor weight = model.parameter(name + ".0.weight"), bias = model.parameter(name + ".0.bias");
    const std::int64_t n = static_cast<std::int64_t>(M.rows), in = static_cast<std::int64_t>(M.cols);
    for (std::int64_t i = 0; i < n; ++i) {
      for (std::int64_t j = 0; j < in; ++j) {
        weight.set({i, j}, M(static_cast<std::size_t>(i), static_cast<std::size_t>(j)));
        weight.set({n + i, j}, 0.0);
      }
      bias.set({i}, m[static_cast<std::size_t>(i)]);
      bias.set({n + i}, log_var[static_cast<std::size_t>(i)]);
    }
  }
  double log_px(std::int64_t row) const {  // log N(x; W a + b, W (A A^T + s1^2 I) W^T + sigma^2 I)
    Matrix S1 = matmul(A, transpose(A));
    for (std::size_t i = 0; i < S1.rows; ++i) S1(i, i) += s1 * s1;
    Matrix S = matmul(matmul(W, S1), transpose(W));
    for (std::size_t i = 0; i < S.rows; ++i) S(i, i) += sigma * sigma;
    return log_q(row_vector(x, row), Gaussian{add(matvec(W, a), b), S});
  }
};

// A small nonlinear model for gradient checks.
struct SmallHierarchy {
  Generator gen{82};
  TwoLayerVAE model{TwoLayerArchitecture{6, {5}, 3, {4}, 2, "tanh", "glorot"}, gen, f64};
  Tensor x = bernoulli(full({4, 6}, 0.5, f64), gen);
  Tensor eps = draw_eps(model, x, 3, gen);  // (K, B, L1 + L2) = (3, 4, 5), frozen
  GradcheckResult check(const std::function<Tensor()>& objective) {
    const std::vector<Tensor> params = model.parameters();
    REQUIRE(params.size() == 16);  // weight and bias of 2 layers in each of the 4 networks
    return gradcheck([&](const std::vector<Tensor>&) { return objective(); }, params);
  }
};

}  // namespace

TEST_CASE("(hierarchy.1) sample draws z1 = mu1(x) + sigma1(x) eps1 and z2 = mu2(z1) + sigma2(z1) eps2", "[hierarchy]") {
  SmallHierarchy h;
  const HierarchySample s = h.model.sample(h.x, h.eps);
  REQUIRE(s.z1.shape() == Shape{3, 4, 3});
  REQUIRE(s.z2.shape() == Shape{3, 4, 2});
  const prob::Normal q1 = h.model.encode1(h.x), q2 = h.model.encode2(s.z1);
  for (std::int64_t k = 0; k < 3; ++k)
    for (std::int64_t b = 0; b < 4; ++b) {
      for (std::int64_t u = 0; u < 3; ++u)
        CHECK(s.z1.at({k, b, u}) ==
              near(q1.loc().at({b, u}) + std::exp(0.5 * q1.log_var().at({b, u})) * h.eps.at({k, b, u}), 1e-12));
      for (std::int64_t u = 0; u < 2; ++u)
        CHECK(
            s.z2.at({k, b, u}) ==
            near(q2.loc().at({k, b, u}) + std::exp(0.5 * q2.log_var().at({k, b, u})) * h.eps.at({k, b, 3 + u}), 1e-12));
    }
  CHECK_THROWS_WITH(h.model.sample(h.x, zeros({3, 4, 3}, f64)), Catch::Contains("it must be (K, B, 5)"));
}

TEST_CASE(
    "(hierarchy.2) (hierarchy.6) on a linear two-layer model, exp(log_weights) averages to p(x) and "
    "estimate_log_px is within 4 standard errors of the exact log p(x)",
    "[hierarchy][estimate]") {
  LinearHierarchy h;
  for (std::int64_t row = 0; row < 3; ++row) {
    const Tensor x = slice(h.x, 0, row, row + 1);  // (1, D)
    const double exact = h.log_px(row);
    // the mean of w / p(x) over 20000 weights is 1 (iwae.1): w = exp(log_weights)
    const Tensor log_w = h.model.log_weights(x, draw_eps(h.model, x, 20000, h.gen));  // (K, 1)
    std::vector<double> ratio;
    for (std::int64_t i = 0; i < 20000; ++i) ratio.push_back(std::exp(log_w.flat(i) - exact));
    const Stats s(ratio);
    INFO("row " << row << ": mean of w / p(x) " << s.mean << " +- " << s.se);
    CHECK(std::abs(s.mean - 1) < 4 * s.se);
    CHECK(s.se < 0.05);
    const LogPxEstimate est = estimate_log_px(h.model, x, 20000, h.gen);
    INFO("log p(x) " << exact << ", estimate " << est.log_px[0] << " +- " << est.std_err[0]);
    CHECK(std::abs(est.log_px[0] - exact) < 4 * est.std_err[0]);
    CHECK(est.std_err[0] < 0.02);
  }
}

TEST_CASE("(hierarchy.3) hierarchy_elbo, with the top KL in closed form, averages to the mean of log w, below log p(x)",
          "[hierarchy][elbo]") {
  LinearHierarchy h;
  constexpr std::int64_t R = 20000;
  const Tensor x = repeat_row(h.x, 0, R);  // R draws for one data point
  const Tensor eps = draw_eps(h.model, x, 1, h.gen);
  const Tensor elbo = hierarchy_elbo(h.model, x, eps), log_w = h.model.log_weights(x, eps);  // same noise: (R,), (1, R)
  std::vector<double> diff, e;
  for (std::int64_t r = 0; r < R; ++r) diff.push_back(elbo.flat(r) - log_w.flat(r)), e.push_back(elbo.flat(r));
  const Stats d(diff), s(e), lw(log_w.to_vector());
  INFO("hierarchy_elbo " << s.mean << " +- " << s.se << ", mean log w " << lw.mean << " +- " << lw.se << ", log p(x) "
                         << h.log_px(0));
  CHECK(std::abs(d.mean) < 4 * d.se);  // the closed-form KL is the expectation of what the samples estimate
  CHECK(s.mean < h.log_px(0) - 0.05);  // a lower bound, strictly below here: q is not the posterior
}

TEST_CASE("(hierarchy.4) hierarchy_iwae_bound averaged over draws rises with k and stays below log p(x)",
          "[hierarchy][iwae]") {
  LinearHierarchy h;
  constexpr std::int64_t R = 4000;
  const Tensor x = repeat_row(h.x, 1, R);
  std::vector<double> means;
  for (std::int64_t k : {1, 5, 50}) {
    const Stats s(hierarchy_iwae_bound(h.model, x, draw_eps(h.model, x, k, h.gen)).to_vector());
    INFO("k = " << k << ": L_k " << s.mean << " +- " << s.se << ", log p(x) " << h.log_px(1));
    CHECK(s.mean < h.log_px(1) + 4 * s.se);
    if (!means.empty()) CHECK(s.mean > means.back() + 4 * s.se);
    means.push_back(s.mean);
  }
  CHECK(h.log_px(1) - means.back() < 0.5 * (h.log_px(1) - means.front()));  // most of the gap closed by k = 50
}

TEST_CASE(
    "(hierarchy.5) hierarchy_log_joint_x_eps is log_weights plus log N(eps), its log-determinant that of the "
    "tape's Jacobian d(z1, z2)/d(eps1, eps2)",
    "[hierarchy][joint]") {
  SmallHierarchy h;
  const Tensor joint = hierarchy_log_joint_x_eps(h.model, h.x, h.eps), log_w = h.model.log_weights(h.x, h.eps);
  const Tensor log_q_eps = prior(5, f64).log_prob(h.eps);  // log N(eps1) + log N(eps2): (K, B)
  for (std::int64_t i = 0; i < 12; ++i) CHECK(joint.flat(i) == near(log_w.flat(i) + log_q_eps.flat(i), 1e-10));
  // The Jacobian of (z1, z2) with respect to (eps1, eps2) for one sample, one backward sweep per output.
  Tensor eps = copy(slice(slice(h.eps, 0, 0, 1), 1, 0, 1));  // (1, 1, 5)
  eps.requires_grad(true);
  const Tensor x = slice(h.x, 0, 0, 1);
  Matrix J(5, 5);
  for (std::int64_t out = 0; out < 5; ++out) {
    eps.zero_grad();
    const HierarchySample s = h.model.sample(x, eps);
    const Tensor z = concat({s.z1, s.z2}, -1);  // (1, 1, 5)
    Tensor seed = zeros({1, 1, 5}, f64);
    seed.set({0, 0, out}, 1.0);
    backward(z, seed);
    for (std::int64_t in = 0; in < 5; ++in)
      J(static_cast<std::size_t>(out), static_cast<std::size_t>(in)) = eps.grad().flat(in);
    current_tape().clear();
  }
  CHECK(J(0, 3) == 0.0);  // z1 does not depend on eps2: triangular
  const double log_abs_det = 0.5 * log_det_spd(matmul(transpose(J), J));
  const HierarchySample s = h.model.sample(x, eps.detach());
  const double log_p =
      (h.model.log_likelihood(x, s.z1) + h.model.decode2(s.z2).log_prob(s.z1) + prior(2, f64).log_prob(s.z2)).item();
  CHECK(hierarchy_log_joint_x_eps(h.model, x, eps.detach()).item() == near(log_p + log_abs_det, 1e-9));
}

TEST_CASE("(hierarchy.2) (hierarchy.3) (hierarchy.5) the hierarchy's objectives pass gradcheck for every parameter",
          "[hierarchy][gradcheck]") {
  SmallHierarchy h;
  for (const auto& [name, objective] : std::vector<std::pair<const char*, std::function<Tensor()>>>{
           {"log_weights", [&] { return h.model.log_weights(h.x, h.eps); }},
           {"hierarchy_elbo", [&] { return hierarchy_elbo(h.model, h.x, h.eps); }},
           {"hierarchy_iwae_bound", [&] { return hierarchy_iwae_bound(h.model, h.x, h.eps); }},
           {"hierarchy_log_joint_x_eps", [&] { return hierarchy_log_joint_x_eps(h.model, h.x, h.eps); }}}) {
    const GradcheckResult r = h.check(objective);
    INFO(name << ": " << r.report);
    CHECK(r.ok);
  }
}

TEST_CASE("TwoLayerVAE: the IWAE paper's architecture, pictures from the top layer, active units per layer",
          "[hierarchy]") {
  Generator gen(83);
  const TwoLayerVAE paper(iwae_paper_two_layer_architecture(), gen);
  CHECK(paper.describe() == "784-200-200-[100]-100-100-[50] tanh");
  CHECK(paper.noise_dim() == 150);
  CHECK(paper.prior_dim() == 50);
  CHECK(paper.parameter("q_z1_x.0.weight").shape() == Shape{200, 784});
  CHECK(paper.parameter("q_z2_z1.2.weight").shape() == Shape{100, 100});
  CHECK(paper.parameter("p_z1_z2.2.weight").shape() == Shape{200, 100});
  CHECK(paper.parameter("p_x_z1.2.weight").shape() == Shape{784, 200});
  SmallHierarchy h;
  CHECK(h.model.reconstruct(h.x).shape() == Shape{4, 6});
  CHECK(h.model.decode_mean(randn({7, 2}, h.gen, f64)).shape() == Shape{7, 6});
  const auto v = h.model.layer_mean_variances(h.x);
  REQUIRE(v.size() == 2);
  CHECK(v[0].size() == 3);
  CHECK(v[1].size() == 2);
  const Tensor kl = h.model.kl_to_prior(h.x, draw_eps(h.model, h.x, 2000, h.gen));  // (B,)
  for (std::int64_t b = 0; b < 4; ++b) CHECK(kl.flat(b) > 0);
  // On one draw of the noise, log w = log p(x|z1) - (log q(z1, z2|x) - log p(z1, z2)): the KL estimate must be the
  // mean over k of log p(x|z1) - log w, both layers of q and of p included.
  const Tensor eps = draw_eps(h.model, h.x, 5, h.gen);
  const Tensor kl_same = h.model.kl_to_prior(h.x, eps);
  const Tensor by_weights =
      mean(h.model.log_likelihood(h.x, h.model.sample(h.x, eps).z1) - h.model.log_weights(h.x, eps), {0});  // (B,)
  for (std::int64_t b = 0; b < 4; ++b) CHECK(kl_same.flat(b) == Approx(by_weights.flat(b)).epsilon(1e-12));
  CHECK_THROWS_WITH(TwoLayerVAE(TwoLayerArchitecture{6, {5}, 3, {4}, 2, "tanh", "glorot", "poisson"}, gen),
                    Catch::Contains("likelihood is 'poisson'"));
}
