// The tape: record() appends one entry per op, backward() sweeps the entries once in reverse, accumulate() adds
// each gradient into its input. docs/tape.md; the fast path's helpers are in autodiff/runtime/.
#include "autodiff/tape.hpp"

#include <cmath>

#include "autodiff/ops.hpp"
#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/prefetch.hpp"

namespace tg {

namespace detail {
constinit thread_local bool grad_on = true;
constinit thread_local bool anomaly_on = false;
}  // namespace detail

namespace {
std::string label(const Tensor& x) { return x.name().empty() ? std::string("(unnamed)") : "'" + x.name() + "'"; }
std::string output_label(const TensorList& inputs);
void check_finite(const Tensor& x, const std::string& what, const char* op, std::int64_t index,
                  const std::string& tensor, const std::source_location& where);
void prefetch_entry(const TapeEntry& e);

struct AnomalyOff {  // anomaly checks off for a scope: the sweep checks each gradient itself
  bool previous = detail::anomaly_on;
  AnomalyOff() { detail::anomaly_on = false; }
  ~AnomalyOff() { detail::anomaly_on = previous; }
  AnomalyOff(const AnomalyOff&) = delete;
  AnomalyOff& operator=(const AnomalyOff&) = delete;
};

// An input no op may take: undefined, or (while recording) recorded on another tape or before the last clear(),
// where `now` is the current tape's generation. A leaf, or any tensor under NoGrad, is just its values.
bool unusable(const TensorImpl* x, std::uint64_t now) {
  return !x || (detail::grad_on && x->entry >= 0 && x->generation != now);
}
}  // namespace

// ---- record -----------------------------------------------------------------------------------------------------

bool Tape::wants_entry(const char* op, const TensorList& inputs, const Tensor& out, const std::source_location& where) {
  bool needs_grad = false;
  const std::uint64_t now = generation();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const TensorImpl* x = inputs[i].impl();
    if (unusable(x, now)) [[unlikely]]
      bad_input(op, inputs[i], i);
    needs_grad = needs_grad || x->requires_grad;
  }
  if (detail::anomaly_on)
    check_finite(out, "forward", op, static_cast<std::int64_t>(entries_.size()), output_label(inputs), where);
  return needs_grad && detail::grad_on;
}

// ---- the reverse sweep ------------------------------------------------------------------------------------------

// dL/d(loss) = seed, then for each entry from the last to the first: its rule turns dL/d(out) into dL/d(inputs),
// which are added to what the inputs have already received. Second backward: recorded tensors start afresh,
// leaves keep accumulating (call zero_grad between steps).
void Tape::backward(const Tensor& loss, const Tensor& seed) {
  const Tensor g = seed_of(loss, seed);
  for (TapeEntry& e : entries_) e.out.impl()->grad.reset();
  NoGrad no_grad;                           // backward rules compute with ops, but record nothing
  const bool anomaly = detail::anomaly_on;  // checked here, per gradient, not per op the rules run
  const AnomalyOff anomaly_off;
  loss.impl()->grad = g.impl_ptr();
  for (std::int64_t i = loss.impl()->entry; i >= 0; --i) {
    TapeEntry& e = entries_[static_cast<std::size_t>(i)];
    if (i >= std::int64_t(prefetch_ahead)) prefetch_entry(entries_[std::size_t(i) - prefetch_ahead]);
    const Tensor grad_out = e.out.grad();
    if (!grad_out.defined()) continue;  // not on a path to the loss
    Grads grads = e.backward(grad_out);
    for (std::size_t k = 0; k < e.inputs.size() && k < grads.size(); ++k) {
      if (!grads[k].defined() || !e.inputs[k].requires_grad()) continue;
      if (anomaly)
        check_finite(grads[k], "backward (gradient of input " + std::to_string(k) + ")", e.op, i, label(e.inputs[k]),
                     e.where);
      accumulate(e.inputs[k], std::move(grads[k]));
    }
  }
}

// ---- accumulate -------------------------------------------------------------------------------------------------

// Gradients add up: a tensor used twice (x*x, x+x, a diamond) receives the sum of both paths. A gradient of the
// broadcast output's shape is first summed back to the input's shape.
void Tape::accumulate(const Tensor& input, Tensor&& grad) {
  Tensor g = grad.shape() == input.shape() ? std::move(grad) : sum_to(grad, input.shape());
  std::shared_ptr<TensorImpl>& sum = input.impl()->grad;
  if (!sum)  // the first gradient; a leaf gets its own copy, which optimisers may scale in place
    sum = input.is_leaf() ? copy(g).impl_ptr() : std::move(g).impl_ptr();
  else if (sole_owner(sum) && sum->dtype == g.dtype())  // no other handle or view sees the sum: add in place
    dispatch(g.dtype(), [&]<class T>(T) {
      T* s = static_cast<T*>(sum->data);
      kernels::binary<T>(kernels::Binary::add, g.numel(), s, 1, g.data<T>(), 1, s);
    });
  else
    sum = add(Tensor(sum), g).impl_ptr();
}

// ---- checks -----------------------------------------------------------------------------------------------------

Tensor Tape::seed_of(const Tensor& loss, const Tensor& seed) const {
  if (!loss.defined()) fail("backward", "loss is an undefined Tensor");
  if (loss.is_leaf())
    fail("backward", "loss " + label(loss) +
                         " was not computed by a recorded op (is it a leaf, "
                         "or was it computed under NoGrad or from inputs that do not require grad?)");
  if (!owns(loss)) {
    check_input("backward", loss, 0);  // names a stale tensor or another tape (except under NoGrad)
    fail("backward", "loss " + label(loss) + " was not recorded on this tape since its last clear()");
  }
  if (!seed.defined()) {
    if (loss.numel() != 1)
      fail("backward", "loss has shape " + shape_str(loss.shape()) +
                           "; reduce it to one element (sum, mean) or pass a seed gradient of that shape");
    return ones_like(loss);
  }
  if (seed.shape() != loss.shape() || seed.dtype() != loss.dtype())
    fail("backward", "seed is " + shape_str(seed.shape()) + " " + dtype_name(seed.dtype()) + " but loss is " +
                         shape_str(loss.shape()) + " " + dtype_name(loss.dtype()));
  return seed;
}

bool Tape::owns(const Tensor& x) const {
  const TensorImpl& t = *x.impl();
  return t.entry >= 0 && t.generation == generation();  // no other tape, and no earlier clear(), had it
}

void Tape::check_input(const char* op, const Tensor& x, std::size_t i) const {
  if (unusable(x.impl(), generation())) [[unlikely]]
    bad_input(op, x, i);
}

void Tape::bad_input(const char* op, const Tensor& x, std::size_t i) const {
  if (!x.defined()) fail(op, "input " + std::to_string(i) + " is an undefined Tensor");
  fail(op, "input " + std::to_string(i) + " " + label(x) + " " + shape_str(x.shape()) +
               (is_live_generation(x.impl()->generation)
                    ? " was recorded on another tape than the current one"
                    : " was recorded on a tape that has since been cleared or destroyed") +
               "; use .detach() to take its value as a constant");
}

// ---- the tape's life ---------------------------------------------------------------------------------------------

Tape::Tape() : generation_(new_generation()), alive_(std::make_shared<bool>(true)) { register_tape(this); }
Tape::~Tape() {
  *alive_ = false;
  unregister_tape(this);
}

void Tape::clear() {
  for (std::size_t n = entries_.size(); n > 0; --n) {  // the last entry first, like the sweep
    if (n > prefetch_ahead) prefetch_entry(entries_[n - 1 - prefetch_ahead]);
    entries_.pop_back();  // keeps the capacity: the next step appends without allocating
  }
  generation_.store(new_generation(), std::memory_order_relaxed);
}

const TapeEntry& Tape::entry(std::size_t i) const {
  if (i >= entries_.size())
    fail("Tape::entry",
         "index " + std::to_string(i) + " is out of range for " + std::to_string(entries_.size()) + " entries");
  return entries_[i];
}

namespace {
thread_local Tape* t_current = nullptr;              // null: the thread's default tape
thread_local const bool* t_current_alive = nullptr;  // the selected tape's liveness, owned by its TapeScope
}  // namespace

Tape& current_tape() {
  thread_local Tape default_tape;
  if (!t_current) return default_tape;
  if (!*t_current_alive) [[unlikely]]
    fail("current_tape",
         "the tape a TapeScope selected was destroyed while the scope was alive; "
         "end the TapeScope before its Tape (declare the Tape first)");
  return *t_current;
}

TapeScope::TapeScope(Tape& tape) : previous_(t_current), alive_(tape.alive_) {
  if (previous_) previous_alive_ = *t_current_alive ? previous_->alive_ : std::make_shared<bool>(false);
  t_current = &tape;
  t_current_alive = alive_.get();
}
TapeScope::~TapeScope() {
  t_current = previous_;
  t_current_alive = previous_alive_.get();
}

void backward(const Tensor& loss, const Tensor& seed) { current_tape().backward(loss, seed); }

// ---- modes --------------------------------------------------------------------------------------------------------

NoGrad::NoGrad() : previous_(detail::grad_on) { detail::grad_on = false; }
NoGrad::~NoGrad() { detail::grad_on = previous_; }

void set_anomaly_mode(bool on) { detail::anomaly_on = on; }
AnomalyMode::AnomalyMode() : previous_(detail::anomaly_on) { detail::anomaly_on = true; }
AnomalyMode::~AnomalyMode() { detail::anomaly_on = previous_; }

namespace {
std::string output_label(const TensorList& inputs) {
  std::string s = "output of (";
  for (std::size_t i = 0; i < inputs.size(); ++i) s += (i ? ", " : "") + label(inputs[i]);
  return s + ")";
}

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

void prefetch_entry(const TapeEntry& e) {
  prefetch_record(e.out.impl());
  for (const Tensor& x : e.inputs) prefetch_record(x.impl());
}
}  // namespace

}  // namespace tg
