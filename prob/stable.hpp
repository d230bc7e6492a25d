// Numerically stable building blocks of the distributions: log-mean-exp (the IWAE average of importance weights in
// log space) and the sum over event dimensions. Both are differentiable (autodiff ops). Math: docs/prob.md.
#pragma once
#include <cstdint>
#include <source_location>

#include "autodiff/ops.hpp"

namespace tg::prob {

inline constexpr double half_log_2pi = 0.91893853320467274178;  // 1/2 log(2 pi)

// log((1/n) sum_i exp(x_i)) along `axis` = logsumexp(x, axis) - log n. Never forms exp(x): log_mean_exp of
// {-1000, -1000} is -1000, of {1000, 1000} is 1000. The gradient is softmax(x) along the axis.
Tensor log_mean_exp(const Tensor& x, std::int64_t axis, bool keepdim = false,
                    std::source_location where = std::source_location::current());

// Sum over the last `event_dims` axes (the event of a distribution); x itself when event_dims == 0.
Tensor sum_event(const Tensor& x, int event_dims, std::source_location where = std::source_location::current());

// sample_shape followed by shape: the shape of sample(gen, sample_shape).
Shape join_shapes(const Shape& sample_shape, const Shape& shape);

// The shape without its last `event_dims` axes.
Shape drop_event(const Shape& shape, int event_dims);

}  // namespace tg::prob
