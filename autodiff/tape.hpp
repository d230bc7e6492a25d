// The tape (a Wengert list): every differentiable op appends one entry, and backward() is one reverse sweep over
// the entries. docs/tape.md states the rules: accumulation, second backward, clearing, no-grad, threads.
//
// The fast path keeps to its own headers: the closure buffer of a backward rule (runtime/backward_rule.hpp), the
// inline list of inputs (runtime/tensor_list.hpp), generation numbers instead of references to tapes
// (runtime/tape_generations.hpp) and prefetching (runtime/prefetch.hpp).
#pragma once
#include <atomic>
#include <cstddef>
#include <memory>
#include <source_location>
#include <string>
#include <vector>

#include "autodiff/runtime/backward_rule.hpp"
#include "autodiff/runtime/tape_generations.hpp"
#include "autodiff/runtime/tensor_list.hpp"
#include "autodiff/tensor.hpp"

namespace tg {

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
    if (!wants_entry(op, inputs, out, where)) return out;  // a constant: no input needs a gradient, or NoGrad
    mark_recorded(out);
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
  // record()'s checks (usable inputs; in anomaly mode, finite values): whether `out` gets an entry.
  bool wants_entry(const char* op, const TensorList& inputs, const Tensor& out, const std::source_location& where);
  void mark_recorded(const Tensor& out) {  // out is the output of the next entry (inline: every recorded op)
    TensorImpl& o = *out.impl();
    o.requires_grad = true;
    o.generation = generation();
    o.entry = static_cast<std::int64_t>(entries_.size());
  }
  Tensor seed_of(const Tensor& loss, const Tensor& seed) const;  // backward()'s checks, and its first gradient
  void check_input(const char* op, const Tensor& x, std::size_t i) const;
  [[noreturn, gnu::cold]] void bad_input(const char* op, const Tensor& x, std::size_t i) const;
  void accumulate(const Tensor& input, Tensor&& grad);
  std::vector<TapeEntry> entries_;
  std::atomic<std::uint64_t> generation_;  // atomic: is_live_generation() reads it from other threads
  std::shared_ptr<bool> alive_;            // false once destroyed: a TapeScope that outlives the tape sees it
  friend class TapeScope;
};

// The tape ops record on: each thread has a default tape, and a TapeScope can select another for a while.
// This is the one accessor; there is no other hidden tape. Destroying a tape while a TapeScope still selects it
// is an error at the next op (tg::Error), never a use of the destroyed tape.
Tape& current_tape();
class TapeScope {
 public:
  explicit TapeScope(Tape& tape);
  ~TapeScope();
  TapeScope(const TapeScope&) = delete;
  TapeScope& operator=(const TapeScope&) = delete;

 private:
  Tape* previous_;
  std::shared_ptr<bool> previous_alive_, alive_;  // kept here, so that they outlive the tapes they watch
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

std::string where_str(const std::source_location& where);  // "vae/elbo.cpp:42" (path relative to the repository;
                                                           // in inspect.cpp)

}  // namespace tg
