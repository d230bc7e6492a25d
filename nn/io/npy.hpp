// NumPy's .npy format (version 1.0 written; 1.0-3.0 read) and .npz archives: a zip file of NAME.npy entries,
// written with stored entries and read with stored or deflated ones (numpy.savez / numpy.savez_compressed).
// Arrays are plain bytes here (no Tensor): dtype code, shape and little-endian row-major data.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <utility>
#include <vector>

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
// Parses .npy bytes; `what` names the source in error messages. Fortran order and big-endian data are rejected.
NpyArray decode_npy(std::span<const std::uint8_t> bytes, const std::string& what);

void save_npy(const std::string& path, const NpyArray& array);  // atomic: path.tmp, then rename
NpyArray load_npy(const std::string& path);

// An .npz archive with one stored entry NAME.npy per array. Throws if the archive would need zip64
// (more than 65535 arrays, or any size or offset of 4 GiB or more), or a name is empty or repeated.
std::vector<std::uint8_t> encode_npz(const NamedArrays& arrays);
// Reads an .npz archive through its central directory (zip64 records accepted); every offset and size is
// checked against the input, and each entry's CRC-32.
NamedArrays decode_npz(std::span<const std::uint8_t> bytes, const std::string& what);

void save_npz(const std::string& path, const NamedArrays& arrays);  // atomic: path.tmp, then rename
NamedArrays load_npz(const std::string& path);

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
