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

struct GradcheckResult {
  bool ok = true;
  std::string report;  // names the input, the element, the analytic and the numeric value on each mismatch
  double max_abs_error = 0.0;
  explicit operator bool() const { return ok; }
};

// f maps the inputs to a tensor; gradcheck differentiates sum(f(inputs) * w) for a fixed random w, so every
// output element is checked. Inputs must be float64; those with requires_grad() are checked, the others held fixed.
// f must be deterministic (freeze any noise outside it). Inputs may be named: the report uses the names.
GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& options = {});

}  // namespace tg
