// Normal (diagonal, from scale or log-variance) and StandardNormal: log_prob through (x - mu) / sigma, never sigma^2;
// rsample through the affine transform, see (reparam.1). Math: docs/derivations/reparam.md; choices: docs/prob.md.
#include "prob/normal.hpp"

#include <cmath>

#include "autodiff/tape.hpp"
#include "prob/stable.hpp"
#include "prob/validation.hpp"

namespace tg::prob {

namespace {

// sigma = exp(log_var / 2) must be positive and finite in the dtype: log_var within about [-1490, 1419] in float64,
// [-207, 177] in float32.
void check_sigma_of_log_var(const Tensor& log_var) {
  if (!validation_enabled()) return;
  dispatch(log_var.dtype(), [&]<class T>(T) {
    const T* lv = log_var.data<T>();
    for (std::int64_t i = 0; i < log_var.numel(); ++i) {
      const T sigma = std::exp(lv[i] * T(0.5));
      if (!(sigma > 0) || std::isinf(sigma))
        fail("Normal", "log_var" + detail::index_str(log_var.shape(), i) + " is " + detail::value_str(lv[i]) +
                           ", so sigma = exp(log_var / 2) is " + detail::value_str(sigma) + " in " +
                           dtype_name(log_var.dtype()) + ", but must be positive and finite");
    }
  });
}

// Returns broadcast(x, shape): the shape of the log-probabilities before the sum over the event.
Shape check_value(const char* who, const Tensor& x, DType dtype, const Shape& shape) {
  detail::check_defined(who, x, "value");
  detail::check_dtype(who, x, "value", dtype);
  detail::check_not_nan(who, x, "value");
  return detail::broadcast_params(who, x.shape(), "value", shape, "the distribution");
}

}  // namespace

// ---- Normal -----------------------------------------------------------------------------------------------------

Normal Normal::from_scale(Tensor loc, Tensor scale, int event_dims) {
  detail::check_defined("Normal", loc, "loc");
  detail::check_defined("Normal", scale, "scale");
  detail::check_dtype("Normal", scale, "scale", loc.dtype());
  const Shape shape = detail::broadcast_params("Normal", loc.shape(), "loc", scale.shape(), "scale");
  detail::check_event_dims("Normal", event_dims, shape);
  detail::check_finite("Normal", loc, "loc");
  detail::check_positive_finite("Normal", scale, "scale");
  ValidationScope checked(false);  // the transform would repeat the scan of scale
  return Normal(AffineTransform(std::move(loc), std::move(scale), event_dims), Tensor());
}

Normal Normal::from_log_var(Tensor loc, Tensor log_var, int event_dims) {
  detail::check_defined("Normal", loc, "loc");
  detail::check_defined("Normal", log_var, "log_var");
  detail::check_dtype("Normal", log_var, "log_var", loc.dtype());
  const Shape shape = detail::broadcast_params("Normal", loc.shape(), "loc", log_var.shape(), "log_var");
  detail::check_event_dims("Normal", event_dims, shape);
  detail::check_finite("Normal", loc, "loc");
  detail::check_finite("Normal", log_var, "log_var");
  check_sigma_of_log_var(log_var);
  Tensor log_sigma = log_var * 0.5;  // log sigma = 1/2 log sigma^2, taken directly: sigma^2 is never formed
  ValidationScope checked(false);    // the transform would repeat the scans
  AffineTransform t = AffineTransform::from_log_scale(std::move(loc), std::move(log_sigma), event_dims);
  return Normal(std::move(t), std::move(log_var));
}

Tensor Normal::log_var() const { return log_var_.defined() ? log_var_ : log_scale() * 2.0; }

// log N(x; mu, sigma^2) = -1/2 ((x - mu) / sigma)^2 - log sigma - 1/2 log(2 pi), summed over the event in one
// pass by tg::normal_log_prob, with (x - mu) / sigma = (x - mu) e^-log sigma (t_.inverse's form): no sigma^2 to
// overflow, and the gradient with respect to log sigma is y^2 - 1.
Tensor Normal::log_prob(const Tensor& x) const {
  // (reparam.4) with x held fixed (detached), backward through this gives the score grad_phi log q_phi(x) of the
  // score-function estimator
  check_value("Normal", x, dtype(), shape());
  return normal_log_prob(x, loc(), log_scale(), event_dims());  // broadcast(x, shape()) without the event
}

Tensor Normal::sample(Generator& gen, const Shape& sample_shape) const {
  NoGrad no_grad;
  return rsample(gen, sample_shape);
}

// z = mu + sigma * eps, eps ~ N(0, I) of shape sample_shape + shape(): see (reparam.1)
Tensor Normal::rsample(Generator& gen, const Shape& sample_shape) const {
  return rsample_with(randn(join_shapes(sample_shape, shape()), gen, dtype()));
}

Tensor Normal::rsample_with(const Tensor& eps) const {
  // (reparam.1) z = mu + sigma eps, computed by AffineTransform::forward with the add and mul ops, which record it
  // on the tape; their backward rules give the pathwise gradient (reparam.3): dz/dmu = 1 and dz/dsigma = eps, with
  // eps held fixed (and dsigma/dlog_var = sigma / 2 from the exp op when q comes from a log-variance).
  return t_.forward(eps);
}

// H = 1/2 + 1/2 log(2 pi) + log sigma per coordinate, summed over the event
Tensor Normal::entropy() const {
  return sum_event(broadcast_to(log_scale(), shape()) + (0.5 + half_log_2pi), event_dims());
}

Tensor Normal::mean() const { return broadcast_to(loc(), shape()); }

// sigma^2 = exp(log_var) from a log-variance, scale * scale from a scale
Tensor Normal::variance() const { return broadcast_to(log_var_.defined() ? exp(log_var_) : square(scale()), shape()); }

// ---- StandardNormal ---------------------------------------------------------------------------------------------

StandardNormal::StandardNormal(Shape shape, DType dtype, int event_dims)
    : shape_(std::move(shape)), dtype_(dtype), event_dims_(event_dims) {
  detail::check_event_dims("StandardNormal", event_dims_, shape_);
}

Shape StandardNormal::batch_shape() const { return drop_event(shape_, event_dims_); }

Normal StandardNormal::as_normal() const {
  return Normal::from_log_var(zeros(shape_, dtype_), zeros(shape_, dtype_), event_dims_);
}

// log N(x; 0, 1) = -1/2 x^2 - 1/2 log(2 pi), summed over the event in one pass (mu = log sigma = 0)
Tensor StandardNormal::log_prob(const Tensor& x) const {
  const Tensor xb = broadcast_to(x, check_value("StandardNormal", x, dtype_, shape_));
  return normal_log_prob(xb, Tensor(), Tensor(), event_dims_);
}

Tensor StandardNormal::sample(Generator& gen, const Shape& sample_shape) const {
  return randn(join_shapes(sample_shape, shape_), gen, dtype_);
}

Tensor StandardNormal::entropy() const { return sum_event(full(shape_, 0.5 + half_log_2pi, dtype_), event_dims_); }
Tensor StandardNormal::mean() const { return zeros(shape_, dtype_); }
Tensor StandardNormal::variance() const { return ones(shape_, dtype_); }

}  // namespace tg::prob
