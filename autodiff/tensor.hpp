// The Tensor: a shared handle to contiguous, row-major values of one dtype (float32 or float64), any rank, plus
// what the tape needs (requires_grad, gradient, name, the tape entry that made it). The rules are in docs/tape.md.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

namespace tg {

enum class DType : std::uint8_t { f32, f64 };
inline constexpr DType f32 = DType::f32;
inline constexpr DType f64 = DType::f64;
const char* dtype_name(DType dtype);  // "float32" / "float64"
std::size_t dtype_size(DType dtype);

using Shape = std::vector<std::int64_t>;
std::string shape_str(const Shape& shape);  // "(3, 4)"; a scalar is "()"
// The number of elements; throws tg::Error naming `op` and the shape for a negative size or more than 2^63 - 1.
std::int64_t shape_numel(const Shape& shape, const char* op = "shape_numel");

// Every error tapegrad reports on bad input: the message says what, where and why ("matmul: a is (3, 4) ...").
struct Error : std::invalid_argument {
  using std::invalid_argument::invalid_argument;
};
[[noreturn]] void fail(const std::string& where, const std::string& why);  // throws Error("where: why")

struct Storage;  // pooled bytes, see autodiff/storage.hpp
struct TapeState;

struct TensorImpl {
  Shape shape;
  std::int64_t numel = 0;  // shape_numel(shape), kept beside it because loops ask for it often
  DType dtype = f32;
  std::shared_ptr<Storage> storage;
  std::string name;
  bool requires_grad = false;        // leaves: set by the user; recorded outputs: always true
  std::shared_ptr<TensorImpl> grad;  // written by backward (leaves accumulate across calls)
  // Set when a tape recorded the op that produced this tensor; entry == -1 for leaves.
  std::weak_ptr<TapeState> tape;
  std::uint64_t generation = 0;
  std::int64_t entry = -1;
};

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const;
  std::int64_t dim() const { return static_cast<std::int64_t>(shape().size()); }
  std::int64_t numel() const { return checked().numel; }
  std::int64_t size(std::int64_t axis) const;  // negative axes count from the end
  DType dtype() const;

  // Raw values. data<T>() checks that T matches the dtype.
  template <class T>
  T* data();
  template <class T>
  const T* data() const;
  void* raw_data();
  const void* raw_data() const;

  // Element access for tests and debugging (converted to double).
  double item() const;  // a one-element tensor's value
  double at(std::initializer_list<std::int64_t> index) const;
  double flat(std::int64_t i) const;  // i-th element in row-major order
  void set(std::initializer_list<std::int64_t> index, double value);
  void set_flat(std::int64_t i, double value);
  std::vector<double> to_vector() const;

  // Autodiff.
  bool requires_grad() const;
  Tensor& requires_grad(bool on);  // leaves only: mark as a variable whose gradient backward computes
  bool is_leaf() const;
  Tensor grad() const;    // undefined until backward reaches this tensor
  void zero_grad();       // forget the gradient (the next backward starts from nothing)
  Tensor detach() const;  // the same values, cut from the tape: a constant
  const std::string& name() const;
  Tensor& name(std::string name);  // shown by print_tape, error messages and anomaly reports

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const { return impl_; }

 private:
  const TensorImpl& checked() const;
  std::shared_ptr<TensorImpl> impl_;
};

// Factories. A Shape of {} is a scalar (rank 0).
// Uninitialised values. Every factory and op allocates through empty: a shape with a negative size, more than
// 2^63 - 1 elements or more bytes than can be allocated is a tg::Error naming the shape.
Tensor empty(const Shape& shape, DType dtype = f32);
Tensor zeros(const Shape& shape, DType dtype = f32);
Tensor ones(const Shape& shape, DType dtype = f32);
Tensor full(const Shape& shape, double value, DType dtype = f32);
Tensor scalar(double value, DType dtype = f32);
Tensor tensor(const std::vector<double>& values, DType dtype = f32);                      // 1-D
Tensor tensor(const std::vector<double>& values, const Shape& shape, DType dtype = f32);  // reshaped
Tensor arange(std::int64_t n, DType dtype = f32);                                         // 0, 1, ..., n-1
Tensor arange(double start, double stop, double step, DType dtype = f32);
Tensor zeros_like(const Tensor& x);
Tensor ones_like(const Tensor& x);
Tensor full_like(const Tensor& x, double value);
Tensor copy(const Tensor& x);  // fresh storage, not on the tape

// Shape, dtype, name and values; at most 6 values per dimension, the rest shown as "...".
std::ostream& operator<<(std::ostream& os, const Tensor& x);
std::string to_string(const Tensor& x, int max_per_dim = 6);

// Calls f(float{}) or f(double{}) by dtype, so a loop can be written once as a template.
template <class F>
decltype(auto) dispatch(DType dtype, F&& f) {
  if (dtype == f32) return f(float{});
  return f(double{});
}

}  // namespace tg
