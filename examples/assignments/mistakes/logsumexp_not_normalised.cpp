// Exercise logsumexp, a known slip (the grader must name it): the backward g exp(x), without dividing by the sum.
// expect: this is g exp(x_n): the log of the sum divides by the sum
#include "autodiff/autodiff.hpp"
#include "logsumexp/logsumexp.hpp"

namespace assignment {

using tg::Tensor;

Tensor my_logsumexp(const Tensor& x, tg::Where where) {
  Tensor y;
  {
    tg::NoGrad no_grad;  // the forward's values: this op is one tape entry, with the backward below
    Tensor m = tg::max(x, -1, /*keepdim=*/true);                      // (B, 1): every x - m <= 0
    y = tg::squeeze(m, -1) + tg::log(tg::sum(tg::exp(x - m), {-1}));  // (B,)
  }
  return tg::current_tape().record("my_logsumexp", {x}, y, where, [x, y](const Tensor& g) {
    // d/dx_n log sum_j exp(x_j) = exp(x_n) / sum_j exp(x_j) = exp(x_n - y): a softmax, never overflowing
    Tensor softmax = tg::exp(x);                                 // (B, N)
    return std::vector<Tensor>{tg::unsqueeze(g, -1) * softmax};  // g (B,) -> (B, 1), one per row
  });
}

}  // namespace assignment
