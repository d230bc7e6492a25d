// The seeded random number generator and random tensors. The streams are defined by this file alone (xoshiro256**
// seeded by splitmix64; uniforms from the top 53 bits; normals by Marsaglia's polar method), so the same seed gives
// the same numbers with every compiler and standard library -- unlike std::normal_distribution, whose algorithm is
// implementation-defined. The integer stream is bit-identical everywhere; normals go through std::log and
// std::sqrt, which IEEE 754 (sqrt) and every mainstream libm (log, correctly rounded in practice) agree on.
#pragma once
#include <array>
#include <cstdint>
#include <utility>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg {

class Generator {
 public:
  explicit Generator(std::uint64_t seed = 0) { this->seed(seed); }
  void seed(std::uint64_t seed);

  std::uint64_t next_u64();              // xoshiro256**
  double uniform();                      // [0, 1), 53 random bits
  double normal();                       // N(0, 1), polar method (pairs; the second is kept for the next call)
  std::uint64_t below(std::uint64_t n);  // uniform integer in [0, n), unbiased (rejection)

  // The whole state, for checkpoints: a restored generator continues the stream exactly.
  struct State {
    std::array<std::uint64_t, 4> s{};
    bool has_spare = false;
    double spare = 0.0;
  };
  State state() const { return {s_, has_spare_, spare_}; }
  void set_state(const State& state);

 private:
  std::array<std::uint64_t, 4> s_{};
  bool has_spare_ = false;
  double spare_ = 0.0;
};

// The default generator: one per thread, seeded with 0 at first use; manual_seed reseeds the calling thread's.
// Code that must be reproducible whatever else runs (training, tests) passes its own Generator explicitly.
Generator& default_generator();
void manual_seed(std::uint64_t seed);

Tensor rand(const Shape& shape, Generator& gen, DType dtype = f32);   // U[0, 1)
Tensor randn(const Shape& shape, Generator& gen, DType dtype = f32);  // N(0, 1)
Tensor rand_uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype = f32);
Tensor rand(const Shape& shape, DType dtype = f32);   // from default_generator()
Tensor randn(const Shape& shape, DType dtype = f32);  // from default_generator()
// Elementwise Bernoulli draws (1 with probability probs[i], else 0), e.g. dynamic binarisation. Not differentiable.
Tensor bernoulli(const Tensor& probs, Generator& gen);
std::vector<std::int64_t> randperm(std::int64_t n, Generator& gen);  // Fisher-Yates

// Random shapes, for property-based tests and graders: a rank in [0, max_rank] and sizes in [0, max_size], with
// size-1 axes (one in four) and, when allow_empty, size-0 axes (one in ten) drawn often enough to matter.
struct ShapeOptions {
  int max_rank = 3;
  std::int64_t max_size = 4;
  bool allow_empty = true;
};
Shape random_shape(Generator& gen, const ShapeOptions& options = {});
// Two shapes that broadcast together under NumPy's rules: one may have fewer axes, and either may have size 1
// where the other does not. Their broadcast is a random_shape.
std::pair<Shape, Shape> random_broadcast_pair(Generator& gen, const ShapeOptions& options = {});

}  // namespace tg
