// Grader of exercise iwae_bound: L_K from log-weights against the library's bound, on the exact linear-Gaussian
// model (equal to log p(x) at the true posterior; growing with K otherwise), near +-800, and its gradient against
// the closed form dL_K / dlog w_k = w_k / sum_j w_j (the library's normalised weights).
#include <cmath>

#include "grading.hpp"
#include "iwae_bound/iwae_bound.hpp"
#include "vae/exact/linear_gaussian_model.hpp"
#include "vae/iwae.hpp"
#include "vae/iwae_gradient.hpp"

using grading::num;
using tg::Tensor;
namespace exact = tg::vae::exact;

namespace {

// p(z) = N(0, I_2), p(x|z) = N(W z + b, 0.7^2 I_3), W with orthogonal columns: the posterior is a diagonal Gaussian.
exact::LinearGaussianModel exact_model() {
  exact::Matrix W(3, 2);
  W(0, 0) = 1.5, W(1, 1) = 0.8, W(2, 0) = 0.3, W(0, 1) = 0.1, W(2, 1) = -0.5;  // columns (1.5, 0, .3), (.1, .8, -.5)
  return exact::LinearGaussianModel(exact::LinearGaussian{W, {0.1, -0.2, 0.3}, 0.7});
}

std::vector<grading::Slip> slips(const Tensor& log_w) {
  const double K = static_cast<double>(log_w.size(0));
  Tensor lib = tg::vae::iwae_bound_from_log_weights(log_w);
  return {{tg::mean(log_w, {0}),
           "this is the mean of log w (the ELBO's estimate); the bound is the log of the mean "
           "of w = exp(log w): log (1/K) sum_k w_k"},
          {lib + std::log(K), "off by exactly log K: did you forget the 1/K (the - log K)?"},
          {tg::max(log_w, 0), "this is max_k log w_k alone: add log sum_k exp(log w_k - max) - log K"}};
}

// dL/dlog_w that the student's bound gives for L = sum_b g_b L_K[b].
Tensor student_grad(const Tensor& log_w0, const Tensor& g) {
  tg::Tape tape;
  tg::TapeScope scope(tape);
  Tensor log_w = tg::copy(log_w0).name("log_w");
  log_w.requires_grad(true);
  tape.backward(tg::sum(assignment::iwae_bound(log_w) * g));
  return log_w.grad().defined() ? log_w.grad() : tg::zeros_like(log_w);
}

std::string check_gradient(tg::Generator& gen) {
  Tensor log_w = tg::mul_scalar(tg::randn({4, 3}, gen, tg::f64), 1.5), g = tg::rand({3}, gen, tg::f64);
  Tensor mine = student_grad(log_w, g);
  Tensor expected = tg::vae::normalised_weights(log_w) * g;  // w_k / sum_j w_j, times the incoming g_b
  if (grading::close(mine, expected, 1e-9)) return "";
  Tensor argmax = tg::zeros_like(log_w), m = tg::max(log_w, 0);  // 1 at the largest log w of each column
  for (std::int64_t i = 0; i < log_w.numel(); ++i) argmax.set_flat(i, log_w.flat(i) == m.flat(i % 3) ? 1.0 : 0.0);
  const std::vector<grading::Slip> slips = {
      {tg::full({4, 3}, 0.25, tg::f64) * g,
       "1/K for every k is the gradient of the mean of log w (the ELBO's estimate); L_K gives w_k / sum_j w_j"},
      {argmax * g,
       "all of the gradient goes to the largest log w: the sum of exp(log w - max) was detached or computed "
       "outside the tape; only the max may be a constant"},
      {tg::exp(log_w) * g, "this is w_k, not w_k / sum_j w_j: the log of the sum divides by the sum"}};
  return "dL_K / dlog w for L = sum_b g_b L_K[b]: " + grading::compare(mine, expected) + grading::diagnose(mine, slips);
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("iwae_bound: L_K = log (1/K) sum_k w_k from the log-weights (K, B)", argc, argv);
  tg::Generator gen(11);
  const std::string value = "(iwae.2) equals the library's bound on random log-weights (K = 1, 2, 5, 17; B = 4)";

  grader.check(value, 3, [&] {
    for (std::int64_t K : {1, 2, 5, 17}) {
      Tensor log_w = tg::mul_scalar(tg::randn({K, 4}, gen, tg::f64), 2.0);
      Tensor mine = assignment::iwae_bound(log_w), expected = tg::vae::iwae_bound_from_log_weights(log_w);
      if (!grading::close(mine, expected, 1e-9))
        return "K = " + std::to_string(K) + ": " + grading::compare(mine, expected) +
               grading::diagnose(mine, K > 1 ? slips(log_w) : std::vector<grading::Slip>{});
    }
    return std::string();
  });

  exact::LinearGaussianModel model = exact_model();
  Tensor x = tg::tensor({1.2, -0.4, 0.9, -0.3, 0.5, -1.1}, {2, 3}, tg::f64);  // B = 2 data points
  std::vector<double> log_px;
  for (std::int64_t b = 0; b < 2; ++b) log_px.push_back(model.exact().log_px(exact::row_vector(x, b)));

  grader.check(
      "(gap.4) at the exact posterior every log w is log p(x), so L_K = log p(x) for K = 1, 3, 10", 1,
      [&] {
        model.use_exact_posterior(x);
        for (std::int64_t K : {1, 3, 10}) {
          Tensor log_w = tg::vae::log_weights(model, x, tg::randn({K, 2, 2}, gen, tg::f64));
          Tensor mine = assignment::iwae_bound(log_w), expected = tg::tensor(log_px, tg::f64);
          if (!grading::close(mine, expected, 1e-9))
            return "K = " + std::to_string(K) + ", L_K against log p(x): " + grading::compare(mine, expected) +
                   grading::diagnose(mine, slips(log_w));
        }
        return std::string();
      },
      value);

  grader.check("(iwae.4) with q not the posterior, E[L_K] grows with K (1 < 5 < 50) and stays below log p(x)", 2, [&] {
    const std::int64_t R = 2000;  // independent draws of the bound for the first data point
    Tensor xr = tg::copy(tg::broadcast_to(tg::slice(x, 0, 0, 1), {R, 3}));
    model.set_q(tg::full({R, 2}, 0.3, tg::f64), tg::full({R, 2}, -0.5, tg::f64));  // a poor q: L_K moves with K
    std::string values;
    double previous = -INFINITY, previous_se = 0;
    bool grows = true;
    for (std::int64_t K : {1, 5, 50}) {
      Tensor bound = assignment::iwae_bound(tg::vae::log_weights(model, xr, tg::randn({K, R, 2}, gen, tg::f64)));
      const double m = tg::mean(bound).item(), se = std::sqrt(tg::mean(tg::square(bound - m)).item() / R);
      values += " L_" + std::to_string(K) + " = " + num(m) + " +- " + num(se) + ";";
      grows = grows && m > previous + 3 * std::hypot(se, previous_se) && m <= log_px[0] + 4 * se;
      previous = m, previous_se = se;
    }
    if (grows) return std::string();
    return "yours:" + values + " log p(x) = " + num(log_px[0]) +
           ". Each must be clearly above the one before and not above log p(x): the mean of log w (the ELBO) does "
           "not grow with K; the log of the mean of w does";
  });

  grader.check("(iwae.6) finite and right for log-weights near +800 and -800", 2, [&] {
    for (double centre : {800.0, -800.0}) {
      Tensor log_w = tg::add_scalar(tg::randn({6, 3}, gen, tg::f64), centre);
      Tensor mine = assignment::iwae_bound(log_w), expected = tg::vae::iwae_bound_from_log_weights(log_w);
      if (grading::close(mine, expected, 1e-9)) continue;
      std::string hint;
      if (mine.defined() && !std::isfinite(mine.flat(0)))
        hint =
            "\nhint: exp(800) overflows to inf and exp(-800) underflows to 0 (log 0 = -inf): subtract the "
            "largest log w before exp and add it back after the log (iwae.6)";
      return "log w near " + num(centre) + ": " + grading::compare(mine, expected) + hint;
    }
    return std::string();
  });

  grader.check("(iwae_gradient.1) dL_K / dlog w_k = w_k / sum_j w_j, the library's normalised weights (K = 4, B = 3)",
               2, [&] { return check_gradient(gen); });

  grader.check(
      "written from max, exp, sum and log: no tg::logsumexp on the tape", 1,
      [&] {
        tg::Tape tape;
        tg::TapeScope scope(tape);
        Tensor log_w = tg::randn({3, 2}, gen, tg::f64);
        log_w.requires_grad(true);
        assignment::iwae_bound(log_w);
        for (std::size_t i = 0; i < tape.size(); ++i)
          if (std::string(tape.entry(i).op) == "logsumexp")
            return "tape entry " + std::to_string(i) + " is logsumexp, called at " +
                   tg::where_str(tape.entry(i).where) + ": computing it from max, exp, sum and log is the exercise";
        return std::string();
      },
      value);

  return grader.finish();
}
