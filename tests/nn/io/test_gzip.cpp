// Tests of the DEFLATE/gzip decoder against the system gzip command, hand-made streams, and the
// CRC-32 / Adler-32 check values.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/io/crc.hpp"
#include "nn/io/gzip.hpp"
#include "support/bytes.hpp"

namespace fs = std::filesystem;
using tgtest::Bytes;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tg_gzip_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::uint64_t next(std::uint64_t& s) {  // splitmix64
  std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Words, skewed bytes and plain noise, so gzip emits dynamic, fixed and stored blocks.
Bytes sample_data(std::size_t n_text, std::size_t n_skewed, std::size_t n_noise) {
  const char* words[] = {"tape ", "gradient ", "backward ", "tensor ", "elbo ", "\n", "kl ", "sigma "};
  std::uint64_t s = 42;
  Bytes out;
  while (out.size() < n_text) {
    const std::string w = words[next(s) % 8];
    out.insert(out.end(), w.begin(), w.end());
  }
  for (std::size_t i = 0; i < n_skewed; ++i) out.push_back(static_cast<std::uint8_t>((next(s) % 7) * (next(s) % 5)));
  for (std::size_t i = 0; i < n_noise; ++i) out.push_back(static_cast<std::uint8_t>(next(s)));
  return out;
}

Bytes gzip_with_command(const fs::path& dir, const Bytes& data, const std::string& flags) {
  const fs::path in = dir / "data.bin", out = dir / "data.bin.gz";
  tg::nn::io::write_file_atomic(in.string(), data);
  const std::string cmd = "gzip -c " + flags + " " + in.string() + " > " + out.string();
  REQUIRE(std::system(cmd.c_str()) == 0);
  return tg::nn::io::read_file_bytes(out.string());
}

std::string message_of(const Bytes& gz) {
  try {
    tg::nn::io::gunzip(gz, "sample.gz");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("crc32 and adler32 give their published check values", "[gzip][crc]") {
  const std::string digits = "123456789", wiki = "Wikipedia";
  const auto* d = reinterpret_cast<const std::uint8_t*>(digits.data());
  CHECK(tg::nn::io::crc32({d, digits.size()}) == 0xCBF43926u);
  CHECK(tg::nn::io::crc32({d + 4, 5}, tg::nn::io::crc32({d, 4})) == 0xCBF43926u);  // continued checksum
  CHECK(tg::nn::io::adler32({reinterpret_cast<const std::uint8_t*>(wiki.data()), wiki.size()}) == 0x11E60398u);
  CHECK(tg::nn::io::crc32({}) == 0u);
  const Bytes big(100000, 0xFF);  // exercises the modulo blocks of adler32 and the 8-byte steps of crc32
  CHECK(tg::nn::io::adler32(big) == ((std::uint32_t{(100000ull * 255 * 100001 / 2 + 100000) % 65521} << 16) |
                                     std::uint32_t{(1 + 100000ull * 255) % 65521}));
}

TEST_CASE("gunzip matches the gzip command at levels 1, 6 and 9", "[gzip]") {
  const fs::path dir = fresh_dir("levels");
  const Bytes data = sample_data(200000, 100000, 70000);
  for (const std::string flags : {"-1 -n", "-6 -n", "-9 -n", "-6"}) {  // "-6" alone stores the file name (FNAME)
    INFO("gzip " << flags);
    const Bytes gz = gzip_with_command(dir, data, flags);
    CHECK(((gz[3] & 0x08) != 0) == (flags == "-6"));
    const Bytes out = tg::nn::io::gunzip(gz, "data.bin.gz");
    REQUIRE(out.size() == data.size());
    CHECK(out == data);
  }
  CHECK(tg::nn::io::gunzip(gzip_with_command(dir, {}, "-9"), "empty.gz").empty());
  fs::remove_all(dir);
}

TEST_CASE("gunzip joins multi-member files and ignores zero padding", "[gzip]") {
  const fs::path dir = fresh_dir("members");
  const Bytes a = sample_data(3000, 500, 100), b = sample_data(100, 2000, 3000);
  Bytes gz = gzip_with_command(dir, a, "-1");
  const Bytes gz_b = gzip_with_command(dir, b, "-9 -n");
  gz.insert(gz.end(), gz_b.begin(), gz_b.end());
  Bytes ab = a;
  ab.insert(ab.end(), b.begin(), b.end());
  CHECK(tg::nn::io::gunzip(gz, "two.gz") == ab);
  gz.insert(gz.end(), 512, 0);
  CHECK(tg::nn::io::gunzip(gz, "padded.gz") == ab);
  gz.push_back(7);
  CHECK_THROWS_WITH(tg::nn::io::gunzip(gz, "junk.gz"), Catch::Contains("trailing data"));
  fs::remove_all(dir);
}

TEST_CASE("gunzip decodes hand-made stored and fixed blocks with every header field", "[gzip]") {
  // Header: magic, CM=8, FLG = FHCRC|FEXTRA|FNAME|FCOMMENT, MTIME, XFL, OS.
  Bytes gz = {0x1f, 0x8b, 8, 0x02 | 0x04 | 0x08 | 0x10, 0, 0, 0, 0, 0, 3};
  gz.insert(gz.end(), {3, 0, 'a', 'b', 'c'});                      // FEXTRA: XLEN=3
  gz.insert(gz.end(), {'x', '.', 't', 'x', 't', 0, 'h', 'i', 0});  // FNAME, FCOMMENT
  const std::uint32_t hcrc = tg::nn::io::crc32(gz);
  gz.insert(gz.end(), {std::uint8_t(hcrc), std::uint8_t(hcrc >> 8)});
  gz.insert(gz.end(), {0x00, 3, 0, 0xFC, 0xFF, 'a', 'b', 'c'});  // stored block, not final, 3 bytes
  gz.insert(gz.end(), {0x00, 0, 0, 0xFF, 0xFF});                 // empty stored block, not final
  gz.insert(gz.end(), {0x03, 0x00});                             // final fixed-Huffman block: end-of-block only
  const Bytes expected = {'a', 'b', 'c'};
  const std::uint32_t crc = tg::nn::io::crc32(expected);
  for (int i = 0; i < 4; ++i) gz.push_back(static_cast<std::uint8_t>(crc >> (8 * i)));
  gz.insert(gz.end(), {3, 0, 0, 0});
  CHECK(tg::nn::io::gunzip(gz, "hand.gz") == expected);
  Bytes bad_hcrc = gz;
  bad_hcrc[24] ^= 1;
  CHECK_THROWS_WITH(tg::nn::io::gunzip(bad_hcrc, "hand.gz"), Catch::Contains("header CRC-16 mismatch at byte 24"));
  Bytes bad_len = gz;
  bad_len[29] ^= 1;  // NLEN no longer the complement of LEN
  CHECK_THROWS_WITH(tg::nn::io::gunzip(bad_len, "hand.gz"), Catch::Contains("does not match its complement"));
}

TEST_CASE("gunzip reports CRC and length mismatches with their offsets", "[gzip]") {
  const fs::path dir = fresh_dir("trailer");
  const Bytes gz = gzip_with_command(dir, sample_data(5000, 1000, 100), "-6 -n");
  const std::size_t n = gz.size();
  Bytes bad_crc = gz, bad_size = gz, short_gz(gz.begin(), gz.end() - 3);
  bad_crc[n - 8] ^= 0x10;
  bad_size[n - 4] ^= 0x01;
  CHECK_THAT(message_of(bad_crc),
             Catch::Contains("sample.gz: CRC-32 mismatch") && Catch::Contains("at byte " + std::to_string(n - 8)));
  CHECK_THAT(message_of(bad_size),
             Catch::Contains("length mismatch") && Catch::Contains("at byte " + std::to_string(n - 4)));
  CHECK_THAT(message_of(short_gz), Catch::Contains("truncated gzip trailer"));
  CHECK_THAT(message_of({'P', 'K', 3, 4, 0, 0, 0, 0, 0, 0, 0}),
             Catch::Contains("magic bytes 1f 8b are missing at byte 0"));
  fs::remove_all(dir);
}

TEST_CASE("inflate_raw decodes a bare deflate stream and enforces the output limit", "[gzip]") {
  const fs::path dir = fresh_dir("raw");
  const Bytes data = sample_data(20000, 20000, 1000);
  const Bytes gz = gzip_with_command(dir, data, "-9 -n");
  const Bytes raw(gz.begin() + 10, gz.end() - 8);  // without -n's 10-byte header and the 8-byte trailer
  CHECK(tg::nn::io::inflate_raw(raw, "entry", 1 << 20, data.size()) == data);
  CHECK_THROWS_WITH(tg::nn::io::inflate_raw(raw, "entry", 1000), Catch::Contains("exceeds the limit of 1000 bytes"));
  Bytes with_tail = raw;
  with_tail.insert(with_tail.end(), {1, 2, 3});
  CHECK_THROWS_WITH(tg::nn::io::inflate_raw(with_tail, "entry"), Catch::Contains("3 bytes of trailing data"));
  std::size_t consumed = 0;
  CHECK(tg::nn::io::inflate_raw(with_tail, "entry", 1 << 20, 0, &consumed) == data);
  CHECK(consumed == raw.size());
  CHECK_THROWS_WITH(tg::nn::io::inflate_raw({raw.data(), raw.size() / 2}, "entry"), Catch::Contains("truncated"));
  fs::remove_all(dir);
}

TEST_CASE("read_file_maybe_gzip reads raw and gzipped files and names missing ones", "[gzip]") {
  const fs::path dir = fresh_dir("files");
  const Bytes data = sample_data(3000, 0, 0);
  gzip_with_command(dir, data, "-6");
  CHECK(tg::nn::io::read_file_maybe_gzip((dir / "data.bin.gz").string()) == data);
  CHECK(tg::nn::io::read_file_maybe_gzip((dir / "data.bin").string()) == data);
  CHECK_THROWS_WITH(tg::nn::io::read_file_bytes((dir / "nope.gz").string()), Catch::Contains("nope.gz: no such file"));
  CHECK_THROWS_WITH(tg::nn::io::read_file_bytes(dir.string()), Catch::Contains("not a regular file"));
  fs::remove_all(dir);
}
