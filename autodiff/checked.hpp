// Checked int64 arithmetic for shapes, element counts and counters: a product or sum that does not fit throws a
// tg::Error naming the function and what overflowed, where the plain operator would be undefined behaviour (UBSan
// aborts on it) and in practice wrap to a wrong size. docs/errors.md.
#pragma once
#include <cstdint>
#include <string>

#include "autodiff/tensor.hpp"

namespace tg {

namespace detail {
[[noreturn]] inline void overflowed(const char* op, const char* what, std::int64_t a, const char* sign,
                                    std::int64_t b) {
  fail(op,
       std::string(what) + " overflows: " + std::to_string(a) + sign + std::to_string(b) + " is more than 2^63 - 1");
}
}  // namespace detail

// a * b, or "op: what overflows: a * b is more than 2^63 - 1"; `what` names the quantity ("2 * latent").
inline std::int64_t checked_mul(std::int64_t a, std::int64_t b, const char* op, const char* what) {
  std::int64_t r;
  if (__builtin_mul_overflow(a, b, &r)) [[unlikely]]
    detail::overflowed(op, what, a, " * ", b);
  return r;
}

// a + b, or "op: what overflows: a + b is more than 2^63 - 1".
inline std::int64_t checked_add(std::int64_t a, std::int64_t b, const char* op, const char* what) {
  std::int64_t r;
  if (__builtin_add_overflow(a, b, &r)) [[unlikely]]
    detail::overflowed(op, what, a, " + ", b);
  return r;
}

// The product of dims[first .. last), 1 when empty, checked factor by factor. Only a shape with elements has
// products that are sure to fit; ops check numel() == 0 before they view a tensor as (outer, n, inner).
inline std::int64_t checked_product(const Shape& dims, std::size_t first, std::size_t last, const char* op,
                                    const char* what) {
  std::int64_t p = 1;
  for (std::size_t d = first; d < last; ++d) p = checked_mul(p, dims[d], op, what);
  return p;
}

}  // namespace tg
