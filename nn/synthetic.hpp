// Data that needs no file. (a) "shapes": binary side x side images (28 x 28 by default) of one shape each --
// filled or outlined rectangles, discs, rings, triangles, crosses, lines -- at random positions, sizes and
// angles, drawn procedurally from a seed; a VAE learns their structure in well under a minute. (b) A 2-D
// mixture of Gaussians whose means sit evenly on a circle.
#pragma once
#include <cstdint>

#include "autodiff/random.hpp"
#include "nn/data.hpp"

namespace tg::nn {

enum class ShapeKind : std::int32_t { filled_rect, outlined_rect, disc, ring, triangle, cross, line };
inline constexpr int num_shape_kinds = 7;
const char* shape_kind_name(ShapeKind kind);  // "filled_rect", ...

// One shape in pixel units of a side x side image: centre, half-size, aspect (rectangles), stroke width,
// angle.
struct ShapeSpec {
  ShapeKind kind;
  double cx, cy;     // centre
  double size;       // half-width (rectangles, crosses, lines), radius (discs, rings), circumradius (triangles)
  double aspect;     // rectangles: half-height / half-width
  double thickness;  // outlines, rings, crosses, lines
  double angle;      // radians, counter-clockwise
};

ShapeSpec random_shape(Generator& gen, int side = 28);  // a uniformly chosen kind with random placement
// Rasterises: a pixel is on (255) when its centre lies inside the shape, else 0. out has side * side bytes.
void draw_shape(const ShapeSpec& spec, int side, std::uint8_t* out);

// n images (uint8 0 / 255, served as 0 / 1), labelled with their ShapeKind; the same seed gives the same
// images. Train and test sets come from different seeds, e.g. make_shapes(20000, 1) and make_shapes(2000, 2).
Dataset make_shapes(std::int64_t n, std::uint64_t seed, int side = 28);

// n points in 2-D: component k ~ uniform over `components`, x = r (cos 2 pi k / K, sin 2 pi k / K) + sigma
// eps, eps ~ N(0, I). Float rows (not images), labelled with k.
Dataset make_circle_mixture(std::int64_t n, std::uint64_t seed, int components = 8, double radius = 2.0,
                            double sigma = 0.1);

}  // namespace tg::nn
