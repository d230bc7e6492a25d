// The portable seeded generator (see random.hpp): splitmix64 seeding, xoshiro256**, polar-method normals.
#include "autodiff/random.hpp"

#include <algorithm>
#include <cmath>

namespace tg {

static std::uint64_t splitmix64(std::uint64_t& x) {
  std::uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}
static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

void Generator::seed(std::uint64_t seed) {
  for (auto& word : s_) word = splitmix64(seed);
  has_spare_ = false;
  spare_ = 0.0;
}

void Generator::set_state(const State& state) {
  if (state.s == std::array<std::uint64_t, 4>{})
    fail("Generator", "state is all zeros, which xoshiro256** never reaches");
  s_ = state.s, has_spare_ = state.has_spare, spare_ = state.spare;
}

std::uint64_t Generator::next_u64() {
  const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const std::uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Generator::uniform() { return static_cast<double>(next_u64() >> 11) * 0x1.0p-53; }

// Marsaglia's polar method: (u, v) uniform in the unit disc gives two independent N(0, 1) values.
double Generator::normal() {
  if (has_spare_) {
    has_spare_ = false;
    return spare_;
  }
  double u, v, s;
  do {
    u = 2.0 * uniform() - 1.0;
    v = 2.0 * uniform() - 1.0;
    s = u * u + v * v;
  } while (s >= 1.0 || s == 0.0);
  const double f = std::sqrt(-2.0 * std::log(s) / s);
  spare_ = v * f;
  has_spare_ = true;
  return u * f;
}

std::uint64_t Generator::below(std::uint64_t n) {
  if (n == 0) fail("Generator::below", "n must be positive");
  const std::uint64_t limit = -n % n;  // 2^64 mod n: reject the low values that would bias the result
  std::uint64_t x;
  do x = next_u64();
  while (x < limit);
  return x % n;
}

Generator& default_generator() {
  thread_local Generator gen(0);
  return gen;
}
void manual_seed(std::uint64_t seed) { default_generator().seed(seed); }

template <class F>
static Tensor fill_with(const Shape& shape, DType dtype, F draw) {
  Tensor t = empty(shape, dtype);
  dispatch(dtype, [&]<class T>(T) {
    T* p = t.data<T>();
    for (std::int64_t i = 0; i < t.numel(); ++i) p[i] = static_cast<T>(draw());
  });
  return t;
}

Tensor rand(const Shape& shape, Generator& gen, DType dtype) {
  return fill_with(shape, dtype, [&] { return gen.uniform(); });
}
Tensor randn(const Shape& shape, Generator& gen, DType dtype) {
  return fill_with(shape, dtype, [&] { return gen.normal(); });
}
Tensor rand_uniform(const Shape& shape, double lo, double hi, Generator& gen, DType dtype) {
  if (!(lo <= hi) || !std::isfinite(lo) || !std::isfinite(hi))
    fail("rand_uniform", "lo is " + std::to_string(lo) + " and hi is " + std::to_string(hi) + "; need finite lo <= hi");
  return fill_with(shape, dtype, [&] { return lo + (hi - lo) * gen.uniform(); });
}
Tensor rand(const Shape& shape, DType dtype) { return rand(shape, default_generator(), dtype); }
Tensor randn(const Shape& shape, DType dtype) { return randn(shape, default_generator(), dtype); }

Tensor bernoulli(const Tensor& probs, Generator& gen) {
  if (!probs.defined()) fail("bernoulli", "probs is an undefined Tensor");
  Tensor out = empty(probs.shape(), probs.dtype());
  dispatch(probs.dtype(), [&]<class T>(T) {
    const T* p = probs.data<T>();
    T* o = out.data<T>();
    for (std::int64_t i = 0; i < probs.numel(); ++i) {
      if (!(p[i] >= 0 && p[i] <= 1))
        fail("bernoulli", "probs[" + std::to_string(i) + "] is " + std::to_string(p[i]) + ", but must be in [0, 1]");
      o[i] = gen.uniform() < p[i] ? T(1) : T(0);
    }
  });
  return out;
}

std::vector<std::int64_t> randperm(std::int64_t n, Generator& gen) {
  if (n < 0) fail("randperm", "n is " + std::to_string(n) + ", but must be >= 0");
  std::vector<std::int64_t> p(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) p[i] = i;
  for (std::int64_t i = n - 1; i > 0; --i) std::swap(p[i], p[gen.below(static_cast<std::uint64_t>(i + 1))]);
  return p;
}

// ---- random shapes ----------------------------------------------------------------------------------------------

static std::int64_t random_size(Generator& gen, const ShapeOptions& opt) {
  const double u = gen.uniform();
  if (opt.allow_empty && u < 0.1) return 0;
  if (u < 0.35 || opt.max_size < 2) return std::min<std::int64_t>(1, opt.max_size);
  return 2 + static_cast<std::int64_t>(gen.below(static_cast<std::uint64_t>(opt.max_size - 1)));
}

Shape random_shape(Generator& gen, const ShapeOptions& opt) {
  if (opt.max_rank < 0 || opt.max_size < 0)
    fail("random_shape", "max_rank and max_size must be >= 0, but are " + std::to_string(opt.max_rank) + " and " +
                             std::to_string(opt.max_size));
  Shape shape(gen.below(static_cast<std::uint64_t>(opt.max_rank) + 1));
  for (auto& d : shape) d = random_size(gen, opt);
  return shape;
}

std::pair<Shape, Shape> random_broadcast_pair(Generator& gen, const ShapeOptions& opt) {
  const Shape out = random_shape(gen, opt);
  Shape a = out;
  Shape b(out.end() - static_cast<std::ptrdiff_t>(gen.below(out.size() + 1)), out.end());  // trailing axes
  for (Shape* s : {&a, &b})
    for (auto& d : *s)
      if (gen.uniform() < 0.3) d = 1;  // broadcast along this axis
  if (gen.uniform() < 0.5) std::swap(a, b);
  return {a, b};
}

}  // namespace tg
