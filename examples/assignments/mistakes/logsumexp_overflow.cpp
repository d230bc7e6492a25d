// Exercise logsumexp, a known slip (the grader must name it): exp(x) summed without subtracting the max first.
// expect: exp(800) overflows to inf
#include "autodiff/autodiff.hpp"
#include "logsumexp/logsumexp.hpp"

namespace assignment {

using tg::Tensor;

Tensor my_logsumexp(const Tensor& x, tg::Where where) {
  Tensor y;
  {
    tg::NoGrad no_grad;                      // the forward's values: this op is one tape entry, with the backward below
    y = tg::log(tg::sum(tg::exp(x), {-1}));  // (B,)
  }
  return tg::current_tape().record("my_logsumexp", {x}, y, where, [x, y](const Tensor& g) {
    // d/dx_n log sum_j exp(x_j) = exp(x_n) / sum_j exp(x_j) = exp(x_n - y): a softmax, never overflowing
    Tensor softmax = tg::exp(x - tg::unsqueeze(y, -1));          // (B, N)
    return std::vector<Tensor>{tg::unsqueeze(g, -1) * softmax};  // g (B,) -> (B, 1), one per row
  });
}

}  // namespace assignment
