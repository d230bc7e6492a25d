// Grader of exercise logsumexp: values against the library's tg::logsumexp (random rows, rows near +-800), the
// backward against the closed form softmax = exp(x - logsumexp(x)) computed by the library, and the tape (one
// entry, yours). Exit status: the number of failed checks.
#include <cmath>

#include "grading.hpp"
#include "logsumexp/logsumexp.hpp"

using tg::Tensor;

namespace {

std::string check_values(const Tensor& x, const std::string& what) {
  const Tensor mine = assignment::my_logsumexp(x), expected = tg::logsumexp(x, -1);
  if (grading::close(mine, expected, 1e-12)) return "";
  const double N = static_cast<double>(x.size(-1));
  std::string hint = grading::diagnose(
      mine,
      {{tg::sum(x, {-1}), "yours is the sum of x: write log sum_n exp(x_n) where it says TODO"},
       {expected - std::log(N), "off by -log N: this is log-mean-exp; log-sum-exp has no 1/N"},
       {expected - tg::max(x, -1), "off by max_n x_n: you subtracted the max before exp, add it back after log"}});
  if (hint.empty() && mine.defined() && mine.numel() > 0 && !std::isfinite(mine.flat(0)))
    hint =
        "\nhint: exp(800) overflows to inf and exp(-800) underflows to 0: with m = max_n x_n, log sum_n exp(x_n) = m "
        "+ log sum_n exp(x_n - m), where every exp(x_n - m) <= 1";
  return what + ": " + grading::compare(mine, expected) + hint;
}

std::string check_backward(const Tensor& x, const Tensor& g, const std::string& what) {
  const Tensor mine = grading::gradients([](const auto& in) { return assignment::my_logsumexp(in[0]); }, {x}, g)[0];
  const Tensor softmax = tg::exp(x - tg::logsumexp(x, -1, true)), expected = tg::unsqueeze(g, -1) * softmax;
  if (grading::close(mine, expected, 1e-12)) return "";
  std::string hint = grading::diagnose(
      mine, {{tg::zeros_like(x), "your backward returns zeros: return g times d/dx_n log sum_j exp(x_j)"},
             {tg::unsqueeze(g, -1) * tg::exp(x),
              "this is g exp(x_n): the log of the sum divides by the sum: divide by sum_j exp(x_j) (= exp(y))"},
             {softmax, "this is the softmax alone: multiply it by g (unsqueezed to (B, 1))"}});
  bool finite = true;
  for (std::int64_t i = 0; i < mine.numel(); ++i) finite = finite && std::isfinite(mine.flat(i));
  if (hint.empty() && !finite)
    hint =
        "\nhint: exp(x) / sum exp(x) is inf / inf = NaN near 800: write the softmax as exp(x_n - y) with y the "
        "log-sum-exp the forward computed";
  return what + ": " + grading::compare(mine, expected) + hint;
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("logsumexp: a stable log-sum-exp over the last axis, and its backward", argc, argv);
  tg::Generator gen(23);
  const std::string values = "values equal tg::logsumexp on random rows, (B, N) = (4, 6), (1, 1), (3, 17)";
  const std::string backward = "backward: dL/dx_n = g exp(x_n - logsumexp(x)) (the softmax) on random (4, 6)";

  grader.check(values, 2, [&] {
    for (const tg::Shape& s : {tg::Shape{4, 6}, tg::Shape{1, 1}, tg::Shape{3, 17}}) {
      const std::string why = check_values(tg::mul_scalar(tg::randn(s, gen, tg::f64), 3.0), tg::shape_str(s));
      if (!why.empty()) return why;
    }
    return std::string();
  });
  grader.check("(iwae.6) finite and right for rows near +800 and -800", 2, [&] {
    for (double centre : {800.0, -800.0}) {
      const std::string why =
          check_values(tg::add_scalar(tg::randn({3, 5}, gen, tg::f64), centre), "x near " + grading::num(centre));
      if (!why.empty()) return why;
    }
    return std::string();
  });
  grader.check(backward, 3, [&] {
    return check_backward(tg::randn({4, 6}, gen, tg::f64), tg::randn({4}, gen, tg::f64), "dL/dx");
  });
  grader.check(
      "backward finite and right near +800 (no exp(x) / sum exp(x))", 1,
      [&] {
        return check_backward(tg::add_scalar(tg::randn({2, 3}, gen, tg::f64), 800.0), tg::randn({2}, gen, tg::f64),
                              "dL/dx near 800");
      },
      backward);
  grader.check(
      "one tape entry, my_logsumexp: your backward is the one that runs", 1,
      [&] {
        tg::Tape tape;
        tg::TapeScope scope(tape);
        Tensor x = tg::randn({2, 3}, gen, tg::f64);
        x.requires_grad(true);
        assignment::my_logsumexp(x);
        if (tape.size() == 1 && std::string(tape.entry(0).op) == "my_logsumexp") return std::string();
        return "the tape holds " + std::to_string(tape.size()) +
               " entries: compute the forward's values under tg::NoGrad and record one entry, as the skeleton does";
      },
      values);
  return grader.finish();
}
