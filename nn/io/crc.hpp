// Checksums shared by the byte-level file formats: CRC-32 (gzip trailers, zip entries, PNG chunks) and
// Adler-32 (the zlib stream inside PNG IDAT chunks). Both are written from their definitions in
// RFC 1952 section 8 and RFC 1950 section 9.
#pragma once

#include <cstdint>
#include <span>

namespace tg::nn::io {

// CRC-32 with the reflected polynomial 0xEDB88320. Pass the previous result as `crc` to continue a running
// checksum over several pieces: crc32(b, crc32(a)) == crc32(a + b).
std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc = 0);

// Adler-32: two running sums modulo 65521 packed as (b << 16) | a. Start value 1, continued like crc32.
std::uint32_t adler32(std::span<const std::uint8_t> data, std::uint32_t adler = 1);

}  // namespace tg::nn::io
