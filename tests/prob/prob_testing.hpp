// Helpers shared by the tests of prob/: float64 tensors, relative comparison, and sample statistics (mean and
// standard error) for tolerances taken from the samples themselves.
#pragma once
#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "prob/prob.hpp"

namespace prob_testing {

inline constexpr double pi = 3.14159265358979323846;

inline tg::Tensor vec(const std::vector<double>& v) { return tg::tensor(v, tg::f64); }
inline tg::Tensor vec(const std::vector<double>& v, const tg::Shape& shape) { return tg::tensor(v, shape, tg::f64); }
inline tg::Tensor leaf(const std::vector<double>& v, const tg::Shape& shape, const char* name) {
  tg::Tensor x = tg::tensor(v, shape, tg::f64).name(name);
  x.requires_grad(true);
  return x;
}

// |a - b| <= rel * |b| (b the reference).
inline bool rel_close(double a, double b, double rel) { return std::abs(a - b) <= rel * std::abs(b); }

struct Stats {
  double mean = 0, se = 0;  // the sample mean and its standard error sd / sqrt(n)
};
inline Stats stats(const std::vector<double>& x) {
  const double n = static_cast<double>(x.size());
  double m = 0, v = 0;
  for (double xi : x) m += xi;
  m /= n;
  for (double xi : x) v += (xi - m) * (xi - m);
  return {m, std::sqrt(v / (n - 1) / n)};
}

}  // namespace prob_testing
