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

}  // namespace tg
