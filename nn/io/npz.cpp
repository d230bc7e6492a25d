// The zip container of .npz files (PKWARE APPNOTE.TXT sections 4.3.7, 4.3.12, 4.3.14-4.3.16 and 4.5.3 for zip64):
// stored entries are written; stored and deflated entries are read, within a budget (npy.hpp). The .npy inside each
// entry: npy.cpp. All multi-byte fields are little-endian.
#include <algorithm>
#include <array>
#include <cstdio>
#include <cstring>
#include <stdexcept>
#include <string_view>

#include "nn/io/crc.hpp"
#include "nn/io/gzip.hpp"
#include "nn/io/npy.hpp"

namespace tg::nn::io {
namespace {

std::uint64_t get_le(std::span<const std::uint8_t> d, std::size_t p, int n) {
  std::uint64_t v = 0;
  for (int i = n - 1; i >= 0; --i) v = v << 8 | d[p + static_cast<std::size_t>(i)];
  return v;
}

void put_le(std::vector<std::uint8_t>& out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

}  // namespace

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
      e.zip64 = e.zip64 || field != &local_offset;
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
    check_method(e, local, quoted);
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
  // names are unique. The first check sorts and the second hashes, so that a directory of 65535 entries costs no more
  // than reading it.
  std::sort(extents.begin(), extents.end(), [](const Extent& a, const Extent& b) { return a.begin < b.begin; });
  for (std::size_t i = 1; i < extents.size(); ++i)
    if (extents[i].begin < extents[i - 1].end)
      zip_fail(what_, extents[i].begin,
               "entries '" + printable_name(entries_[extents[i - 1].entry].name) + ".npy' and '" +
                   printable_name(entries_[extents[i].entry].name) + ".npy' overlap");
  for (std::size_t i = 0; i < entries_.size(); ++i)  // names are unique; find() looks them up in O(1)
    if (!index_.emplace(entries_[i].name, i).second)
      zip_fail(what_, entries_[i].data_offset, "entry '" + printable_name(entries_[i].name) + ".npy' appears twice");
}

std::ptrdiff_t NpzReader::find(const std::string& name) const {
  const auto it = index_.find(name);
  return it == index_.end() ? -1 : static_cast<std::ptrdiff_t>(it->second);
}

// The method must be stored (0, with equal sizes) or deflated (8, with a declared size DEFLATE can reach).
void NpzReader::check_method(const Entry& e, std::uint64_t local, const std::string& quoted) const {
  const std::string sizes = std::string(e.zip64 ? " in its zip64 extra field" : "");
  if (e.method != 0 && e.method != 8)
    zip_fail(what_, local,
             quoted + ": compression method " + std::to_string(e.method) +
                 " is not supported (only 0, stored, and 8, deflated)");
  if (e.method == 0 && e.compressed != e.size)
    zip_fail(what_, local,
             quoted + " is stored (method 0), but declares " + std::to_string(e.size) + " bytes" + sizes +
                 " and stores " + std::to_string(e.compressed) + "; a stored entry's sizes are equal");
  if (e.method == 8 && e.size / max_deflate_ratio > e.compressed)
    zip_fail(what_, local,
             quoted + " declares " + std::to_string(e.size) + " bytes" + sizes + " from " +
                 std::to_string(e.compressed) + " deflated bytes, more than DEFLATE can expand them to (" +
                 std::to_string(max_deflate_ratio) + " times)");
}

NpyArray NpzReader::header(std::size_t i) const {
  const Entry& e = entries_.at(i);
  const std::string entry = "entry '" + printable_name(e.name) + ".npy'";
  const auto data = bytes_.subspan(e.data_offset, e.compressed);
  auto prefix = [&](std::size_t n) {  // the first n bytes of the entry's .npy, or all there are
    return e.method == 0 ? std::vector<std::uint8_t>(data.begin(), data.begin() + std::min<std::size_t>(n, data.size()))
                         : inflate_prefix(data, what_ + ": " + entry, n, e.data_offset);
  };
  // The magic, the version and the header's length (2 bytes in version 1, 4 after), then the header: at most 64 KiB.
  const std::vector<std::uint8_t> start = prefix(12);
  const std::size_t len = start.size() < 12 ? 0 : start[6] == 1 ? 10 + get_le(start, 8, 2) : 12 + get_le(start, 8, 4);
  if (len > (std::size_t{1} << 16))
    zip_fail(what_, e.data_offset, entry + ": its .npy header of " + std::to_string(len) + " bytes is over 64 KiB");
  NpyArray a = decode_npy_header(len == 0 ? start : prefix(len), what_ + ": " + printable_name(e.name) + ".npy");
  const std::size_t item = dtype_size(a.dtype);
  std::uint64_t numel = 1;
  for (std::int64_t d : a.shape)
    numel =
        d != 0 && numel > e.size / static_cast<std::uint64_t>(d) ? e.size + 1 : numel * static_cast<std::uint64_t>(d);
  if (numel > e.size / item)
    zip_fail(what_, e.data_offset,
             entry + ": its header's shape needs more than the " + std::to_string(e.size) + " bytes it declares");
  return a;
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
  const std::size_t budget = decode_budget(bytes.size(), max_total);
  std::uint64_t total = 0;
  for (const NpzReader::Entry& e : reader.entries()) {
    if (e.size > budget - total)
      zip_fail(what, e.data_offset,
               "entry '" + printable_name(e.name) + ".npy' declares " + std::to_string(e.size) +
                   " bytes, which brings the total past the budget of " + std::to_string(budget) + " bytes (" +
                   describe_budget(bytes.size(), max_total) + ")");
    total += e.size;
  }
  NamedArrays arrays;
  for (std::size_t i = 0; i < reader.entries().size(); ++i)
    arrays.emplace_back(reader.entries()[i].name, reader.read(i, budget));
  return arrays;
}

void save_npz(const std::string& path, const NamedArrays& arrays) { write_file_atomic(path, encode_npz(arrays)); }

NamedArrays load_npz(const std::string& path, std::size_t max_total) {
  return decode_npz(read_file_bytes(path, max_total), path, max_total);
}

}  // namespace tg::nn::io
