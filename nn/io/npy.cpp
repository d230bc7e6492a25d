// .npy encoding/decoding (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html) and the zip
// container of .npz files (PKWARE APPNOTE.TXT sections 4.3.7, 4.3.12, 4.3.14-4.3.16 and 4.5.3 for zip64).
// Stored entries are written; stored and deflated entries are read. All multi-byte fields are little-endian.
#include "nn/io/npy.hpp"

#include <algorithm>
#include <array>
#include <bit>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "nn/io/crc.hpp"
#include "nn/io/gzip.hpp"

namespace tg::nn::io {
namespace {

static_assert(std::endian::native == std::endian::little, "npy: element bytes are copied as they are in memory");

struct Dtype {
  const char* code;   // our name
  const char* descr;  // NumPy's, as written
  std::size_t size;
};
constexpr Dtype kDtypes[] = {{"f4", "<f4", 4}, {"f8", "<f8", 8}, {"i4", "<i4", 4},
                             {"i8", "<i8", 8}, {"u1", "|u1", 1}, {"u8", "<u8", 8}};

const Dtype* find_dtype(const std::string& code) {
  for (const Dtype& d : kDtypes)
    if (code == d.code) return &d;
  return nullptr;
}

std::uint64_t get_le(std::span<const std::uint8_t> d, std::size_t p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | d[p + static_cast<std::size_t>(i)];
  return v;
}

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

// Number of elements of `shape`, or -1 if it is negative anywhere or exceeds `limit`.
std::int64_t element_count(const std::vector<std::int64_t>& shape, std::uint64_t limit) {
  if (std::any_of(shape.begin(), shape.end(), [](std::int64_t d) { return d < 0; })) return -1;
  if (std::find(shape.begin(), shape.end(), 0) != shape.end()) return 0;
  std::uint64_t count = 1;
  for (std::int64_t d : shape) {
    if (count > limit / static_cast<std::uint64_t>(d)) return -1;
    count *= static_cast<std::uint64_t>(d);
  }
  return count > limit ? -1 : static_cast<std::int64_t>(count);
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s = "(";
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + (shape.size() == 1 ? ",)" : ")");
}

// Just enough of a Python literal parser for the header dict, e.g. {'descr': '<f4', 'fortran_order': False,
// 'shape': (2, 3), }.
class HeaderParser {
 public:
  HeaderParser(std::string_view text, const std::string& what) : s_(text), what_(what) {}

  NpyArray parse() {
    NpyArray a;
    bool have_descr = false, have_order = false, have_shape = false;
    expect('{');
    while (!eat('}')) {
      const std::string key = quoted();
      expect(':');
      if (key == "descr")
        a.dtype = descr(), have_descr = true;
      else if (key == "fortran_order")
        fortran_order(), have_order = true;
      else if (key == "shape")
        a.shape = shape(), have_shape = true;
      else
        fail("unexpected key '" + key + "'");
      if (!eat(',')) {
        expect('}');
        break;
      }
    }
    skip_space();
    if (i_ != s_.size()) fail("unexpected text after the header dict");
    if (!have_descr || !have_order || !have_shape) fail("the header dict lacks 'descr', 'fortran_order' or 'shape'");
    return a;
  }

 private:
  [[noreturn]] void fail(const std::string& why) const {
    throw std::runtime_error("npy: " + what_ + ": header: " + why + " at byte " + std::to_string(10 + i_));
  }
  void skip_space() {
    while (i_ < s_.size() && (s_[i_] == ' ' || s_[i_] == '\n' || s_[i_] == '\t')) ++i_;
  }
  bool eat(char c) {
    skip_space();
    if (i_ < s_.size() && s_[i_] == c) return ++i_, true;
    return false;
  }
  void expect(char c) {
    if (!eat(c)) fail(std::string("expected '") + c + "'");
  }
  std::string quoted() {
    skip_space();
    if (i_ >= s_.size() || (s_[i_] != '\'' && s_[i_] != '"')) fail("expected a quoted string");
    const std::size_t end = s_.find(s_[i_], i_ + 1);
    if (end == std::string_view::npos) fail("unterminated string");
    std::string v(s_.substr(i_ + 1, end - i_ - 1));
    i_ = end + 1;
    return v;
  }
  // '<f4' (little-endian), '>f4' (big-endian: its bytes are swapped when read), '|u1' (no byte order).
  std::string descr() {
    const std::string d = quoted();
    for (const Dtype& t : kDtypes)
      if (d.size() == 3 && d.substr(1) == t.code && (d[0] == '<' || d[0] == '>' || (t.size == 1 && d[0] == '|'))) {
        big_endian_ = d[0] == '>' && t.size > 1;
        return t.code;
      }
    fail("dtype '" + d + "' is not supported (only f4, f8, i4, i8, u1, u8, little- or big-endian)");
  }
  void fortran_order() {
    skip_space();
    if (s_.substr(i_, 5) == "False")
      i_ += 5;
    else if (s_.substr(i_, 4) == "True")
      fail("Fortran-order (column-major) arrays are not supported");
    else
      fail("'fortran_order' must be False or True");
  }
  std::vector<std::int64_t> shape() {
    std::vector<std::int64_t> dims;
    expect('(');
    while (!eat(')')) {
      skip_space();
      std::int64_t v = 0;
      const std::size_t start = i_;
      for (; i_ < s_.size() && s_[i_] >= '0' && s_[i_] <= '9'; ++i_) {
        if (v > (std::int64_t{1} << 56)) fail("dimension too large");
        v = v * 10 + (s_[i_] - '0');
      }
      if (i_ == start) fail("expected a dimension size");
      dims.push_back(v);
      if (dims.size() > 64) fail("more than 64 dimensions");
      if (!eat(',')) {
        expect(')');
        break;
      }
    }
    return dims;
  }

  std::string_view s_;
  const std::string& what_;
  std::size_t i_ = 0;

 public:
  bool big_endian_ = false;  // the data are big-endian ('>f4'): decode_npy swaps them to the native order
};

}  // namespace

std::size_t dtype_size(const std::string& dtype) {
  const Dtype* d = find_dtype(dtype);
  if (d == nullptr) throw std::runtime_error("npy: dtype '" + dtype + "' is not one of f4, f8, i4, i8, u1, u8");
  return d->size;
}

std::vector<std::uint8_t> encode_npy(const NpyArray& array) {
  const std::size_t item = dtype_size(array.dtype);
  const std::int64_t count = element_count(array.shape, array.bytes.size());
  if (count < 0 || static_cast<std::size_t>(count) * item != array.bytes.size())
    throw std::runtime_error("npy: shape " + shape_string(array.shape) + " of dtype " + array.dtype + " needs " +
                             "a different byte count than the " + std::to_string(array.bytes.size()) + " given");
  std::string dict = std::string("{'descr': '") + find_dtype(array.dtype)->descr +
                     "', 'fortran_order': False, 'shape': " + shape_string(array.shape) + ", }";
  const std::size_t total = (10 + dict.size() + 1 + 63) / 64 * 64;  // magic, version, length, dict, '\n'
  dict.append(total - 10 - dict.size() - 1, ' ');
  dict += '\n';
  if (dict.size() > 65535) throw std::runtime_error("npy: header of shape " + shape_string(array.shape) + " too long");
  std::vector<std::uint8_t> out = {0x93, 'N', 'U', 'M', 'P', 'Y', 1, 0};
  out.reserve(total + array.bytes.size());  // one allocation for the whole file
  put_le(out, dict.size(), 2);
  out.insert(out.end(), dict.begin(), dict.end());
  out.insert(out.end(), array.bytes.begin(), array.bytes.end());
  return out;
}

// The header of .npy bytes (dtype and shape; no data) and where the data start. Needs only the header's bytes.
static NpyArray parse_npy_header(std::span<const std::uint8_t> bytes, const std::string& what, std::size_t& data_start,
                                 bool& big_endian) {
  auto fail = [&](const std::string& why) { throw std::runtime_error("npy: " + what + ": " + why); };
  if (bytes.size() < 10 || std::memcmp(bytes.data(), "\x93NUMPY", 6) != 0)
    fail("not an .npy file: it does not start with \\x93NUMPY");
  const int major = bytes[6];
  if (major < 1 || major > 3) fail("format version " + std::to_string(major) + " at byte 6 is not 1, 2 or 3");
  const std::size_t len_bytes = major == 1 ? 2 : 4, start = 8 + len_bytes;
  if (bytes.size() < start) fail("truncated at byte " + std::to_string(bytes.size()) + " of the header length");
  const std::uint64_t header_len = get_le(bytes, 8, static_cast<int>(len_bytes));
  if (header_len > bytes.size() - start)
    fail("truncated at byte " + std::to_string(bytes.size()) + ": the header needs " + std::to_string(header_len) +
         " bytes from byte " + std::to_string(start));
  const std::string_view text(reinterpret_cast<const char*>(bytes.data() + start), header_len);
  data_start = start + header_len;
  HeaderParser parser(text, what);
  NpyArray a = parser.parse();
  big_endian = parser.big_endian_;
  return a;
}

NpyArray decode_npy_header(std::span<const std::uint8_t> bytes, const std::string& what) {
  std::size_t data_start = 0;
  bool big_endian = false;
  return parse_npy_header(bytes, what, data_start, big_endian);
}

NpyArray decode_npy(std::span<const std::uint8_t> bytes, const std::string& what) {
  std::size_t data_start = 0;
  bool big_endian = false;
  NpyArray a = parse_npy_header(bytes, what, data_start, big_endian);
  const std::size_t available = bytes.size() - data_start;
  const std::size_t item = dtype_size(a.dtype);
  const std::int64_t count = element_count(a.shape, available / item);
  if (count < 0 || static_cast<std::size_t>(count) * item != available)
    throw std::runtime_error("npy: " + what + ": shape " + shape_string(a.shape) + " of " + a.dtype +
                             " does not match the " + std::to_string(available) + " data bytes from byte " +
                             std::to_string(data_start));
  a.bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  if (big_endian)  // to little-endian, the order of every NpyArray
    for (std::size_t at = 0; at < a.bytes.size(); at += item)
      std::reverse(a.bytes.begin() + static_cast<std::ptrdiff_t>(at),
                   a.bytes.begin() + static_cast<std::ptrdiff_t>(at + item));
  return a;
}

void save_npy(const std::string& path, const NpyArray& array) { write_file_atomic(path, encode_npy(array)); }

NpyArray load_npy(const std::string& path) { return decode_npy(read_file_bytes(path), path); }

// ---- typed views ---------------------------------------------------------------------------------------------

namespace {

template <class T>
NpyArray make_array(const char* dtype, std::span<const T> values, std::vector<std::int64_t> shape) {
  if (element_count(shape, values.size()) != static_cast<std::int64_t>(values.size()))
    throw std::runtime_error("npy_from: shape " + shape_string(shape) + " does not hold " +
                             std::to_string(values.size()) + " values");
  NpyArray a{dtype, std::move(shape), std::vector<std::uint8_t>(values.size_bytes())};
  if (!values.empty()) std::memcpy(a.bytes.data(), values.data(), values.size_bytes());
  return a;
}

template <class T>
std::vector<T> typed_values(const NpyArray& a, const char* dtype, const std::string& name) {
  if (a.dtype != dtype)
    throw std::runtime_error("npy: array '" + name + "' has dtype " + a.dtype + ", expected " + dtype);
  if (a.bytes.size() % sizeof(T) != 0)
    throw std::runtime_error("npy: array '" + name + "' has " + std::to_string(a.bytes.size()) +
                             " bytes, not a "
                             "multiple of " +
                             std::to_string(sizeof(T)));
  std::vector<T> v(a.bytes.size() / sizeof(T));
  if (!v.empty()) std::memcpy(v.data(), a.bytes.data(), a.bytes.size());
  return v;
}

}  // namespace

using Shape = std::vector<std::int64_t>;
using I32 = std::int32_t;
using I64 = std::int64_t;
using U8 = std::uint8_t;
using U64 = std::uint64_t;
NpyArray npy_from(std::span<const float> v, Shape s) { return make_array("f4", v, std::move(s)); }
NpyArray npy_from(std::span<const double> v, Shape s) { return make_array("f8", v, std::move(s)); }
NpyArray npy_from(std::span<const I32> v, Shape s) { return make_array("i4", v, std::move(s)); }
NpyArray npy_from(std::span<const I64> v, Shape s) { return make_array("i8", v, std::move(s)); }
NpyArray npy_from(std::span<const U8> v, Shape s) { return make_array("u1", v, std::move(s)); }
NpyArray npy_from(std::span<const U64> v, Shape s) { return make_array("u8", v, std::move(s)); }

std::vector<float> npy_as_f32(const NpyArray& a, const std::string& n) { return typed_values<float>(a, "f4", n); }
std::vector<double> npy_as_f64(const NpyArray& a, const std::string& n) { return typed_values<double>(a, "f8", n); }
std::vector<I32> npy_as_i32(const NpyArray& a, const std::string& n) { return typed_values<I32>(a, "i4", n); }
std::vector<I64> npy_as_i64(const NpyArray& a, const std::string& n) { return typed_values<I64>(a, "i8", n); }
std::vector<U8> npy_as_u8(const NpyArray& a, const std::string& n) { return typed_values<U8>(a, "u1", n); }
std::vector<U64> npy_as_u64(const NpyArray& a, const std::string& n) { return typed_values<U64>(a, "u8", n); }

}  // namespace tg::nn::io
