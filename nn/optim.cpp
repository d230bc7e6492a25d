// SGD and Adam, written as the per-element loops of torch.optim's single-tensor updates (same operation
// order, scalars computed in double and applied in the parameter's dtype; Adam's loop also in SIMD, with the
// same bits), clip_grad_norm, and optimiser state get/set.
#include "nn/optim.hpp"

#include <cmath>
#include <cstring>
#include <limits>

#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/simd.hpp"

namespace tg::nn {

static std::string num(double v) { return std::to_string(v); }

Optimizer::Optimizer(NamedTensors params, double lr, const char* kind) : params_(std::move(params)), kind_(kind) {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    const auto& [name, p] = params_[i];
    if (!p.defined()) fail(kind_, "parameter " + name + " is an undefined Tensor");
    if (!p.is_leaf() || !p.requires_grad()) fail(kind_, "parameter " + name + " must be a leaf that requires grad");
    for (std::size_t j = 0; j < i; ++j)
      if (params_[j].first == name) fail(kind_, "parameter name " + name + " appears twice");
  }
  set_lr(lr);
}

void Optimizer::set_lr(double lr) {
  if (!(lr >= 0) || !std::isfinite(lr)) fail(kind_, "lr is " + num(lr) + ", but must be finite and >= 0");
  lr_ = lr;
}

void Optimizer::zero_grad() {
  for (auto& [name, p] : params_) p.zero_grad();
}

std::vector<Optimizer::BufferSpec> Optimizer::buffer_specs() const {
  std::vector<BufferSpec> specs;
  // buffers() only hands out pointers so that set_state can fill them; listing them changes nothing.
  for (const Buffer& b : const_cast<Optimizer*>(this)->buffers())
    specs.push_back({b.name, b.param->shape(), b.param->dtype(), b.required});
  return specs;
}

OptimizerState Optimizer::state() const {
  OptimizerState s{kind_, steps_, {}};
  for (const Buffer& b : const_cast<Optimizer*>(this)->buffers())
    if (b.value->defined()) s.buffers.emplace_back(b.name, copy(*b.value));
  return s;
}

static const Tensor* find_named(const NamedTensors& ts, const std::string& name) {
  for (const auto& [n, t] : ts)
    if (n == name) return &t;
  return nullptr;
}

// The first element of t that is not finite (or negative, when must_be_non_negative), as "[i] is v", or "".
static std::string first_bad_value(const Tensor& t, bool must_be_non_negative) {
  return dispatch(t.dtype(), [&]<class T>(T) -> std::string {
    const T* p = t.data<T>();
    for (std::int64_t i = 0; i < t.numel(); ++i)
      if (!std::isfinite(p[i]) || (must_be_non_negative && p[i] < 0))
        return "[" + std::to_string(i) + "] is " + (std::isnan(p[i]) ? std::string("nan") : num(p[i]));
    return "";
  });
}

void Optimizer::check_state(const OptimizerState& s) const {
  const std::string what = kind_ + "::set_state";
  if (s.kind != kind_) fail(what, "the state is of a " + s.kind + " optimiser, but this one is " + kind_);
  if (s.step < 0) fail(what, "step is " + std::to_string(s.step) + ", but must be >= 0");
  const std::vector<Buffer> mine = const_cast<Optimizer*>(this)->buffers();  // only listed, not changed
  for (const auto& [name, t] : s.buffers) {
    bool known = false;
    for (const Buffer& b : mine) known = known || b.name == name;
    if (!known) fail(what, "the state has a buffer " + name + " that this optimiser does not have");
  }
  for (const Buffer& b : mine) {
    const Tensor* t = find_named(s.buffers, b.name);
    if (!t && b.required) fail(what, "the state has no buffer " + b.name);
    if (!t) continue;
    if (!t->defined() || t->shape() != b.param->shape() || t->dtype() != b.param->dtype())
      fail(what, b.name + " is " + (t->defined() ? shape_str(t->shape()) + " " + dtype_name(t->dtype()) : "undefined") +
                     ", but must be " + shape_str(b.param->shape()) + " " + dtype_name(b.param->dtype()));
    const std::string bad = first_bad_value(*t, b.non_negative);
    if (!bad.empty()) fail(what, b.name + bad + ", but must be finite" + (b.non_negative ? " and >= 0" : ""));
  }
}

void Optimizer::set_state(const OptimizerState& s) {
  check_state(s);  // everything, before changing anything
  for (const Buffer& b : buffers()) {
    const Tensor* t = find_named(s.buffers, b.name);
    *b.value = t ? copy(*t) : Tensor();
  }
  steps_ = s.step;
}

// ---- SGD
// --------------------------------------------------------------------------------------------------------

SGD::SGD(NamedTensors params, const SgdOptions& options)
    : Optimizer(std::move(params), options.lr, "sgd"), options_(options), momentum_(params_.size()) {
  if (!(options.momentum >= 0)) fail("sgd", "momentum is " + num(options.momentum) + ", but must be >= 0");
  if (!(options.weight_decay >= 0)) fail("sgd", "weight_decay is " + num(options.weight_decay) + ", but must be >= 0");
  if (options.nesterov && (options.momentum <= 0 || options.dampening != 0))
    fail("sgd", "nesterov is on, but needs momentum > 0 and dampening 0");
}

std::vector<Optimizer::Buffer> SGD::buffers() {
  std::vector<Buffer> out;
  for (std::size_t i = 0; i < params_.size(); ++i)
    out.push_back({"momentum." + params_[i].first, &momentum_[i], &params_[i].second, false});
  return out;
}

// d = grad + wd p;  b = d (first step) or mu b + (1 - dampening) d;  d = d + mu b (Nesterov) or b;  p = p -
// lr d
template <class T>
static void sgd_update(std::int64_t n, T* p, const T* grad, T* buf, bool first, const SgdOptions& o, double lr) {
  const T wd = T(o.weight_decay), mu = T(o.momentum), keep = T(1.0 - o.dampening), minus_lr = T(-lr);
  for (std::int64_t i = 0; i < n; ++i) {
    T d = grad[i];
    if (o.weight_decay != 0) d = d + wd * p[i];
    if (buf) {
      buf[i] = first ? d : buf[i] * mu + keep * d;
      d = o.nesterov ? d + mu * buf[i] : buf[i];
    }
    p[i] = p[i] + minus_lr * d;
  }
}

void SGD::step() {
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i].second;
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    const bool first = !momentum_[i].defined();
    if (options_.momentum != 0 && first) momentum_[i] = zeros(p.shape(), p.dtype());
    dispatch(p.dtype(), [&]<class T>(T) {
      T* buf = options_.momentum != 0 ? momentum_[i].data<T>() : nullptr;
      sgd_update<T>(p.numel(), p.data<T>(), g.data<T>(), buf, first, options_, lr_);
    });
  }
  ++steps_;
}

// ---- Adam
// -------------------------------------------------------------------------------------------------------

Adam::Adam(NamedTensors params, const AdamOptions& options)
    : Optimizer(std::move(params), options.lr, "adam"), options_(options) {
  if (!(options.beta1 >= 0 && options.beta1 < 1))
    fail("adam", "beta1 is " + num(options.beta1) + ", but must be in [0, 1)");
  if (!(options.beta2 >= 0 && options.beta2 < 1))
    fail("adam", "beta2 is " + num(options.beta2) + ", but must be in [0, 1)");
  if (!(options.eps >= 0)) fail("adam", "eps is " + num(options.eps) + ", but must be >= 0");
  if (!(options.weight_decay >= 0)) fail("adam", "weight_decay is " + num(options.weight_decay) + ", but must be >= 0");
  for (const auto& [name, p] : params_) {
    m_.push_back(zeros(p.shape(), p.dtype()));
    v_.push_back(zeros(p.shape(), p.dtype()));
  }
}

std::vector<Optimizer::Buffer> Adam::buffers() {
  std::vector<Buffer> out;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    out.push_back({"m." + params_[i].first, &m_[i], &params_[i].second, true});
    out.push_back({"v." + params_[i].first, &v_[i], &params_[i].second, true, true});
  }
  return out;
}

// One Adam update at step t (>= 1), in torch.optim.Adam's operation order:
//   m = lerp(m, g, 1 - b1);  v = v b2 + ((1 - b2) g) g;  p = p + (-lr / (1 - b1^t)) m / (sqrt(v) / sqrt(1 -
//   b2^t) + eps)
// The scalars are computed once in double and applied in T, by the plain loop and by its SIMD twin alike.
template <class T>
struct AdamScalars {
  T w, b2, one_minus_b2, wd, minus_step, bc2_sqrt, eps;
  bool weight_decay;
  AdamScalars(const AdamOptions& o, double lr, std::int64_t t) {
    const double bc1 = 1.0 - std::pow(o.beta1, static_cast<double>(t));
    const double bc2 = 1.0 - std::pow(o.beta2, static_cast<double>(t));
    w = T(1.0 - o.beta1), b2 = T(o.beta2), one_minus_b2 = T(1.0 - o.beta2), wd = T(o.weight_decay);
    minus_step = T(-(lr / bc1)), bc2_sqrt = T(std::sqrt(bc2)), eps = T(o.eps), weight_decay = o.weight_decay != 0;
  }
};

template <class T>
void adam_update_reference(std::int64_t n, T* p, const T* grad, T* m, T* v, const AdamOptions& o, double lr,
                           std::int64_t t) {
  const AdamScalars<T> c(o, lr, t);
  for (std::int64_t i = 0; i < n; ++i) {
    T g = grad[i];
    if (c.weight_decay) g = g + c.wd * p[i];
    // torch.lerp: start + w (end - start) for |w| < 0.5, else end - (end - start)(1 - w)
    m[i] = c.w < T(0.5) ? m[i] + c.w * (g - m[i]) : g - (g - m[i]) * (T(1) - c.w);
    v[i] = v[i] * c.b2 + c.one_minus_b2 * g * g;
    const T denom = std::sqrt(v[i]) / c.bc2_sqrt + c.eps;
    p[i] = p[i] + c.minus_step * m[i] / denom;
  }
}

// The SIMD twin: the same expressions on W values at a time (IEEE +, *, /, sqrt: the same bits); the last n % W
// values go through the plain loop.
template <class T>
void adam_update(std::int64_t n, T* p, const T* grad, T* m, T* v, const AdamOptions& o, double lr, std::int64_t t) {
  if (kernels::reference_mode()) return adam_update_reference(n, p, grad, m, v, o, lr, t);  // the plain twin
  using V = simd::Vec<T>;
  constexpr std::int64_t W = simd::width<T>;
  const AdamScalars<T> c(o, lr, t);
  std::int64_t i = 0;
  for (; i + W <= n; i += W) {
    const V pi = simd::load(p + i);
    V g = simd::load(grad + i), mi = simd::load(m + i), vi = simd::load(v + i);
    if (c.weight_decay) g = g + c.wd * pi;
    mi = c.w < T(0.5) ? V(mi + c.w * (g - mi)) : V(g - (g - mi) * (T(1) - c.w));
    vi = vi * c.b2 + c.one_minus_b2 * g * g;
    const V denom = simd::sqrt(vi) / c.bc2_sqrt + c.eps;
    simd::store(mi, m + i);
    simd::store(vi, v + i);
    simd::store(V(pi + c.minus_step * mi / denom), p + i);
  }
  adam_update_reference(n - i, p + i, grad + i, m + i, v + i, o, lr, t);
}

template void adam_update_reference<float>(std::int64_t, float*, const float*, float*, float*, const AdamOptions&,
                                           double, std::int64_t);
template void adam_update_reference<double>(std::int64_t, double*, const double*, double*, double*, const AdamOptions&,
                                            double, std::int64_t);
template void adam_update<float>(std::int64_t, float*, const float*, float*, float*, const AdamOptions&, double,
                                 std::int64_t);
template void adam_update<double>(std::int64_t, double*, const double*, double*, double*, const AdamOptions&, double,
                                  std::int64_t);

void Adam::step() {
  if (steps_ == std::numeric_limits<std::int64_t>::max()) fail("adam", "the step count is 2^63 - 1 and cannot grow");
  ++steps_;
  for (std::size_t i = 0; i < params_.size(); ++i) {
    Tensor& p = params_[i].second;
    const Tensor g = p.grad();
    if (!g.defined()) continue;
    dispatch(p.dtype(), [&]<class T>(T) {
      adam_update<T>(p.numel(), p.data<T>(), g.data<T>(), m_[i].data<T>(), v_[i].data<T>(), options_, lr_, steps_);
    });
  }
}

// ---- clip_grad_norm
// ---------------------------------------------------------------------------------------------

double clip_grad_norm(const std::vector<Tensor>& params, double max_norm) {
  if (!(max_norm > 0)) fail("clip_grad_norm", "max_norm is " + num(max_norm) + ", but must be positive");
  double sum_sq = 0.0;  // accumulated in double over every gradient
  for (const Tensor& p : params) {
    const Tensor g = p.defined() ? p.grad() : Tensor();
    if (!g.defined()) continue;
    dispatch(g.dtype(), [&]<class T>(T) {
      const T* d = g.data<T>();
      for (std::int64_t i = 0; i < g.numel(); ++i) sum_sq += static_cast<double>(d[i]) * static_cast<double>(d[i]);
    });
  }
  const double norm = std::sqrt(sum_sq);
  const double coef = max_norm / (norm + 1e-6);
  if (coef >= 1.0) return norm;
  for (const Tensor& p : params) {
    Tensor g = p.defined() ? p.grad() : Tensor();
    if (!g.defined()) continue;
    dispatch(g.dtype(), [&]<class T>(T) {
      T* d = g.data<T>();
      for (std::int64_t i = 0; i < g.numel(); ++i) d[i] = d[i] * T(coef);
    });
  }
  return norm;
}

}  // namespace tg::nn
