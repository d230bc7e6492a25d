// Categorical from logits: log-probabilities by logsumexp, log_prob by a one-hot mask, sampling by inversion.
// docs/prob.md.
#include "prob/categorical.hpp"

#include "autodiff/tape.hpp"
#include "prob/stable.hpp"
#include "prob/validation.hpp"

namespace tg::prob {

namespace {

// one_hot[..., j] = (k[...] == j): shape k.shape + (n), a constant.
Tensor one_hot(const Tensor& k, std::int64_t n) {
  Tensor out = zeros(join_shapes(k.shape(), {n}), k.dtype());
  for (std::int64_t i = 0; i < k.numel(); ++i) out.set_flat(i * n + static_cast<std::int64_t>(k.flat(i)), 1.0);
  return out;
}

}  // namespace

Categorical::Categorical(Tensor logits, Tensor log_probs, int event_dims)
    : logits_(std::move(logits)), log_probs_(std::move(log_probs)), event_dims_(event_dims) {
  shape_ = Shape(logits_.shape().begin(), logits_.shape().end() - 1);
}

Categorical Categorical::from_logits(Tensor logits, int event_dims) {
  detail::check_defined("Categorical", logits, "logits");
  if (logits.dim() == 0 || logits.size(-1) == 0)
    fail("Categorical", "logits are " + shape_str(logits.shape()) + ", but need a non-empty last axis of categories");
  detail::check_event_dims("Categorical", event_dims, Shape(logits.shape().begin(), logits.shape().end() - 1));
  detail::check_finite("Categorical", logits, "logits");
  Tensor log_probs = logits - logsumexp(logits, -1, true);  // log softmax: (..., n)
  return Categorical(std::move(logits), std::move(log_probs), event_dims);
}

Tensor Categorical::probs() const { return exp(log_probs_); }
Shape Categorical::batch_shape() const { return drop_event(shape_, event_dims_); }

// log p(k) = log_probs[..., k], picked by a one-hot mask so that the gradient reaches the logits
Tensor Categorical::log_prob(const Tensor& k) const {
  detail::check_defined("Categorical", k, "value");
  detail::check_dtype("Categorical", k, "value", dtype());
  detail::check_category("Categorical", k, "value", num_categories());
  detail::broadcast_params("Categorical", k.shape(), "value", shape_, "the distribution");
  Tensor picked = sum(one_hot(k, num_categories()) * log_probs_, {-1});  // broadcast(k, shape())
  return sum_event(picked, event_dims_);
}

// By inversion: the first j with u < p_0 + ... + p_j, for u ~ U[0, 1) (the last category absorbs rounding).
Tensor Categorical::sample(Generator& gen, const Shape& sample_shape) const {
  NoGrad no_grad;
  const Tensor p = probs();
  const std::int64_t n = num_categories(), cells = shape_numel(shape_);
  Tensor out = empty(join_shapes(sample_shape, shape_), dtype());
  for (std::int64_t i = 0; i < out.numel(); ++i) {
    const std::int64_t row = (i % cells) * n;
    const double u = gen.uniform();
    double cumulative = 0.0;
    std::int64_t j = 0;
    while (j < n - 1 && !(u < (cumulative += p.flat(row + j)))) ++j;
    out.set_flat(i, static_cast<double>(j));
  }
  return out;
}

// H = -sum_j p_j log p_j (finite logits give finite log_probs, so p_j = 0 contributes 0, not NaN)
Tensor Categorical::entropy() const { return sum_event(-sum(probs() * log_probs_, {-1}), event_dims_); }

}  // namespace tg::prob
