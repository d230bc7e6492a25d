// The Bernoulli distribution from logits (the decoder of binary images), with log_prob = x t - softplus(t), which
// stays exact for any logit. API and numerical choices: docs/prob.md.
#pragma once
#include "autodiff/ops.hpp"
#include "autodiff/random.hpp"

namespace tg::prob {

// Bernoulli(sigmoid(t)) for logits t; the last `event_dims` axes of the logits are the event (summed by log_prob
// and entropy). Values x may be anywhere in [0, 1]: for x in {0, 1} log_prob is the log-probability, for x in
// between it is minus the binary cross-entropy (grey-level images, as in most VAE code).
class Bernoulli {
 public:
  static Bernoulli from_logits(Tensor logits, int event_dims = 0);

  const Tensor& logits() const { return logits_; }  // t
  Tensor probs() const;                             // sigmoid(t)
  const Shape& shape() const { return logits_.shape(); }
  Shape batch_shape() const;
  int event_dims() const { return event_dims_; }
  DType dtype() const { return logits_.dtype(); }

  Tensor log_prob(const Tensor& x) const;                               // x t - softplus(t), summed over the event
  Tensor sample(Generator& gen, const Shape& sample_shape = {}) const;  // values 0 or 1; no gradient
  Tensor entropy() const;   // softplus(-|t|) + |t| sigmoid(-|t|), summed over the event
  Tensor mean() const;      // sigmoid(t)
  Tensor variance() const;  // sigmoid(t) sigmoid(-t)

 private:
  Bernoulli(Tensor logits, int event_dims) : logits_(std::move(logits)), event_dims_(event_dims) {}
  Tensor logits_;
  int event_dims_;
};

}  // namespace tg::prob
