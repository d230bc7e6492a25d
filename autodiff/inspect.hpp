// Seeing the tape: print_tape lists the entries (index, op, name, shape, inputs, a few values, gradient norm after
// backward, file:line) in columns as wide as their contents; to_dot writes the graph for Graphviz
// (`dot -Tsvg tape.dot -o tape.svg`). An op built from other ops shows as the ops it records: mean(x) is a `sum` then
// a `div_scalar` by the count, prob::log_mean_exp a `logsumexp` then an `add_scalar` of -log n.
#pragma once
#include <iosfwd>
#include <string>

#include "autodiff/tape.hpp"

namespace tg {

struct PrintOptions {
  int values = 4;  // values shown per tensor
};
void print_tape(std::ostream& os, const Tape& tape = current_tape(), const PrintOptions& options = {});
std::string tape_to_string(const Tape& tape = current_tape(), const PrintOptions& options = {});
std::string to_dot(const Tape& tape = current_tape());

// For debuggers (gdb, lldb, any other): plain functions that are always linked into a program that uses tapegrad,
// so `call tg::debug_string(z)` works even where the program never calls them. They return C strings (valid
// until the next call on the same thread) and never throw: an undefined tensor, a stale one (its tape was cleared)
// or a null pointer gives a line that says so. gdb's own printers (gdb/tapegrad.py) show more; docs/debugging.md.
const char* debug_string(const Tensor& x);  // shape, dtype, name, requires_grad, values, then its gradient
const char* debug_string(const TensorImpl* x);
const char* debug_tape();  // print_tape(current_tape())

}  // namespace tg
