// The diagonal Normal distribution (from loc and scale, or from loc and log-variance with log sigma = 1/2 log_var
// taken directly) and the standard normal N(0, I). Math: docs/derivations/reparam.md, docs/derivations/kl.md;
// API and numerical choices: docs/prob.md.
#pragma once
#include "autodiff/ops.hpp"
#include "autodiff/random.hpp"
#include "prob/transforms.hpp"

namespace tg::prob {

// N(mu, diag sigma^2), the pushforward of N(0, I) by z = mu + sigma * eps. loc and scale broadcast against each
// other; their broadcast shape is batch_shape + event_shape, the last `event_dims` axes being the event:
// log_prob and entropy sum over them (like torch's Independent). Shapes: (B, D) with event_dims = 1 is the encoder.
class Normal {
 public:
  static Normal from_scale(Tensor loc, Tensor scale, int event_dims = 0);      // sigma = scale > 0
  static Normal from_log_var(Tensor loc, Tensor log_var, int event_dims = 0);  // log sigma = 1/2 log_var

  const Tensor& loc() const { return t_.mu(); }               // mu
  const Tensor& scale() const { return t_.sigma(); }          // sigma
  const Tensor& log_scale() const { return t_.log_sigma(); }  // log sigma, never log(exp(.)) from log_var
  Tensor log_var() const;                                     // log sigma^2: the given log_var, or 2 log sigma
  const Shape& shape() const { return t_.shape(); }           // batch + event
  Shape batch_shape() const { return t_.batch_shape(); }
  int event_dims() const { return t_.event_dims(); }
  DType dtype() const { return loc().dtype(); }
  const AffineTransform& transform() const { return t_; }  // z = mu + sigma * eps

  // log N(x; mu, sigma^2) summed over the event: shape broadcast(x, shape()) without the event axes.
  Tensor log_prob(const Tensor& x) const;
  Tensor sample(Generator& gen, const Shape& sample_shape = {}) const;   // no gradient
  Tensor rsample(Generator& gen, const Shape& sample_shape = {}) const;  // z = mu + sigma * eps, eps ~ N(0, I)
  Tensor rsample_with(const Tensor& eps) const;  // the same for given noise: frozen-noise checks, the (x, eps) view
  Tensor entropy() const;                        // batch_shape
  Tensor mean() const;                           // shape(): mu
  Tensor variance() const;                       // shape(): sigma^2

 private:
  Normal(AffineTransform t, Tensor log_var) : t_(std::move(t)), log_var_(std::move(log_var)) {}
  AffineTransform t_;
  Tensor log_var_;  // defined when built from log_var
};

// N(0, I) of a fixed shape: the prior p(z) and the law of eps. It has no parameters, so rsample is sample.
class StandardNormal {
 public:
  explicit StandardNormal(Shape shape, DType dtype = f32, int event_dims = 0);

  const Shape& shape() const { return shape_; }
  Shape batch_shape() const;
  int event_dims() const { return event_dims_; }
  DType dtype() const { return dtype_; }
  Normal as_normal() const;  // Normal::from_log_var(0, 0): sigma = 1 exactly

  Tensor log_prob(const Tensor& x) const;  // -1/2 x^2 - 1/2 log 2 pi, summed over the event
  Tensor sample(Generator& gen, const Shape& sample_shape = {}) const;
  Tensor rsample(Generator& gen, const Shape& sample_shape = {}) const { return sample(gen, sample_shape); }
  Tensor entropy() const;
  Tensor mean() const;
  Tensor variance() const;

 private:
  Shape shape_;
  DType dtype_;
  int event_dims_;
};

}  // namespace tg::prob
