// The change of variables behind the reparameterisation trick: the affine map z = mu + sigma * eps, its inverse and
// the log-determinant of its Jacobian, so that log q(z) = log q(eps) - sum_j log sigma_j (reparam.1), (reparam.2).
// Math: docs/derivations/reparam.md; API: docs/prob.md.
#pragma once
#include "autodiff/ops.hpp"

namespace tg::prob {

class AffineTransform {
 public:
  // sigma > 0 (validated); log sigma is taken as log(sigma). mu and sigma broadcast against each other.
  AffineTransform(Tensor mu, Tensor sigma, int event_dims = 0);
  // From log sigma directly (e.g. 1/2 log_var): sigma = exp(log_sigma), and log sigma is never log(exp(.)).
  static AffineTransform from_log_scale(Tensor mu, Tensor log_sigma, int event_dims = 0);

  Tensor forward(const Tensor& eps) const;  // (reparam.1) z = mu + sigma * eps
  Tensor inverse(const Tensor& z) const;    // eps = (z - mu) / sigma
  // (reparam.2) log |det dz/deps| = sum_j log sigma_j over the event dims; of shape batch_shape().
  Tensor log_abs_det_jacobian() const;

  const Tensor& mu() const { return mu_; }
  const Tensor& sigma() const { return sigma_; }
  const Tensor& log_sigma() const { return log_sigma_; }
  const Shape& shape() const { return shape_; }  // broadcast(mu, sigma): batch + event
  Shape batch_shape() const;
  int event_dims() const { return event_dims_; }

 private:
  AffineTransform(Tensor mu, Tensor sigma, Tensor log_sigma, int event_dims);
  Tensor mu_, sigma_, log_sigma_;
  int event_dims_ = 0;
  Shape shape_;
};

}  // namespace tg::prob
