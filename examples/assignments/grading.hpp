// The graders' few tools. Each check names the identity it tests and prints PASS or FAIL; a failure says by how
// much and, where the numbers match a known slip, what the slip is. A grader exits with the number of failed
// checks (0: every check passed), so a script or CTest can read the grade. docs/teaching.md.
#pragma once
#include <cmath>
#include <cstdio>
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

// The largest |a - b| over the elements, with the index where it is reached (a and b of one shape).
struct Difference {
  double max_abs = 0.0;
  std::int64_t index = 0;
  double mine = 0.0, expected = 0.0;  // the values at that index
};
inline Difference difference(const Tensor& mine, const Tensor& expected) {
  Difference d;
  for (std::int64_t i = 0; i < expected.numel(); ++i) {
    const double a = mine.flat(i), b = expected.flat(i), e = std::abs(a - b);
    if (!(e <= d.max_abs)) d = {std::isnan(e) ? INFINITY : e, i, a, b};
  }
  return d;
}
inline bool close(const Tensor& mine, const Tensor& expected, double tol) {
  return mine.defined() && mine.shape() == expected.shape() && difference(mine, expected).max_abs <= tol;
}

// "element 3: yours is 0.2, expected 0.7 (off by -0.5)", or what is wrong with the shape.
inline std::string compare(const Tensor& mine, const Tensor& expected) {
  if (!mine.defined()) return "your function returned an undefined Tensor";
  if (mine.shape() != expected.shape())
    return "yours has shape " + tg::shape_str(mine.shape()) + ", expected " + tg::shape_str(expected.shape());
  const Difference d = difference(mine, expected);
  return "element " + std::to_string(d.index) + ": yours is " + num(d.mine) + ", expected " + num(d.expected) +
         " (off by " + num(d.mine - d.expected) + ")";
}

// A candidate slip: a wrong formula a student may have written, and the hint to give when theirs equals it.
struct Slip {
  Tensor wrong;
  std::string hint;
};
inline std::string diagnose(const Tensor& mine, const std::vector<Slip>& slips, double tol = 1e-9) {
  for (const Slip& s : slips)
    if (close(mine, s.wrong, tol)) return "\nhint: " + s.hint;
  return "";
}

class Grader {
 public:
  explicit Grader(std::string exercise) : exercise_(std::move(exercise)) {
    std::printf("grading %s\n", exercise_.c_str());
  }

  // body returns "" when the check passes, otherwise what went wrong. An exception from the student's code fails
  // the check with its message.
  void check(const std::string& identity, const std::function<std::string()>& body) {
    std::string why;
    try {
      why = body();
    } catch (const std::exception& e) {
      why = std::string("your code threw: ") + e.what();
      if (why.find("was not computed by a recorded op") != std::string::npos)
        why +=
            "\nhint: your result does not depend on the inputs through tg ops, so no gradient can reach them: "
            "compute it from the inputs with tg ops (not from their values, not from new tensors)";
    }
    for (std::size_t at = why.find('\n'); at != std::string::npos; at = why.find('\n', at + 7))
      why.replace(at, 1, "\n      ");  // every line of the message under the check it belongs to
    while (!why.empty() && (why.back() == ' ' || why.back() == '\n')) why.pop_back();
    (why.empty() ? passed_ : failed_)++;
    if (why.empty())
      std::printf("  PASS  %s\n", identity.c_str());
    else
      std::printf("  FAIL  %s\n      %s\n", identity.c_str(), why.c_str());
    std::fflush(stdout);
  }

  int finish() const {
    std::printf("%s: %d of %d checks passed%s\n", exercise_.c_str(), passed_, passed_ + failed_,
                failed_ ? "" : " -- full marks");
    return failed_;
  }

 private:
  std::string exercise_;
  int passed_ = 0, failed_ = 0;
};

}  // namespace grading
