// Grader of exercise unbroadcast: unbroadcast against the library's tg::sum_to on random broadcast pairs, and the
// gradients of my_add (which uses it) against the library's tg::add. Exit status: the number of failed checks.
#include "grading.hpp"
#include "unbroadcast/unbroadcast.hpp"

using tg::Tensor;

namespace {

// The slips, computed from g: the axes added in front and the axes stretched from size 1.
std::vector<grading::Slip> slips(const Tensor& g, const tg::Shape& shape) {
  const std::int64_t extra = g.dim() - static_cast<std::int64_t>(shape.size());
  tg::Dims leading, all;
  for (std::int64_t i = 0; i < g.dim(); ++i) {
    if (i < extra) leading.push_back(i);
    if (i < extra || (shape[i - extra] == 1 && g.size(i) != 1)) all.push_back(i);
  }
  Tensor lead = leading.empty()
                    ? g
                    : tg::reshape(tg::sum(g, leading, true), tg::Shape(g.shape().begin() + extra, g.shape().end()));
  return {{g, "you returned g as it is: sum it over the axes that broadcasting added or stretched"},
          {all.empty() ? Tensor() : tg::reshape(tg::mean(g, all, true), shape),
           "this is the mean over the broadcast axes: a copied input receives the sum of its copies' gradients"},
          {lead, "the axes where the input had size 1 were stretched too: sum them as well, keeping them (size 1)"},
          {all.empty() ? Tensor() : tg::sum(g, all),
           "the axes of size 1 are gone: sum with keepdim (the input's shape keeps its 1s), or reshape to it"}};
}

std::string check_sum_to(tg::Generator& gen) {
  for (int trial = -1; trial < 40; ++trial) {  // first (2, 3, 4) to (3, 1): an axis added and one stretched
    const auto [shape, other] =
        trial < 0 ? std::pair<tg::Shape, tg::Shape>{{3, 1}, {2, 3, 4}} : tg::random_broadcast_pair(gen);
    const Tensor g = tg::randn(tg::broadcast_shapes(shape, other, "grader"), gen, tg::f64);
    const Tensor mine = assignment::unbroadcast(g, shape), expected = tg::sum_to(g, shape);
    if (!grading::close(mine, expected, 1e-12))
      return "g of shape " + tg::shape_str(g.shape()) + " to " + tg::shape_str(shape) + ": " +
             grading::compare(mine, expected) + grading::diagnose(mine, slips(g, shape));
  }
  return "";
}

std::string check_add(const tg::Shape& sa, const tg::Shape& sb, tg::Generator& gen) {
  const Tensor a = tg::randn(sa, gen, tg::f64), b = tg::randn(sb, gen, tg::f64);
  const Tensor w = tg::randn(tg::broadcast_shapes(sa, sb, "grader"), gen, tg::f64);
  const auto mine = grading::gradients([](const auto& in) { return assignment::my_add(in[0], in[1]); }, {a, b}, w);
  const auto expected = grading::gradients([](const auto& in) { return tg::add(in[0], in[1]); }, {a, b}, w);
  for (int i = 0; i < 2; ++i)
    if (!grading::close(mine[i], expected[i], 1e-12))
      return std::string(i == 0 ? "dL/da" : "dL/db") + " for a " + tg::shape_str(sa) + " + b " + tg::shape_str(sb) +
             ": " + grading::compare(mine[i], expected[i]);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("unbroadcast: a gradient summed back to the shape of a broadcast input", argc, argv);
  tg::Generator gen(17);
  const std::string sum_to =
      "unbroadcast(g, shape) equals the library's tg::sum_to: (2, 3, 4) to (3, 1), 40 random pairs";

  grader.check(sum_to, 4, [&] { return check_sum_to(gen); });
  grader.check(
      "nothing to undo: unbroadcast(g, g's shape) is g", 1,
      [&] {
        const Tensor g = tg::randn({2, 1, 3}, gen, tg::f64), mine = assignment::unbroadcast(g, g.shape());
        return grading::close(mine, g, 0.0) ? std::string() : grading::compare(mine, g);
      },
      sum_to);
  grader.check(
      "my_add's gradients equal tg::add's: (3, 1, 4) + (2, 1), (4,) + (2, 3, 4), (1, 1) + (5, 2)", 2,
      [&] {
        for (const auto& [sa, sb] :
             std::vector<std::pair<tg::Shape, tg::Shape>>{{{3, 1, 4}, {2, 1}}, {{4}, {2, 3, 4}}, {{1, 1}, {5, 2}}}) {
          const std::string why = check_add(sa, sb, gen);
          if (!why.empty()) return why;
        }
        return std::string();
      },
      sum_to);
  return grader.finish();
}
