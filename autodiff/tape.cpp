// The tape: record() appends one entry per op, backward() sweeps the entries once in reverse. docs/tape.md.
#include "autodiff/tape.hpp"

#include <cmath>
#include <cstring>

#include "autodiff/kernels.hpp"
#include "autodiff/ops.hpp"

namespace tg {

namespace {
thread_local bool t_grad_enabled = true;
thread_local bool t_anomaly = false;
thread_local Tape* t_current = nullptr;

struct AnomalyOff {  // turns anomaly checks off for a scope (the backward sweep checks gradients itself)
  bool previous = t_anomaly;
  AnomalyOff() { t_anomaly = false; }
  ~AnomalyOff() { t_anomaly = previous; }
  AnomalyOff(const AnomalyOff&) = delete;
  AnomalyOff& operator=(const AnomalyOff&) = delete;
};

std::string label(const Tensor& x) { return x.name().empty() ? std::string("(unnamed)") : "'" + x.name() + "'"; }

// The index of the first NaN or Inf in x, or -1.
std::int64_t first_non_finite(const Tensor& x) {
  return dispatch(x.dtype(), [&]<class T>(T) -> std::int64_t {
    const T* p = x.data<T>();
    for (std::int64_t i = 0; i < x.numel(); ++i)
      if (!std::isfinite(p[i])) return i;
    return -1;
  });
}

// `tensor` says what x is: an op's output (by its inputs' names: it has none yet) or the gradient of an input.
void check_finite(const Tensor& x, const std::string& what, const char* op, std::int64_t index,
                  const std::string& tensor, const std::source_location& where) {
  const std::int64_t i = first_non_finite(x);
  if (i < 0) return;
  const std::string value = std::isnan(x.flat(i)) ? "nan" : std::to_string(x.flat(i));  // never "-nan"
  throw AnomalyError("anomaly: " + what + " of '" + op + "' (tape entry " + std::to_string(index) + ", tensor " +
                     tensor + ", shape " + shape_str(x.shape()) + ") has " + value + " at element " +
                     std::to_string(i) + "; the op was called at " + where_str(where));
}

// The entries lie one after another, but the tensors they name are scattered through memory, and a sweep over a
// long tape reaches each one long after it was last touched: a cache miss per tensor, which is most of the time of
// a backward or clear() over a tape of scalars (bench_scalar). So each loop first asks for the tensors of the entry
// `ahead` places on (their reference counts, flags and gradient), which arrive while it works on the current one.
constexpr std::size_t ahead = 4;
void prefetch(const Tensor& x) {
  if (const TensorImpl* t = x.impl()) {
    const auto* p = reinterpret_cast<const char*>(t);
    __builtin_prefetch(p - 16);             // the reference counts, just before the impl (allocate_shared)
    __builtin_prefetch(&t->requires_grad);  // requires_grad, grad, entry
  }
}
void prefetch(const TapeEntry& e) {
  prefetch(e.out);
  for (const Tensor& x : e.inputs) prefetch(x);
}

std::string output_label(const TensorList& inputs) {
  std::string s = "output of (";
  for (std::size_t i = 0; i < inputs.size(); ++i) s += (i ? ", " : "") + label(inputs[i]);
  return s + ")";
}
}  // namespace

std::string where_str(const std::source_location& where) {
  std::string file = where.file_name();
  // The repository root is this file's own path minus "autodiff/tape.cpp"; strip it when it matches, so that
  // tests/autodiff/test_tape.cpp is not shown as autodiff/test_tape.cpp. Otherwise guess from the folder names.
  const std::string self = std::source_location::current().file_name(), own = "autodiff/tape.cpp";
  if (self.size() > own.size() && self.ends_with(own)) {
    const std::string root = self.substr(0, self.size() - own.size());
    if (file.starts_with(root)) return file.substr(root.size()) + ":" + std::to_string(where.line());
  }
  for (const char* top : {"/autodiff/", "/prob/", "/nn/", "/vae/", "/examples/", "/tests/", "/bench/"}) {
    const auto pos = file.rfind(top);
    if (pos != std::string::npos) {
      file = file.substr(pos + 1);
      break;
    }
  }
  return file + ":" + std::to_string(where.line());
}

Tape::Tape() : state_(std::make_shared<TapeState>()) {}
Tape::~Tape() { state_->generation++; }

void Tape::clear() {
  for (std::size_t n = entries_.size(); n > 0; --n) {  // the last entry first, like the sweep
    if (n > ahead) prefetch(entries_[n - 1 - ahead]);
    entries_.pop_back();  // keeps the capacity: the next step appends without allocating
  }
  state_->generation++;
}

const TapeEntry& Tape::entry(std::size_t i) const {
  if (i >= entries_.size())
    fail("Tape::entry",
         "index " + std::to_string(i) + " is out of range for " + std::to_string(entries_.size()) + " entries");
  return entries_[i];
}

bool Tape::owns(const Tensor& x) const {
  const TensorImpl& t = *x.impl();
  // Same tape state (compared by owner: no reference count is touched) and recorded since the last clear().
  return t.entry >= 0 && t.generation == state_->generation && !t.tape.owner_before(state_) &&
         !state_.owner_before(t.tape);
}

void Tape::check_input(const char* op, const Tensor& x, std::size_t i) const {
  if (!x.defined()) fail(op, "input " + std::to_string(i) + " is an undefined Tensor");
  if (!t_grad_enabled || x.is_leaf() || owns(x)) return;  // under NoGrad a stale tensor is just its value
  fail(op, "input " + std::to_string(i) + " " + label(x) + " " + shape_str(x.shape()) +
               (x.impl()->tape.expired() || x.impl()->tape.lock() == state_
                    ? " was recorded on a tape that has since been cleared or destroyed"
                    : " was recorded on another tape than the current one") +
               "; use .detach() to take its value as a constant");
}

Tensor Tape::record(const char* op, TensorList&& inputs, const Tensor& out, std::source_location where,
                    Backward&& backward) {
  bool needs_grad = false;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    check_input(op, inputs[i], i);
    needs_grad = needs_grad || inputs[i].requires_grad();
  }
  if (t_anomaly)
    check_finite(out, "forward", op, static_cast<std::int64_t>(entries_.size()), output_label(inputs), where);
  if (!needs_grad || !t_grad_enabled) return out;
  TensorImpl& o = *out.impl();
  o.requires_grad = true;
  o.tape = state_;
  o.generation = state_->generation;
  o.entry = static_cast<std::int64_t>(entries_.size());
  entries_.emplace_back(op, std::move(inputs), out, std::move(backward), where);
  return out;
}

// Gradients add up: a tensor used twice (x*x, x+x, a diamond) receives the sum of both paths.
void Tape::accumulate(const Tensor& input, const Tensor& grad) {
  Tensor g = grad.shape() == input.shape() ? grad : sum_to(grad, input.shape());
  auto& slot = input.impl()->grad;
  if (!slot)
    slot = (input.is_leaf() ? copy(g) : g).impl_ptr();  // a leaf owns its gradient: optimisers may scale it
  else if (slot.use_count() == 1 && slot->storage.use_count() == 1 && slot->dtype == g.dtype())
    dispatch(g.dtype(), [&]<class T>(T) {  // no one else sees the gradient so far: add in place
      T* sum = static_cast<T*>(slot->data);
      kernels::binary<T>(kernels::Binary::add, g.numel(), sum, 1, g.data<T>(), 1, sum);
    });
  else
    slot = add(Tensor(slot), g).impl_ptr();
}

// Second backward: the sweep starts afresh for recorded tensors, while leaves keep accumulating (call
// zero_grad between steps). Gradients of recorded tensors stay readable (x.grad()) until clear().
void Tape::backward(const Tensor& loss, const Tensor& seed) {
  if (!loss.defined()) fail("backward", "loss is an undefined Tensor");
  if (loss.is_leaf())
    fail("backward", "loss " + label(loss) +
                         " was not computed by a recorded op (is it a leaf, "
                         "or was it computed under NoGrad or from inputs that do not require grad?)");
  if (!owns(loss)) {
    check_input("backward", loss, 0);  // names a stale tensor or another tape (except under NoGrad)
    fail("backward", "loss " + label(loss) + " was not recorded on this tape since its last clear()");
  }
  Tensor g = seed;
  if (!g.defined()) {
    if (loss.numel() != 1)
      fail("backward", "loss has shape " + shape_str(loss.shape()) +
                           "; reduce it to one element (sum, mean) or "
                           "pass a seed gradient of that shape");
    g = ones_like(loss);
  } else if (g.shape() != loss.shape() || g.dtype() != loss.dtype()) {
    fail("backward", "seed is " + shape_str(g.shape()) + " " + dtype_name(g.dtype()) + " but loss is " +
                         shape_str(loss.shape()) + " " + dtype_name(loss.dtype()));
  }
  for (TapeEntry& e : entries_) e.out.impl()->grad.reset();
  NoGrad no_grad;  // backward rules compute with ops, but record nothing
  // Anomaly mode checks each gradient below, against its entry; the ops a backward rule runs are not checked as
  // forward ops (that would blame "div" in ops/elementwise.cpp instead of the rule of "log" at the user's line).
  const bool anomaly = t_anomaly;
  const AnomalyOff anomaly_off;
  loss.impl()->grad = g.impl_ptr();
  for (std::int64_t i = loss.impl()->entry; i >= 0; --i) {
    TapeEntry& e = entries_[static_cast<std::size_t>(i)];
    if (i >= static_cast<std::int64_t>(ahead)) prefetch(entries_[static_cast<std::size_t>(i) - ahead]);
    const Tensor grad_out = e.out.grad();
    if (!grad_out.defined()) continue;  // not on a path to the loss
    const Grads grads = e.backward(grad_out);
    for (std::size_t k = 0; k < e.inputs.size(); ++k) {
      if (k >= grads.size() || !grads[k].defined() || !e.inputs[k].requires_grad()) continue;
      if (anomaly)
        check_finite(grads[k], "backward (gradient of input " + std::to_string(k) + ")", e.op, i, label(e.inputs[k]),
                     e.where);
      accumulate(e.inputs[k], grads[k]);
    }
  }
}

Tape& current_tape() {
  thread_local Tape default_tape;
  return t_current ? *t_current : default_tape;
}

TapeScope::TapeScope(Tape& tape) : previous_(t_current) { t_current = &tape; }
TapeScope::~TapeScope() { t_current = previous_; }

void backward(const Tensor& loss, const Tensor& seed) { current_tape().backward(loss, seed); }

bool grad_enabled() { return t_grad_enabled; }
NoGrad::NoGrad() : previous_(t_grad_enabled) { t_grad_enabled = false; }
NoGrad::~NoGrad() { t_grad_enabled = previous_; }

void set_anomaly_mode(bool on) { t_anomaly = on; }
bool anomaly_mode() { return t_anomaly; }
AnomalyMode::AnomalyMode() : previous_(t_anomaly) { t_anomaly = true; }
AnomalyMode::~AnomalyMode() { t_anomaly = previous_; }

}  // namespace tg
