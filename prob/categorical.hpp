// The categorical distribution from logits over the last axis (normalised in log space with logsumexp).
// API and numerical choices: docs/prob.md.
#pragma once
#include <cstdint>

#include "autodiff/ops.hpp"
#include "autodiff/random.hpp"

namespace tg::prob {

// Categorical over n categories: logits of shape (..., n), categories on the last axis. Values are category indices
// 0..n-1 stored in the logits' dtype, of shape shape() = logits' shape without its last axis; the last `event_dims`
// axes of shape() are the event. Categories are labels, so there is no mean or variance.
class Categorical {
 public:
  static Categorical from_logits(Tensor logits, int event_dims = 0);

  const Tensor& logits() const { return logits_; }
  const Tensor& log_probs() const { return log_probs_; }  // logits - logsumexp(logits): (..., n)
  Tensor probs() const;                                   // exp(log_probs)
  std::int64_t num_categories() const { return logits_.size(-1); }
  const Shape& shape() const { return shape_; }
  Shape batch_shape() const;
  int event_dims() const { return event_dims_; }
  DType dtype() const { return logits_.dtype(); }

  Tensor log_prob(const Tensor& k) const;                               // log_probs[..., k], summed over the event
  Tensor sample(Generator& gen, const Shape& sample_shape = {}) const;  // indices; no gradient
  Tensor entropy() const;                                               // -sum_k p_k log p_k, summed over the event

 private:
  Categorical(Tensor logits, Tensor log_probs, int event_dims);
  Tensor logits_, log_probs_;
  int event_dims_;
  Shape shape_;
};

}  // namespace tg::prob
