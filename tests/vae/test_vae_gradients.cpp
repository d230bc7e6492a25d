// The two gradient estimators of docs/derivations/reparam.md, taken by the tape on the exact linear-Gaussian model,
// where the gradient of E_q[log p(x|z)] with respect to q's parameters is known in closed form (linear_gaussian.4):
// the pathwise one through Normal::rsample_with (reparam.3) and the score-function one through Normal::log_prob
// (reparam.4).
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "autodiff/tape.hpp"
#include "vae/elbo.hpp"
#include "vae/vae_testing.hpp"

using namespace tg;
using namespace tg::vae;
using namespace tg::vae::testing;

namespace {

// Column j of a (R, L) gradient: R independent draws of one partial derivative.
Stats column_stats(const Tensor& g, std::int64_t j) {
  std::vector<double> v;
  for (std::int64_t r = 0; r < g.size(0); ++r) v.push_back(g.at({r, j}));
  return Stats(v);
}

}  // namespace

TEST_CASE(
    "(reparam.3) (reparam.4) pathwise (rsample_with) and score-function (log_prob) gradients of E_q[log p(x|z)] are "
    "unbiased, the pathwise with less variance",
    "[reparam][linear_gaussian]") {
  Bench bench(27);
  constexpr std::int64_t R = 20000;  // R rows, all the same data point and the same q: R independent gradients
  const std::int64_t L = bench.L();
  const Tensor xr = repeat_row(bench.x, 0, R);
  const Vector m = {0.4, -0.7, 0.2}, lv = {-0.6, 0.3, -1.2};  // q = N(m, diag exp(lv))
  Tensor mu = repeat_row(tensor(m, {1, L}, f64), 0, R).name("mu");
  Tensor log_var = repeat_row(tensor(lv, {1, L}, f64), 0, R).name("log_var");
  mu.requires_grad(true), log_var.requires_grad(true);
  const Tensor eps = randn({1, R, L}, bench.gen, f64);

  // The exact gradient, from (linear_gaussian.4) with S = diag(exp(lv)):
  // d/dm = W^T (x - W m - b) / sigma^2,   d/dlv_j = -(W^T W)_jj exp(lv_j) / (2 sigma^2)
  const LinearGaussian& lg = bench.model.exact();
  const double var = lg.sigma * lg.sigma;
  const Vector r = sub(row_vector(bench.x, 0), add(matvec(lg.W, m), lg.b));
  const Vector d_m = scale(matvec(transpose(lg.W), r), 1 / var);
  const Matrix WtW = matmul(transpose(lg.W), lg.W);

  Tensor path_mu, path_lv, score_mu, score_lv;
  {  // (reparam.3) backward through z = mu + sigma eps
    Tape tape;
    TapeScope scope(tape);
    const prob::Normal q = prob::Normal::from_log_var(mu, log_var, 1);
    backward(sum(bench.model.log_likelihood(xr, q.rsample_with(eps))));
    path_mu = mu.grad().detach(), path_lv = log_var.grad().detach();
  }
  mu.zero_grad(), log_var.zero_grad();
  {  // (reparam.4) f(z) times the gradient of log q(z) with z held fixed
    Tape tape;
    TapeScope scope(tape);
    const prob::Normal q = prob::Normal::from_log_var(mu, log_var, 1);
    const Tensor z = q.rsample_with(eps).detach();
    const Tensor f = bench.model.log_likelihood(xr, z);  // a constant: z does not depend on mu, log_var here
    backward(sum(f * q.log_prob(z)));
    score_mu = mu.grad().detach(), score_lv = log_var.grad().detach();
  }
  for (std::int64_t j = 0; j < L; ++j) {
    const auto u = static_cast<std::size_t>(j);
    const double exact_mu = d_m[u], exact_lv = -WtW(u, u) * std::exp(lv[u]) / (2 * var);
    const Stats pm = column_stats(path_mu, j), pl = column_stats(path_lv, j);
    const Stats sm = column_stats(score_mu, j), sl = column_stats(score_lv, j);
    INFO("j = " << j << ": d/dmu " << exact_mu << ", pathwise " << pm.mean << " +- " << pm.se << ", score " << sm.mean
                << " +- " << sm.se << "; d/dlog_var " << exact_lv << ", pathwise " << pl.mean << " +- " << pl.se
                << ", score " << sl.mean << " +- " << sl.se);
    CHECK(std::abs(pm.mean - exact_mu) < 4 * pm.se);
    CHECK(std::abs(pl.mean - exact_lv) < 4 * pl.se);
    CHECK(std::abs(sm.mean - exact_mu) < 4 * sm.se);
    CHECK(std::abs(sl.mean - exact_lv) < 4 * sl.se);
    CHECK(pm.se * 3 < sm.se);  // the pathwise estimator is much less noisy
    CHECK(pl.se * 3 < sl.se);
  }
}
