// Bernoulli from logits: log_prob = x t - softplus(t) (the fused tg::bernoulli_log_prob) and an entropy without
// cancellation. docs/prob.md.
#include "prob/bernoulli.hpp"

#include "autodiff/tape.hpp"
#include "prob/stable.hpp"
#include "prob/validation.hpp"

namespace tg::prob {

Bernoulli Bernoulli::from_logits(Tensor logits, int event_dims) {
  detail::check_defined("Bernoulli", logits, "logits");
  detail::check_event_dims("Bernoulli", event_dims, logits.shape());
  detail::check_finite("Bernoulli", logits, "logits");
  return Bernoulli(std::move(logits), event_dims);
}

Tensor Bernoulli::probs() const { return sigmoid(logits_); }
Shape Bernoulli::batch_shape() const { return drop_event(shape(), event_dims_); }

// log p(x) = x log sigmoid(t) + (1 - x) log sigmoid(-t) = x t - softplus(t), since log sigmoid(t) = t - softplus(t)
// and log sigmoid(-t) = -softplus(t). tg::bernoulli_log_prob computes it in one pass, per element as
// (x - [t > 0]) t - log1p(e^-|t|): that never overflows, and where x t and softplus(t) nearly cancel (x = 1,
// t = 30: log p = -log1p(e^-30) = -9.36e-14) it keeps full precision, where 30 - softplus(30) would keep two digits
// in float64 and none in float32. d/dt = x - sigmoid(t) is always finite.
Tensor Bernoulli::log_prob(const Tensor& x) const {
  detail::check_defined("Bernoulli", x, "value");
  detail::check_dtype("Bernoulli", x, "value", dtype());
  detail::check_unit_interval("Bernoulli", x, "value");
  detail::broadcast_params("Bernoulli", x.shape(), "value", shape(), "the distribution");
  return bernoulli_log_prob(x, logits_, event_dims_);  // broadcast(x, t) without the event
}

Tensor Bernoulli::sample(Generator& gen, const Shape& sample_shape) const {
  NoGrad no_grad;
  return bernoulli(broadcast_to(probs(), join_shapes(sample_shape, shape())), gen);
}

// H = softplus(t) - t sigmoid(t). It is even in t, and for t = |t| >= 0 it equals softplus(-|t|) + |t| sigmoid(-|t|):
// two small non-negative terms instead of the difference of two large ones.
Tensor Bernoulli::entropy() const {
  Tensor a = abs(logits_);  // |t|
  return sum_event(softplus(-a) + a * sigmoid(-a), event_dims_);
}

Tensor Bernoulli::mean() const { return sigmoid(logits_); }
Tensor Bernoulli::variance() const { return sigmoid(logits_) * sigmoid(-logits_); }  // p (1 - p) without 1 - p

}  // namespace tg::prob
