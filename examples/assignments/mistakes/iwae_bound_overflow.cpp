// Exercise iwae_bound, a known slip (the grader must name it): L_K = log (1/K) sum_k exp(log_w[k]) per example, stable
// for any log-weights. The math: docs/derivations/iwae.md.
// expect: exp(800) overflows
#include <cmath>

#include "autodiff/autodiff.hpp"
#include "iwae_bound/iwae_bound.hpp"

namespace assignment {

using tg::Tensor;

Tensor iwae_bound(const Tensor& log_w) {
  const auto K = static_cast<double>(log_w.size(0));
  // log sum_k e^{a_k} = m + log sum_k e^{a_k - m} with m = max_k a_k: every e^{a_k - m} is in (0, 1], one is 1.
  return tg::log(tg::sum(tg::exp(log_w), {0})) - std::log(K);  // SLIP: exp(800) overflows
}

}  // namespace assignment
