// The two dtypes of tapegrad's tensors and its one kind of error. docs/tape.md.
#pragma once
#include <cstddef>
#include <cstdint>
#include <stdexcept>
#include <string>

namespace tg {

enum class DType : std::uint8_t { f32, f64 };
inline constexpr DType f32 = DType::f32;
inline constexpr DType f64 = DType::f64;
const char* dtype_name(DType dtype);  // "float32" / "float64"
inline std::size_t dtype_size(DType dtype) { return dtype == f32 ? 4 : 8; }

// Every error tapegrad reports on bad input: the message says what, where and why ("matmul: a is (3, 4) ...").
struct Error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
[[noreturn]] void fail(const std::string& where, const std::string& why);  // throws Error("where: why")

// Calls f(float{}) or f(double{}) by dtype, so a loop can be written once as a template.
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  if (dtype == f32) return f(float{});
  return f(double{});
}

}  // namespace tg
