// print_tape and to_dot (see inspect.hpp).
#include "autodiff/inspect.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>
#include <string>
#include <vector>

#ifdef TG_GDB_SCRIPT
// gdb loads the repository's printers (gdb/tapegrad.py) for every program linked with this file, once the
// repository is in its auto-load safe path (docs/debugging.md): the script's path is recorded in the
// .debug_gdb_scripts section, as gdb reads it (a byte 1 = "Python file", then the path).
asm(".pushsection \".debug_gdb_scripts\", \"MS\", @progbits, 1\n"
    ".byte 1\n"
    ".asciz \"" TG_GDB_SCRIPT
    "\"\n"
    ".popsection\n");
#endif

namespace tg {

namespace {

std::string few_values(const Tensor& x, int n) {
  std::ostringstream os;
  os << std::setprecision(4) << "[";
  for (std::int64_t i = 0; i < std::min<std::int64_t>(n, x.numel()); ++i) {
    const double v = x.flat(i);
    os << (i ? ", " : "") << (v == 0 ? 0.0 : v);  // -0 prints as 0: the sign of a zero means nothing here
  }
  if (x.numel() > n) os << ", ...";
  return os.str() + "]";
}

double norm(const Tensor& x) {
  double s = 0;
  for (std::int64_t i = 0; i < x.numel(); ++i) s += x.flat(i) * x.flat(i);
  return std::sqrt(s);
}

// How an input is referred to: "#3" for the output of entry 3, or the leaf's name.
std::string ref(const Tensor& x) {
  if (!x.is_leaf()) return "#" + std::to_string(x.impl()->entry);
  return x.name().empty() ? std::string("leaf") : x.name();
}

}  // namespace

// The table's columns are as wide as their widest cell, so that no cell runs into the next.
void print_tape(std::ostream& os, const Tape& tape, const PrintOptions& opt) {
  using Row = std::array<std::string, 8>;
  std::vector<Row> rows = {{"#", "op", "name", "shape", "inputs", "values", "|grad|", "where"}};
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const TapeEntry& e = tape.entry(i);
    std::string inputs;
    for (const Tensor& x : e.inputs) inputs += (inputs.empty() ? "" : ",") + ref(x);
    const Tensor g = e.out.grad();
    std::ostringstream gn;
    gn << std::setprecision(4) << (g.defined() ? norm(g) : 0.0);
    rows.push_back({std::to_string(i), e.op, e.out.name().empty() ? "-" : e.out.name(), shape_str(e.out.shape()),
                    inputs, few_values(e.out, opt.values), g.defined() ? gn.str() : "-", where_str(e.where)});
  }
  std::array<std::size_t, 8> width{};
  for (const Row& r : rows)
    for (std::size_t c = 0; c < r.size(); ++c) width[c] = std::max(width[c], r[c].size());
  os << "tape: " << tape.size() << (tape.size() == 1 ? " entry\n" : " entries\n");
  for (const Row& r : rows) {
    for (std::size_t c = 0; c + 1 < r.size(); ++c) os << std::left << std::setw(static_cast<int>(width[c] + 2)) << r[c];
    os << r.back() << "\n";
  }
}

std::string tape_to_string(const Tape& tape, const PrintOptions& options) {
  std::ostringstream os;
  print_tape(os, tape, options);
  return os.str();
}

// ---- for debuggers -----------------------------------------------------------------------------------------------

namespace {
thread_local std::string t_debug_text;  // what the last debug_* call returned, kept until the next call

const char* keep(std::string text) {
  t_debug_text = std::move(text);
  return t_debug_text.c_str();
}

bool stale(const TensorImpl& t) { return t.entry >= 0 && !is_live_generation(t.generation); }
}  // namespace

const char* debug_string(const TensorImpl* x) {
  if (!x) return keep("tensor(undefined)");
  try {
    const Tensor t(std::shared_ptr<TensorImpl>(std::shared_ptr<TensorImpl>(), const_cast<TensorImpl*>(x)));
    std::string s = to_string(t);
    if (stale(*x)) s += "\n(stale: recorded on a tape that has since been cleared or destroyed)";
    s += x->grad ? "\ngrad: " + to_string(Tensor(x->grad)) : std::string("\nno grad");
    return keep(std::move(s));
  } catch (const std::exception& e) {
    return keep(std::string("tensor(unreadable: ") + e.what() + ")");
  }
}

const char* debug_string(const Tensor& x) { return debug_string(x.impl()); }

const char* debug_tape() {
  try {
    return keep(tape_to_string(current_tape()));
  } catch (const std::exception& e) {
    return keep(std::string("tape (unreadable: ") + e.what() + ")");
  }
}

std::string to_dot(const Tape& tape) {
  std::ostringstream os;
  os << "digraph tape {\n  rankdir=LR;\n  node [fontname=\"monospace\", fontsize=10];\n";
  std::map<const TensorImpl*, std::string> leaves;
  for (std::size_t i = 0; i < tape.size(); ++i) {
    const TapeEntry& e = tape.entry(i);
    os << "  n" << i << " [shape=box, label=\"#" << i << " " << e.op << "\\n"
       << shape_str(e.out.shape()) << (e.out.name().empty() ? "" : "\\n" + e.out.name()) << "\\n"
       << where_str(e.where) << "\"];\n";
    for (const Tensor& x : e.inputs) {
      std::string src;
      if (!x.is_leaf()) {
        src = "n" + std::to_string(x.impl()->entry);
      } else {
        auto [it, fresh] = leaves.try_emplace(x.impl(), "l" + std::to_string(leaves.size()));
        if (fresh)
          os << "  " << it->second << " [shape=ellipse, label=\"" << (x.name().empty() ? "leaf" : x.name()) << "\\n"
             << shape_str(x.shape()) << "\"" << (x.requires_grad() ? ", style=bold" : ", style=dashed") << "];\n";
        src = it->second;
      }
      os << "  " << src << " -> n" << i << ";\n";
    }
  }
  os << "}\n";
  return os.str();
}

std::string where_str(const std::source_location& where) {
  std::string file = where.file_name();
  // The repository root is this file's own path minus "autodiff/inspect.cpp"; strip it when it matches, so that
  // tests/autodiff/test_tape.cpp is not shown as autodiff/test_tape.cpp. Otherwise guess from the folder names.
  const std::string self = std::source_location::current().file_name(), own = "autodiff/inspect.cpp";
  if (self.size() > own.size() && self.ends_with(own)) {
    const std::string root = self.substr(0, self.size() - own.size());
    if (file.starts_with(root)) return file.substr(root.size()) + ":" + std::to_string(where.line());
  }
  // The folders that hold the others first: tests/autodiff/test_tape.cpp is under tests/, not autodiff/. (A build
  // through ccache with base_dir set compiles with relative paths, which never match the root.)
  for (const char* top : {"/tests/", "/examples/", "/bench/", "/autodiff/", "/prob/", "/nn/", "/vae/"}) {
    const auto pos = file.rfind(top);
    if (pos != std::string::npos) {
      file = file.substr(pos + 1);
      break;
    }
  }
  return file + ":" + std::to_string(where.line());
}

}  // namespace tg
