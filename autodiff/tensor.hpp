// The Tensor: a shared handle to contiguous, row-major values of one dtype (float32 or float64), any rank, plus
// what the tape needs (requires_grad, gradient, name, the tape entry that made it). The rules are in docs/tape.md.
// Its record, TensorImpl, is in runtime/tensor_record.hpp; lists of tensors (TensorList) in runtime/tensor_list.hpp.
#pragma once
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/dtype.hpp"
#include "autodiff/runtime/tensor_record.hpp"  // TensorImpl: the record a Tensor points to

namespace tg {

std::string shape_str(const Shape& shape);  // "(3, 4)"; a scalar is "()"
// The number of elements; throws tg::Error naming `op` and the shape for a negative size or more than 2^63 - 1.
std::int64_t shape_numel(const Shape& shape, const char* op = "shape_numel");

class Tensor {
 public:
  Tensor() = default;
  explicit Tensor(std::shared_ptr<TensorImpl> impl) : impl_(std::move(impl)) {}

  bool defined() const { return impl_ != nullptr; }
  const Shape& shape() const { return checked().shape; }
  std::int64_t dim() const { return static_cast<std::int64_t>(shape().size()); }
  std::int64_t numel() const { return checked().numel; }
  std::int64_t size(std::int64_t axis) const;  // negative axes count from the end
  DType dtype() const { return checked().dtype; }

  // Raw values. data<T>() checks that T matches the dtype.
  template <class T>
  T* data() {
    if (dtype() != (std::is_same_v<T, float> ? f32 : f64)) wrong_dtype(std::is_same_v<T, float> ? "float" : "double");
    return static_cast<T*>(impl_->data);
  }
  template <class T>
  const T* data() const {
    return const_cast<Tensor*>(this)->data<T>();
  }
  void* raw_data() { return checked().data; }
  const void* raw_data() const { return checked().data; }

  // Element access for tests and debugging (converted to double).
  double item() const;  // a one-element tensor's value
  double at(std::initializer_list<std::int64_t> index) const;
  double flat(std::int64_t i) const;  // i-th element in row-major order
  void set(std::initializer_list<std::int64_t> index, double value);
  void set_flat(std::int64_t i, double value);
  std::vector<double> to_vector() const;

  // Autodiff.
  bool requires_grad() const { return checked().requires_grad; }
  Tensor& requires_grad(bool on);  // leaves only: mark as a variable whose gradient backward computes
  bool is_leaf() const { return checked().entry < 0; }
  Tensor grad() const;    // undefined until backward reaches this tensor
  void zero_grad();       // forget the gradient (the next backward starts from nothing)
  Tensor detach() const;  // the same values, cut from the tape: a constant
  const std::string& name() const;
  Tensor& name(std::string name);  // shown by print_tape, error messages and anomaly reports

  TensorImpl* impl() const { return impl_.get(); }
  const std::shared_ptr<TensorImpl>& impl_ptr() const& { return impl_; }
  std::shared_ptr<TensorImpl> impl_ptr() && { return std::move(impl_); }  // a temporary hands its record over

 private:
  const TensorImpl& checked() const {
    if (!impl_) undefined();
    return *impl_;
  }
  [[noreturn]] static void undefined();
  [[noreturn]] void wrong_dtype(const char* asked) const;
  std::shared_ptr<TensorImpl> impl_;
};

inline Tensor Tensor::grad() const { return Tensor(checked().grad); }  // inline: the backward sweep asks for every one

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
Tensor empty_like(const Tensor& x);  // uninitialised, x's shape and dtype (no checks to repeat: x has them)
Tensor zeros_like(const Tensor& x);
Tensor ones_like(const Tensor& x);
Tensor full_like(const Tensor& x, double value);
Tensor copy(const Tensor& x);  // fresh storage, not on the tape

// Shape, dtype, name and values; at most 6 values per dimension, the rest shown as "...".
std::ostream& operator<<(std::ostream& os, const Tensor& x);
std::string to_string(const Tensor& x, int max_per_dim = 6);

}  // namespace tg
