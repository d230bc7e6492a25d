// The graders' few tools. Each check names the identity it tests, is worth some points and prints PASS or FAIL; a
// failure says by how much and, where the numbers match a known slip, what the slip is. A grader exits with the
// number of failed checks (0: every check passed), so a script or CTest can read the grade; with --json FILE it also
// writes Gradescope's results.json and with --junit FILE a JUnit report (grading_report.hpp). docs/teaching.md.
#pragma once
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <string>
#include <vector>

#include "autodiff/autodiff.hpp"

namespace grading {

using tg::Tensor;

inline std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

// The largest |a - b| / (1 + |b|) over the elements, with the index where it is reached (a and b of one shape).
// Equal infinities count as equal (a slip that overflows matches the same overflow); any other NaN is the worst.
struct Difference {
  double max_scaled = 0.0;
  std::int64_t index = 0;
  double mine = 0.0, expected = 0.0;  // the values at that index
};
inline Difference difference(const Tensor& mine, const Tensor& expected, double scale = 1.0) {
  Difference d;
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    const double a = mine.flat(i) * scale, b = expected.flat(i);
    const double e = a == b ? 0.0 : std::abs(a - b) / (1.0 + std::abs(b));
    if (!(e <= d.max_scaled)) d = {std::isnan(e) ? INFINITY : e, i, a, b};
  }
  return d;
}

// The tolerance probe (a test of the graders, docs/teaching.md): with TG_GRADING_PERTURB=1e-6 in the environment,
// close() grades the answer times (1 + 1e-6). A float64 comparison of values that are not all tiny which still
// passes is too loose for math that is exact in float64: it is reported on stderr and counted here.
inline double perturbation() {
  const char* p = std::getenv("TG_GRADING_PERTURB");
  return p ? std::atof(p) : 0.0;
}
inline int& loose_comparisons() {
  static int count = 0;
  return count;
}

inline bool same_within(const Tensor& mine, const Tensor& expected, double tol, double scale = 1.0) {
  return mine.defined() && mine.shape() == expected.shape() && difference(mine, expected, scale).max_scaled <= tol;
}

// mine equals expected within tol relative to 1 + |expected| (tol = 1e-9: agreement to about 9 digits).
inline bool close(const Tensor& mine, const Tensor& expected, double tol) {
  const double p = perturbation();
  if (p == 0.0 || !mine.defined() || mine.dtype() != tg::f64) return same_within(mine, expected, tol);
  const bool passed = same_within(mine, expected, tol, 1.0 + p);
  double largest = 0.0;
  for (std::int64_t i = 0; i < expected.numel(); ++i) largest = std::fmax(largest, std::abs(expected.flat(i)));
  if (passed && largest >= 1e-2) {
    ++loose_comparisons();
    std::fprintf(stderr, "tolerance: an answer off by %g (relative) passed a comparison with tolerance %g\n", p, tol);
  }
  return passed;
}

// "element 3: yours is 0.2, expected 0.7 (off by -0.5)", or what is wrong with the shape.
inline std::string compare(const Tensor& mine, const Tensor& expected) {
  if (!mine.defined()) return "your function returned an undefined Tensor";
  if (mine.shape() != expected.shape())
    return "yours has shape " + tg::shape_str(mine.shape()) + ", expected " + tg::shape_str(expected.shape());
  const double p = mine.dtype() == tg::f64 ? perturbation() : 0.0;  // the probe's answer, as close() saw it
  const Difference d = difference(mine, expected, 1.0 + p);
  return "element " + std::to_string(d.index) + ": yours is " + num(d.mine) + ", expected " + num(d.expected) +
         " (off by " + num(d.mine - d.expected) + ")";
}

// The gradients of L = sum(f(inputs) * g) into each input, on a tape of its own (g broadcasts against f's result;
// an undefined g means L = sum(f(inputs))). Where no gradient arrives, zeros: "yours is 0" says it best.
inline std::vector<Tensor> gradients(const std::function<Tensor(const std::vector<Tensor>&)>& f,
                                     const std::vector<Tensor>& inputs, const Tensor& g = Tensor()) {
  tg::Tape tape;
  tg::TapeScope scope(tape);
  std::vector<Tensor> in;
  for (const Tensor& x : inputs) {
    in.push_back(tg::copy(x));
    in.back().requires_grad(true);
  }
  const Tensor y = f(in);
  tape.backward(g.defined() ? tg::sum(y * g) : tg::sum(y));
  std::vector<Tensor> grads;
  for (const Tensor& x : in) grads.push_back(x.grad().defined() ? x.grad() : tg::zeros_like(x));
  return grads;
}

// The gradients of loss() into each of params (a model's parameters: leaves that require grad), on a tape of its
// own, each from nothing and left as they were found (zeros where none arrives).
inline std::vector<Tensor> parameter_gradients(const std::vector<Tensor>& params, const std::function<Tensor()>& loss) {
  tg::Tape tape;
  tg::TapeScope scope(tape);
  std::vector<Tensor> ps = params;  // handles: zero_grad and grad() act on the parameters themselves
  for (Tensor& p : ps) p.zero_grad();
  tape.backward(loss());
  std::vector<Tensor> grads;
  for (Tensor& p : ps) {
    grads.push_back(p.grad().defined() ? tg::copy(p.grad()) : tg::zeros_like(p));
    p.zero_grad();
  }
  return grads;
}

// The first of the gradients (of names[i]) where mine and expected differ beyond tol: "" when none does.
inline std::string compare_all(const std::vector<Tensor>& mine, const std::vector<Tensor>& expected,
                               const std::vector<std::string>& names, double tol) {
  for (std::size_t i = 0; i < expected.size(); ++i)
    if (!close(mine[i], expected[i], tol)) return names[i] + ": " + compare(mine[i], expected[i]);
  return "";
}

// A candidate slip: a wrong formula a student may have written, and the hint to give when theirs equals it.
struct Slip {
  Tensor wrong;
  std::string hint;
};
inline std::string diagnose(const Tensor& mine, const std::vector<Slip>& slips, double tol = 1e-9) {
  for (const Slip& s : slips)
    if (s.wrong.defined() && same_within(mine, s.wrong, tol)) return "\nhint: " + s.hint;
  return "";
}

// What a check did: its text is what the student reads; the rest feeds results.json and the JUnit report.
struct CheckResult {
  std::string name;
  double points = 0, max_points = 0;
  bool passed = false;
  std::string output;      // "" when it passed, otherwise why (with hints)
  std::string visibility;  // Gradescope's: "visible", "hidden", "after_due_date", "after_published"
};

class Grader;

// Checks that live outside the handout (examples/assignments/hidden/, e.g. iwae_bound_checks.cpp), compiled into the
// grader only by the autograder: a static Hidden object registers them, Grader::finish runs them. docs/teaching.md.
struct Hidden {
  Hidden(std::string exercise, std::function<void(Grader&)> checks, std::string visibility = "after_due_date") {
    all().push_back({std::move(exercise), std::move(checks), std::move(visibility)});
  }
  struct Entry {
    std::string exercise;
    std::function<void(Grader&)> checks;
    std::string visibility;
  };
  static std::vector<Entry>& all() {
    static std::vector<Entry> entries;
    return entries;
  }
};

class Grader {
 public:
  // exercise: "iwae_bound: L_K = ..." (the word before ':' names it); argv: --json FILE, --junit FILE.
  Grader(std::string title, int argc = 0, char** argv = nullptr);

  // body returns "" when the check passes, otherwise what went wrong. An exception from the student's code fails
  // the check with its message. points: what the check is worth (Gradescope's max_score).
  // needs: the identity of an earlier check this one builds on; until that one passes, this one earns nothing (a
  // zero KL passes "KL(q || q) = 0", but it is not the KL).
  void check(const std::string& identity, double points, const std::function<std::string()>& body,
             const std::string& needs = "");

  // Prints the total, runs the hidden checks first, writes the reports asked for; returns the failed checks.
  int finish();

  const std::vector<CheckResult>& results() const { return results_; }
  const std::string& exercise() const { return exercise_; }

 private:
  std::string title_, exercise_, json_path_, junit_path_;
  std::string visibility_ = "visible";  // of the checks being added (hidden ones use their own)
  std::vector<CheckResult> results_;
};

}  // namespace grading

#include "grading_report.hpp"  // Grader's members, results.json and JUnit
