// Tests of the IDX reader and the MNIST-style directory loader, on files written here (raw and gzipped)
// and on the real Fashion-MNIST training images when the dataset-fashion-mnist package is installed.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <numeric>
#include <string>
#include <vector>

#include "nn/io/crc.hpp"
#include "nn/io/gzip.hpp"
#include "nn/io/idx.hpp"
#include "support/bytes.hpp"

namespace fs = std::filesystem;
using tgtest::Bytes;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tg_idx_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// An IDX ubyte file: 00 00 08 NN, big-endian sizes, then the bytes i % 251 (or `fill`).
Bytes make_idx(const std::vector<std::uint32_t>& shape, int fill = -1) {
  Bytes b = {0, 0, 0x08, static_cast<std::uint8_t>(shape.size())};
  std::size_t count = 1;
  for (std::uint32_t d : shape) {
    for (int shift = 24; shift >= 0; shift -= 8) b.push_back(static_cast<std::uint8_t>(d >> shift));
    count *= d;
  }
  for (std::size_t i = 0; i < count; ++i) b.push_back(static_cast<std::uint8_t>(fill < 0 ? i % 251 : fill));
  return b;
}

void write_idx(const fs::path& path, const Bytes& bytes, bool gzipped) {
  tg::nn::io::write_file_atomic(path.string(), bytes);
  if (gzipped) REQUIRE(std::system(("gzip -f -9 " + path.string()).c_str()) == 0);  // leaves path.gz
}

std::string parse_error(const Bytes& b) {
  try {
    tg::nn::io::parse_idx(b, "x-idx3-ubyte");
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  return "no error";
}

// The skip rule of tests that need something installed: skip on a developer machine, fail under CI.
bool available_or_skip(bool available, const std::string& what) {
  if (available) return true;
  if (std::getenv("CI") != nullptr) FAIL(what << " is missing, and CI is set (CI installs it)");
  WARN("skipped: " << what << " is missing");
  return false;
}

}  // namespace

TEST_CASE("read_idx reads raw and gzipped IDX files", "[idx]") {
  const fs::path dir = fresh_dir("read");
  const Bytes images = make_idx({5, 3, 4}), labels = make_idx({5}, 7);
  write_idx(dir / "images", images, false);
  write_idx(dir / "labels", labels, true);
  const tg::nn::io::IdxArray a = tg::nn::io::read_idx((dir / "images").string());
  CHECK(a.shape == std::vector<std::int64_t>{5, 3, 4});
  CHECK(a.data == Bytes(images.begin() + 16, images.end()));
  const tg::nn::io::IdxArray b = tg::nn::io::read_idx((dir / "labels.gz").string());
  CHECK(b.shape == std::vector<std::int64_t>{5});
  CHECK(b.data == Bytes(5, 7));
  fs::remove_all(dir);
}

TEST_CASE("load_idx_dir finds the four files raw or gzipped", "[idx]") {
  const fs::path dir = fresh_dir("dir");
  write_idx(dir / "train-images-idx3-ubyte", make_idx({6, 2, 2}), true);
  write_idx(dir / "train-labels-idx1-ubyte", make_idx({6}), false);
  write_idx(dir / "t10k-images.idx3-ubyte", make_idx({3, 2, 2}), false);  // the dotted spelling
  write_idx(dir / "t10k-labels-idx1-ubyte", make_idx({3}), true);
  const tg::nn::io::IdxDataset ds = tg::nn::io::load_idx_dir(dir.string());
  CHECK(ds.train_images.shape == std::vector<std::int64_t>{6, 2, 2});
  CHECK(ds.train_labels.shape == std::vector<std::int64_t>{6});
  CHECK(ds.test_images.shape == std::vector<std::int64_t>{3, 2, 2});
  CHECK(ds.test_labels.data == Bytes{0, 1, 2});
  write_idx(dir / "t10k-labels-idx1-ubyte", make_idx({4}), false);  // raw wins over .gz
  CHECK_THROWS_WITH(tg::nn::io::load_idx_dir(dir.string()), Catch::Contains("t10k has 3 images but 4 labels"));
  fs::remove_all(dir);
}

TEST_CASE("load_idx_dir names the missing file and what it looked for", "[idx]") {
  const fs::path dir = fresh_dir("missing");
  write_idx(dir / "train-images-idx3-ubyte", make_idx({2, 2, 2}), false);
  write_idx(dir / "train-labels-idx1-ubyte", make_idx({2}), false);
  write_idx(dir / "t10k-images-idx3-ubyte", make_idx({2, 2, 2}), false);
  CHECK_THROWS_WITH(tg::nn::io::load_idx_dir(dir.string()),
                    Catch::Contains("no t10k-labels-idx1-ubyte file; looked for t10k-labels-idx1-ubyte, "
                                    "t10k-labels-idx1-ubyte.gz, t10k-labels.idx1-ubyte, t10k-labels.idx1-ubyte.gz"));
  CHECK_THROWS_WITH(tg::nn::io::load_idx_dir((dir / "nowhere").string()), Catch::Contains("no such directory"));
  fs::remove_all(dir);
}

TEST_CASE("parse_idx rejects bad headers, truncation and trailing data with offsets", "[idx]") {
  Bytes good = make_idx({2, 3});
  CHECK(tg::nn::io::parse_idx(good, "x").data.size() == 6);
  Bytes floats = good;
  floats[2] = 0x0D;
  CHECK_THAT(parse_error(floats), Catch::Contains("element type 0x0D (float32) at byte 2 is not supported"));
  CHECK_THAT(parse_error({0, 1, 8, 1}), Catch::Contains("not an IDX file"));
  CHECK_THAT(parse_error({0, 0, 8}), Catch::Contains("x-idx3-ubyte: truncated at byte 3 of 4+"));
  CHECK_THAT(parse_error({0, 0, 8, 2, 0, 0}), Catch::Contains("truncated at byte 6 of 12+"));
  Bytes short_data(good.begin(), good.end() - 1);
  CHECK_THAT(parse_error(short_data), Catch::Contains("truncated at byte 17: shape 2x3 needs more data than the 5"));
  Bytes trailing = good;
  trailing.push_back(0);
  CHECK_THAT(parse_error(trailing), Catch::Contains("1 bytes of trailing data at byte 18"));
  // 2^32-1 per dimension: the product overflows 64 bits, which must read as "too big", not wrap around.
  Bytes huge = {0, 0, 8, 4};
  huge.insert(huge.end(), 16, 0xFF);
  CHECK_THAT(parse_error(huge), Catch::Contains("truncated at byte 20: shape 4294967295x4294967295"));
  CHECK_THAT(parse_error({0, 0, 8, 0}), Catch::Contains("number of dimensions at byte 3 is 0"));
}

TEST_CASE("read_idx loads the Fashion-MNIST training images", "[idx][fashion]") {
  const std::string dir = "/usr/share/datasets/fashion-mnist";
  // A path made of a named string, not of a temporary: GCC 12 for aarch64 at -O1 reports a false -Warray-bounds in
  // libstdc++'s copy of a temporary string into a filesystem::path.
  const fs::path images_file = fs::path(dir) / "train-images-idx3-ubyte.gz";
  if (!available_or_skip(fs::exists(images_file), dir + " (package dataset-fashion-mnist)")) return;
  const auto t0 = std::chrono::steady_clock::now();
  const tg::nn::io::IdxArray images = tg::nn::io::read_idx(dir + "/train-images-idx3-ubyte.gz");
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - t0).count();
  std::cout << "read_idx(train-images-idx3-ubyte.gz): " << ms << " ms (printed, not checked)\n";
  REQUIRE(images.shape == std::vector<std::int64_t>{60000, 28, 28});
  // Computed independently with
  //   /usr/bin/python3 -c "import gzip,zlib; d=gzip.open('$DIR/train-images-idx3-ubyte.gz').read()[16:];
  //                        print(sum(d), hex(zlib.crc32(d)))"
  CHECK(std::accumulate(images.data.begin(), images.data.end(), std::uint64_t{0}) == 3431114169u);
  CHECK(tg::nn::io::crc32(images.data) == 0xae65dccdu);
  const tg::nn::io::IdxDataset ds = tg::nn::io::load_idx_dir(dir);
  CHECK(ds.train_labels.shape == std::vector<std::int64_t>{60000});
  CHECK(ds.test_images.shape == std::vector<std::int64_t>{10000, 28, 28});
  CHECK(ds.test_labels.shape == std::vector<std::int64_t>{10000});
  CHECK(*std::max_element(ds.train_labels.data.begin(), ds.train_labels.data.end()) == 9);
}
