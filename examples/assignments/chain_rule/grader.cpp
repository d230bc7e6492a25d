// Grader of exercise chain_rule: the backward rules of my_mul and my_div against the closed forms, a tensor used
// twice (x * x), and a chain of both against the library's tg::mul and tg::div. Exit status: failed checks.
#include "chain_rule/chain_rule.hpp"
#include "grading.hpp"

using grading::Slip;
using tg::Tensor;

namespace {

const Tensor a = tg::tensor({-1.5, -0.5, 0.25, 0.75, 2.0, 3.0}, tg::f64);
const Tensor b = tg::tensor({2.0, -1.25, 0.5, -3.0, 1.5, 0.8}, tg::f64);
const Tensor g = tg::tensor({0.3, 1.2, -0.7, 2.0, 0.9, -1.1}, tg::f64);

std::string check_pair(const std::vector<Tensor>& mine, const std::vector<Tensor>& expected,
                       const std::vector<std::vector<Slip>>& slips) {
  const char* names[] = {"dL/da", "dL/db"};
  for (int i = 0; i < 2; ++i)
    if (!grading::close(mine[i], expected[i], 1e-12))
      return std::string(names[i]) + ": " + grading::compare(mine[i], expected[i]) +
             grading::diagnose(mine[i], slips[i]);
  return "";
}

std::string check_mul() {
  auto f = [](const std::vector<Tensor>& in) { return assignment::my_mul(in[0], in[1]); };
  const Slip zeros{tg::zeros_like(a), "yours is 0: return g times the derivative of y with respect to each input"};
  const Slip no_g{b, "this is dy/da alone: multiply by g, the gradient arriving from y (the chain rule)"};
  return check_pair(
      grading::gradients(f, {a, b}, g), {g * b, g * a},
      {{zeros, no_g, {g * a, "the gradient of a * b with respect to a is g b (the other factor), not g a"}},
       {zeros, {a, "this is dy/db alone: multiply by g"}}});
}

std::string check_div() {
  auto f = [](const std::vector<Tensor>& in) { return assignment::my_div(in[0], in[1]); };
  const Tensor da = g / b, db = tg::neg(g * a / tg::square(b));
  return check_pair(grading::gradients(f, {a, b}, g), {da, db},
                    {{{tg::zeros_like(a), "yours is 0: d/da (a / b) = 1 / b, times g"},
                      {tg::rdiv_scalar(b, 1.0), "this is dy/da alone: multiply by g"}},
                     {{tg::neg(db), "d/db (a / b) = -a / b^2: the minus sign is missing"},
                      {tg::neg(g / tg::square(b)), "d/db (a / b) = -a / b^2: yours is -1 / b^2, without the a"},
                      {tg::neg(a / tg::square(b)), "this is dy/db alone: multiply by g"},
                      {tg::zeros_like(b), "yours is 0: d/db (a / b) = -a / b^2, times g"}}});
}

// L = sum(g * (a * b) / c) with yours and with the library's ops: the gradients into a, b and c.
std::string check_chain(tg::Generator& gen) {
  const Tensor x = tg::randn({5}, gen, tg::f64), y = tg::randn({5}, gen, tg::f64);
  const Tensor c = tg::add_scalar(tg::rand({5}, gen, tg::f64), 0.5), w = tg::randn({5}, gen, tg::f64);
  const auto mine = grading::gradients(
      [](const std::vector<Tensor>& in) { return assignment::my_div(assignment::my_mul(in[0], in[1]), in[2]); },
      {x, y, c}, w);
  const auto expected = grading::gradients(
      [](const std::vector<Tensor>& in) { return tg::div(tg::mul(in[0], in[1]), in[2]); }, {x, y, c}, w);
  const char* names[] = {"a", "b", "c"};
  for (int i = 0; i < 3; ++i)
    if (!grading::close(mine[i], expected[i], 1e-12))
      return std::string("dL/d") + names[i] + ": " + grading::compare(mine[i], expected[i]);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("chain_rule: the backward rules of y = a * b and y = a / b", argc, argv);
  tg::Generator gen(3);
  const std::string mul = "d(a b)/da = b and d(a b)/db = a, times g, at 6 points";

  grader.check(mul, 3, check_mul);
  grader.check("d(a / b)/da = 1 / b and d(a / b)/db = -a / b^2, times g, at 6 points", 3, check_div);
  grader.check(
      "a tensor used twice: my_mul(x, x) gives dL/dx = 2 x g (the tape adds both uses)", 1,
      [&] {
        auto f = [](const std::vector<Tensor>& in) { return assignment::my_mul(in[0], in[0]); };
        const Tensor mine = grading::gradients(f, {a}, g)[0], expected = a * g * 2.0;
        return grading::close(mine, expected, 1e-12) ? std::string() : "dL/dx: " + grading::compare(mine, expected);
      },
      mul);
  grader.check("a chain: my_div(my_mul(a, b), c) has the gradients of tg::div(tg::mul(a, b), c)", 2,
               [&] { return check_chain(gen); });
  return grader.finish();
}
