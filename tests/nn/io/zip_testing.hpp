// Hand-made archives for the hostile-file tests: a minimal zip writer whose every field the test chooses (sizes,
// offsets, names, methods), raw DEFLATE streams of stored blocks, and gzip members.
#pragma once
#include <cstdint>
#include <string>
#include <vector>

#include "nn/io/crc.hpp"
#include "nn/io/npy.hpp"

namespace tgtest {

using Bytes = std::vector<std::uint8_t>;  // tests/support/bytes.hpp tells Catch2 how to print it

inline void put_le(Bytes& out, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline void set_le(Bytes& out, std::size_t at, std::uint64_t v, int n) {
  for (int i = 0; i < n; ++i) out[at + static_cast<std::size_t>(i)] = static_cast<std::uint8_t>(v >> (8 * i));
}

// `data` as a raw DEFLATE stream of stored blocks (at most 65535 bytes each): valid input for method 8.
inline Bytes deflate_stored(const Bytes& data) {
  Bytes out;
  std::size_t at = 0;
  do {
    const std::size_t n = std::min<std::size_t>(65535, data.size() - at);
    out.push_back(at + n == data.size() ? 1 : 0);  // BFINAL, BTYPE 00
    put_le(out, n, 2);
    put_le(out, ~n & 0xFFFF, 2);
    out.insert(out.end(), data.begin() + static_cast<std::ptrdiff_t>(at),
               data.begin() + static_cast<std::ptrdiff_t>(at + n));
    at += n;
  } while (at < data.size());
  return out;
}

// One gzip member holding `data` in stored blocks.
inline Bytes gzip_member(const Bytes& data) {
  Bytes m = {0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255};
  const Bytes body = deflate_stored(data);
  m.insert(m.end(), body.begin(), body.end());
  put_le(m, tg::nn::io::crc32(data), 4);
  put_le(m, data.size(), 4);
  return m;
}

struct ZipEntry {
  std::string name;                // as stored, e.g. "w.npy"
  Bytes payload;                   // the stored bytes (deflated ones for method 8)
  std::uint64_t size;              // declared uncompressed size
  std::uint32_t crc;               // declared CRC-32
  std::uint16_t method;            // 0 or 8
  std::int64_t local_offset = -1;  // where the central directory says the entry is (-1: where it was written)
};

// An entry holding `npy` stored (method 0) or deflated in stored blocks (method 8), with true sizes and CRC.
inline ZipEntry npy_entry(const std::string& name, const tg::nn::io::NpyArray& array, std::uint16_t method = 0) {
  const Bytes npy = tg::nn::io::encode_npy(array);
  return {name, method == 8 ? deflate_stored(npy) : npy, npy.size(), tg::nn::io::crc32(npy), method};
}

// Local headers and payloads, then the central directory and its end record, fields as given.
inline Bytes zip_bytes(const std::vector<ZipEntry>& entries) {
  Bytes out, central;
  for (const ZipEntry& e : entries) {
    const std::size_t local = out.size();
    put_le(out, 0x04034b50, 4);
    for (std::uint64_t v : {20, 0, static_cast<int>(e.method), 0, 0x21}) put_le(out, v, 2);
    put_le(out, e.crc, 4);
    put_le(out, e.payload.size(), 4);
    put_le(out, e.size, 4);
    put_le(out, e.name.size(), 2);
    put_le(out, 0, 2);
    out.insert(out.end(), e.name.begin(), e.name.end());
    out.insert(out.end(), e.payload.begin(), e.payload.end());
    put_le(central, 0x02014b50, 4);
    for (std::uint64_t v : {20, 20, 0, static_cast<int>(e.method), 0, 0x21}) put_le(central, v, 2);
    put_le(central, e.crc, 4);
    put_le(central, e.payload.size(), 4);
    put_le(central, e.size, 4);
    put_le(central, e.name.size(), 2);
    for (int i = 0; i < 4; ++i) put_le(central, 0, 2);  // extra, comment, disk, internal attributes
    put_le(central, 0, 4);                              // external attributes
    put_le(central, e.local_offset >= 0 ? static_cast<std::uint64_t>(e.local_offset) : local, 4);
    central.insert(central.end(), e.name.begin(), e.name.end());
  }
  const std::size_t cd = out.size();
  out.insert(out.end(), central.begin(), central.end());
  put_le(out, 0x06054b50, 4);
  for (std::uint64_t v : {0, 0}) put_le(out, v, 2);
  put_le(out, entries.size(), 2);
  put_le(out, entries.size(), 2);
  put_le(out, central.size(), 4);
  put_le(out, cd, 4);
  put_le(out, 0, 2);
  return out;
}

}  // namespace tgtest
