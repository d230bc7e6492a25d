// The affine change of variables z = mu + sigma * eps: forward, inverse and log |det J|.
// Math: docs/derivations/reparam.md, see (reparam.1) and see (reparam.2); API: docs/prob.md.
#include "prob/transforms.hpp"

#include "prob/stable.hpp"
#include "prob/validation.hpp"

namespace tg::prob {

namespace {
constexpr const char* who = "AffineTransform";
}

// log_sigma may be undefined: it is then log(sigma), taken after sigma passed its checks.
AffineTransform::AffineTransform(Tensor mu, Tensor sigma, Tensor log_sigma, int event_dims)
    : mu_(std::move(mu)), sigma_(std::move(sigma)), log_sigma_(std::move(log_sigma)), event_dims_(event_dims) {
  detail::check_defined(who, mu_, "mu");
  detail::check_defined(who, sigma_, "sigma");
  detail::check_dtype(who, sigma_, "sigma", mu_.dtype());
  shape_ = detail::broadcast_params(who, mu_.shape(), "mu", sigma_.shape(), "sigma");
  detail::check_event_dims(who, event_dims_, shape_);
  detail::check_positive_finite(who, sigma_, "sigma");
  if (!log_sigma_.defined()) log_sigma_ = log(sigma_);
}

AffineTransform::AffineTransform(Tensor mu, Tensor sigma, int event_dims)
    : AffineTransform(std::move(mu), std::move(sigma), Tensor(), event_dims) {}

AffineTransform AffineTransform::from_log_scale(Tensor mu, Tensor log_sigma, int event_dims) {
  detail::check_defined(who, log_sigma, "log_sigma");
  detail::check_finite(who, log_sigma, "log_sigma");
  Tensor sigma = exp(log_sigma);  // sigma = exp(log sigma); log sigma itself is kept as given
  return AffineTransform(std::move(mu), std::move(sigma), std::move(log_sigma), event_dims);
}

Shape AffineTransform::batch_shape() const { return drop_event(shape_, event_dims_); }

// z = mu + sigma * eps, see (reparam.1)
Tensor AffineTransform::forward(const Tensor& eps) const {
  detail::check_defined(who, eps, "eps");
  detail::check_dtype(who, eps, "eps", mu_.dtype());
  return mu_ + sigma_ * eps;  // (..., D)
}

// eps = (z - mu) / sigma, computed as (z - mu) * exp(-log sigma): the tape then differentiates through log sigma
// (d eps / d log sigma = -eps) instead of through sigma (d eps / d sigma = -eps / sigma), whose intermediate
// (z - mu)^2 / sigma^3 overflows for sigma = exp(-350) although the gradient with respect to log_var is finite.
Tensor AffineTransform::inverse(const Tensor& z) const {
  detail::check_defined(who, z, "z");
  detail::check_dtype(who, z, "z", mu_.dtype());
  return (z - mu_) * exp(-log_sigma_);  // (..., D)
}

Tensor AffineTransform::log_abs_det_jacobian() const {
  // (reparam.2) log |det dz/deps| = sum_j log sigma_j   (the Jacobian is diag(sigma))
  return sum_event(broadcast_to(log_sigma_, shape_), event_dims_);  // batch_shape
}

}  // namespace tg::prob
