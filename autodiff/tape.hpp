// The tape (a Wengert list): every differentiable op appends one entry, and backward() is one reverse sweep over
// the entries. docs/tape.md states the rules: accumulation, second backward, clearing, no-grad, threads.
#pragma once
#include <functional>
#include <source_location>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg {

// Given the gradient of the loss with respect to an op's output, the gradients with respect to its inputs, one
// per input (an undefined Tensor where an input needs none). A gradient may have the broadcast output shape: the
// tape sums it back to the input's shape, so no op can forget to.
using BackwardFn = std::function<std::vector<Tensor>(const Tensor& grad_out)>;

struct TapeEntry {
  const char* op;              // "matmul", "exp", ...
  std::vector<Tensor> inputs;  // inputs[i] gets the i-th gradient of backward
  Tensor out;
  BackwardFn backward;
  std::source_location where;  // the line of user code that called the op
};

struct TapeState {
  std::uint64_t generation = 1;  // bumped by clear(): tensors recorded earlier become stale
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
  Tensor record(const char* op, std::vector<Tensor> inputs, Tensor out, std::source_location where,
                BackwardFn backward);

  // One reverse sweep from `loss` (a recorded tensor of this tape). A scalar loss is seeded with 1; otherwise
  // pass `seed`, the gradient of the quantity of interest with respect to `loss`, of loss's shape.
  void backward(const Tensor& loss, const Tensor& seed = Tensor());

  void clear();  // drop every entry; tensors recorded before are stale: using them in a new op is an error
  std::size_t size() const { return entries_.size(); }
  const TapeEntry& entry(std::size_t i) const;  // throws tg::Error when i >= size()
  std::uint64_t generation() const { return state_->generation; }
  bool owns(const Tensor& x) const;  // x was recorded on this tape since its last clear()

 private:
  void check_input(const char* op, const Tensor& x, std::size_t i) const;
  void accumulate(const Tensor& input, const Tensor& grad);
  std::vector<TapeEntry> entries_;
  std::shared_ptr<TapeState> state_;
};

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
bool grad_enabled();
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
bool anomaly_mode();
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

}  // namespace tg
