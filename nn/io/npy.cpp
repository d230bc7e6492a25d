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
  std::string descr() {
    const std::string d = quoted();
    for (const Dtype& t : kDtypes)
      if (d.size() == 3 && d.substr(1) == t.code && (d[0] == '<' || (t.size == 1 && d[0] == '|'))) return t.code;
    fail("dtype '" + d + "' is not supported (only little-endian f4, f8, i4, i8, u1, u8)");
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

NpyArray decode_npy(std::span<const std::uint8_t> bytes, const std::string& what) {
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
  NpyArray a = HeaderParser(text, what).parse();
  const std::size_t data_start = start + header_len, available = bytes.size() - data_start;
  const std::size_t item = dtype_size(a.dtype);
  const std::int64_t count = element_count(a.shape, available / item);
  if (count < 0 || static_cast<std::size_t>(count) * item != available)
    fail("shape " + shape_string(a.shape) + " of " + a.dtype + " does not match the " + std::to_string(available) +
         " data bytes from byte " + std::to_string(data_start));
  a.bytes.assign(bytes.begin() + static_cast<std::ptrdiff_t>(data_start), bytes.end());
  return a;
}

void save_npy(const std::string& path, const NpyArray& array) { write_file_atomic(path, encode_npy(array)); }

NpyArray load_npy(const std::string& path) { return decode_npy(read_file_bytes(path), path); }

// ---- .npz: the zip container -------------------------------------------------------------------------------

namespace {

constexpr std::uint32_t kLocalSig = 0x04034b50, kCentralSig = 0x02014b50, kEndSig = 0x06054b50;
constexpr std::uint32_t kZip64EndSig = 0x06064b50, kZip64LocatorSig = 0x07064b50;
constexpr std::uint64_t kZip32Limit = 0xFFFFFFFFu;  // this value in a 32-bit field means "see zip64"

[[noreturn]] void zip_fail(const std::string& what, std::uint64_t offset, const std::string& why) {
  throw std::runtime_error("npz: " + what + ": " + why + " at byte " + std::to_string(offset));
}

// Local file header (30 bytes + name) or central directory header (46 bytes + name) of a stored entry;
// version 2.0, no flags, DOS time 00:00 and date 1980-01-01.
void put_entry_header(std::vector<std::uint8_t>& out, bool central, const std::string& name, std::uint32_t crc,
                      std::uint64_t size, std::uint64_t local_offset) {
  put_le(out, central ? kCentralSig : kLocalSig, 4);
  if (central) put_le(out, 20, 2);                                // version made by
  for (std::uint64_t v : {20, 0, 0, 0, 0x21}) put_le(out, v, 2);  // needed, flags, method, time, date
  for (std::uint64_t v : std::initializer_list<std::uint64_t>{crc, size, size}) put_le(out, v, 4);
  put_le(out, name.size(), 2);
  put_le(out, 0, 2);  // extra field length
  if (central) {
    for (int i = 0; i < 4; ++i) put_le(out, 0, 2);  // comment length, disk, internal attributes, external (low)
    put_le(out, 0, 2);                              // external attributes (high)
    put_le(out, local_offset, 4);
  }
  out.insert(out.end(), name.begin(), name.end());
}

// Parses the central directory header at `p`; returns the offset just after it.
std::uint64_t read_central(std::span<const std::uint8_t> d, std::uint64_t p, std::uint64_t end, const std::string& what,
                           NpzReader::Entry& e, std::uint64_t& local_offset, std::uint32_t& flags) {
  if (end - p < 46 || get_le(d, p, 4) != kCentralSig) zip_fail(what, p, "bad central directory entry");
  flags = static_cast<std::uint32_t>(get_le(d, p + 8, 2));
  e.method = static_cast<std::uint32_t>(get_le(d, p + 10, 2));
  e.crc = static_cast<std::uint32_t>(get_le(d, p + 16, 4));
  e.compressed = get_le(d, p + 20, 4);
  e.size = get_le(d, p + 24, 4);
  local_offset = get_le(d, p + 42, 4);
  const std::uint64_t name_len = get_le(d, p + 28, 2), extra_len = get_le(d, p + 30, 2);
  const std::uint64_t entry_len = 46 + name_len + extra_len + get_le(d, p + 32, 2);
  if (end - p < entry_len) zip_fail(what, p, "central directory entry runs past the directory");
  e.name.assign(reinterpret_cast<const char*>(d.data() + p + 46), name_len);
  for (std::uint64_t x = p + 46 + name_len, x_end = x + extra_len; x_end - x >= 4;) {
    const std::uint64_t id = get_le(d, x, 2), len = get_le(d, x + 2, 2);
    std::uint64_t q = x + 4;
    x = q + len;
    if (x > x_end) zip_fail(what, q - 4, "extra field runs past its entry");
    if (id != 1) continue;  // zip64: the 64-bit values of the fields that hold 0xFFFFFFFF, in this order
    for (std::uint64_t* field : {&e.size, &e.compressed, &local_offset}) {
      if (*field != kZip32Limit) continue;
      if (x - q < 8) zip_fail(what, q, "zip64 extra field too short");
      *field = get_le(d, q, 8);
      q += 8;
    }
  }
  return p + entry_len;
}

// Finds the central directory: {offset, size, entry count}, through the zip64 records if needed.
std::array<std::uint64_t, 3> find_central_directory(std::span<const std::uint8_t> d, const std::string& what) {
  if (d.size() < 22) zip_fail(what, d.size(), "not a zip archive: too short");
  std::uint64_t e = d.size() - 22;
  for (const std::uint64_t lowest = e > 65535 ? e - 65535 : 0; get_le(d, e, 4) != kEndSig; --e)
    if (e == lowest) zip_fail(what, d.size(), "not a zip archive: no end-of-central-directory record");
  std::array<std::uint64_t, 3> cd = {get_le(d, e + 16, 4), get_le(d, e + 12, 4), get_le(d, e + 10, 2)};
  if (cd[0] == kZip32Limit || cd[1] == kZip32Limit || cd[2] == 0xFFFF) {
    if (e < 20 || get_le(d, e - 20, 4) != kZip64LocatorSig) zip_fail(what, e, "zip64 end locator missing");
    const std::uint64_t z = get_le(d, e - 12, 8);
    if (z > d.size() || d.size() - z < 56 || get_le(d, z, 4) != kZip64EndSig)
      zip_fail(what, e - 12, "zip64 end-of-central-directory record missing");
    cd = {get_le(d, z + 48, 8), get_le(d, z + 40, 8), get_le(d, z + 32, 8)};
  }
  if (cd[0] > d.size() || d.size() - cd[0] < cd[1]) zip_fail(what, e, "central directory lies outside the file");
  if (cd[2] > cd[1] / 46) zip_fail(what, e, std::to_string(cd[2]) + " entries do not fit in the central directory");
  return cd;
}

}  // namespace

std::vector<std::uint8_t> encode_npz(const NamedArrays& arrays) {
  auto fail = [](const std::string& why) { throw std::runtime_error("npz: " + why); };
  if (arrays.size() > 65535) fail(std::to_string(arrays.size()) + " arrays need zip64, which is not written");
  std::vector<std::uint8_t> out, central;
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    const auto& [name, array] = arrays[i];
    if (name.empty() || name.size() > 60000) fail("array " + std::to_string(i) + " has an empty or too long name");
    for (std::size_t j = 0; j < i; ++j)
      if (arrays[j].first == name) fail("array name '" + name + "' is used twice");
    const std::vector<std::uint8_t> npy = encode_npy(array);
    if (npy.size() >= kZip32Limit || out.size() + npy.size() >= kZip32Limit)
      fail("array '" + name + "' ends beyond 4 GiB, which needs zip64, which is not written");
    const std::uint32_t crc = crc32(npy);
    put_entry_header(central, true, name + ".npy", crc, npy.size(), out.size());
    put_entry_header(out, false, name + ".npy", crc, npy.size(), 0);
    out.insert(out.end(), npy.begin(), npy.end());
  }
  const std::uint64_t cd_offset = out.size();
  if (cd_offset + central.size() >= kZip32Limit) fail("the archive needs zip64, which is not written");
  out.insert(out.end(), central.begin(), central.end());
  put_le(out, kEndSig, 4);
  for (std::uint64_t v : std::initializer_list<std::uint64_t>{0, 0, arrays.size(), arrays.size()}) put_le(out, v, 2);
  put_le(out, central.size(), 4);
  put_le(out, cd_offset, 4);
  put_le(out, 0, 2);  // comment length
  return out;
}

std::string printable_name(std::string_view name) {
  std::string out;
  for (const char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 && u < 0x7F && c != '\\' && c != '\'') {
      out += c;
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", u);
      out += hex;
    }
  }
  return out;
}

NpzReader::NpzReader(std::span<const std::uint8_t> bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {
  const auto [offset, size, count] = find_central_directory(bytes_, what_);
  struct Extent {
    std::uint64_t begin, end;
    std::size_t entry;
  };
  std::vector<Extent> extents;
  std::uint64_t p = offset;
  for (std::uint64_t i = 0; i < count; ++i) {
    Entry e;
    std::uint64_t local = 0;
    std::uint32_t flags = 0;
    p = read_central(bytes_, p, offset + size, what_, e, local, flags);
    const std::string quoted = "entry '" + printable_name(e.name) + "'";
    if (e.name.size() < 4 || e.name.compare(e.name.size() - 4, 4, ".npy") != 0)
      zip_fail(what_, local, quoted + " is not an .npy file");
    if (flags & 1) zip_fail(what_, local, quoted + " is encrypted");
    if (!(e.method == 8 || (e.method == 0 && e.compressed == e.size)))
      zip_fail(what_, local,
               quoted + ": compression method " + std::to_string(e.method) + " with sizes " +
                   std::to_string(e.compressed) + "/" + std::to_string(e.size) + " is not supported");
    // The local header must sit where the directory says, name the same file, and its data must end before the
    // central directory.
    if (local > offset || offset - local < 30 || get_le(bytes_, local, 4) != kLocalSig)
      zip_fail(what_, local, quoted + ": no local file header");
    const std::uint64_t name_len = get_le(bytes_, local + 26, 2), extra_len = get_le(bytes_, local + 28, 2);
    if (offset - local - 30 < name_len + extra_len ||
        std::string_view(reinterpret_cast<const char*>(bytes_.data() + local + 30), name_len) != e.name)
      zip_fail(what_, local, quoted + ": the local file header names another file");
    e.data_offset = local + 30 + name_len + extra_len;
    if (offset - e.data_offset < e.compressed)
      zip_fail(what_, e.data_offset,
               quoted + ": its " + std::to_string(e.compressed) + " bytes run past the start of the central directory");
    e.name.resize(e.name.size() - 4);
    extents.push_back({local, e.data_offset + e.compressed, entries_.size()});
    entries_.push_back(std::move(e));
  }
  // No two entries may share bytes (one deflated stream listed under many names would be decoded many times), and
  // names are unique. Both checks sort, so that a directory of 65535 entries costs no more than reading it.
  std::sort(extents.begin(), extents.end(), [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < extents.size(); ++i)
    if (extents[i].begin < extents[i - 1].end)
      zip_fail(what_, extents[i].begin,
               "entries '" + printable_name(entries_[extents[i - 1].entry].name) + ".npy' and '" +
                   printable_name(entries_[extents[i].entry].name) + ".npy' overlap");
  std::vector<std::size_t> order(entries_.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(),
            [&](std::size_t a, std::size_t b) { return entries_[a].name < entries_[b].name; });
  for (std::size_t i = 1; i < order.size(); ++i)
    if (entries_[order[i]].name == entries_[order[i - 1]].name)
      zip_fail(what_, entries_[order[i]].data_offset,
               "entry '" + printable_name(entries_[order[i]].name) + ".npy' appears twice");
}

std::ptrdiff_t NpzReader::find(const std::string& name) const {
  for (std::size_t i = 0; i < entries_.size(); ++i)
    if (entries_[i].name == name) return static_cast<std::ptrdiff_t>(i);
  return -1;
}

NpyArray NpzReader::read(std::size_t i, std::size_t max_bytes) const {
  const Entry& e = entries_.at(i);
  const std::string entry = "entry '" + printable_name(e.name) + ".npy'";
  if (e.size > max_bytes)
    zip_fail(
        what_, e.data_offset,
        entry + " declares " + std::to_string(e.size) + " bytes, more than the limit of " + std::to_string(max_bytes));
  const auto data = bytes_.subspan(e.data_offset, e.compressed);
  std::vector<std::uint8_t> bytes;
  if (e.method == 0)
    bytes.assign(data.begin(), data.end());
  else  // the declared size bounds the output; it is not trusted for the allocation (see inflate_raw)
    bytes = inflate_raw(data, what_ + ": " + entry, e.size, e.size, nullptr, e.data_offset);
  if (bytes.size() != e.size)
    zip_fail(what_, e.data_offset,
             entry + " decodes to " + std::to_string(bytes.size()) + " bytes, not " + std::to_string(e.size));
  if (crc32(bytes) != e.crc) zip_fail(what_, e.data_offset, entry + ": CRC-32 mismatch");
  return decode_npy(bytes, what_ + ": " + printable_name(e.name) + ".npy");
}

NamedArrays decode_npz(std::span<const std::uint8_t> bytes, const std::string& what, std::size_t max_total) {
  const NpzReader reader(bytes, what);
  std::uint64_t total = 0;
  for (const NpzReader::Entry& e : reader.entries()) {
    if (e.size > max_total - total)
      zip_fail(what, e.data_offset,
               "entry '" + printable_name(e.name) + ".npy' declares " + std::to_string(e.size) +
                   " bytes, which brings the total past the limit of " + std::to_string(max_total));
    total += e.size;
  }
  NamedArrays arrays;
  for (std::size_t i = 0; i < reader.entries().size(); ++i)
    arrays.emplace_back(reader.entries()[i].name, reader.read(i, max_total));
  return arrays;
}

void save_npz(const std::string& path, const NamedArrays& arrays) { write_file_atomic(path, encode_npz(arrays)); }

NamedArrays load_npz(const std::string& path, std::size_t max_total) {
  return decode_npz(read_file_bytes(path, max_total), path, max_total);
}

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
