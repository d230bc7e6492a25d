// PNG encoding with stored deflate blocks: chunk = length, type, data, CRC-32 of type and data (PNG 5.3);
// image data = zlib header 78 01, deflate blocks of at most 65535 bytes (RFC 1951 3.2.4), Adler-32 (RFC 1950).
#include "examples/pictures/png.hpp"

#include <algorithm>
#include <stdexcept>

#include "nn/io/crc.hpp"
#include "nn/io/gzip.hpp"

namespace tg::pictures {
using nn::io::adler32, nn::io::crc32, nn::io::write_file_atomic;

namespace {

void put_be32(std::vector<std::uint8_t>& out, std::uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<std::uint8_t>(v >> shift));
}

void put_chunk(std::vector<std::uint8_t>& out, const char type[4], std::span<const std::uint8_t> data) {
  put_be32(out, static_cast<std::uint32_t>(data.size()));
  const std::size_t start = out.size();
  out.insert(out.end(), type, type + 4);
  out.insert(out.end(), data.begin(), data.end());
  put_be32(out, crc32(std::span(out).subspan(start)));
}

// Rows prefixed by their filter byte (0), wrapped as a zlib stream of stored blocks.
std::vector<std::uint8_t> zlib_stored(std::span<const std::uint8_t> pixels, std::size_t row_bytes) {
  std::vector<std::uint8_t> raw;
  raw.reserve(pixels.size() + pixels.size() / row_bytes);
  for (std::size_t r = 0; r < pixels.size(); r += row_bytes) {
    raw.push_back(0);
    raw.insert(raw.end(), pixels.begin() + static_cast<std::ptrdiff_t>(r),
               pixels.begin() + static_cast<std::ptrdiff_t>(r + row_bytes));
  }
  std::vector<std::uint8_t> z = {0x78, 0x01};  // deflate, 32 KiB window, no dictionary; 0x7801 % 31 == 0
  z.reserve(raw.size() + raw.size() / 65535 * 5 + 16);
  std::size_t pos = 0;
  do {
    const std::size_t len = std::min<std::size_t>(65535, raw.size() - pos);
    z.push_back(pos + len == raw.size() ? 1 : 0);  // BFINAL on the last block, BTYPE 00 (stored)
    for (std::size_t v : {len, len ^ 0xFFFF}) z.insert(z.end(), {std::uint8_t(v & 0xFF), std::uint8_t(v >> 8)});
    z.insert(z.end(), raw.begin() + static_cast<std::ptrdiff_t>(pos),
             raw.begin() + static_cast<std::ptrdiff_t>(pos + len));
    pos += len;
  } while (pos < raw.size());
  put_be32(z, adler32(raw));
  return z;
}

std::vector<std::uint8_t> encode_png(int width, int height, int channels, std::span<const std::uint8_t> pixels) {
  const char* kind = channels == 1 ? "encode_png_gray" : "encode_png_rgb";
  if (width <= 0 || height <= 0)
    throw std::runtime_error(std::string(kind) + ": width " + std::to_string(width) + " and height " +
                             std::to_string(height) + " must be positive");
  const std::size_t row_bytes = static_cast<std::size_t>(width) * static_cast<std::size_t>(channels);
  if (pixels.size() / row_bytes != static_cast<std::size_t>(height) || pixels.size() % row_bytes != 0)
    throw std::runtime_error(std::string(kind) + ": " + std::to_string(width) + "x" + std::to_string(height) +
                             " image with " + std::to_string(channels) + " channel(s) needs " +
                             std::to_string(row_bytes * static_cast<std::size_t>(height)) + " bytes, got " +
                             std::to_string(pixels.size()));
  std::vector<std::uint8_t> out = {0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'};
  std::vector<std::uint8_t> header;
  put_be32(header, static_cast<std::uint32_t>(width));
  put_be32(header, static_cast<std::uint32_t>(height));
  // bit depth 8; colour type 0 (gray) or 2 (RGB); compression, filter and interlace methods 0
  header.insert(header.end(), {8, std::uint8_t(channels == 1 ? 0 : 2), 0, 0, 0});
  put_chunk(out, "IHDR", header);
  const std::vector<std::uint8_t> z = zlib_stored(pixels, row_bytes);
  constexpr std::size_t kChunk = std::size_t{1} << 20;  // IDAT chunks of 1 MiB keep every length small
  for (std::size_t pos = 0; pos < z.size(); pos += kChunk)
    put_chunk(out, "IDAT", std::span(z).subspan(pos, std::min(kChunk, z.size() - pos)));
  put_chunk(out, "IEND", {});
  return out;
}

}  // namespace

std::vector<std::uint8_t> encode_png_gray(int width, int height, std::span<const std::uint8_t> pixels) {
  return encode_png(width, height, 1, pixels);
}

std::vector<std::uint8_t> encode_png_rgb(int width, int height, std::span<const std::uint8_t> pixels) {
  return encode_png(width, height, 3, pixels);
}

void write_png_gray(const std::string& path, int width, int height, std::span<const std::uint8_t> pixels) {
  write_file_atomic(path, encode_png_gray(width, height, pixels));
}

void write_png_rgb(const std::string& path, int width, int height, std::span<const std::uint8_t> pixels) {
  write_file_atomic(path, encode_png_rgb(width, height, pixels));
}

}  // namespace tg::pictures
