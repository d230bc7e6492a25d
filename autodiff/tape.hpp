// The tape (a Wengert list): every differentiable op appends one entry, and backward() is one reverse sweep over
// the entries. docs/tape.md states the rules: accumulation, second backward, clearing, no-grad, threads.
#pragma once
#include <atomic>
#include <cstddef>
#include <new>
#include <source_location>
#include <string>
#include <type_traits>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg {

// The gradients a backward rule returns: one per input, in the order of the inputs (an undefined Tensor where an
// input needs none). A gradient may have the broadcast output shape: the tape sums it back to the input's shape, so
// no op can forget to.
using Grads = TensorList;

// An op's backward rule: any callable `Grads rule(const Tensor& g)` where g = dL/d(output). Its captures are stored
// inside the tape entry itself (up to inline_bytes; a larger closure is kept on the heap), so recording an op
// makes no heap allocation, and the entry is reused by the next step after clear().
class Backward {
 public:
  static constexpr std::size_t inline_bytes = 128;
  template <class F>
  static constexpr bool fits_inline = sizeof(F) <= inline_bytes && alignof(F) <= alignof(std::max_align_t);

  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, Backward>)
  Backward(F&& rule);  // NOLINT: implicit on purpose, record() takes the lambda as it is (moved once, into place)
  Backward(Backward&& other) noexcept : ops_(other.ops_) {
    ops_->move(closure_, other.closure_);
    other.ops_ = moved_from();
  }
  Backward& operator=(Backward&& other) noexcept;
  Backward(const Backward&) = delete;
  Backward& operator=(const Backward&) = delete;
  ~Backward() { ops_->destroy(closure_); }

  Grads operator()(const Tensor& g) const { return ops_->call(closure_, g); }

 private:
  struct Ops {  // what the stored closure of type F can do: be called, moved elsewhere, destroyed
    Grads (*call)(const void* closure, const Tensor& g);
    void (*move)(void* to, void* from);
    void (*destroy)(void* closure);
  };
  template <class F>
  static const Ops* ops_for();
  static const Ops* moved_from();                                  // owns nothing, returns no gradients
  alignas(std::max_align_t) unsigned char closure_[inline_bytes];  // the closure, or a pointer to it on the heap
  const Ops* ops_;
};

struct TapeEntry {
  const char* op;     // "matmul", "exp", ...
  TensorList inputs;  // inputs[i] gets the i-th gradient of backward
  Tensor out;
  Backward backward;
  std::source_location where;  // the line of user code that called the op

  // The rule's closure is built where it will stay, inside the entry (not built, then moved in).
  template <class F>
  TapeEntry(const char* op, TensorList&& inputs, const Tensor& out, F&& rule, std::source_location where)
      : op(op), inputs(std::move(inputs)), out(out), backward(std::forward<F>(rule)), where(where) {}
};

class Tape {
 public:
  Tape();
  Tape(const Tape&) = delete;
  Tape& operator=(const Tape&) = delete;
  ~Tape();

  // Appends an entry for `out` when grad mode is on and some input requires grad; otherwise `out` is returned as a
  // constant. Every op ends with this call. In anomaly mode, first checks `out` for NaN/Inf.
  // The backward rule comes last, so that it reads as a block under the forward that records it.
  template <class F>  // F: Grads rule(const Tensor& g), or a Backward
  Tensor record(const char* op, TensorList&& inputs, const Tensor& out, std::source_location where, F&& backward) {
    if (needs_entry(op, inputs, out, where))
      entries_.emplace_back(op, std::move(inputs), out, std::forward<F>(backward), where);
    return out;
  }

  // One reverse sweep from `loss` (a recorded tensor of this tape). A scalar loss is seeded with 1; otherwise
  // pass `seed`, the gradient of the quantity of interest with respect to `loss`, of loss's shape.
  void backward(const Tensor& loss, const Tensor& seed = Tensor());

  void clear();  // drop every entry; tensors recorded before are stale: using them in a new op is an error
  std::size_t size() const { return entries_.size(); }
  const TapeEntry& entry(std::size_t i) const;  // throws tg::Error when i >= size()
  // A number no tape has had before, renewed by clear(): a tensor recorded with another generation is stale.
  std::uint64_t generation() const { return generation_.load(std::memory_order_relaxed); }
  bool owns(const Tensor& x) const;  // x was recorded on this tape since its last clear()

 private:
  // record()'s checks; true when `out` is to be recorded, and then it has been marked as the next entry's output.
  bool needs_entry(const char* op, const TensorList& inputs, const Tensor& out, const std::source_location& where);
  void check_input(const char* op, const Tensor& x, std::size_t i) const;
  [[noreturn, gnu::cold]] void bad_input(const char* op, const Tensor& x, std::size_t i) const;
  void accumulate(const Tensor& input, Tensor&& grad);
  std::vector<TapeEntry> entries_;
  std::atomic<std::uint64_t> generation_;  // atomic: is_live_generation() reads it from other threads
};

// Some tape that still exists is at this generation: a tensor recorded with it is not stale (error messages and
// the debugger's view tell "another tape" from "a tape since cleared or destroyed" by this).
bool is_live_generation(std::uint64_t generation);

// The tape ops record on: each thread has a default tape, and a TapeScope can select another for a while.
// This is the one accessor; there is no other hidden tape.
Tape& current_tape();
class TapeScope {
 public:
  explicit TapeScope(Tape& tape);
  ~TapeScope();
  TapeScope(const TapeScope&) = delete;
  TapeScope& operator=(const TapeScope&) = delete;

 private:
  Tape* previous_;
};

// backward(loss) on the tape that recorded loss (which must be the current tape).
void backward(const Tensor& loss, const Tensor& seed = Tensor());

// No-grad: while a NoGrad object lives, ops record nothing (their outputs are constants). Per thread.
namespace detail {  // the per-thread switches behind grad_enabled() and anomaly_mode(), which every op reads
extern constinit thread_local bool grad_on;
extern constinit thread_local bool anomaly_on;
}  // namespace detail
inline bool grad_enabled() { return detail::grad_on; }
class NoGrad {
 public:
  NoGrad();
  ~NoGrad();
  NoGrad(const NoGrad&) = delete;
  NoGrad& operator=(const NoGrad&) = delete;

 private:
  bool previous_;
};

// Anomaly mode: the first NaN or Inf produced by an op (forward) or by a backward rule stops the program with an
// AnomalyError naming the op, the tape index, the tensor's name and the line that created it. Per thread.
struct AnomalyError : Error {
  using Error::Error;
};
void set_anomaly_mode(bool on);
inline bool anomaly_mode() { return detail::anomaly_on; }
class AnomalyMode {
 public:
  AnomalyMode();
  ~AnomalyMode();
  AnomalyMode(const AnomalyMode&) = delete;
  AnomalyMode& operator=(const AnomalyMode&) = delete;

 private:
  bool previous_;
};

std::string where_str(const std::source_location& where);  // "vae/elbo.cpp:42" (path relative to the repository)

// ---- Backward's type erasure (the closure lives in closure_, or on the heap when it is too large) ----------------

template <class F>
const Backward::Ops* Backward::ops_for() {
  static constexpr Ops inline_ops{
      [](const void* c, const Tensor& g) -> Grads { return Grads((*static_cast<const F*>(c))(g)); },
      [](void* to, void* from) {
        new (to) F(std::move(*static_cast<F*>(from)));
        static_cast<F*>(from)->~F();
      },
      [](void* c) { static_cast<F*>(c)->~F(); }};
  static constexpr Ops heap_ops{
      [](const void* c, const Tensor& g) -> Grads { return Grads((**static_cast<F* const*>(c))(g)); },
      [](void* to, void* from) { new (to) F*(*static_cast<F**>(from)); }, [](void* c) { delete *static_cast<F**>(c); }};
  return fits_inline<F> ? &inline_ops : &heap_ops;
}

template <class F>
  requires(!std::is_same_v<std::decay_t<F>, Backward>)
Backward::Backward(F&& rule) : ops_(ops_for<std::decay_t<F>>()) {
  using Rule = std::decay_t<F>;
  if constexpr (fits_inline<Rule>)
    new (closure_) Rule(std::forward<F>(rule));
  else
    new (closure_) Rule*(new Rule(std::forward<F>(rule)));
}

inline const Backward::Ops* Backward::moved_from() {
  static constexpr Ops ops{[](const void*, const Tensor&) { return Grads(); }, [](void*, void*) {}, [](void*) {}};
  return &ops;
}

inline Backward& Backward::operator=(Backward&& other) noexcept {
  if (this != &other) {
    ops_->destroy(closure_);
    ops_ = other.ops_;
    ops_->move(closure_, other.closure_);
    other.ops_ = moved_from();
  }
  return *this;
}

}  // namespace tg
