// Gradient checks of the stochastic objectives with the noise frozen: every parameter of a small float64 VAE
// is an input of tg::gradcheck, which perturbs the parameters in place (it writes into their storage), so the
// objective rebuilt inside f sees each perturbation. Math: docs/derivations/elbo.md, iwae.md, joint.md,
// reparam.md.
#include <catch2/catch.hpp>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/gradcheck.hpp"
#include "vae/elbo.hpp"
#include "vae/iwae.hpp"
#include "vae/joint.hpp"

using namespace tg;
using namespace tg::vae;

namespace {

struct SmallVae {
  explicit SmallVae(const std::string& likelihood = "bernoulli")
      : model(Architecture{6, {5}, 2, "tanh", "glorot", likelihood}, gen, f64) {}
  Generator gen{51};
  VAE model;
  Tensor x = model.architecture().likelihood == "bernoulli"
                 ? bernoulli(full({4, 6}, 0.5, f64), gen)  // 4 binary examples
                 : randn({4, 6}, gen, f64);                // or continuous ones
  Tensor eps = draw_eps(model, x, 3, gen);                 // frozen noise (K = 3, B = 4, L = 2)

  // gradcheck of objective(model, x, eps) with respect to every parameter of the model
  GradcheckResult check(const std::function<Tensor(const LatentModel&, const Tensor&, const Tensor&)>& objective) {
    const std::vector<Tensor> params = model.parameters();
    REQUIRE(params.size() == 8);  // weight and bias of 2 encoder and 2 decoder layers
    for (const Tensor& p : params) REQUIRE(p.requires_grad());
    return gradcheck([&](const std::vector<Tensor>&) { return objective(model, x, eps); }, params);
  }
};

}  // namespace

TEST_CASE("(elbo.6) elbo_analytic of a small VAE passes gradcheck for every parameter", "[elbo][gradcheck]") {
  SmallVae vae;
  const GradcheckResult r = vae.check(elbo_analytic);
  INFO(r.report);
  CHECK(r.ok);
}

TEST_CASE("(elbo.6) elbo_analytic of a small VAE with a Normal decoder passes gradcheck for every parameter",
          "[elbo][gradcheck]") {
  SmallVae vae("normal");
  const GradcheckResult r = vae.check(elbo_analytic);
  INFO(r.report);
  CHECK(r.ok);
}

TEST_CASE("(elbo.5) elbo_monte_carlo of a small VAE passes gradcheck for every parameter", "[elbo][gradcheck]") {
  SmallVae vae;
  const GradcheckResult r = vae.check(elbo_monte_carlo);
  INFO(r.report);
  CHECK(r.ok);
}

TEST_CASE("(iwae.2) iwae_bound (K = 3) of a small VAE passes gradcheck for every parameter", "[iwae][gradcheck]") {
  SmallVae vae;
  const GradcheckResult r = vae.check(iwae_bound);
  INFO(r.report);
  CHECK(r.ok);
}

TEST_CASE("(joint.2) log_joint_x_eps of a small VAE passes gradcheck for every parameter", "[joint][gradcheck]") {
  SmallVae vae;
  const GradcheckResult r = vae.check(log_joint_x_eps);
  INFO(r.report);
  CHECK(r.ok);
}
