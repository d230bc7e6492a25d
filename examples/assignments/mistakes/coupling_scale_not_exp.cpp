// Exercise coupling, a known slip (the grader must name it): y_change = u_change * s + t: the scale s used without exp.
// expect: the scale is exp(s), not s
#include "autodiff/autodiff.hpp"
#include "coupling/coupling.hpp"

namespace assignment {

using tg::Tensor;

Coupled affine_coupling(const Tensor& u, const Tensor& W, const Tensor& b) {
  const std::int64_t L = u.size(-1), H = L / 2;
  Tensor keep = tg::slice(u, -1, 0, H), change = tg::slice(u, -1, H, L);  // (..., L/2) each
  Tensor h = tg::linear(keep, W, b);                                      // (..., L)
  Tensor s = tg::tanh(tg::slice(h, -1, 0, H)), t = tg::slice(h, -1, H, L);
  Tensor y = tg::concat({keep, change * s + t}, -1);  // (..., L)
  // dy/du is block triangular: I on the kept half, diag(exp(s)) on the changed one, so log |det| = sum s
  return {y, tg::sum(s, {-1})};
}

}  // namespace assignment
