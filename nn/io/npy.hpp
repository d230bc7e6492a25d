// NumPy's .npy format (version 1.0 written; 1.0-3.0 read) and .npz archives: a zip file of NAME.npy entries,
// written with stored entries and read with stored or deflated ones (numpy.savez / numpy.savez_compressed).
// Arrays are plain bytes here (no Tensor): dtype code, shape and little-endian row-major data (big-endian .npy files
// are swapped when read).
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "nn/io/gzip.hpp"

namespace tg::nn::io {

struct NpyArray {
  std::string dtype;                // "f4", "f8", "i4", "i8", "u1" or "u8", always little-endian
  std::vector<std::int64_t> shape;  // () for a scalar
  std::vector<std::uint8_t> bytes;  // C order, product(shape) * dtype_size(dtype) bytes
};

// Named arrays in insertion order (the order of the entries in an .npz file).
using NamedArrays = std::vector<std::pair<std::string, NpyArray>>;

// Bytes per element of a dtype code; throws for codes other than the six above.
std::size_t dtype_size(const std::string& dtype);

// The .npy bytes of one array; the header is padded so the data starts at a multiple of 64 bytes.
std::vector<std::uint8_t> encode_npy(const NpyArray& array);
// Parses .npy bytes; `what` names the source in error messages. Fortran order is rejected; big-endian data ('>f4',
// '>f8', ... as numpy.dtype('>f4') writes them) are read and their bytes swapped to little-endian.
NpyArray decode_npy(std::span<const std::uint8_t> bytes, const std::string& what);
// Only the header of .npy bytes: dtype and shape, `bytes` left empty. `bytes` need only hold the header (the
// first 10 + header length bytes), which is how a checkpoint's shapes are read before its data are decompressed.
NpyArray decode_npy_header(std::span<const std::uint8_t> bytes, const std::string& what);

void save_npy(const std::string& path, const NpyArray& array);  // atomic: path.tmp, then rename
NpyArray load_npy(const std::string& path);

// An .npz archive with one stored entry NAME.npy per array. Throws if the archive would need zip64
// (more than 65535 arrays, or any size or offset of 4 GiB or more), or a name is empty or repeated.
std::vector<std::uint8_t> encode_npz(const NamedArrays& arrays);
// An .npz archive opened for reading (nn/io/npz.cpp). The constructor parses the whole central directory (zip64 records
// accepted) and checks it before anything is decompressed: every offset and size lies within the input, each local
// header is where its entry says and names the same file, no two entries share a byte (one stream listed under several
// names would be decoded several times), names end in ".npy" and are unique. read(i) then decodes one entry,
// refusing it up front if it declares more than the caller's budget, and checks its size and CRC-32.
// Keeps a view of `bytes`, which must outlive it.
class NpzReader {
 public:
  struct Entry {
    std::string name;               // the array's name: the file name without ".npy"
    std::uint64_t size = 0;         // the .npy bytes the directory declares
    std::uint64_t compressed = 0;   // bytes stored in the archive
    std::uint64_t data_offset = 0;  // where they start
    std::uint32_t method = 0;       // 0 stored, 8 deflated
    std::uint32_t crc = 0;
    bool zip64 = false;  // the sizes came from a zip64 extra field
  };
  NpzReader(std::span<const std::uint8_t> bytes, std::string what);
  const std::vector<Entry>& entries() const { return entries_; }
  std::ptrdiff_t find(const std::string& name) const;  // index of the entry, or -1; O(1)
  NpyArray read(std::size_t i, std::size_t max_bytes = default_max_output) const;
  // The dtype and shape of entry i from its .npy header alone (at most 64 KiB decoded, whatever the entry's size),
  // checked against the size the entry declares; `bytes` of the result is empty.
  NpyArray header(std::size_t i) const;

 private:
  void check_method(const Entry& e, std::uint64_t local, const std::string& quoted) const;
  std::span<const std::uint8_t> bytes_;
  std::string what_;
  std::vector<Entry> entries_;
  std::unordered_map<std::string, std::size_t> index_;  // name -> entry
};

// Every array of an archive, in the order of its entries. The entries together may declare at most
// decode_budget(bytes.size(), max_total) bytes (checked before decoding; the caller can raise the cap).
NamedArrays decode_npz(std::span<const std::uint8_t> bytes, const std::string& what,
                       std::size_t max_total = default_max_output);

void save_npz(const std::string& path, const NamedArrays& arrays);  // atomic: path.tmp, then rename
NamedArrays load_npz(const std::string& path, std::size_t max_total = default_max_output);

// A name from a file, fit for a message: bytes outside printable ASCII, quotes and backslashes become \xNN.
std::string printable_name(std::string_view name);

// Arrays from typed values; product(shape) must equal values.size().
NpyArray npy_from(std::span<const float> values, std::vector<std::int64_t> shape);
NpyArray npy_from(std::span<const double> values, std::vector<std::int64_t> shape);
NpyArray npy_from(std::span<const std::int32_t> values, std::vector<std::int64_t> shape);
NpyArray npy_from(std::span<const std::int64_t> values, std::vector<std::int64_t> shape);
NpyArray npy_from(std::span<const std::uint8_t> values, std::vector<std::int64_t> shape);
NpyArray npy_from(std::span<const std::uint64_t> values, std::vector<std::int64_t> shape);

// Typed values of an array; throws, naming the array (`name`), if its dtype is not the one asked for.
std::vector<float> npy_as_f32(const NpyArray& array, const std::string& name);
std::vector<double> npy_as_f64(const NpyArray& array, const std::string& name);
std::vector<std::int32_t> npy_as_i32(const NpyArray& array, const std::string& name);
std::vector<std::int64_t> npy_as_i64(const NpyArray& array, const std::string& name);
std::vector<std::uint8_t> npy_as_u8(const NpyArray& array, const std::string& name);
std::vector<std::uint64_t> npy_as_u64(const NpyArray& array, const std::string& name);

}  // namespace tg::nn::io
