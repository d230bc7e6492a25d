// Tests of the procedural shapes dataset (deterministic, binary, non-trivial, every kind present and drawn as
// documented) and of the 2-D mixture of Gaussians on a circle.
#include <catch2/catch.hpp>
#include <cmath>
#include <numbers>
#include <set>

#include "nn/synthetic.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

std::vector<float> row(const Dataset& d, std::int64_t i) {
  std::vector<float> r;
  for (std::int64_t j = 0; j < d.dim(); ++j) r.push_back(d.value(i, j));
  return r;
}

int area(const ShapeSpec& s) {
  std::vector<std::uint8_t> img(28 * 28);
  draw_shape(s, 28, img.data());
  int on = 0;
  for (std::uint8_t p : img) on += p != 0;
  return on;
}

}  // namespace

TEST_CASE("Shapes are deterministic for a seed and differ across seeds", "[nn][synthetic]") {
  const Dataset a = make_shapes(300, 11), b = make_shapes(300, 11), c = make_shapes(300, 12);
  CHECK(a.size() == 300);
  CHECK(a.dim() == 784);
  CHECK(a.height() == 28);
  bool all_same = true, any_diff = false;
  for (std::int64_t i = 0; i < 300; ++i) {
    all_same = all_same && row(a, i) == row(b, i) && a.label(i) == b.label(i);
    any_diff = any_diff || row(a, i) != row(c, i);
  }
  CHECK(all_same);
  CHECK(any_diff);
}

TEST_CASE("Shapes are binary, non-trivial, varied, and every kind appears", "[nn][synthetic]") {
  const Dataset d = make_shapes(700, 3);
  std::set<std::vector<float>> distinct;
  std::set<std::int32_t> kinds;
  bool binary = true;
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const std::vector<float> r = row(d, i);
    int on = 0;
    for (float v : r) {
      binary = binary && (v == 0.0f || v == 1.0f);
      on += v == 1.0f;
    }
    CHECK(on >= 10);   // something is drawn
    CHECK(on <= 450);  // and it is not a filled frame
    distinct.insert(r);
    kinds.insert(d.label(i));
  }
  CHECK(binary);
  CHECK(distinct.size() >= 695);  // images differ
  CHECK(kinds.size() == num_shape_kinds);
  CHECK(d.mean() > 0.08);  // MNIST's ink fraction is about 0.13
  CHECK(d.mean() < 0.30);
}

TEST_CASE("draw_shape rasterises each kind as documented", "[nn][synthetic]") {
  const double pi = std::numbers::pi;
  ShapeSpec disc{ShapeKind::disc, 14, 14, 6, 1, 2, 0};
  CHECK(std::abs(area(disc) - pi * 36) < 8);
  ShapeSpec ring = disc;
  ring.kind = ShapeKind::ring;
  CHECK(std::abs(area(ring) - pi * (36 - 16)) < 10);
  ShapeSpec rect{ShapeKind::filled_rect, 14, 14, 5, 0.6, 2, 0};
  CHECK(area(rect) == 10 * 6);
  rect.kind = ShapeKind::outlined_rect;
  CHECK(area(rect) == 10 * 6 - 6 * 2);
  ShapeSpec tri{ShapeKind::triangle, 14, 14, 8, 1, 2, 0.3};
  CHECK(std::abs(area(tri) - 3 * std::sqrt(3.0) / 4 * 64) < 8);  // equilateral, circumradius 8
  ShapeSpec line{ShapeKind::line, 14, 14, 8, 1, 2, pi / 2};
  CHECK(area(line) == 16 * 2);
  ShapeSpec cross = line;
  cross.kind = ShapeKind::cross;
  CHECK(area(cross) == 2 * 16 * 2 - 4);
  CHECK(std::string(shape_kind_name(ShapeKind::ring)) == "ring");
}

TEST_CASE("The circle mixture puts K Gaussian clusters on a circle of radius r", "[nn][synthetic]") {
  const Dataset d = make_circle_mixture(4000, 5, 8, 2.0, 0.1);
  CHECK(d.dim() == 2);
  CHECK_FALSE(d.is_u8());
  std::vector<double> sx(8), sy(8), n(8);
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const auto k = static_cast<std::size_t>(d.label(i));
    sx[k] += d.value(i, 0), sy[k] += d.value(i, 1), n[k] += 1;
  }
  std::vector<double> ss(8);  // squared distances to the cluster's mean on the circle: 2 sigma^2 on average
  for (std::int64_t i = 0; i < d.size(); ++i) {
    const auto k = static_cast<std::size_t>(d.label(i));
    const double theta = 2 * std::numbers::pi * static_cast<double>(k) / 8;
    ss[k] += std::pow(d.value(i, 0) - 2 * std::cos(theta), 2) + std::pow(d.value(i, 1) - 2 * std::sin(theta), 2);
  }
  for (std::size_t k = 0; k < 8; ++k) {
    REQUIRE(n[k] > 350);
    const double theta = 2 * std::numbers::pi * static_cast<double>(k) / 8;
    CHECK(sx[k] / n[k] == Approx(2 * std::cos(theta)).margin(0.03));
    CHECK(sy[k] / n[k] == Approx(2 * std::sin(theta)).margin(0.03));
    // each coordinate has standard deviation sigma = 0.1: the mean squared distance is 0.02 (chi-square, 2 dof;
    // its relative standard error with n > 350 is below 0.08)
    CHECK(ss[k] / n[k] == Approx(2 * 0.1 * 0.1).epsilon(0.3));
  }
  const Dataset again = make_circle_mixture(4000, 5, 8, 2.0, 0.1);
  CHECK(again.value(123, 1) == d.value(123, 1));
  CHECK_THROWS_WITH(make_circle_mixture(10, 1, 0), "make_circle_mixture: components is 0, but must be >= 1");
}
