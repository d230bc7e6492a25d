// Checks of distribution parameters (at construction) and values (at log_prob), and the switch that turns the value
// scans off for speed. Messages read "Normal: scale[3] is -0.2, but must be positive". Choices: docs/prob.md.
#pragma once
#include <cstdint>
#include <string>

#include "autodiff/tensor.hpp"

namespace tg::prob {

// Validation is on by default. Turning it off skips the scans over values (finite, positive, in the support), not
// the structural checks (undefined tensors, dtypes, shapes, event_dims), which cost nothing. Per thread, like NoGrad.
void set_validation(bool on);
bool validation_enabled();

// Sets validation for a scope and restores the previous setting on exit: { ValidationScope off(false); ... }
class ValidationScope {
 public:
  explicit ValidationScope(bool on);
  ~ValidationScope();
  ValidationScope(const ValidationScope&) = delete;
  ValidationScope& operator=(const ValidationScope&) = delete;

 private:
  bool previous_;
};

namespace detail {

std::string index_str(const Shape& shape, std::int64_t flat);  // "[3]" for rank <= 1, "[1, 2]" otherwise
std::string value_str(double v);                               // "-0.2", "nan", "inf"

// Always checked.
void check_defined(const char* who, const Tensor& x, const char* arg);
void check_dtype(const char* who, const Tensor& x, const char* arg, DType dtype);
// broadcast(a, b), or "who: loc is (3) and scale is (4); they do not broadcast".
Shape broadcast_params(const char* who, const Shape& a, const char* a_name, const Shape& b, const char* b_name);
void check_event_dims(const char* who, int event_dims, const Shape& shape);

// Checked only while validation_enabled(). Each names the first offending element and its value.
void check_finite(const char* who, const Tensor& x, const char* arg);
void check_positive_finite(const char* who, const Tensor& x, const char* arg);
void check_not_nan(const char* who, const Tensor& x, const char* arg);
void check_unit_interval(const char* who, const Tensor& x, const char* arg);  // in [0, 1]
// Always checked (an index out of range would be read out of bounds): an integer in [0, n).
void check_category(const char* who, const Tensor& x, const char* arg, std::int64_t n);

}  // namespace detail
}  // namespace tg::prob
