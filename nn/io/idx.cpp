// IDX reader (MNIST / Fashion-MNIST) and the loader of a directory holding the four standard files.
// Byte offsets in messages count from the start of the decompressed data when the file is gzipped.
#include "nn/io/idx.hpp"

#include <cstdio>
#include <filesystem>
#include <stdexcept>

#include "nn/io/gzip.hpp"

namespace tg::nn::io {
namespace {

[[noreturn]] void fail(const std::string& what, const std::string& why) {
  throw std::runtime_error("idx: " + what + ": " + why);
}

std::string type_name(std::uint8_t type) {
  switch (type) {
    case 0x08:
      return "unsigned byte";
    case 0x09:
      return "signed byte";
    case 0x0B:
      return "int16";
    case 0x0C:
      return "int32";
    case 0x0D:
      return "float32";
    case 0x0E:
      return "float64";
    default:
      return "unknown";
  }
}

std::string shape_string(const std::vector<std::int64_t>& shape) {
  std::string s;
  for (std::size_t i = 0; i < shape.size(); ++i) s += (i ? "x" : "") + std::to_string(shape[i]);
  return s;
}

}  // namespace

IdxArray parse_idx(std::span<const std::uint8_t> bytes, const std::string& what) {
  if (bytes.size() < 4) fail(what, "truncated at byte " + std::to_string(bytes.size()) + " of 4+ (the magic number)");
  if (bytes[0] != 0 || bytes[1] != 0) fail(what, "not an IDX file: bytes 0-1 must be 00 00");
  const std::uint8_t type = bytes[2], ndim = bytes[3];
  if (type != 0x08) {
    char hex[8];
    std::snprintf(hex, sizeof hex, "0x%02X", type);
    fail(what, std::string("element type ") + hex + " (" + type_name(type) +
                   ") at byte 2 is not supported; only 0x08 (unsigned byte) is");
  }
  if (ndim == 0) fail(what, "number of dimensions at byte 3 is 0, must be at least 1");
  const std::size_t header = 4 + 4 * std::size_t{ndim};
  if (bytes.size() < header)
    fail(what, "truncated at byte " + std::to_string(bytes.size()) + " of " + std::to_string(header) +
                   "+ (the header of " + std::to_string(ndim) + " dimension sizes)");
  IdxArray a;
  const std::size_t available = bytes.size() - header;
  std::size_t count = 1;
  bool too_big = false;  // product exceeds the bytes available (checked step by step, so it cannot overflow)
  for (std::size_t d = 0; d < ndim; ++d) {
    const std::uint8_t* p = bytes.data() + 4 + 4 * d;
    const std::uint32_t size = std::uint32_t(p[0]) << 24 | std::uint32_t(p[1]) << 16 | std::uint32_t(p[2]) << 8 | p[3];
    a.shape.push_back(size);
    if (size != 0 && count > available / size)
      too_big = true;
    else
      count *= size;
  }
  if (too_big || count > available)
    fail(what, "truncated at byte " + std::to_string(bytes.size()) + ": shape " + shape_string(a.shape) +
                   " needs more data than the " + std::to_string(available) + " bytes after the header");
  if (count < available)
    fail(what, std::to_string(available - count) + " bytes of trailing data at byte " + std::to_string(header + count) +
                   " after the " + shape_string(a.shape) + " array");
  a.data.assign(bytes.begin() + static_cast<std::ptrdiff_t>(header), bytes.end());
  return a;
}

IdxArray read_idx(const std::string& path) {
  const std::vector<std::uint8_t> raw = read_file_bytes(path);
  if (!is_gzip(raw)) return parse_idx(raw, path);
  return parse_idx(gunzip(raw, path), path + " (decompressed)");
}

namespace {

// The first of `dir/base`, `dir/base.gz`, `dir/alt`, `dir/alt.gz` that exists; the message lists them all.
std::string find_idx_file(const std::string& dir, const std::string& base, const std::string& alt) {
  std::string tried;
  for (const std::string& name : {base, base + ".gz", alt, alt + ".gz"}) {
    const std::filesystem::path path = std::filesystem::path(dir) / name;
    std::error_code ec;
    if (std::filesystem::is_regular_file(path, ec)) return path.string();
    tried += (tried.empty() ? "" : ", ") + name;
  }
  fail(dir, "no " + base + " file; looked for " + tried);
}

void check_pair(const std::string& dir, const IdxArray& images, const IdxArray& labels, const std::string& split) {
  if (images.shape.size() != 3)
    fail(dir, split + " images have shape " + shape_string(images.shape) + ", expected (N, rows, columns)");
  if (labels.shape.size() != 1)
    fail(dir, split + " labels have shape " + shape_string(labels.shape) + ", expected (N)");
  if (images.shape[0] != labels.shape[0])
    fail(dir, split + " has " + std::to_string(images.shape[0]) + " images but " + std::to_string(labels.shape[0]) +
                  " labels");
}

}  // namespace

IdxDataset load_idx_dir(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) fail(dir, "no such directory");
  IdxDataset ds;
  ds.train_images = read_idx(find_idx_file(dir, "train-images-idx3-ubyte", "train-images.idx3-ubyte"));
  ds.train_labels = read_idx(find_idx_file(dir, "train-labels-idx1-ubyte", "train-labels.idx1-ubyte"));
  ds.test_images = read_idx(find_idx_file(dir, "t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"));
  ds.test_labels = read_idx(find_idx_file(dir, "t10k-labels-idx1-ubyte", "t10k-labels.idx1-ubyte"));
  check_pair(dir, ds.train_images, ds.train_labels, "train");
  check_pair(dir, ds.test_images, ds.test_labels, "t10k");
  return ds;
}

}  // namespace tg::nn::io
