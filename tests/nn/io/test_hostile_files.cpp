// Hand-made hostile files, each aimed at one budget of the readers: output bounded by a limit the caller can raise
// and by what the file declares, claimed sizes never trusted for allocation, zip entries that overlap or repeat
// refused before anything is decompressed, time linear in the input (many gzip members), messages that name the
// file, the entry and the offset in the file, with the entry's name made printable.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "nn/data.hpp"
#include "nn/io/alloc_probe.hpp"
#include "nn/io/gzip.hpp"
#include "nn/io/idx.hpp"
#include "nn/io/npy.hpp"
#include "nn/io/zip_testing.hpp"
#include "support/bytes.hpp"

namespace fs = std::filesystem;
using namespace tgtest;
using Catch::Matchers::Contains;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tg_hostile_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

std::string message_of(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

tg::nn::io::NpyArray floats(std::size_t n, std::vector<std::int64_t> shape) {
  std::vector<float> v(n);
  for (std::size_t i = 0; i < n; ++i) v[i] = static_cast<float>(i) * 0.5f;
  return tg::nn::io::npy_from(std::span<const float>(v), std::move(shape));
}

}  // namespace

TEST_CASE("hostile gzip: 20,000 members decode in linear time (each member used to regrow the whole buffer)",
          "[hostile][gzip]") {
  // 20,000 members of 40 bytes: quadratic regrowth zero-fills ~16 GB here (an hour); linear decoding takes ms.
  Bytes file, expected;
  for (int m = 0; m < 20000; ++m) {
    Bytes data(40);
    for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(m * 7 + static_cast<int>(i));
    const Bytes member = gzip_member(data);
    file.insert(file.end(), member.begin(), member.end());
    expected.insert(expected.end(), data.begin(), data.end());
  }
  CHECK(tg::nn::io::gunzip(file, "members.gz") == expected);
}

TEST_CASE("hostile gzip: a length field claiming 4 GiB is not what gets allocated", "[hostile][gzip]") {
  Bytes data(1100000);
  for (std::size_t i = 0; i < data.size(); ++i) data[i] = static_cast<std::uint8_t>(i * 31 >> 3);
  Bytes file = gzip_member(data);
  set_le(file, file.size() - 4, 0xFFFFFFFFu, 4);  // ISIZE: 4 GiB - 1
  std::string message;
  std::size_t peak = 0;
  {
    AllocationProbe probe;
    message = message_of([&] { tg::nn::io::gunzip(file, "claims4g.gz"); });
    peak = probe.largest_bytes();
  }
  CHECK(message == "gzip: claims4g.gz: length mismatch: stored 4294967295, decoded 1100000 bytes at byte " +
                       std::to_string(file.size() - 4));
  CHECK(peak < (std::size_t{16} << 20));  // about 8 x the input at most; the claim would have been 1 GiB
  CHECK(tg::nn::io::gunzip(gzip_member(data), "ok.gz") == data);
}

TEST_CASE("hostile gzip: the output limit holds and the caller can raise it", "[hostile][gzip]") {
  const Bytes zeros(300000, 0);
  const Bytes file = gzip_member(zeros);
  CHECK_THROWS_WITH(tg::nn::io::gunzip(file, "big.gz", 100000), Contains("exceeds the limit of 100000 bytes"));
  CHECK(tg::nn::io::gunzip(file, "big.gz", 300000).size() == 300000);
  const fs::path dir = fresh_dir("limit");
  tg::nn::io::write_file_atomic((dir / "f").string(), zeros);
  CHECK_THROWS_WITH(tg::nn::io::read_file_bytes((dir / "f").string(), 1000),
                    "read: " + (dir / "f").string() + ": the file has 300000 bytes, more than the limit of 1000");
  CHECK(tg::nn::io::read_file_maybe_gzip((dir / "f").string(), 300000).size() == 300000);
  fs::remove_all(dir);
}

TEST_CASE("hostile npz: entries that share bytes are refused before decoding", "[hostile][npz]") {
  // Four directory entries pointing at one local entry (the 600 MiB stream decoded four times).
  std::vector<ZipEntry> entries;
  for (const char* name : {"a.npy", "b.npy", "c.npy", "d.npy"}) {
    ZipEntry e = npy_entry(name, floats(64, {64}), 8);
    e.local_offset = 0;
    entries.push_back(e);
  }
  const Bytes aliased = zip_bytes(entries);
  CHECK_THROWS_WITH(tg::nn::io::decode_npz(aliased, "alias.npz"),
                    "npz: alias.npz: entry 'b.npy': the local file header names another file at byte 0");
  // Two entries whose bytes overlap: a's declared stored size runs over b.
  std::vector<ZipEntry> two = {npy_entry("a.npy", floats(8, {8})), npy_entry("b.npy", floats(8, {8}))};
  const std::size_t a_end = 30 + 5 + two[0].payload.size(), b_len = 30 + 5 + two[1].payload.size();
  Bytes over = zip_bytes(two);
  const std::size_t cd = a_end + b_len;
  set_le(over, cd + 20, a_end - 35 + b_len, 4);  // a's compressed size
  set_le(over, cd + 24, a_end - 35 + b_len, 4);  // and size
  CHECK_THROWS_WITH(tg::nn::io::decode_npz(over, "over.npz"),
                    "npz: over.npz: entries 'a.npy' and 'b.npy' overlap at byte " + std::to_string(a_end));
  // Duplicate names.
  CHECK_THROWS_WITH(tg::nn::io::decode_npz(
                        zip_bytes({npy_entry("w.npy", floats(4, {4})), npy_entry("w.npy", floats(2, {2}))}), "dup.npz"),
                    Contains("npz: dup.npz: entry 'w.npy' appears twice"));
}

TEST_CASE("hostile npz: declared sizes bound the output; the total has a limit the caller can raise",
          "[hostile][npz]") {
  ZipEntry e = npy_entry("w.npy", floats(1000, {10, 100}), 8);
  const Bytes ok = zip_bytes({e});
  CHECK(tg::nn::io::decode_npz(ok, "ok.npz").at(0).second.shape == std::vector<std::int64_t>{10, 100});
  CHECK_THROWS_WITH(tg::nn::io::decode_npz(ok, "ok.npz", 1000),
                    "npz: ok.npz: entry 'w.npy' declares 4128 bytes, which brings the total past the budget of 1000 "
                    "bytes (64 x 4241 input bytes + 1 MiB, at most 1000) at byte 35");
  tg::nn::io::NpzReader reader(ok, "ok.npz");
  CHECK_THROWS_WITH(reader.read(0, 4000),
                    Contains("npz: ok.npz: entry 'w.npy' declares 4128 bytes, more than the limit of 4000 at byte 35"));
  // A deflated stream that decodes to more than its entry declares stops at the declared size.
  ZipEntry liar = e;
  liar.size = 200;
  CHECK_THROWS_WITH(tg::nn::io::decode_npz(zip_bytes({liar}), "liar.npz"),
                    Contains("deflate: liar.npz: entry 'w.npy': decoded data exceeds the limit of 200 bytes"));
  // A declared size of 4 GiB - 1 from 4 KB of deflated data: more than DEFLATE can give (1032 times).
  ZipEntry huge = e;
  huge.size = 0xFFFFFFFFu;
  CHECK_THAT(message_of([&] { tg::nn::io::decode_npz(zip_bytes({huge}), "huge.npz", std::size_t{8} << 30); }),
             Contains("entry 'w.npy' declares 4294967295 bytes from 4133 deflated bytes, more than DEFLATE can expand "
                      "them to (1032 times)"));
  // 1 MB declared, within both: decoded to what is there, with no more than the input reserved up front.
  huge.size = 1000000;
  std::size_t peak = 0;
  std::string message;
  {
    AllocationProbe probe;
    message = message_of([&] { tg::nn::io::decode_npz(zip_bytes({huge}), "huge.npz", std::size_t{8} << 30); });
    peak = probe.largest_bytes();
  }
  CHECK_THAT(message, Contains("entry 'w.npy' decodes to 4128 bytes, not 1000000"));
  CHECK(peak < (std::size_t{1} << 20));
}

TEST_CASE("hostile npz: DEFLATE errors inside an entry name the entry and count bytes from the file's start",
          "[hostile][npz]") {
  ZipEntry e = npy_entry("layer.npy", floats(16, {16}), 8);
  e.payload[1] ^= 0xFF;  // LEN of the stored block no longer matches NLEN
  const Bytes bad = zip_bytes({e});
  // the entry's data start at byte 39 (after the 30-byte local header and the 9-byte name); the block's LEN and NLEN
  // take bytes 40-43, so the decoder stops at byte 44 of the file (not byte 5 of the entry)
  CHECK(message_of([&] { tg::nn::io::decode_npz(bad, "model.npz"); }) ==
        "deflate: model.npz: entry 'layer.npy': stored block length 63 does not match its complement at byte 44");
}

TEST_CASE("hostile npz: entry names are made printable in messages", "[hostile][npz]") {
  ZipEntry e = npy_entry("evil\nname\\'.npy", floats(4, {4}));
  e.payload[6] = 9;  // npy format version 9
  e.crc = tg::nn::io::crc32(e.payload);
  const std::string m = message_of([&] { tg::nn::io::decode_npz(zip_bytes({e}), "names.npz"); });
  CHECK(m == "npy: names.npz: evil\\x0aname\\x5c\\x27.npy: format version 9 at byte 6 is not 1, 2 or 3");
  CHECK(m.find('\n') == std::string::npos);
  CHECK(tg::nn::io::printable_name("a\tb\x7f") == "a\\x09b\\x7f");
}

TEST_CASE("hostile IDX: a (0, 4294967295, 4294967295) images file is refused, not multiplied out",
          "[hostile][idx][data]") {
  const fs::path dir = fresh_dir("idx");
  const Bytes images = {0, 0, 8, 3, 0, 0, 0, 0, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF};
  const Bytes labels = {0, 0, 8, 1, 0, 0, 0, 0};
  for (const char* split : {"train", "t10k"}) {
    tg::nn::io::write_file_atomic((dir / (std::string(split) + "-images-idx3-ubyte")).string(), images);
    tg::nn::io::write_file_atomic((dir / (std::string(split) + "-labels-idx1-ubyte")).string(), labels);
  }
  CHECK(tg::nn::io::parse_idx(images, "i").shape == std::vector<std::int64_t>{0, 4294967295, 4294967295});
  CHECK_THROWS_AS(tg::nn::load_mnist_like(dir.string()), tg::Error);
  CHECK_THROWS_WITH(tg::nn::load_mnist_like(dir.string()),
                    "load_mnist_like: rows * columns = 4294967295 * 4294967295 is more than 2^63 - 1");
  fs::remove_all(dir);
}
