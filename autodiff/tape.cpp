// The tape: record() appends one entry per op, backward() sweeps the entries once in reverse. docs/tape.md.
#include "autodiff/tape.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <mutex>

#include "autodiff/kernels.hpp"
#include "autodiff/ops.hpp"

namespace tg {

namespace detail {
constinit thread_local bool grad_on = true;
constinit thread_local bool anomaly_on = false;
}  // namespace detail

namespace {
thread_local Tape* t_current = nullptr;

struct AnomalyOff {  // turns anomaly checks off for a scope (the backward sweep checks gradients itself)
  bool previous = detail::anomaly_on;
  AnomalyOff() { detail::anomaly_on = false; }
  ~AnomalyOff() { detail::anomaly_on = previous; }
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
// `ahead` places on (their records), which arrive while it works on the current one.
constexpr std::size_t ahead = 4;
void prefetch(const Tensor& x) {
  if (const TensorImpl* t = x.impl()) {
    // The whole record, from the reference counts just before it (allocate_shared puts them there): the sweep
    // reads its shape, flags and gradient, and a scalar's values live at its end.
    const auto* p = reinterpret_cast<const char*>(t);
    for (std::ptrdiff_t offset = -16; offset < static_cast<std::ptrdiff_t>(sizeof(TensorImpl)); offset += 64)
      __builtin_prefetch(p + offset);
  }
}
void prefetch(const TapeEntry& e) {
  prefetch(e.out);
  for (const Tensor& x : e.inputs) prefetch(x);
}

// An input no op may take: undefined, or (while recording) recorded on another tape or before the last clear(),
// where `now` is the current tape's generation. A leaf, or any tensor under NoGrad, is just its values.
bool unusable(const TensorImpl* x, std::uint64_t now) {
  return !x || (detail::grad_on && x->entry >= 0 && x->generation != now);
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

namespace detail {
// Every tape that exists, so that an error can say whether a tensor's tape is still there (gdb/tapegrad.py reads
// it too). Touched when a tape is made or destroyed and when an error is reported, never by an op that succeeds.
struct LiveTapes {
  std::mutex mutex;
  std::vector<const Tape*> tapes;
};
LiveTapes& live_tapes() {
  static LiveTapes* registry = new LiveTapes;  // never destroyed: thread-local tapes may outlive static destructors
  return *registry;
}
}  // namespace detail
using detail::live_tapes;

namespace {
std::uint64_t new_generation() {
  static std::atomic<std::uint64_t> last{0};
  return last.fetch_add(1, std::memory_order_relaxed) + 1;
}
}  // namespace

Tape::Tape() : generation_(new_generation()) {
  std::lock_guard lock(live_tapes().mutex);
  live_tapes().tapes.push_back(this);
}
Tape::~Tape() {
  std::lock_guard lock(live_tapes().mutex);
  auto& tapes = live_tapes().tapes;
  tapes.erase(std::find(tapes.begin(), tapes.end(), this));
}

bool is_live_generation(std::uint64_t generation) {
  std::lock_guard lock(live_tapes().mutex);
  for (const Tape* tape : live_tapes().tapes)
    if (tape->generation() == generation) return true;
  return false;
}

void Tape::clear() {
  for (std::size_t n = entries_.size(); n > 0; --n) {  // the last entry first, like the sweep
    if (n > ahead) prefetch(entries_[n - 1 - ahead]);
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

bool Tape::needs_entry(const char* op, const TensorList& inputs, const Tensor& out, const std::source_location& where) {
  bool needs_grad = false;
  const std::uint64_t now = generation();
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    const TensorImpl* x = inputs[i].impl();
    if (unusable(x, now)) [[unlikely]]
      bad_input(op, inputs[i], i);  // check_input, with the generation read once
    needs_grad = needs_grad || x->requires_grad;
  }
  if (detail::anomaly_on)
    check_finite(out, "forward", op, static_cast<std::int64_t>(entries_.size()), output_label(inputs), where);
  if (!needs_grad || !detail::grad_on) return false;
  TensorImpl& o = *out.impl();
  o.requires_grad = true;
  o.generation = generation();
  o.entry = static_cast<std::int64_t>(entries_.size());
  return true;
}

// Gradients add up: a tensor used twice (x*x, x+x, a diamond) receives the sum of both paths.
void Tape::accumulate(const Tensor& input, Tensor&& grad) {
  Tensor g = grad.shape() == input.shape() ? std::move(grad) : sum_to(grad, input.shape());
  auto& slot = input.impl()->grad;
  if (!slot)
    slot = input.is_leaf() ? copy(g).impl_ptr()
                           : std::move(g).impl_ptr();  // a leaf owns its gradient: optimisers may scale it
  else if (slot.use_count() == 1 && (!slot->storage || slot->storage.use_count() == 1) && slot->dtype == g.dtype())
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
  const bool anomaly = detail::anomaly_on;
  const AnomalyOff anomaly_off;
  loss.impl()->grad = g.impl_ptr();
  for (std::int64_t i = loss.impl()->entry; i >= 0; --i) {
    TapeEntry& e = entries_[static_cast<std::size_t>(i)];
    if (i >= static_cast<std::int64_t>(ahead)) prefetch(entries_[static_cast<std::size_t>(i) - ahead]);
    const Tensor grad_out = e.out.grad();
    if (!grad_out.defined()) continue;  // not on a path to the loss
    Grads grads = e.backward(grad_out);
    for (std::size_t k = 0; k < e.inputs.size(); ++k) {
      if (k >= grads.size() || !grads[k].defined() || !e.inputs[k].requires_grad()) continue;
      if (anomaly)
        check_finite(grads[k], "backward (gradient of input " + std::to_string(k) + ")", e.op, i, label(e.inputs[k]),
                     e.where);
      accumulate(e.inputs[k], std::move(grads[k]));
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

NoGrad::NoGrad() : previous_(detail::grad_on) { detail::grad_on = false; }
NoGrad::~NoGrad() { detail::grad_on = previous_; }

void set_anomaly_mode(bool on) { detail::anomaly_on = on; }
AnomalyMode::AnomalyMode() : previous_(detail::anomaly_on) { detail::anomaly_on = true; }
AnomalyMode::~AnomalyMode() { detail::anomaly_on = previous_; }

}  // namespace tg
