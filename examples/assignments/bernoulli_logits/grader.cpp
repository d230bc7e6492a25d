// Grader of exercise bernoulli_logits: values against the library's Bernoulli::from_logits(t).log_prob(x), at logits
// of +-40 and +-800 where the naive formulas overflow, and the gradient against the closed form x - sigmoid(t).
// Exit status: the number of failed checks.
#include <cmath>

#include "bernoulli_logits/bernoulli_logits.hpp"
#include "grading.hpp"
#include "prob/bernoulli.hpp"

using tg::Tensor;

namespace {

std::string check_values(const Tensor& x, const Tensor& t) {
  const Tensor mine = assignment::bernoulli_log_prob(x, t);
  const Tensor expected = tg::prob::Bernoulli::from_logits(t, 1).log_prob(x);
  if (grading::close(mine, expected, 1e-10)) return "";
  std::string hint = grading::diagnose(
      mine, {{tg::zeros_like(expected), "yours is 0 everywhere: write the formula where the skeleton says TODO"},
             {expected + tg::sum(t, {-1}),
              "off by + sum t: log(1 - sigmoid(t)) = -softplus(t), and log sigmoid(t) = -softplus(-t) = t - "
              "softplus(t): so log p = x t - softplus(t)"},
             {expected + tg::sum(tg::softplus(t), {-1}) * 2.0, "softplus(t) enters with a minus: x t - softplus(t)"}});
  bool finite = true;
  for (std::int64_t i = 0; i < (mine.defined() ? mine.numel() : 0); ++i) finite = finite && std::isfinite(mine.flat(i));
  if (hint.empty() && !finite)
    hint =
        "\nhint: log(1 - sigmoid(t)) is log 0 = -inf once sigmoid(t) rounds to 1 (t > 37), and log(1 + e^t) "
        "overflows at t = 800: write log p = x t - softplus(t) with tg::softplus, which never overflows";
  return "x = " + tg::shape_str(x.shape()) + ": " + grading::compare(mine, expected) + hint;
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("bernoulli_logits: log p(x | logits) of a Bernoulli, summed over the last axis", argc, argv);
  tg::Generator gen(31);
  const std::string values = "equals the library's Bernoulli::from_logits(t).log_prob(x) on random (4, 6), x in {0, 1}";

  grader.check(values, 3, [&] {
    const Tensor t = tg::mul_scalar(tg::randn({4, 6}, gen, tg::f64), 3.0);
    return check_values(tg::bernoulli(tg::full({4, 6}, 0.5, tg::f64), gen), t);
  });
  grader.check("x between 0 and 1 (a grey pixel) and broadcast logits (6,) over x (4, 6)", 1, [&] {
    return check_values(tg::rand({4, 6}, gen, tg::f64), tg::randn({6}, gen, tg::f64));
  });
  grader.check("finite and right at t = -800, -40, 40, 800 for x = 0 and x = 1", 2, [&] {
    const Tensor t = tg::tensor({-800, -40, 40, 800, -800, -40, 40, 800}, {2, 4}, tg::f64);
    const Tensor x = tg::tensor({0, 0, 0, 0, 1, 1, 1, 1}, {2, 4}, tg::f64);
    return check_values(x, t);
  });
  grader.check(
      "d log p / dt = x - sigmoid(t) (closed form), at t from -800 to 800", 2,
      [&] {
        const Tensor t = tg::tensor({-800, -3, -0.5, 0, 0.5, 3, 40, 800}, {2, 4}, tg::f64);
        const Tensor x = tg::tensor({0, 1, 0.3, 1, 0, 1, 0, 1}, {2, 4}, tg::f64), g = tg::tensor({0.5, -2}, tg::f64);
        const Tensor mine =
            grading::gradients([&](const auto& in) { return assignment::bernoulli_log_prob(x, in[0]); }, {t}, g)[0];
        const Tensor expected = (x - tg::sigmoid(t)) * tg::unsqueeze(g, -1);
        return grading::close(mine, expected, 1e-12) ? std::string()
                                                     : "d log p / dt: " + grading::compare(mine, expected);
      },
      values);
  return grader.finish();
}
