// Tensor handles, factories, element access and printing (see tensor.hpp).
#include "autodiff/tensor.hpp"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <iomanip>
#include <limits>
#include <new>
#include <sstream>
#include <utility>

#include "autodiff/inspect.hpp"
#include "autodiff/runtime/storage.hpp"
#include "autodiff/tape.hpp"

namespace tg {

const char* dtype_name(DType dtype) { return dtype == f32 ? "float32" : dtype == f64 ? "float64" : "an unknown dtype"; }

std::string shape_str(const Shape& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

std::int64_t shape_numel(const Shape& shape, const char* op) {
  if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d < 0; }))
    fail(op, "shape " + shape_str(shape) + " has a negative dimension");
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  std::int64_t n = 1;
  for (std::int64_t d : shape)
    if (__builtin_mul_overflow(n, d, &n)) fail(op, "shape " + shape_str(shape) + " has more than 2^63 - 1 elements");
  return n;
}

void fail(const std::string& where, const std::string& why) { throw Error(where + ": " + why); }

// ---- the handle -------------------------------------------------------------------------------------------------

void Tensor::undefined() {
  fail("tensor", "this Tensor is undefined (default-constructed, or a gradient never computed)");
}
void Tensor::wrong_dtype(const char* asked) const {
  fail("data", std::string("tensor is ") + dtype_name(dtype()) + ", asked for " + asked);
}

std::int64_t Tensor::size(std::int64_t axis) const {
  const std::int64_t r = dim();
  if (axis < -r || axis >= r)
    fail("size", "axis " + std::to_string(axis) + " is out of range for shape " + shape_str(shape()));
  return shape()[axis < 0 ? axis + r : axis];
}

double Tensor::flat(std::int64_t i) const {
  if (i < 0 || i >= numel())
    fail("flat", "index " + std::to_string(i) + " is out of range for " + std::to_string(numel()) + " elements");
  return dtype() == f32 ? double(data<float>()[i]) : data<double>()[i];
}

void Tensor::set_flat(std::int64_t i, double value) {
  if (i < 0 || i >= numel())
    fail("set_flat", "index " + std::to_string(i) + " is out of range for " + std::to_string(numel()) + " elements");
  if (dtype() == f32)
    data<float>()[i] = static_cast<float>(value);
  else
    data<double>()[i] = value;
}

static std::int64_t flat_index(const Shape& shape, std::initializer_list<std::int64_t> index, const char* op) {
  if (index.size() != shape.size())
    fail(op, std::to_string(index.size()) + " indices for a tensor of shape " + shape_str(shape));
  std::int64_t flat = 0, axis = 0;
  for (std::int64_t i : index) {
    if (i < 0 || i >= shape[axis])
      fail(op, "index " + std::to_string(i) + " is out of range for axis " + std::to_string(axis) + " of shape " +
                   shape_str(shape));
    flat = flat * shape[axis++] + i;
  }
  return flat;
}

double Tensor::at(std::initializer_list<std::int64_t> index) const { return flat(flat_index(shape(), index, "at")); }
void Tensor::set(std::initializer_list<std::int64_t> index, double value) {
  set_flat(flat_index(shape(), index, "set"), value);
}

double Tensor::item() const {
  if (numel() != 1) fail("item", "tensor has shape " + shape_str(shape()) + "; item() needs exactly one element");
  return flat(0);
}

std::vector<double> Tensor::to_vector() const {
  std::vector<double> v(static_cast<std::size_t>(numel()));
  for (std::int64_t i = 0; i < numel(); ++i) v[i] = flat(i);
  return v;
}

Tensor& Tensor::requires_grad(bool on) {
  if (!is_leaf())
    fail("requires_grad", "'" + name() +
                              "' was computed by an op; only leaves (tensors made by a factory) can "
                              "be marked. Use detach() to make a leaf from it");
  impl_->requires_grad = on;
  return *this;
}

void Tensor::zero_grad() { checked(), impl_->grad.reset(); }

Tensor Tensor::detach() const {
  auto impl = new_impl();
  impl->shape = shape();
  impl->numel = numel();
  impl->dtype = dtype();
  impl->storage = share_values(impl_);
  impl->data = impl_->data;
  impl->name = impl_->name;
  return Tensor(std::move(impl));
}

const std::string& Tensor::name() const { return checked().name; }
Tensor& Tensor::name(std::string name) {
  checked(), impl_->name = std::move(name);
  return *this;
}

// ---- factories --------------------------------------------------------------------------------------------------

// Every tensor's storage is made here, so every op that would build an impossible shape stops here with a message:
// negative sizes, an element count beyond int64, a byte count beyond what the address space can hold, or memory the
// system refuses. Never a wrapped size, an out-of-bounds write or a bare std::bad_alloc.
namespace {
// A record for `numel` values of `shape` (already checked), the values inside it when they fit.
Tensor make_tensor(const Shape& shape, std::int64_t numel, DType dtype, std::size_t bytes) {
  auto impl = new_impl();
  impl->shape = shape;
  impl->numel = numel;
  impl->dtype = dtype;
  if (bytes <= TensorImpl::small_bytes) {
    impl->data = impl->small;
  } else {
    auto storage = allocate_storage(bytes);
    impl->data = storage->data;
    impl->storage = std::move(storage);
  }
  return Tensor(std::move(impl));
}
}  // namespace

Tensor empty(const Shape& shape, DType dtype) {
  const std::int64_t numel = shape_numel(shape, "empty");
  const auto max_bytes = static_cast<std::uint64_t>(std::numeric_limits<std::ptrdiff_t>::max()) / 2;
  auto what = [&] { return "shape " + shape_str(shape) + " of " + dtype_name(dtype); };  // only when failing
  if (static_cast<std::uint64_t>(numel) > max_bytes / dtype_size(dtype))
    fail("empty", what() + " needs more than 2^62 bytes");
  const std::size_t bytes = static_cast<std::size_t>(numel) * dtype_size(dtype);
  try {
    return make_tensor(shape, numel, dtype, bytes);
  } catch (const std::bad_alloc&) {
    fail("empty", what() + " needs " + std::to_string(bytes) + " bytes, which could not be allocated");
  }
}

Tensor empty_like(const Tensor& x) {
  if (!x.defined()) fail("empty_like", "x is an undefined Tensor");
  const TensorImpl& t = *x.impl();
  try {
    return make_tensor(t.shape, t.numel, t.dtype, static_cast<std::size_t>(t.numel) * dtype_size(t.dtype));
  } catch (const std::bad_alloc&) {
    return empty(t.shape, t.dtype);  // fails again, with empty's message
  }
}

Tensor full(const Shape& shape, double value, DType dtype) {
  Tensor t = empty(shape, dtype);
  dispatch(dtype, [&]<class T>(T) { std::fill_n(t.data<T>(), t.numel(), static_cast<T>(value)); });
  return t;
}
Tensor zeros(const Shape& shape, DType dtype) { return full(shape, 0.0, dtype); }
Tensor ones(const Shape& shape, DType dtype) { return full(shape, 1.0, dtype); }
Tensor scalar(double value, DType dtype) { return full({}, value, dtype); }
Tensor zeros_like(const Tensor& x) { return zeros(x.shape(), x.dtype()); }
Tensor ones_like(const Tensor& x) { return ones(x.shape(), x.dtype()); }
Tensor full_like(const Tensor& x, double value) { return full(x.shape(), value, x.dtype()); }

Tensor tensor(const std::vector<double>& values, const Shape& shape, DType dtype) {
  if (shape_numel(shape, "tensor") != static_cast<std::int64_t>(values.size()))
    fail("tensor", std::to_string(values.size()) + " values do not fill shape " + shape_str(shape));
  Tensor t = empty(shape, dtype);
  for (std::size_t i = 0; i < values.size(); ++i) t.set_flat(static_cast<std::int64_t>(i), values[i]);
  return t;
}
Tensor tensor(const std::vector<double>& values, DType dtype) {
  return tensor(values, {static_cast<std::int64_t>(values.size())}, dtype);
}

Tensor arange(double start, double stop, double step, DType dtype) {
  if (step == 0 || !std::isfinite(start) || !std::isfinite(stop) || !std::isfinite(step))
    fail("arange", "start, stop and step must be finite and step nonzero");
  const double count = std::max(0.0, std::ceil((stop - start) / step));
  if (!(count < 0x1p62))
    fail("arange", "from " + std::to_string(start) + " to " + std::to_string(stop) + " by " + std::to_string(step) +
                       " is more than 2^62 values");
  Tensor t = empty({static_cast<std::int64_t>(count)}, dtype);
  for (std::int64_t i = 0; i < t.numel(); ++i) t.set_flat(i, start + static_cast<double>(i) * step);
  return t;
}
Tensor arange(std::int64_t n, DType dtype) { return arange(0.0, static_cast<double>(n), 1.0, dtype); }

Tensor copy(const Tensor& x) {
  Tensor t = empty(x.shape(), x.dtype());
  std::memcpy(t.raw_data(), x.raw_data(), static_cast<std::size_t>(x.numel()) * dtype_size(x.dtype()));
  return t;
}

// ---- printing ---------------------------------------------------------------------------------------------------

static void print_values(std::ostream& os, const Tensor& x, std::size_t axis, std::int64_t offset, int max_per_dim) {
  const Shape& s = x.shape();
  if (axis == s.size()) {
    os << x.flat(offset);
    return;
  }
  std::int64_t stride = 1;
  for (std::size_t a = axis + 1; a < s.size(); ++a) stride *= s[a];
  os << '[';
  for (std::int64_t i = 0; i < s[axis]; ++i) {
    if (i == max_per_dim / 2 && s[axis] > max_per_dim) {
      os << (i ? ", " : "") << "...";
      i = s[axis] - max_per_dim / 2 - 1;
      continue;
    }
    if (i) os << ", ";
    print_values(os, x, axis + 1, offset + i * stride, max_per_dim);
  }
  os << ']';
}

std::string to_string(const Tensor& x, int max_per_dim) {
  if (!x.defined()) return "tensor(undefined)";
  std::ostringstream os;
  os << std::setprecision(x.dtype() == f32 ? 6 : 10);
  os << "tensor(shape=" << shape_str(x.shape()) << ", dtype=" << dtype_name(x.dtype());
  if (!x.name().empty()) os << ", name=" << x.name();
  if (x.requires_grad()) os << ", requires_grad";
  os << ")\n";
  print_values(os, x, 0, 0, max_per_dim);
  return os.str();
}

std::ostream& operator<<(std::ostream& os, const Tensor& x) { return os << to_string(x); }

// Debuggers call tg::debug_string and tg::debug_tape (autodiff/inspect.hpp) in programs that never do: this file is
// linked into every program that uses a Tensor, and this table makes the linker bring those functions along.
namespace {
struct DebugFunctions {
  const char* (*tensor)(const Tensor&);
  const char* (*impl)(const TensorImpl*);
  const char* (*tape)();
};
[[gnu::used]] const DebugFunctions debug_functions{&debug_string, &debug_string, &debug_tape};
}  // namespace

}  // namespace tg
