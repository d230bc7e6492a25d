// Initialisers (see init.hpp for the formulas). Every value is drawn from the caller's Generator in row-major
// order, so a seed fixes the initial parameters on every platform.
#include "nn/init.hpp"

#include <cmath>
#include <string>

namespace tg::nn {

static void check_defined(const char* what, const Tensor& w) {
  if (!w.defined()) fail(what, "w is an undefined Tensor");
}

std::pair<std::int64_t, std::int64_t> fans(const Tensor& w) {
  check_defined("fans", w);
  if (w.dim() < 2)
    fail("fans", "w is " + shape_str(w.shape()) + ", but must have rank >= 2 (out, in, ...) to have fans");
  const std::int64_t receptive = w.numel() / std::max<std::int64_t>(w.size(0) * w.size(1), 1);
  return {w.size(1) * receptive, w.size(0) * receptive};
}

template <class Draw>
static void fill_with(Tensor& w, Draw draw) {
  dispatch(w.dtype(), [&]<class T>(T) {
    T* p = w.data<T>();
    for (std::int64_t i = 0; i < w.numel(); ++i) p[i] = static_cast<T>(draw());
  });
}

void fill_zeros(Tensor& w) {
  check_defined("fill_zeros", w);
  fill_with(w, [] { return 0.0; });
}

void fill_uniform(Tensor& w, double lo, double hi, Generator& gen) {
  check_defined("fill_uniform", w);
  if (!(lo <= hi)) fail("fill_uniform", "lo is " + std::to_string(lo) + ", but must be <= hi " + std::to_string(hi));
  fill_with(w, [&] { return lo + (hi - lo) * gen.uniform(); });
}

void fill_normal(Tensor& w, double mean, double std, Generator& gen) {
  check_defined("fill_normal", w);
  if (!(std >= 0)) fail("fill_normal", "std is " + std::to_string(std) + ", but must be >= 0");
  fill_with(w, [&] { return mean + std * gen.normal(); });
}

void glorot_uniform(Tensor& w, Generator& gen, double gain) {
  const auto [fan_in, fan_out] = fans(w);
  const double a = gain * std::sqrt(6.0 / static_cast<double>(fan_in + fan_out));
  fill_uniform(w, -a, a, gen);
}

void glorot_normal(Tensor& w, Generator& gen, double gain) {
  const auto [fan_in, fan_out] = fans(w);
  fill_normal(w, 0.0, gain * std::sqrt(2.0 / static_cast<double>(fan_in + fan_out)), gen);
}

static double chosen_fan(const char* what, const Tensor& w, FanMode mode) {
  const auto [fan_in, fan_out] = fans(w);
  const std::int64_t fan = mode == FanMode::fan_in ? fan_in : fan_out;
  if (fan <= 0) fail(what, "w is " + shape_str(w.shape()) + ", whose fan is 0");
  return static_cast<double>(fan);
}

void he_uniform(Tensor& w, Generator& gen, FanMode mode, double gain) {
  const double a = gain * std::sqrt(3.0 / chosen_fan("he_uniform", w, mode));
  fill_uniform(w, -a, a, gen);
}

void he_normal(Tensor& w, Generator& gen, FanMode mode, double gain) {
  fill_normal(w, 0.0, gain / std::sqrt(chosen_fan("he_normal", w, mode)), gen);
}

void torch_linear_init(Tensor& weight, Tensor& bias, Generator& gen) {
  // kaiming_uniform_(a = sqrt 5): gain = sqrt(2 / (1 + 5)), bound = gain * sqrt(3 / fan_in) = 1 /
  // sqrt(fan_in)
  const double bound = 1.0 / std::sqrt(chosen_fan("torch_linear_init", weight, FanMode::fan_in));
  fill_uniform(weight, -bound, bound, gen);
  if (bias.defined()) fill_uniform(bias, -bound, bound, gen);
}

}  // namespace tg::nn
