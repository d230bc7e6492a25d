// Parameter and value checks for the distributions, and the per-thread validation switch. Choices: docs/prob.md.
#include "prob/validation.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>

#include "autodiff/ops.hpp"

namespace tg::prob {

namespace {
thread_local bool validation_on = true;

// Calls bad(v) on each element until it returns a reason; throws "who: arg[i] is v, but must be <reason>".
template <class Bad>
void scan(const char* who, const Tensor& x, const char* arg, Bad bad) {
  dispatch(x.dtype(), [&]<class T>(T) {
    const T* p = x.data<T>();
    for (std::int64_t i = 0; i < x.numel(); ++i) {
      const double v = static_cast<double>(p[i]);
      if (const char* why = bad(v))
        fail(who, std::string(arg) + detail::index_str(x.shape(), i) + " is " + detail::value_str(v) +
                      ", but must be " + why);
    }
  });
}
}  // namespace

void set_validation(bool on) { validation_on = on; }
bool validation_enabled() { return validation_on; }
ValidationScope::ValidationScope(bool on) : previous_(validation_on) { validation_on = on; }
ValidationScope::~ValidationScope() { validation_on = previous_; }

namespace detail {

std::string index_str(const Shape& shape, std::int64_t flat) {
  if (shape.size() <= 1) return "[" + std::to_string(flat) + "]";
  std::string out;
  for (std::size_t d = shape.size(); d-- > 0;) {
    out = (d == 0 ? "" : ", ") + std::to_string(flat % shape[d]) + out;
    flat /= shape[d];
  }
  return "[" + out + "]";
}

std::string value_str(double v) {
  std::ostringstream os;
  os << v;
  return os.str();
}

void check_defined(const char* who, const Tensor& x, const char* arg) {
  if (!x.defined()) fail(who, std::string(arg) + " is an undefined Tensor");
}

void check_dtype(const char* who, const Tensor& x, const char* arg, DType dtype) {
  if (x.dtype() != dtype)
    fail(who, std::string(arg) + " is " + dtype_name(x.dtype()) + ", but the distribution is " + dtype_name(dtype));
}

Shape broadcast_params(const char* who, const Shape& sa, const char* a_name, const Shape& sb, const char* b_name) {
  for (std::size_t i = 1; i <= std::min(sa.size(), sb.size()); ++i) {
    const std::int64_t da = sa[sa.size() - i], db = sb[sb.size() - i];
    if (da != db && da != 1 && db != 1)
      fail(who, std::string(a_name) + " is " + shape_str(sa) + " and " + b_name + " is " + shape_str(sb) +
                    "; they do not broadcast");
  }
  return broadcast_shapes(sa, sb, who);
}

void check_event_dims(const char* who, int event_dims, const Shape& shape) {
  if (event_dims < 0 || event_dims > static_cast<int>(shape.size()))
    fail(who, "event_dims is " + std::to_string(event_dims) + ", but must be in [0, " + std::to_string(shape.size()) +
                  "] for parameters of shape " + shape_str(shape));
}

void check_finite(const char* who, const Tensor& x, const char* arg) {
  if (!validation_on) return;
  scan(who, x, arg, [](double v) { return std::isfinite(v) ? nullptr : "finite"; });
}

void check_positive_finite(const char* who, const Tensor& x, const char* arg) {
  if (!validation_on) return;
  scan(who, x, arg, [](double v) { return !(v > 0) ? "positive" : std::isinf(v) ? "finite" : nullptr; });
}

void check_not_nan(const char* who, const Tensor& x, const char* arg) {
  if (!validation_on) return;
  scan(who, x, arg, [](double v) { return std::isnan(v) ? "a number (not NaN)" : nullptr; });
}

void check_unit_interval(const char* who, const Tensor& x, const char* arg) {
  if (!validation_on) return;
  scan(who, x, arg, [](double v) { return v >= 0 && v <= 1 ? nullptr : "in [0, 1]"; });
}

void check_category(const char* who, const Tensor& x, const char* arg, std::int64_t n) {
  const std::string why = "an integer in [0, " + std::to_string(n) + ")";
  scan(who, x, arg,
       [&](double v) { return v >= 0 && v < static_cast<double>(n) && v == std::floor(v) ? nullptr : why.c_str(); });
}

}  // namespace detail
}  // namespace tg::prob
