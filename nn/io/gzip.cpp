// DEFLATE decoder (RFC 1951): stored, fixed- and dynamic-Huffman blocks. Huffman codes are decoded through a
// 10-bit lookup table, with a canonical bit-by-bit walk for the rare longer codes; input bits sit in a 64-bit
// register. Around it: the gzip member format (RFC 1952) and whole-file read/write helpers.
#include "nn/io/gzip.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <utility>

#include "nn/io/crc.hpp"

namespace tg::nn::io {
namespace {

constexpr int kFastBits = 10;  // codes up to this length decode with one table lookup
constexpr int kMaxBits = 15;   // the longest code DEFLATE allows

struct Huffman {
  std::array<std::uint16_t, 1u << kFastBits> fast{};  // (symbol << 4) | length; 0 = longer than kFastBits
  std::array<std::uint16_t, kMaxBits + 1> count{};    // number of codes of each length
  std::array<std::uint16_t, 288> symbol{};            // symbols in canonical order: by length, then value
};

enum class CodeShape { complete, incomplete, oversubscribed };

// Builds the tables from per-symbol code lengths (0 = symbol unused), RFC 1951 section 3.2.2.
CodeShape build_huffman(Huffman& h, const std::uint8_t* lengths, int n) {
  h.count.fill(0);
  h.fast.fill(0);
  for (int s = 0; s < n; ++s) ++h.count[lengths[s]];
  h.count[0] = 0;
  int left = 1;  // code space not yet used, in units of the current length
  for (int len = 1; len <= kMaxBits; ++len) {
    left = 2 * left - h.count[len];
    if (left < 0) return CodeShape::oversubscribed;
  }
  std::array<std::uint16_t, kMaxBits + 2> offset{};
  for (int len = 1; len <= kMaxBits; ++len) offset[len + 1] = offset[len] + h.count[len];
  for (int s = 0; s < n; ++s)
    if (lengths[s] != 0) h.symbol[offset[lengths[s]]++] = static_cast<std::uint16_t>(s);
  int code = 0, k = 0;  // canonical codes, handed out in symbol order within each length
  for (int len = 1; len <= kMaxBits; ++len, code <<= 1) {
    for (int j = 0; j < h.count[len]; ++j, ++code, ++k) {
      if (len > kFastBits) continue;
      int reversed = 0;  // the stream sends Huffman codes most significant bit first
      for (int b = 0; b < len; ++b) reversed |= ((code >> b) & 1) << (len - 1 - b);
      for (int i = reversed; i < (1 << kFastBits); i += 1 << len)
        h.fast[i] = static_cast<std::uint16_t>(h.symbol[k] << 4 | len);
    }
  }
  return left == 0 ? CodeShape::complete : CodeShape::incomplete;
}

// An incomplete code is legal only when it has at most one symbol (RFC 1951 section 3.2.7, distance codes).
bool usable(const Huffman& h, CodeShape shape) {
  if (shape == CodeShape::oversubscribed) return false;
  int used = 0;
  for (int len = 1; len <= kMaxBits; ++len) used += h.count[len];
  return shape == CodeShape::complete || used <= 1;
}

// Base values and extra-bit counts of length symbols 257..285 and distance symbols 0..29 (RFC 1951 3.2.5).
constexpr std::array<std::uint16_t, 29> kLenBase = {3,  4,  5,  6,  7,  8,  9,  10, 11,  13,  15,  17,  19,  23, 27,
                                                    31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258};
constexpr std::array<std::uint8_t, 29> kLenExtra = {0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2,
                                                    2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0};
constexpr std::array<std::uint16_t, 30> kDistBase = {1,    2,    3,    4,    5,    7,    9,    13,    17,    25,
                                                     33,   49,   65,   97,   129,  193,  257,  385,   513,   769,
                                                     1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577};
constexpr std::array<std::uint8_t, 30> kDistExtra = {0, 0, 0, 0, 1, 1, 2, 2,  3,  3,  4,  4,  5,  5,  6,
                                                     6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13};

struct FixedCodes {
  Huffman lit, dist;
  FixedCodes() {  // RFC 1951 section 3.2.6
    std::array<std::uint8_t, 288> lengths{};
    std::fill(lengths.begin(), lengths.begin() + 144, 8);
    std::fill(lengths.begin() + 144, lengths.begin() + 256, 9);
    std::fill(lengths.begin() + 256, lengths.begin() + 280, 7);
    std::fill(lengths.begin() + 280, lengths.end(), 8);
    build_huffman(lit, lengths.data(), 288);
    std::fill(lengths.begin(), lengths.begin() + 32, 5);  // 30 and 31 are decodable but invalid
    build_huffman(dist, lengths.data(), 32);
  }
};

[[noreturn]] void fail_at(const char* format, const std::string& what, std::size_t offset, const std::string& why) {
  throw std::runtime_error(std::string(format) + ": " + what + ": " + why + " at byte " + std::to_string(offset));
}
[[noreturn]] void fail_at(const std::string& what, std::size_t offset, const std::string& why) {
  fail_at("gzip", what, offset, why);
}

// A size the input claims (gzip's ISIZE, a zip entry's size) is a hint, never trusted for allocation: at most the
// input's own size (plus 64 KiB) is reserved up front; beyond it the buffer grows as the output really arrives.
std::size_t reserve_for(std::size_t hint, std::size_t input_size, std::size_t max_output) {
  return std::min({hint, input_size + (std::size_t{1} << 16), max_output});
}

std::uint32_t le32(std::span<const std::uint8_t> d, std::size_t p) {
  return std::uint32_t(d[p]) | std::uint32_t(d[p + 1]) << 8 | std::uint32_t(d[p + 2]) << 16 |
         std::uint32_t(d[p + 3]) << 24;
}

// Bits are consumed least significant first. Invariant: the `count_` low bits of `bits_` are the next unread
// bits of the input; `pos_` is the first byte not yet loaded into `bits_`.
class BitReader {
 public:
  BitReader(std::span<const std::uint8_t> data, std::size_t start) : data_(data), pos_(start) {}

  void refill() {
    if (data_.size() - pos_ >= 8) {  // load 8 bytes at once; keep the whole bytes that fit
      std::uint64_t word = 0;
      for (int i = 0; i < 8; ++i) word |= std::uint64_t(data_[pos_ + i]) << (8 * i);
      bits_ |= word << count_;
      pos_ += (63 - count_) >> 3;
      count_ |= 56;
    } else {
      for (; count_ <= 56 && pos_ < data_.size(); count_ += 8) bits_ |= std::uint64_t(data_[pos_++]) << count_;
    }
  }
  int available() const { return count_; }
  std::uint32_t peek(int n) const { return static_cast<std::uint32_t>(bits_ & ((std::uint64_t{1} << n) - 1)); }
  void consume(int n) {
    bits_ >>= n;
    count_ -= n;
  }
  // Offset of the byte holding the next unread bit.
  std::size_t offset() const { return pos_ - static_cast<std::size_t>(count_ / 8); }
  // Drops the bits left in the current byte and hands the bytes in the register back to the input.
  void align_to_byte() {
    consume(count_ % 8);
    pos_ -= static_cast<std::size_t>(count_ / 8);
    bits_ = 0;
    count_ = 0;
  }
  std::size_t& byte_pos() { return pos_; }  // valid right after align_to_byte()

 private:
  std::span<const std::uint8_t> data_;
  std::size_t pos_;
  std::uint64_t bits_ = 0;
  int count_ = 0;
};

// Decodes one DEFLATE stream from `data` at `start`, appending to `out`.
class Inflater {
 public:
  // Appends to `out` from byte `n` on (out.size() may exceed n: slack kept from earlier members, so that a file of
  // many small members is decoded in linear time). `offset` is where `data` starts in the file, for messages.
  Inflater(std::span<const std::uint8_t> data, std::size_t start, const std::string& what, const char* format,
           std::size_t offset, std::vector<std::uint8_t>& out, std::size_t n, std::size_t max_output)
      : data_(data),
        in_(data, start),
        what_(what),
        format_(format),
        offset_(offset),
        out_(out),
        base_(n),
        n_(n),
        max_(max_output) {}

  // Decodes every block; returns the offset of the first byte after the stream. The output ends at n() (the
  // buffer may be longer).
  std::size_t run() {
    for (bool final = false; !final && n_ < stop_;) {
      final = bits(1) == 1;
      const std::uint32_t type = bits(2);
      if (type == 0) {
        stored_block();
      } else if (type == 1) {
        static const FixedCodes fixed;
        codes_block(fixed.lit, fixed.dist);
      } else if (type == 2) {
        Huffman lit, dist;
        dynamic_tables(lit, dist);
        codes_block(lit, dist);
      } else {
        fail("invalid block type 3");
      }
    }
    in_.align_to_byte();
    return in_.byte_pos();
  }
  std::size_t n() const { return n_; }
  void stop_at(std::size_t n) { stop_ = n; }  // decode no further once this many bytes are out (inflate_prefix)

 private:
  [[noreturn]] void fail(const std::string& why) const { fail_at(format_, what_, offset_ + in_.offset(), why); }

  std::uint32_t bits(int n) {
    if (in_.available() < n) {
      in_.refill();
      if (in_.available() < n) fail("truncated deflate stream");
    }
    const std::uint32_t v = in_.peek(n);
    in_.consume(n);
    return v;
  }

  int decode(const Huffman& h) {
    if (in_.available() < kMaxBits) in_.refill();
    const std::uint16_t entry = h.fast[in_.peek(kFastBits)];
    int len = entry & 15;
    if (len != 0 && len <= in_.available()) {
      in_.consume(len);
      return entry >> 4;
    }
    // Slow path: walk the canonical code one bit at a time (first = first code of this length).
    const std::uint32_t peeked = in_.peek(kMaxBits);
    int code = 0, first = 0, index = 0;
    for (len = 1; len <= kMaxBits && len <= in_.available(); ++len) {
      code |= static_cast<int>((peeked >> (len - 1)) & 1);
      const int count = h.count[len];
      if (code >= first && code - first < count) {
        in_.consume(len);
        return h.symbol[index + code - first];
      }
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    fail(len <= kMaxBits ? "truncated deflate stream" : "invalid Huffman code");
  }

  // Room for `need` more bytes at n_. The buffer doubles (never beyond the limit), so the bytes it zero-fills add up
  // to at most twice the output: linear time however the output arrives (many members, many tiny blocks).
  void grow(std::size_t need) {
    if (need > max_ || n_ > max_ - need) fail("decoded data exceeds the limit of " + std::to_string(max_) + " bytes");
    const std::size_t doubled = std::max<std::size_t>(2 * out_.size(), std::size_t{1} << 16);
    const std::size_t size = std::max(n_ + need, std::min(max_, doubled));
    out_.reserve(size);  // exactly: resize alone may take twice the old size, past the limit
    out_.resize(size);
  }

  void stored_block() {  // RFC 1951 section 3.2.4
    in_.align_to_byte();
    const std::uint32_t len = bits(16), nlen = bits(16);
    if (len != (~nlen & 0xFFFFu)) fail("stored block length " + std::to_string(len) + " does not match its complement");
    in_.align_to_byte();
    std::size_t& pos = in_.byte_pos();
    const std::size_t have = std::min<std::size_t>(len, data_.size() - pos);  // all of it, unless a prefix will do
    if (have < len && n_ + have < stop_) fail("truncated stored block of " + std::to_string(len) + " bytes");
    if (out_.size() - n_ < have) grow(have);
    std::copy_n(data_.data() + pos, have, out_.data() + n_);
    pos += have;
    n_ += have;
  }

  void dynamic_tables(Huffman& lit, Huffman& dist) {  // RFC 1951 section 3.2.7
    const int nlen = static_cast<int>(bits(5)) + 257, ndist = static_cast<int>(bits(5)) + 1;
    const int ncode = static_cast<int>(bits(4)) + 4;
    if (nlen > 286 || ndist > 30)
      fail("too many length or distance codes (" + std::to_string(nlen) + ", " + std::to_string(ndist) + ")");
    static constexpr std::array<int, 19> order = {16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15};
    std::array<std::uint8_t, 320> lengths{};
    for (int i = 0; i < ncode; ++i) lengths[order[i]] = static_cast<std::uint8_t>(bits(3));
    Huffman code_lengths;
    if (build_huffman(code_lengths, lengths.data(), 19) != CodeShape::complete) fail("invalid code-length code");
    for (int i = 0; i < nlen + ndist;) {
      const int sym = decode(code_lengths);
      if (sym < 16) {
        lengths[i++] = static_cast<std::uint8_t>(sym);
        continue;
      }
      if (sym == 16 && i == 0) fail("code length repeat with no previous length");
      const std::uint8_t value = sym == 16 ? lengths[i - 1] : 0;
      const int repeat = sym == 16 ? 3 + static_cast<int>(bits(2))
                                   : (sym == 17 ? 3 + static_cast<int>(bits(3)) : 11 + static_cast<int>(bits(7)));
      if (i + repeat > nlen + ndist) fail("code length repeat runs past the end of the lengths");
      for (int r = 0; r < repeat; ++r) lengths[i++] = value;
    }
    if (lengths[256] == 0) fail("dynamic block has no end-of-block code");
    if (!usable(lit, build_huffman(lit, lengths.data(), nlen))) fail("invalid literal/length code lengths");
    if (!usable(dist, build_huffman(dist, lengths.data() + nlen, ndist))) fail("invalid distance code lengths");
  }

  void codes_block(const Huffman& lit, const Huffman& dist) {  // RFC 1951 section 3.2.5
    while (n_ < stop_) {
      int sym = decode(lit);
      if (sym < 256) {
        if (n_ == out_.size()) grow(1);
        out_[n_++] = static_cast<std::uint8_t>(sym);
        continue;
      }
      if (sym == 256) return;
      if ((sym -= 257) >= 29) fail("invalid length symbol " + std::to_string(sym + 257));
      const std::size_t len = kLenBase[sym] + bits(kLenExtra[sym]);
      const int dsym = decode(dist);
      if (dsym >= 30) fail("invalid distance symbol " + std::to_string(dsym));
      const std::size_t d = kDistBase[dsym] + bits(kDistExtra[dsym]);
      if (d > n_ - base_)
        fail("distance " + std::to_string(d) + " reaches back before the start of the output (" +
             std::to_string(n_ - base_) + " bytes decoded)");
      if (out_.size() - n_ < len) grow(len);
      std::uint8_t* o = out_.data() + n_;
      const std::uint8_t* s = o - d;
      if (d >= len)
        std::memcpy(o, s, len);
      else if (d == 1)
        std::memset(o, *s, len);
      else
        for (std::size_t i = 0; i < len; ++i) o[i] = s[i];  // overlapping copy repeats the pattern
      n_ += len;
    }
  }

  std::span<const std::uint8_t> data_;
  BitReader in_;
  const std::string& what_;
  const char* format_;  // "gzip" or "deflate", the first word of every message
  std::size_t offset_;
  std::vector<std::uint8_t>& out_;
  std::size_t base_, n_, max_;  // start of this stream's output, bytes written, output limit
  std::size_t stop_ = SIZE_MAX;
};

// Skips a gzip header (RFC 1952 section 2.3) starting at `p`; returns the offset of the deflate data.
std::size_t skip_gzip_header(std::span<const std::uint8_t> d, std::size_t p, const std::string& what) {
  const std::size_t start = p;
  auto need = [&](std::size_t n, const char* field) {
    if (d.size() - p < n) fail_at(what, d.size(), "truncated gzip header (" + std::string(field) + ")");
  };
  need(10, "fixed fields");
  if (d[p] != 0x1f || d[p + 1] != 0x8b) fail_at(what, p, "not a gzip member: the magic bytes 1f 8b are missing");
  if (d[p + 2] != 8) fail_at(what, p + 2, "compression method " + std::to_string(d[p + 2]) + " is not 8 (deflate)");
  const std::uint8_t flags = d[p + 3];
  if (flags & 0xE0) fail_at(what, p + 3, "reserved header flag bits are set");
  p += 10;
  if (flags & 0x04) {  // FEXTRA: 2-byte length, then that many bytes
    need(2, "extra field length");
    const std::size_t xlen = std::size_t(d[p]) | std::size_t(d[p + 1]) << 8;
    p += 2;
    need(xlen, "extra field");
    p += xlen;
  }
  for (std::uint8_t flag : {std::uint8_t{0x08}, std::uint8_t{0x10}}) {  // FNAME, FCOMMENT: zero-terminated
    if (!(flags & flag)) continue;
    const auto end = std::find(d.begin() + static_cast<std::ptrdiff_t>(p), d.end(), std::uint8_t{0});
    if (end == d.end()) fail_at(what, d.size(), flag == 0x08 ? "unterminated file name" : "unterminated comment");
    p = static_cast<std::size_t>(end - d.begin()) + 1;
  }
  if (flags & 0x02) {  // FHCRC: low 16 bits of the CRC-32 of the header so far
    need(2, "header CRC");
    const std::uint32_t stored = std::uint32_t(d[p]) | std::uint32_t(d[p + 1]) << 8;
    if (stored != (crc32(d.subspan(start, p - start)) & 0xFFFFu)) fail_at(what, p, "header CRC-16 mismatch");
    p += 2;
  }
  return p;
}

std::string hex32(std::uint32_t v) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", v);
  return buf;
}

}  // namespace

std::vector<std::uint8_t> inflate_raw(std::span<const std::uint8_t> data, const std::string& what,
                                      std::size_t max_output, std::size_t size_hint, std::size_t* consumed,
                                      std::size_t offset) {
  std::vector<std::uint8_t> out(reserve_for(size_hint, data.size(), max_output));
  Inflater inflater(data, 0, what, "deflate", offset, out, 0, max_output);
  const std::size_t end = inflater.run();
  if (consumed != nullptr)
    *consumed = end;
  else if (end != data.size())
    fail_at("deflate", what, offset + end,
            std::to_string(data.size() - end) + " bytes of trailing data after the deflate stream");
  out.resize(inflater.n());
  return out;
}

std::vector<std::uint8_t> inflate_prefix(std::span<const std::uint8_t> data, const std::string& what, std::size_t n,
                                         std::size_t offset) {
  std::vector<std::uint8_t> out(reserve_for(n, data.size(), n));
  Inflater inflater(data, 0, what, "deflate", offset, out, 0, n + (std::size_t{1} << 16));  // + one block or match
  inflater.stop_at(n);
  inflater.run();
  out.resize(std::min(n, inflater.n()));
  return out;
}

std::size_t decode_budget(std::size_t input_bytes, std::size_t cap) {
  if (input_bytes > (cap - std::min(cap, budget_slack)) / max_expansion) return cap;
  return std::min(cap, max_expansion * input_bytes + budget_slack);
}

std::string describe_budget(std::size_t input_bytes, std::size_t cap) {
  return std::to_string(max_expansion) + " x " + std::to_string(input_bytes) + " input bytes + 1 MiB" +
         (cap == SIZE_MAX ? "" : ", at most " + std::to_string(cap));
}

std::vector<std::uint8_t> gunzip(std::span<const std::uint8_t> data, const std::string& what, std::size_t cap) {
  const std::size_t max_output = decode_budget(data.size(), cap);
  // ISIZE of the last member: the exact size of a single-member file, but only a hint (see reserve_for).
  std::vector<std::uint8_t> out(
      reserve_for(data.size() >= 18 ? le32(data, data.size() - 4) : 0, data.size(), max_output));
  std::size_t n = 0;  // bytes decoded; out.size() - n is slack that the next member fills
  for (std::size_t p = 0;;) {
    p = skip_gzip_header(data, p, what);
    const std::size_t begin = n;
    Inflater inflater(data, p, what, "gzip", 0, out, n, max_output);
    try {
      p = inflater.run();
    } catch (const std::runtime_error& e) {  // the limit is the read's budget: say so
      if (std::string_view(e.what()).find("exceeds the limit") == std::string_view::npos) throw;
      throw std::runtime_error(std::string(e.what()) +
                               " (the budget of a gzip read: " + describe_budget(data.size(), cap) + ")");
    }
    n = inflater.n();
    if (data.size() - p < 8) fail_at(what, data.size(), "truncated gzip trailer (CRC-32 and length)");
    const std::uint32_t crc = crc32(std::span(out).subspan(begin, n - begin));
    if (le32(data, p) != crc)
      fail_at(what, p, "CRC-32 mismatch: stored " + hex32(le32(data, p)) + ", computed " + hex32(crc));
    const auto size = static_cast<std::uint32_t>(n - begin);  // ISIZE is the length modulo 2^32
    if (le32(data, p + 4) != size)
      fail_at(what, p + 4,
              "length mismatch: stored " + std::to_string(le32(data, p + 4)) + ", decoded " + std::to_string(size) +
                  " bytes");
    p += 8;
    const auto rest = data.subspan(p);
    if (std::all_of(rest.begin(), rest.end(), [](std::uint8_t b) { return b == 0; })) {
      out.resize(n);
      return out;
    }
    if (!is_gzip(rest)) fail_at(what, p, "trailing data after the last gzip member");
  }
}

bool is_gzip(std::span<const std::uint8_t> data) { return data.size() >= 2 && data[0] == 0x1f && data[1] == 0x8b; }

std::vector<std::uint8_t> read_file_bytes(const std::string& path, std::size_t max_bytes) {
  std::error_code ec;
  const auto status = std::filesystem::status(path, ec);
  if (!std::filesystem::exists(status)) throw std::runtime_error("read: " + path + ": no such file");
  if (!std::filesystem::is_regular_file(status)) throw std::runtime_error("read: " + path + ": not a regular file");
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> f(std::fopen(path.c_str(), "rb"), &std::fclose);
  if (!f) throw std::runtime_error("read: " + path + ": cannot open (" + std::strerror(errno) + ")");
  auto too_big = [&](std::uintmax_t size) {
    throw std::runtime_error("read: " + path + ": the file has " + std::to_string(size) +
                             " bytes, more than the limit of " + std::to_string(max_bytes));
  };
  const std::uintmax_t size = std::filesystem::file_size(path, ec);
  if (!ec && size > max_bytes) too_big(size);
  std::vector<std::uint8_t> bytes(ec ? 0 : static_cast<std::size_t>(size));
  std::size_t got = bytes.empty() ? 0 : std::fread(bytes.data(), 1, bytes.size(), f.get());
  bytes.resize(got);
  std::uint8_t chunk[4096];  // the file may have grown since its size was taken
  while ((got = std::fread(chunk, 1, sizeof chunk, f.get())) > 0) {
    if (got > max_bytes - bytes.size()) too_big(bytes.size() + got);
    bytes.insert(bytes.end(), chunk, chunk + got);
  }
  if (std::ferror(f.get()))
    throw std::runtime_error("read: " + path + ": read error after " + std::to_string(bytes.size()) + " bytes");
  return bytes;
}

std::vector<std::uint8_t> read_file_maybe_gzip(const std::string& path, std::size_t max_output) {
  std::vector<std::uint8_t> bytes = read_file_bytes(path, max_output);
  return is_gzip(bytes) ? gunzip(bytes, path, max_output) : bytes;
}

void write_file_atomic(const std::string& path, std::span<const std::uint8_t> bytes) {
  const std::string tmp = path + ".tmp";
  std::FILE* f = std::fopen(tmp.c_str(), "wb");
  if (f == nullptr) throw std::runtime_error("write: " + tmp + ": cannot create (" + std::strerror(errno) + ")");
  bool ok = bytes.empty() || std::fwrite(bytes.data(), 1, bytes.size(), f) == bytes.size();
  ok = std::fflush(f) == 0 && ok;
  const int err = errno;
  ok = std::fclose(f) == 0 && ok;
  if (!ok) {
    std::remove(tmp.c_str());
    throw std::runtime_error("write: " + tmp + ": writing " + std::to_string(bytes.size()) + " bytes failed (" +
                             std::strerror(err) + ")");
  }
  if (std::rename(tmp.c_str(), path.c_str()) != 0) {
    const int rename_err = errno;
    std::remove(tmp.c_str());
    throw std::runtime_error("write: cannot rename " + tmp + " to " + path + " (" + std::strerror(rename_err) + ")");
  }
}

}  // namespace tg::nn::io
