// The Tensor: a shared handle to contiguous, row-major values of one dtype (float32 or float64), any rank, plus
// what the tape needs (requires_grad, gradient, name, the tape entry that made it). The rules are in docs/tape.md.
#pragma once
#include <algorithm>
#include <array>
#include <cstdint>
#include <initializer_list>
#include <iosfwd>
#include <iterator>
#include <memory>
#include <new>
#include <stdexcept>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

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

// A short list of integers kept inline, never on the heap: a tensor's shape, or a list of axes. It holds at most
// max_size values (a tensor of rank 9 is an error); otherwise it reads like std::vector<std::int64_t> and converts
// to and from one. Making, copying and comparing shapes is what every op does, so this keeps ops allocation-free.
class Dims {
 public:
  using value_type = std::int64_t;
  static constexpr std::size_t max_size = 8;
  Dims() = default;
  Dims(std::initializer_list<std::int64_t> values) : Dims(values.begin(), values.end()) {}
  Dims(const std::vector<std::int64_t>& values) : Dims(values.begin(), values.end()) {}  // NOLINT: implicit
  explicit Dims(std::size_t n, std::int64_t value = 0) { resize(n, value); }
  template <std::input_iterator It>
  Dims(It first, It last) {
    for (; first != last; ++first) push_back(*first);
  }
  operator std::vector<std::int64_t>() const { return {begin(), end()}; }  // NOLINT: implicit

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::int64_t& operator[](std::size_t i) { return values_[i]; }
  std::int64_t operator[](std::size_t i) const { return values_[i]; }
  std::int64_t& front() { return values_[0]; }
  std::int64_t front() const { return values_[0]; }
  std::int64_t& back() { return values_[size_ - 1]; }
  std::int64_t back() const { return values_[size_ - 1]; }
  std::int64_t* data() { return values_; }
  const std::int64_t* data() const { return values_; }
  std::int64_t* begin() { return values_; }
  std::int64_t* end() { return values_ + size_; }
  const std::int64_t* begin() const { return values_; }
  const std::int64_t* end() const { return values_ + size_; }

  void push_back(std::int64_t v) {
    if (size_ == max_size) too_long();
    values_[size_++] = v;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void resize(std::size_t n, std::int64_t value = 0);
  std::int64_t* insert(const std::int64_t* pos, std::int64_t v);  // before pos, like std::vector
  std::int64_t* erase(const std::int64_t* pos);
  template <std::input_iterator It>
  void insert(const std::int64_t* pos, It first, It last) {  // the values of [first, last) before pos
    for (std::int64_t* at = begin() + (pos - begin()); first != last; ++first) at = insert(at, *first) + 1;
  }
  void insert(const std::int64_t* pos, std::initializer_list<std::int64_t> values) {
    insert(pos, values.begin(), values.end());
  }
  std::reverse_iterator<std::int64_t*> rbegin() { return std::reverse_iterator(end()); }
  std::reverse_iterator<std::int64_t*> rend() { return std::reverse_iterator(begin()); }
  std::reverse_iterator<const std::int64_t*> rbegin() const { return std::reverse_iterator(end()); }
  std::reverse_iterator<const std::int64_t*> rend() const { return std::reverse_iterator(begin()); }
  friend bool operator==(const Dims& a, const Dims& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  [[noreturn]] void too_long() const;
  std::int64_t values_[max_size] = {};
  std::size_t size_ = 0;
};
using Shape = Dims;  // a tensor's dims, outermost first; {} is a scalar

std::string shape_str(const Shape& shape);  // "(3, 4)"; a scalar is "()"
// The number of elements; throws tg::Error naming `op` and the shape for a negative size or more than 2^63 - 1.
std::int64_t shape_numel(const Shape& shape, const char* op = "shape_numel");

struct TensorImpl {
  // Values of at most this many bytes (a scalar, a pair of doubles) live in `small`, inside the record itself: a
  // tensor of a scalar computation is then one block from the free lists, not a record and a buffer.
  static constexpr std::size_t small_bytes = 16;
  Shape shape;
  std::int64_t numel = 0;  // shape_numel(shape), kept beside it because loops ask for it often
  DType dtype = f32;
  bool requires_grad = false;  // leaves: set by the user; recorded outputs: always true
  void* data = nullptr;        // the values: in `small`, or in the buffer `storage` keeps alive
  // What keeps the values alive when they are not in `small`: their Storage (autodiff/storage.hpp), or, for a view
  // of a small tensor (reshape, detach), the record of that tensor. Null when the values are in `small`.
  std::shared_ptr<void> storage;
  std::shared_ptr<TensorImpl> grad;  // written by backward (leaves accumulate across calls)
  // Set when a tape recorded the op that produced this tensor; entry == -1 for leaves. Generations are unique over
  // all tapes (each Tape and each clear() takes a new one), so the generation alone says which tape, and whether
  // it has been cleared since.
  std::uint64_t generation = 0;
  std::int64_t entry = -1;
  std::string name;
  alignas(16) unsigned char small[small_bytes];
  // Written out, so that making a record sets the members above and nothing else: a defaulted constructor would
  // have std::allocate_shared zero all of its bytes first.
  TensorImpl() {}  // NOLINT(modernize-use-equals-default)
};

// What a view of x (same values, another record) holds to keep x's values alive: x's storage, or x's record itself
// when its values live inside it.
std::shared_ptr<void> share_values(const std::shared_ptr<TensorImpl>& x);

// A fresh TensorImpl from the free lists of autodiff/storage.hpp (no heap allocation in steady state).
std::shared_ptr<TensorImpl> new_impl();

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

// A short list of tensors: an op's inputs, or the gradients its backward rule returns (one per input). Up to four
// are kept inline, so such a list never touches the heap; a longer one (concat of many tensors) moves to the heap.
class TensorList {
 public:
  static constexpr std::size_t inline_capacity = 4;
  TensorList() = default;
  // TensorList{a, b}: each tensor is copied, or moved when it is a temporary (Grads{g * b, g * a}). Not an
  // std::initializer_list, whose values can only be copied out: that would cost every op a reference count more.
  template <class... Ts>
    requires(sizeof...(Ts) > 0 && (std::is_convertible_v<Ts, Tensor> && ...))
  TensorList(Ts&&... tensors) {  // NOLINT: implicit on purpose, for {a, b}
    if constexpr (sizeof...(Ts) <= inline_capacity)
      (new (slot(size_++)) Tensor(std::forward<Ts>(tensors)), ...);  // built in place: no Tensor in between
    else
      (push_back(std::forward<Ts>(tensors)), ...);
  }
  TensorList(const std::vector<Tensor>& tensors) {  // NOLINT: implicit on purpose (concat's inputs, older rules)
    for (const Tensor& x : tensors) push_back(x);
  }
  explicit TensorList(std::size_t n) {  // n undefined tensors, to be filled by index
    for (std::size_t i = 0; i < n; ++i) push_back(Tensor());
  }
  TensorList(const TensorList& other) : TensorList() {
    for (const Tensor& x : other) push_back(x);
  }
  TensorList(TensorList&& other) noexcept { take(other); }
  TensorList& operator=(const TensorList& other) {
    if (this != &other) clear(), *this = TensorList(other);
    return *this;
  }
  TensorList& operator=(TensorList&& other) noexcept {
    if (this != &other) clear(), take(other);
    return *this;
  }
  ~TensorList() { clear(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Tensor& operator[](std::size_t i) { return data()[i]; }
  const Tensor& operator[](std::size_t i) const { return data()[i]; }
  Tensor* begin() { return data(); }
  Tensor* end() { return data() + size_; }
  const Tensor* begin() const { return data(); }
  const Tensor* end() const { return data() + size_; }
  void push_back(Tensor x) {
    if (size_ >= inline_capacity) return spill(std::move(x));
    new (slot(size_)) Tensor(std::move(x));
    ++size_;
  }
  void clear() {
    Tensor* values = data();
    for (std::size_t i = 0; i < size_; ++i) values[i].~Tensor();
    if (spill_) free_spill();
    size_ = 0;
  }

 private:
  Tensor* slot(std::size_t i) { return std::launder(reinterpret_cast<Tensor*>(inline_)) + i; }
  const Tensor* slot(std::size_t i) const { return std::launder(reinterpret_cast<const Tensor*>(inline_)) + i; }
  Tensor* data() { return spill_ ? spill_ : slot(0); }
  const Tensor* data() const { return spill_ ? spill_ : slot(0); }
  void spill(Tensor x);  // the fifth tensor and later ones: every tensor moves to spill_ (grown as needed)
  void free_spill();
  void take(TensorList& other) {  // moves other's tensors here (this list is empty)
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    spill_ = std::exchange(other.spill_, nullptr);
    if (spill_) return;
    for (std::size_t i = 0; i < size_; ++i) new (slot(i)) Tensor(std::move(*other.slot(i))), other.slot(i)->~Tensor();
  }
  alignas(Tensor) unsigned char inline_[inline_capacity * sizeof(Tensor)];  // the first tensors, built in place
  Tensor* spill_ = nullptr;   // holds every tensor instead, once there are more than inline_capacity
  std::size_t capacity_ = 0;  // of spill_
  std::size_t size_ = 0;
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
Tensor empty_like(const Tensor& x);  // uninitialised, x's shape and dtype (no checks to repeat: x has them)
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
