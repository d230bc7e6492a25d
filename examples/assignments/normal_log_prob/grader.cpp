// Grader of exercise normal_log_prob: values against the library's Normal::from_log_var(...).log_prob, with
// broadcasting, the closed form at x = mu for log-variances of +-1600, and the gradients into x, mu and log_var
// against the library's. Exit status: the number of failed checks.
#include <cmath>

#include "grading.hpp"
#include "normal_log_prob/normal_log_prob.hpp"
#include "prob/normal.hpp"

using tg::Tensor;

namespace {

const double half_log_2pi = 0.91893853320467274178;

Tensor library(const Tensor& x, const Tensor& mu, const Tensor& log_var) {
  return tg::prob::Normal::from_log_var(mu, log_var, 1).log_prob(x);
}

std::string check_values(const Tensor& x, const Tensor& mu, const Tensor& lv, const Tensor& expected) {
  const Tensor mine = assignment::normal_log_prob(x, mu, lv);
  if (grading::close(mine, expected, 1e-10)) return "";
  const double L = static_cast<double>(x.size(-1));
  const Tensor quad = tg::sum(tg::square(x - mu) * tg::exp(tg::neg(lv)), {-1});  // sum (x - mu)^2 / sigma^2
  std::string hint = grading::diagnose(
      mine, {{tg::zeros_like(expected), "yours is 0 everywhere: write the formula where the skeleton says TODO"},
             {expected + quad * 0.5 - tg::sum(tg::square(x - mu) * tg::exp(lv * -0.5), {-1}) * 0.5,
              "the quadratic term divides by sigma, not sigma^2 = exp(log_var): (x - mu)^2 / sigma^2"},
             {expected - tg::sum(lv, {-1}) * 0.5, "off by -1/2 sum log_var: log sigma = log_var / 2, not log_var"},
             {expected + L * half_log_2pi, "off by L/2 log(2 pi): the normalising constant -1/2 log(2 pi) is missing"},
             {expected + quad, "the quadratic term has the wrong sign: it is -1/2 (x - mu)^2 / sigma^2"}});
  if (hint.empty() && mine.defined() && mine.numel() > 0 && !std::isfinite(mine.flat(0)))
    hint =
        "\nhint: exp(-1400) underflows to 0 and log 0 = -inf (exp(1600) overflows to inf): take log sigma = log_var / "
        "2 directly, and (x - mu) / sigma as (x - mu) exp(-log sigma)";
  return grading::compare(mine, expected) + hint;
}

std::string check_gradients(tg::Generator& gen) {
  const Tensor x = tg::randn({4, 3}, gen, tg::f64), mu = tg::randn({3}, gen, tg::f64);
  const Tensor lv = tg::randn({4, 3}, gen, tg::f64), g = tg::randn({4}, gen, tg::f64);
  const auto mine = grading::gradients([](const auto& in) { return assignment::normal_log_prob(in[0], in[1], in[2]); },
                                       {x, mu, lv}, g);
  const auto expected = grading::gradients([](const auto& in) { return library(in[0], in[1], in[2]); }, {x, mu, lv}, g);
  const char* names[] = {"x", "mu (broadcast)", "log_var"};
  for (int i = 0; i < 3; ++i)
    if (!grading::close(mine[i], expected[i], 1e-10))
      return std::string("d log p / d") + names[i] + ": " + grading::compare(mine[i], expected[i]);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("normal_log_prob: log N(x; mu, exp(log_var)) summed over the last axis", argc, argv);
  tg::Generator gen(29);
  const std::string values = "equals the library's Normal::from_log_var(mu, log_var).log_prob(x) on random (5, 3)";

  grader.check(values, 3, [&] {
    const Tensor x = tg::randn({5, 3}, gen, tg::f64), mu = tg::randn({5, 3}, gen, tg::f64);
    const Tensor lv = tg::rand_uniform({5, 3}, -2, 2, gen, tg::f64);
    return check_values(x, mu, lv, library(x, mu, lv));
  });
  grader.check("broadcasting: x (4, 5, 3) against mu, log_var (5, 3) gives (4, 5)", 1, [&] {
    const Tensor x = tg::randn({4, 5, 3}, gen, tg::f64), mu = tg::randn({5, 3}, gen, tg::f64);
    const Tensor lv = tg::randn({5, 3}, gen, tg::f64);
    return check_values(x, mu, lv, library(x, mu, lv));
  });
  grader.check("log sigma = log_var / 2 directly: at log_var = -1400, x = mu, log p = L (700 - 1/2 log 2 pi)", 2, [&] {
    const Tensor mu = tg::randn({2, 3}, gen, tg::f64), lv = tg::full({2, 3}, -1400, tg::f64);
    return check_values(mu, mu, lv, tg::full({2}, 3 * (700 - half_log_2pi), tg::f64));
  });
  grader.check("at log_var = +1600, x = mu + 1: log p = L (-800 - 1/2 log 2 pi)", 1, [&] {
    const Tensor mu = tg::randn({2, 3}, gen, tg::f64), lv = tg::full({2, 3}, 1600, tg::f64);
    return check_values(mu + 1.0, mu, lv, tg::full({2}, 3 * (-800 - half_log_2pi), tg::f64));
  });
  grader.check("gradients into x, mu and log_var equal the library's (float64)", 2,
               [&] { return check_gradients(gen); });
  return grader.finish();
}
