// CRC-32 (table-driven, eight bytes per step: "slicing-by-8") and Adler-32.
// The plain bit-at-a-time CRC is kept beside the fast one as its reference twin; the tables are built from it.
#include "nn/io/crc.hpp"

#include <algorithm>
#include <array>

namespace tg::nn::io {
namespace {

// Reference: one bit at a time, straight from the definition of the reflected CRC.
std::uint32_t crc32_bitwise_byte(std::uint32_t c) {
  for (int k = 0; k < 8; ++k) c = (c & 1u) ? 0xEDB88320u ^ (c >> 1) : c >> 1;
  return c;
}

// table[0][b] is the CRC of byte b; table[j][b] is the CRC of b followed by j zero bytes.
using CrcTables = std::array<std::array<std::uint32_t, 256>, 8>;

CrcTables make_crc_tables() {
  CrcTables t{};
  for (std::uint32_t b = 0; b < 256; ++b) t[0][b] = crc32_bitwise_byte(b);
  for (std::uint32_t b = 0; b < 256; ++b)
    for (int j = 1; j < 8; ++j) t[j][b] = (t[j - 1][b] >> 8) ^ t[0][t[j - 1][b] & 0xFFu];
  return t;
}

const CrcTables& crc_tables() {
  static const CrcTables tables = make_crc_tables();
  return tables;
}

}  // namespace

std::uint32_t crc32(std::span<const std::uint8_t> data, std::uint32_t crc) {
  const CrcTables& t = crc_tables();
  std::uint32_t c = ~crc;
  const std::uint8_t* p = data.data();
  std::size_t n = data.size();
  for (; n >= 8; n -= 8, p += 8) {  // fold 8 bytes per step: 4 through c, 4 as they are
    std::uint32_t lo =
        c ^ (std::uint32_t(p[0]) | std::uint32_t(p[1]) << 8 | std::uint32_t(p[2]) << 16 | std::uint32_t(p[3]) << 24);
    c = t[7][lo & 0xFF] ^ t[6][(lo >> 8) & 0xFF] ^ t[5][(lo >> 16) & 0xFF] ^ t[4][lo >> 24] ^ t[3][p[4]] ^ t[2][p[5]] ^
        t[1][p[6]] ^ t[0][p[7]];
  }
  for (; n > 0; --n, ++p) c = t[0][(c ^ *p) & 0xFFu] ^ (c >> 8);
  return ~c;
}

std::uint32_t adler32(std::span<const std::uint8_t> data, std::uint32_t adler) {
  constexpr std::uint32_t mod = 65521;
  constexpr std::size_t block = 5552;  // the most bytes before b can overflow 32 bits
  std::uint32_t a = adler & 0xFFFFu, b = adler >> 16;
  for (std::size_t i = 0; i < data.size();) {
    const std::size_t end = std::min(data.size(), i + block);
    for (; i < end; ++i) {
      a += data[i];
      b += a;
    }
    a %= mod;
    b %= mod;
  }
  return (b << 16) | a;
}

}  // namespace tg::nn::io
