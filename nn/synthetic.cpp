// The procedural shapes dataset (each shape an inside-test in its own rotated frame) and the 2-D circle
// mixture.
#include "nn/synthetic.hpp"

#include <algorithm>
#include <cmath>
#include <numbers>
#include <string>

namespace tg::nn {

const char* shape_kind_name(ShapeKind kind) {
  static const char* names[num_shape_kinds] = {"filled_rect", "outlined_rect", "disc", "ring",
                                               "triangle",    "cross",         "line"};
  return names[static_cast<int>(kind)];
}

static double between(Generator& gen, double lo, double hi) { return lo + (hi - lo) * gen.uniform(); }

ShapeSpec random_shape(Generator& gen, int side) {
  if (side < 8) fail("random_shape", "side is " + std::to_string(side) + ", but must be >= 8");
  const double k = side / 28.0;  // the ranges below are for 28 x 28 images
  ShapeSpec s{};
  s.kind = static_cast<ShapeKind>(gen.below(num_shape_kinds));
  const bool long_thin = s.kind == ShapeKind::cross || s.kind == ShapeKind::line;
  s.size = k * (long_thin ? between(gen, 6.0, 11.0) : between(gen, 4.5, 9.5));
  s.aspect = between(gen, 0.5, 1.0);
  s.thickness = k * (long_thin ? between(gen, 2.0, 3.5) : between(gen, 1.5, 2.5));
  s.angle = between(gen, 0.0, std::numbers::pi);
  if (s.kind == ShapeKind::outlined_rect)
    s.aspect = std::max(s.aspect, (s.thickness + 1.0) / s.size);  // a visible hole
  // keep the shape's bounding circle inside the image where it fits; long shapes may touch the border
  const bool rect = s.kind == ShapeKind::filled_rect || s.kind == ShapeKind::outlined_rect;
  const double reach = rect ? s.size * std::sqrt(1.0 + s.aspect * s.aspect) : long_thin ? s.size * 0.7 : s.size;
  const double margin = std::min(reach + 0.5, side / 2.0);
  s.cx = between(gen, margin, side - margin);
  s.cy = between(gen, margin, side - margin);
  return s;
}

// Is (u, v), in the shape's own frame (centre at 0, rotated by -angle), inside the shape?
static bool inside(const ShapeSpec& s, double u, double v) {
  const double a = s.size, b = s.size * s.aspect, t = s.thickness, r2 = u * u + v * v;
  const auto in_rect = [&](double hw, double hh) { return std::abs(u) <= hw && std::abs(v) <= hh; };
  switch (s.kind) {
    case ShapeKind::filled_rect:
      return in_rect(a, b);
    case ShapeKind::outlined_rect:
      return in_rect(a, b) && !in_rect(a - t, b - t);
    case ShapeKind::disc:
      return r2 <= a * a;
    case ShapeKind::ring:
      return r2 <= a * a && r2 >= (a - t) * (a - t);
    case ShapeKind::triangle: {  // equilateral, circumradius a: each edge is at distance a/2 from the centre
      const double c = std::sqrt(3.0) / 2.0;
      return -v <= a / 2 && (c * u + 0.5 * v) <= a / 2 && (-c * u + 0.5 * v) <= a / 2;
    }
    case ShapeKind::cross:
      return in_rect(a, t / 2) || in_rect(t / 2, a);
    case ShapeKind::line:
      return in_rect(a, t / 2);
  }
  return false;
}

void draw_shape(const ShapeSpec& s, int side, std::uint8_t* out) {
  const double cos_a = std::cos(s.angle), sin_a = std::sin(s.angle);
  for (int y = 0; y < side; ++y)
    for (int x = 0; x < side; ++x) {
      const double dx = x + 0.5 - s.cx, dy = y + 0.5 - s.cy;  // pixel centre relative to the shape's centre
      const double u = cos_a * dx + sin_a * dy, v = -sin_a * dx + cos_a * dy;
      out[y * side + x] = inside(s, u, v) ? 255 : 0;
    }
}

Dataset make_shapes(std::int64_t n, std::uint64_t seed, int side) {
  if (n < 0) fail("make_shapes", "n is " + std::to_string(n) + ", but must be >= 0");
  Generator gen(seed);
  const std::int64_t D = static_cast<std::int64_t>(side) * side;
  std::vector<std::uint8_t> pixels(static_cast<std::size_t>(n * D));
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const ShapeSpec s = random_shape(gen, side);
    draw_shape(s, side, pixels.data() + i * D);
    labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(s.kind);
  }
  return Dataset::from_u8(std::move(pixels), n, D, std::move(labels), side, side);
}

Dataset make_circle_mixture(std::int64_t n, std::uint64_t seed, int components, double radius, double sigma) {
  if (n < 0) fail("make_circle_mixture", "n is " + std::to_string(n) + ", but must be >= 0");
  if (components < 1) fail("make_circle_mixture", "components is " + std::to_string(components) + ", but must be >= 1");
  if (!(sigma >= 0)) fail("make_circle_mixture", "sigma is " + std::to_string(sigma) + ", but must be >= 0");
  Generator gen(seed);
  std::vector<float> xy(static_cast<std::size_t>(2 * n));
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) {
    const auto k = static_cast<std::int32_t>(gen.below(static_cast<std::uint64_t>(components)));
    const double theta = 2.0 * std::numbers::pi * k / components;
    const double e1 = gen.normal(), e2 = gen.normal();
    xy[static_cast<std::size_t>(2 * i)] = static_cast<float>(radius * std::cos(theta) + sigma * e1);
    xy[static_cast<std::size_t>(2 * i + 1)] = static_cast<float>(radius * std::sin(theta) + sigma * e2);
    labels[static_cast<std::size_t>(i)] = k;
  }
  return Dataset::from_f32(std::move(xy), n, 2, std::move(labels));
}

}  // namespace tg::nn
