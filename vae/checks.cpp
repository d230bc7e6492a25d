// The input checks of the objectives (see checks.hpp).
#include "vae/checks.hpp"

#include "prob/validation.hpp"

namespace tg::vae {

void check_x(const char* fn, const Tensor& x) {
  prob::detail::check_defined(fn, x, "x");
  if (x.dim() != 2) fail(fn, "x is " + shape_str(x.shape()) + "; it must be (B, D)");
}

void check_x_eps(const char* fn, const Tensor& x, const Tensor& eps, std::int64_t L) {
  check_x(fn, x);
  prob::detail::check_defined(fn, eps, "eps");
  // eps (B, L) would make a mean over the samples run over the batch, and give log_w (B,) instead of (K, B)
  if (eps.dim() != 3) fail(fn, "eps is " + shape_str(eps.shape()) + "; it must be (K, B, L)");
  // eps (K, 5, L) with x (1, D) would broadcast to 5 bounds of the one example
  if (eps.size(1) != x.size(0) || eps.size(2) != L)
    fail(fn, "eps is " + shape_str(eps.shape()) + " and x is " + shape_str(x.shape()) + "; eps must be (K, " +
                 std::to_string(x.size(0)) + ", " + std::to_string(L) + "): (K, B, L) with x's B and the model's L");
  prob::detail::check_finite(fn, eps, "eps");
}

}  // namespace tg::vae
