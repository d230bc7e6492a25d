// Fused log-densities: the Bernoulli log-likelihood from logits and the diagonal-Normal log-density, each summed over
// its event in one pass and recorded as one tape entry, where the composition of elementwise ops would make five
// to seven passes and entries. Each block: forward, derivative comment, backward. Kernels: kernels_fused.cpp;
// math and the cancellation they avoid: docs/kernels.md.
#include "autodiff/ops/common.hpp"
#include "autodiff/runtime/thread_pool.hpp"

namespace tg {

using detail::record;

namespace {

void check_operand(const char* op, const Tensor& t, const char* name, DType dtype) {
  if (t.defined() && t.dtype() != dtype)
    fail(op, std::string(name) + " is " + dtype_name(t.dtype()) + " and x is " + dtype_name(dtype) +
                 "; tapegrad does not promote silently: convert one with tg::cast");
}

// The operands broadcast to `full`, viewed as R rows of E values: E is the product of the last event_dims axes.
struct Events {
  Shape full, batch;
  std::int64_t R = 1, E = 1;
};
Events events_in(const Shape& full, int event_dims) {
  Events ev;
  ev.full = full;
  for (auto d = full.begin(); d != full.end() - event_dims; ++d) ev.batch.push_back(*d), ev.R *= *d;
  for (auto d = full.end() - event_dims; d != full.end(); ++d) ev.E *= *d;
  return ev;
}
Events events_of(const char* op, const TensorList& operands, int event_dims) {
  Shape full;
  for (const Tensor& t : operands)
    if (t.defined()) full = broadcast_shapes(full, t.shape(), op);
  if (event_dims < 0 || event_dims > static_cast<int>(full.size()))
    fail(op, "event_dims is " + std::to_string(event_dims) + ", but the operands broadcast to " + shape_str(full) +
                 " (rank " + std::to_string(full.size()) + ")");
  return events_in(full, event_dims);
}

// True when the kernels can read t in rows as it is: full size, or repeating whole rows over the leading axes.
bool readable_as_rows(const Tensor& t, const Events& ev) {
  if (!t.defined() || t.numel() == ev.R * ev.E) return true;
  return ev.E > 0 && t.numel() > 0 && t.numel() % ev.E == 0 && detail::repeats_in(t.shape(), ev.full);
}

template <class T>
kernels::Rows<T> rows_of(const Tensor& t) {
  if (!t.defined()) return {};
  return {t.data<T>(), std::max<std::int64_t>(t.numel(), 1)};
}

// An operand that broadcasts some other way is materialised (differentiably: broadcast_to's backward sums back).
Tensor as_rows(const Tensor& t, const Events& ev) { return readable_as_rows(t, ev) ? t : broadcast_to(t, ev.full); }

}  // namespace

// log p(x | t) summed over the last event_dims axes, for logits t: x t - softplus(t), computed per element as
// (x - [t > 0]) t - log1p(e^-|t|) (no cancellation where x = 1 and t is large).
// d/dt = x - sigmoid(t),  d/dx = t
Tensor bernoulli_log_prob(const Tensor& x, const Tensor& logits, int event_dims, Where where) {
  const char* op = "bernoulli_log_prob";
  detail::check_defined(op, x, "x");
  detail::check_defined(op, logits, "logits");
  check_operand(op, logits, "logits", x.dtype());
  const Events ev = events_of(op, {x, logits}, event_dims);
  if (!readable_as_rows(x, ev) || !readable_as_rows(logits, ev))
    return bernoulli_log_prob(as_rows(x, ev), as_rows(logits, ev), event_dims, where);
  Tensor out = empty(ev.batch, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    T* po = out.data<T>();
    parallel_blocks(ev.R, kernels::cost_ns::log_prob * static_cast<double>(ev.E),
                    [&](std::int64_t r0, std::int64_t r1) {
                      kernels::bernoulli_log_prob<T>(r0, r1, ev.E, rows_of<T>(x), rows_of<T>(logits), po);
                    });
  });
  return record(op, {x, logits}, out, where, [x, logits, full = ev.full, event_dims](const Tensor& g) {
    const Events ev = events_in(full, event_dims);  // the closure keeps only the shape, to stay inside the entry
    Tensor gx = x.requires_grad() ? empty(ev.full, x.dtype()) : Tensor();
    Tensor gt = logits.requires_grad() ? empty(ev.full, x.dtype()) : Tensor();
    dispatch(x.dtype(), [&]<class T>(T) {
      T* pgx = gx.defined() ? gx.data<T>() : nullptr;
      T* pgt = gt.defined() ? gt.data<T>() : nullptr;
      parallel_blocks(ev.R, kernels::cost_ns::log_prob_backward * static_cast<double>(ev.E),
                      [&](std::int64_t r0, std::int64_t r1) {
                        kernels::bernoulli_log_prob_backward<T>(r0, r1, ev.E, rows_of<T>(x), rows_of<T>(logits),
                                                                g.data<T>(), pgx, pgt);
                      });
    });
    return Grads{gx, gt};
  });
}

// log N(x; mu, sigma^2) summed over the last event_dims axes, with sigma = e^log_sigma:
//   -1/2 y^2 - log_sigma - 1/2 log(2 pi),  y = (x - mu) e^-log_sigma  (sigma^2 is never formed)
// d/dx = -y / sigma,  d/dmu = y / sigma,  d/dlog_sigma = y^2 - 1.  An undefined mu or log_sigma is 0.
Tensor normal_log_prob(const Tensor& x, const Tensor& mu, const Tensor& log_sigma, int event_dims, Where where) {
  const char* op = "normal_log_prob";
  detail::check_defined(op, x, "x");
  check_operand(op, mu, "mu", x.dtype());
  check_operand(op, log_sigma, "log_sigma", x.dtype());
  const Events ev = events_of(op, {x, mu, log_sigma}, event_dims);
  if (!readable_as_rows(x, ev) || !readable_as_rows(mu, ev) || !readable_as_rows(log_sigma, ev))
    return normal_log_prob(as_rows(x, ev), mu.defined() ? as_rows(mu, ev) : mu,
                           log_sigma.defined() ? as_rows(log_sigma, ev) : log_sigma, event_dims, where);
  Tensor out = empty(ev.batch, x.dtype());
  dispatch(x.dtype(), [&]<class T>(T) {
    T* po = out.data<T>();
    parallel_blocks(
        ev.R, kernels::cost_ns::log_prob * static_cast<double>(ev.E), [&](std::int64_t r0, std::int64_t r1) {
          kernels::normal_log_prob<T>(r0, r1, ev.E, rows_of<T>(x), rows_of<T>(mu), rows_of<T>(log_sigma), po);
        });
  });
  TensorList inputs{x};
  if (mu.defined()) inputs.push_back(mu);
  if (log_sigma.defined()) inputs.push_back(log_sigma);
  return record(op, std::move(inputs), out, where, [x, mu, log_sigma, full = ev.full, event_dims](const Tensor& g) {
    const Events ev = events_in(full, event_dims);  // the closure keeps only the shape, to stay inside the entry
    auto grad_for = [&](const Tensor& t) {
      return t.defined() && t.requires_grad() ? empty(ev.full, x.dtype()) : Tensor();
    };
    Tensor gx = grad_for(x), gmu = grad_for(mu), gls = grad_for(log_sigma);
    dispatch(x.dtype(), [&]<class T>(T) {
      auto ptr = [](Tensor& t) { return t.defined() ? t.data<T>() : nullptr; };
      T *pgx = ptr(gx), *pgmu = ptr(gmu), *pgls = ptr(gls);
      parallel_blocks(ev.R, kernels::cost_ns::log_prob_backward * static_cast<double>(ev.E),
                      [&](std::int64_t r0, std::int64_t r1) {
                        kernels::normal_log_prob_backward<T>(r0, r1, ev.E, rows_of<T>(x), rows_of<T>(mu),
                                                             rows_of<T>(log_sigma), g.data<T>(), pgx, pgmu, pgls);
                      });
    });
    Grads grads{gx};
    if (mu.defined()) grads.push_back(gmu);
    if (log_sigma.defined()) grads.push_back(gls);
    return grads;
  });
}

}  // namespace tg
