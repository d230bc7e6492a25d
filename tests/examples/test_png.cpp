// Tests of the PNG writer: structure checked here, pixels checked by an independent decoder written in Python
// (chunk CRCs, zlib inflate of the IDAT data, filter bytes) whose checksum must match ours.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "examples/pictures/png.hpp"
#include "nn/io/crc.hpp"
#include "nn/io/gzip.hpp"
#include "support/bytes.hpp"

namespace fs = std::filesystem;
using tgtest::Bytes;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tg_png_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Bytes gradient_pixels(std::size_t n) {
  Bytes p(n);
  for (std::size_t i = 0; i < n; ++i) p[i] = static_cast<std::uint8_t>((i * 7 + i / 13) & 0xFF);
  return p;
}

std::uint32_t be32(const Bytes& b, std::size_t p) {
  return std::uint32_t(b[p]) << 24 | std::uint32_t(b[p + 1]) << 16 | std::uint32_t(b[p + 2]) << 8 | b[p + 3];
}

std::string run_capture(const std::string& cmd) {
  std::unique_ptr<std::FILE, int (*)(std::FILE*)> pipe(::popen(cmd.c_str(), "r"), &::pclose);
  REQUIRE(pipe);
  std::string out;
  char buf[256];
  while (std::fgets(buf, sizeof buf, pipe.get()) != nullptr) out += buf;
  return out;
}

// Decodes a PNG with zlib and prints "width height channels crc32(pixels)"; exits non-zero on any defect.
const char* kPythonDecoder = R"(import sys, struct, zlib
b = open(sys.argv[1], 'rb').read()
assert b[:8] == b'\x89PNG\r\n\x1a\n'
p, idat, chunks = 8, b'', []
while p < len(b):
    n, kind = struct.unpack('>I4s', b[p:p + 8])
    body = b[p + 8:p + 8 + n]
    assert struct.unpack('>I', b[p + 8 + n:p + 12 + n])[0] == zlib.crc32(kind + body), kind
    chunks.append(kind)
    if kind == b'IHDR': w, h, depth, color, _, _, _ = struct.unpack('>IIBBBBB', body)
    if kind == b'IDAT': idat += body
    p += 12 + n
assert chunks[0] == b'IHDR' and chunks[-1] == b'IEND' and depth == 8, chunks
channels = {0: 1, 2: 3}[color]
raw, stride, pixels = zlib.decompress(idat), w * channels, b''
assert len(raw) == h * (stride + 1)
for r in range(h):
    row = raw[r * (stride + 1):(r + 1) * (stride + 1)]
    assert row[0] == 0, 'filter type'
    pixels += row[1:]
print(w, h, channels, zlib.crc32(pixels))
)";

}  // namespace

TEST_CASE("encode_png writes the signature, IHDR and a zlib stream of stored blocks", "[png]") {
  const Bytes pixels = gradient_pixels(300 * 250);
  const Bytes png = tg::pictures::encode_png_gray(300, 250, pixels);
  REQUIRE(png.size() > 8 + 25 + 12 + 12);
  CHECK(Bytes(png.begin(), png.begin() + 8) == Bytes{0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'});
  CHECK(be32(png, 8) == 13);
  CHECK(std::string(png.begin() + 12, png.begin() + 16) == "IHDR");
  CHECK(be32(png, 16) == 300);
  CHECK(be32(png, 20) == 250);
  CHECK(png[24] == 8);
  CHECK(png[25] == 0);
  CHECK(be32(png, 29) == tg::nn::io::crc32(std::span(png).subspan(12, 17)));
  CHECK(std::string(png.end() - 8, png.end() - 4) == "IEND");
  // IDAT: 78 01, then a non-final stored block of 65535 bytes (250 rows of 301 bytes need two blocks).
  const std::size_t idat = 33;
  CHECK(std::string(png.begin() + idat + 4, png.begin() + idat + 8) == "IDAT");
  CHECK(png[idat + 8] == 0x78);
  CHECK(png[idat + 9] == 0x01);
  CHECK(png[idat + 10] == 0x00);
  CHECK((png[idat + 11] | png[idat + 12] << 8) == 65535);
  const Bytes rgb = tg::pictures::encode_png_rgb(2, 1, Bytes{255, 0, 0, 0, 0, 255});
  CHECK(rgb[25] == 2);
}

TEST_CASE("encode_png rejects bad sizes with a message", "[png]") {
  CHECK_THROWS_WITH(tg::pictures::encode_png_gray(0, 5, {}), Catch::Contains("width 0 and height 5 must be positive"));
  CHECK_THROWS_WITH(tg::pictures::encode_png_rgb(4, 4, Bytes(47)),
                    Catch::Contains("encode_png_rgb: 4x4 image with 3 channel(s) needs 48 bytes, got 47"));
  CHECK_THROWS_WITH(tg::pictures::write_png_gray("/nonexistent/dir/a.png", 1, 1, Bytes{0}),
                    Catch::Contains("/nonexistent/dir/a.png.tmp: cannot create"));
}

TEST_CASE("Python's zlib decodes our gray and RGB PNGs to the same pixels", "[png][python]") {
  if (std::system("/usr/bin/python3 -c 'import zlib' > /dev/null 2>&1") != 0) {
    if (std::getenv("CI") != nullptr) FAIL("/usr/bin/python3 is missing, and CI is set (CI installs it)");
    WARN("skipped: /usr/bin/python3 is missing");
    return;
  }
  const fs::path dir = fresh_dir("python");
  const std::string script = (dir / "decode.py").string();
  tg::nn::io::write_file_atomic(
      script, {reinterpret_cast<const std::uint8_t*>(kPythonDecoder), std::char_traits<char>::length(kPythonDecoder)});
  struct Case {
    int w, h, channels;
  };
  for (const Case c : {Case{300, 250, 1}, Case{97, 61, 3}, Case{1, 1, 1}, Case{28, 28, 1}}) {
    const Bytes pixels = gradient_pixels(std::size_t(c.w) * std::size_t(c.h) * std::size_t(c.channels));
    const std::string path = (dir / ("img" + std::to_string(c.w) + ".png")).string();
    if (c.channels == 1)
      tg::pictures::write_png_gray(path, c.w, c.h, pixels);
    else
      tg::pictures::write_png_rgb(path, c.w, c.h, pixels);
    CHECK_FALSE(fs::exists(path + ".tmp"));
    const std::string expected = std::to_string(c.w) + " " + std::to_string(c.h) + " " + std::to_string(c.channels) +
                                 " " + std::to_string(tg::nn::io::crc32(pixels)) + "\n";
    CHECK(run_capture("/usr/bin/python3 " + script + " " + path) == expected);
  }
  fs::remove_all(dir);
}
