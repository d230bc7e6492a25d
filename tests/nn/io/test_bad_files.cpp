// Damaged files: valid small gzip, IDX (raw and gzipped) and npz files are truncated at every offset and hit by
// seeded random byte mutations. Each case must load or throw std::runtime_error naming the file; never crash,
// hang or allocate without bound (run this under AddressSanitizer + UBSan too).
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "nn/io/gzip.hpp"
#include "nn/io/idx.hpp"
#include "nn/io/npy.hpp"
#include "support/bytes.hpp"

namespace fs = std::filesystem;
using tgtest::Bytes;
using Loader = std::function<void(const Bytes&)>;

namespace {

struct SplitMix64 {  // the test's own RNG, so the mutations are the same everywhere
  std::uint64_t state;
  std::uint64_t next() {
    std::uint64_t z = (state += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  std::size_t below(std::size_t n) { return static_cast<std::size_t>(next() % n); }
};

struct Outcome {
  int loaded = 0, rejected = 0, bad = 0;
  std::string first_bad;
};

// One damaged input: a load or a runtime_error whose message names the file are both fine.
void try_load(const Bytes& input, const std::string& what, const Loader& load, const std::string& label, Outcome& o) {
  std::string defect;
  try {
    load(input);
    ++o.loaded;
    return;
  } catch (const std::runtime_error& e) {
    const std::string m = e.what();
    if (!m.empty() && m.find(what) != std::string::npos) {
      ++o.rejected;
      return;
    }
    defect = "message does not name " + what + ": '" + m + "'";
  } catch (const std::exception& e) {
    defect = std::string("not a runtime_error: ") + e.what();
  }
  if (o.bad++ == 0) o.first_bad = label + ": " + defect;
}

// Every truncation, then `mutations` seeded mutations of 1-4 bytes (a third of them inside the first 64 bytes,
// where the headers are).
Outcome torture(const Bytes& valid, const std::string& what, const Loader& load, int mutations, std::uint64_t seed) {
  REQUIRE_NOTHROW(load(valid));
  Outcome o;
  for (std::size_t n = 0; n < valid.size(); ++n)
    try_load(Bytes(valid.begin(), valid.begin() + static_cast<std::ptrdiff_t>(n)), what, load,
             "truncated to " + std::to_string(n) + " bytes", o);
  SplitMix64 rng{seed};
  for (int m = 0; m < mutations; ++m) {
    Bytes b = valid;
    const std::size_t changes = 1 + rng.below(4);
    for (std::size_t c = 0; c < changes; ++c) {
      const std::size_t at = rng.below(m % 3 == 0 ? std::min<std::size_t>(64, b.size()) : b.size());
      const std::size_t kind = rng.below(3);
      if (kind == 0)
        b[at] = static_cast<std::uint8_t>(rng.next());
      else if (kind == 1)
        b[at] ^= static_cast<std::uint8_t>(1u << rng.below(8));
      else
        b[at] = rng.below(2) ? 0xFF : 0x00;
    }
    try_load(b, what, load, "mutation " + std::to_string(m), o);
  }
  return o;
}

void check(const Outcome& o) {
  INFO("loaded " << o.loaded << ", rejected " << o.rejected << ", first defect: " << o.first_bad);
  CHECK(o.bad == 0);
  CHECK(o.rejected > 0);
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tg_bad_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

Bytes gzip_bytes(const fs::path& dir, const Bytes& data) {
  const fs::path in = dir / "sample";
  tg::nn::io::write_file_atomic(in.string(), data);
  REQUIRE(std::system(("gzip -f -9 " + in.string()).c_str()) == 0);
  return tg::nn::io::read_file_bytes(in.string() + ".gz");
}

Bytes sample_text() {
  std::string s;
  for (int i = 0; i < 120; ++i)
    s += "line " + std::to_string(i * i % 97) + ": the tape records op " + std::to_string(i % 11) + "\n";
  return Bytes(s.begin(), s.end());
}

Bytes sample_idx() {  // 4 images of 6x6
  Bytes b = {0, 0, 8, 3, 0, 0, 0, 4, 0, 0, 0, 6, 0, 0, 0, 6};
  for (int i = 0; i < 4 * 36; ++i) b.push_back(static_cast<std::uint8_t>(i % 5 == 0 ? 0 : i * 3));
  return b;
}

}  // namespace

TEST_CASE("damaged gzip files throw or decode, never crash", "[badfiles][gzip]") {
  const fs::path dir = fresh_dir("gzip");
  const Bytes gz = gzip_bytes(dir, sample_text());
  check(torture(
      gz, "sample.gz", [](const Bytes& b) { tg::nn::io::gunzip(b, "sample.gz", 1 << 20); }, 4000, 1));
  fs::remove_all(dir);
}

TEST_CASE("damaged IDX files throw or load, never crash", "[badfiles][idx]") {
  const Bytes idx = sample_idx();
  check(torture(
      idx, "t-idx3-ubyte", [](const Bytes& b) { tg::nn::io::parse_idx(b, "t-idx3-ubyte"); }, 2000, 2));
  const fs::path dir = fresh_dir("idx");
  const Bytes gz = gzip_bytes(dir, idx);
  const Loader load_gz = [](const Bytes& b) {  // what read_idx does with a gzipped file
    tg::nn::io::parse_idx(tg::nn::io::gunzip(b, "t-idx3-ubyte.gz"), "t-idx3-ubyte.gz (decompressed)");
  };
  check(torture(gz, "t-idx3-ubyte.gz", load_gz, 3000, 3));
  fs::remove_all(dir);
}

TEST_CASE("damaged npz files throw or load, never crash", "[badfiles][npz]") {
  const std::vector<float> w = {1, 2, 3, 4, 5, 6};
  const std::vector<std::int64_t> step = {12};
  const Bytes npz = tg::nn::io::encode_npz(
      {{"w", tg::nn::io::npy_from(std::span(w), {2, 3})}, {"step", tg::nn::io::npy_from(std::span(step), {})}});
  check(torture(
      npz, "model.npz", [](const Bytes& b) { tg::nn::io::decode_npz(b, "model.npz"); }, 4000, 4));
}

TEST_CASE("damaged numpy.savez_compressed files throw or load, never crash", "[badfiles][npz][numpy]") {
  if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") != 0) {
    if (std::getenv("CI") != nullptr) FAIL("/usr/bin/python3 with numpy is missing, and CI is set (CI installs it)");
    WARN("skipped: /usr/bin/python3 with numpy is missing");
    return;
  }
  const fs::path dir = fresh_dir("numpy");
  const std::string path = (dir / "packed.npz").string();
  const std::string cmd = "/usr/bin/python3 -c \"import numpy as np; np.savez_compressed('" + path +
                          "', a=np.arange(40, dtype=np.float32).reshape(5, 8) % 7, b=np.array([3, -1]))\"";
  REQUIRE(std::system(cmd.c_str()) == 0);
  const Bytes npz = tg::nn::io::read_file_bytes(path);
  check(torture(
      npz, "packed.npz", [](const Bytes& b) { tg::nn::io::decode_npz(b, "packed.npz"); }, 4000, 5));
  fs::remove_all(dir);
}
