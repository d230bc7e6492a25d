// gradcheck: compares the tape's gradients with central finite differences, in float64. Course assignments grade
// with it. An element passes when |analytic - numeric| <= atol + rtol * |numeric| (PyTorch's rule).
#pragma once
#include <functional>
#include <string>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg {

struct GradcheckOptions {
  double eps = 1e-6;  // finite-difference step
  double atol = 1e-5;
  double rtol = 1e-3;
  std::size_t max_report = 5;  // mismatches listed in the report
};

// The element closest to failing (largest |analytic - numeric| / (atol + rtol |numeric|); NaN counts as worst).
struct GradcheckWorst {
  std::size_t input = 0;            // which input
  std::vector<std::int64_t> index;  // its multi-index in that input (empty for a scalar)
  std::int64_t flat = -1;           // its row-major index; -1 when no element was checked
  double analytic = 0.0;            // from backward
  double numeric = 0.0;             // from central differences
  double rel_error = 0.0;           // |analytic - numeric| / max(|analytic|, |numeric|), 0 when both are 0
};

struct GradcheckResult {
  bool ok = true;
  // Names the input, the element, the analytic and the numeric value on each mismatch, then the worst element.
  std::string report;
  double max_abs_error = 0.0;
  GradcheckWorst worst;
  explicit operator bool() const { return ok; }
};

// f maps the inputs to a tensor; gradcheck differentiates sum(f(inputs) * w) for a fixed random w, so every
// output element is checked. Inputs must be float64; those with requires_grad() are checked, the others held fixed.
// f must be deterministic (freeze any noise outside it). Inputs may be named: the report uses the names.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace tg
