// gradcheck (see gradcheck.hpp): analytic gradients from one backward sweep on a private tape, numeric ones by
// central differences (f(x + eps) - f(x - eps)) / (2 eps), element by element.
#include "autodiff/gradcheck.hpp"

#include <algorithm>
#include <cmath>
#include <iomanip>
#include <sstream>

#include "autodiff/ops.hpp"
#include "autodiff/random.hpp"
#include "autodiff/tape.hpp"

namespace tg {

namespace {

std::vector<std::int64_t> multi_index(const Shape& shape, std::int64_t flat) {
  std::vector<std::int64_t> idx(shape.size());
  for (std::int64_t d = static_cast<std::int64_t>(shape.size()) - 1; d >= 0; --d)
    idx[d] = flat % shape[d], flat /= shape[d];
  return idx;
}

std::string index_str(const Shape& shape, std::int64_t flat) {
  const std::vector<std::int64_t> idx = multi_index(shape, flat);
  std::string s = "[";
  for (std::size_t d = 0; d < idx.size(); ++d) s += (d ? ", " : "") + std::to_string(idx[d]);
  return s + "]";
}

std::string input_label(const std::vector<Tensor>& inputs, std::size_t i) {
  const std::string& n = inputs[i].name();
  return "input " + std::to_string(i) + (n.empty() ? "" : " '" + n + "'") + " " + shape_str(inputs[i].shape());
}

// "worst element: input 0 'x' (2, 3), element 4 [1, 1]: analytic 1.5, numeric 1.49, relative error 0.00667"
std::string worst_str(const std::vector<Tensor>& inputs, const GradcheckWorst& w) {
  if (w.flat < 0) return "no element to check";
  std::ostringstream os;
  os.precision(10);
  os << "worst element: " << input_label(inputs, w.input) << ", element " << w.flat << " "
     << index_str(inputs[w.input].shape(), w.flat) << ": analytic " << w.analytic << ", numeric " << w.numeric
     << ", relative error " << std::setprecision(3) << w.rel_error;
  return os.str();
}

}  // namespace

GradcheckResult gradcheck(const std::function<Tensor(const std::vector<Tensor>&)>& f, const std::vector<Tensor>& inputs,
                          const GradcheckOptions& opt) {
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].defined()) fail("gradcheck", "input " + std::to_string(i) + " is an undefined Tensor");
    if (inputs[i].dtype() != f64)
      fail("gradcheck", input_label(inputs, i) +
                            " is float32; finite differences need float64 (create it with "
                            "tg::f64 or convert it with tg::cast(x, tg::f64))");
    if (!inputs[i].is_leaf()) fail("gradcheck", input_label(inputs, i) + " is not a leaf; pass leaves (x.detach())");
  }
  Tape tape;
  TapeScope scope(tape);
  // L = sum(f(inputs) * w) with a fixed random w, so that every output element counts.
  Tensor w;
  auto loss = [&]() {
    Tensor y = f(inputs);
    if (!y.defined()) fail("gradcheck", "f returned an undefined Tensor");
    if (!w.defined()) {
      Generator gen(20240613);
      w = rand_uniform(y.shape(), 0.5, 1.5, gen, y.dtype());
    }
    return sum(y * w);
  };
  std::vector<Tensor> saved;
  for (Tensor x : inputs) saved.push_back(x.grad()), x.zero_grad();
  tape.backward(loss());
  std::vector<Tensor> analytic;
  for (Tensor x : inputs) analytic.push_back(x.grad());
  for (std::size_t i = 0; i < inputs.size(); ++i) inputs[i].impl()->grad = saved[i].impl_ptr();
  tape.clear();

  GradcheckResult result;
  std::ostringstream report;
  report.precision(10);
  std::size_t mismatches = 0;
  double worst_ratio = -1.0;  // |difference| / allowed of result.worst
  NoGrad no_grad;
  for (std::size_t i = 0; i < inputs.size(); ++i) {
    if (!inputs[i].requires_grad()) continue;
    Tensor x = inputs[i];
    double* px = x.data<double>();
    for (std::int64_t e = 0; e < x.numel(); ++e) {
      const double x0 = px[e];
      px[e] = x0 + opt.eps;
      const double up = loss().item();
      px[e] = x0 - opt.eps;
      const double down = loss().item();
      px[e] = x0;
      const double numeric = (up - down) / (2 * opt.eps);
      const double ad = analytic[i].defined() ? analytic[i].flat(e) : 0.0;
      const double err = std::abs(ad - numeric), allowed = opt.atol + opt.rtol * std::abs(numeric);
      if (std::isfinite(err)) result.max_abs_error = std::max(result.max_abs_error, err);
      const double ratio = std::isnan(err) ? INFINITY : err / allowed;
      if (ratio > worst_ratio) {
        worst_ratio = ratio;
        const double scale = std::max(std::abs(ad), std::abs(numeric));
        result.worst = {
            i, multi_index(x.shape(), e), e, ad, numeric, scale > 0 ? err / scale : (err > 0 ? INFINITY : 0)};
      }
      if (err <= allowed) continue;  // (NaN never passes)
      result.ok = false;
      if (mismatches++ < opt.max_report)
        report << "gradcheck: " << input_label(inputs, i) << ", element " << e << " " << index_str(x.shape(), e)
               << ": analytic (backward) = " << ad << ", numeric (finite difference) = " << numeric
               << ", |difference| = " << err << " > atol + rtol * |numeric| = " << allowed << "\n";
    }
  }
  if (mismatches > opt.max_report)
    report << "gradcheck: ... and " << mismatches - opt.max_report << " more mismatches\n";
  result.report = result.ok ? "gradcheck: all gradients match (max |difference| " +
                                  std::to_string(result.max_abs_error) + "; " + worst_str(inputs, result.worst) + ")"
                            : report.str() + "gradcheck: " + worst_str(inputs, result.worst) + "\n";
  return result;
}

}  // namespace tg
