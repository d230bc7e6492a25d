// Tests of .npy / .npz: round trips inside tapegrad, and both directions against NumPy (numpy.load reads
// what save_npz writes; load_npz reads what numpy.savez and numpy.savez_compressed write).
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "nn/io/gzip.hpp"
#include "nn/io/npy.hpp"
#include "support/bytes.hpp"

namespace fs = std::filesystem;
using tgtest::Bytes;
using Shape = std::vector<std::int64_t>;

namespace {

fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tg_npz_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// The skip rule of tests that need something installed: skip on a developer machine, fail under CI.
bool numpy_or_skip() {
  if (std::system("/usr/bin/python3 -c 'import numpy' > /dev/null 2>&1") == 0) return true;
  if (std::getenv("CI") != nullptr) FAIL("/usr/bin/python3 with numpy is missing, and CI is set (CI installs it)");
  WARN("skipped: /usr/bin/python3 with numpy is missing");
  return false;
}

int run_python(const fs::path& dir, const std::string& script, const std::string& arg) {
  const fs::path file = dir / "check.py";
  tg::nn::io::write_file_atomic(file.string(), {reinterpret_cast<const std::uint8_t*>(script.data()), script.size()});
  return std::system(("/usr/bin/python3 " + file.string() + " " + arg).c_str());
}

tg::nn::io::NamedArrays sample_arrays() {
  const std::vector<float> f = {1.5f, -2.25f, 3e-8f, 1e30f, 0.0f, -0.0f};
  const std::vector<double> d = {3.141592653589793, -1e-300, 2.5};
  const std::vector<std::int64_t> i8 = {-9000000000LL, 0, 42, 7};
  const std::vector<std::int32_t> i4 = {-5, 6};
  const std::vector<std::uint8_t> u1 = {0, 255, 128, 1};
  tg::nn::io::NamedArrays arrays;
  arrays.emplace_back("weight", tg::nn::io::npy_from(std::span(f), Shape{2, 3}));
  arrays.emplace_back("bias", tg::nn::io::npy_from(std::span(d), Shape{3}));
  arrays.emplace_back("step", tg::nn::io::npy_from(std::span(i8).subspan(3), Shape{}));  // a scalar
  arrays.emplace_back("counts", tg::nn::io::npy_from(std::span(i8), Shape{2, 1, 2}));
  arrays.emplace_back("small", tg::nn::io::npy_from(std::span(i4), Shape{2}));
  arrays.emplace_back("pixels", tg::nn::io::npy_from(std::span(u1), Shape{2, 2}));
  arrays.emplace_back("empty", tg::nn::io::npy_from(std::span<const float>(), Shape{0, 4}));
  const std::vector<std::uint64_t> u8 = {0, std::uint64_t{1} << 63};
  arrays.emplace_back("big", tg::nn::io::npy_from(std::span(u8), Shape{2}));
  return arrays;
}

}  // namespace

TEST_CASE("npz round trip keeps names, order, dtypes, shapes and values", "[npz]") {
  const fs::path dir = fresh_dir("roundtrip");
  const tg::nn::io::NamedArrays arrays = sample_arrays();
  const std::string path = (dir / "model.npz").string();
  tg::nn::io::save_npz(path, arrays);
  CHECK_FALSE(fs::exists(path + ".tmp"));
  const tg::nn::io::NamedArrays back = tg::nn::io::load_npz(path);
  REQUIRE(back.size() == arrays.size());
  for (std::size_t i = 0; i < arrays.size(); ++i) {
    INFO(arrays[i].first);
    CHECK(back[i].first == arrays[i].first);
    CHECK(back[i].second.dtype == arrays[i].second.dtype);
    CHECK(back[i].second.shape == arrays[i].second.shape);
    CHECK(back[i].second.bytes == arrays[i].second.bytes);
  }
  CHECK(tg::nn::io::npy_as_f32(back[0].second, "weight")[1] == -2.25f);
  CHECK(tg::nn::io::npy_as_i64(back[2].second, "step") == std::vector<std::int64_t>{7});
  CHECK(tg::nn::io::npy_as_u64(back[7].second, "big")[1] == std::uint64_t{1} << 63);
  tg::nn::io::save_npz(path, {});  // overwrite with an empty archive
  CHECK(tg::nn::io::load_npz(path).empty());
  fs::remove_all(dir);
}

TEST_CASE("npy header is padded so the data starts at a multiple of 64", "[npz]") {
  for (const Shape& shape : {Shape{}, Shape{1}, Shape{1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1}}) {
    const std::vector<double> one = {1.0};
    const Bytes npy = tg::nn::io::encode_npy(tg::nn::io::npy_from(std::span(one), shape));
    const std::size_t header_len = npy[8] | std::size_t{npy[9]} << 8;
    CHECK((10 + header_len) % 64 == 0);
    CHECK(npy[10 + header_len - 1] == '\n');
    CHECK(tg::nn::io::decode_npy(npy, "x.npy").shape == shape);
  }
  const std::string expected = "{'descr': '|u1', 'fortran_order': False, 'shape': (3,), }";
  const Bytes npy = tg::nn::io::encode_npy({"u1", {3}, {1, 2, 3}});
  CHECK(std::string(npy.begin() + 10, npy.begin() + 10 + static_cast<std::ptrdiff_t>(expected.size())) == expected);
  CHECK(npy.size() == 128 + 3);  // 10 + 57 + 1 header bytes round up to 128, as NumPy writes it
}

TEST_CASE("an npz entry whose bytes do not match its CRC-32 is refused, naming the entry", "[npz]") {
  const std::vector<double> values = {1234.5, -6.25};
  Bytes zip = tg::nn::io::encode_npz({{"w", tg::nn::io::npy_from(std::span(values), Shape{2})}});
  CHECK(tg::nn::io::decode_npz(zip, "ok.npz").size() == 1);
  // The stored entry holds the 8 bytes of 1234.5 as they are: change one bit of them, nothing else.
  const auto* first = reinterpret_cast<const std::uint8_t*>(values.data());
  const auto at = std::search(zip.begin(), zip.end(), first, first + 8);
  REQUIRE(at != zip.end());
  at[3] ^= 0x10;
  CHECK_THROWS_WITH(tg::nn::io::decode_npz(zip, "flipped.npz"),
                    Catch::Contains("flipped.npz: entry 'w.npy': CRC-32 mismatch"));
}

TEST_CASE("typed accessors and writers check dtypes, shapes and names", "[npz]") {
  const std::vector<double> d = {1, 2, 3};
  const tg::nn::io::NpyArray a = tg::nn::io::npy_from(std::span(d), Shape{3});
  CHECK_THROWS_WITH(tg::nn::io::npy_as_f32(a, "encoder.bias"),
                    Catch::Contains("array 'encoder.bias' has dtype f8, expected f4"));
  CHECK_THROWS_WITH(tg::nn::io::npy_from(std::span(d), Shape{2, 2}), Catch::Contains("shape (2, 2) does not hold 3"));
  CHECK_THROWS_WITH(tg::nn::io::encode_npz({{"w", a}, {"w", a}}), Catch::Contains("'w' is used twice"));
  CHECK_THROWS_WITH(tg::nn::io::encode_npz({{"", a}}), Catch::Contains("empty or too long name"));
  CHECK_THROWS_WITH(tg::nn::io::encode_npy({"f2", {1}, {0, 0}}), Catch::Contains("dtype 'f2' is not one of"));
  CHECK_THROWS_WITH(tg::nn::io::encode_npy({"f4", {2}, {0, 0}}), Catch::Contains("shape (2,) of dtype f4"));
  const tg::nn::io::NamedArrays many(65536, {"a", a});
  CHECK_THROWS_WITH(tg::nn::io::encode_npz(many), Catch::Contains("65536 arrays need zip64"));
  CHECK_THROWS_WITH(tg::nn::io::load_npz("/nonexistent/model.npz"), Catch::Contains("/nonexistent/model.npz"));
}

TEST_CASE("numpy.load reads what save_npz writes", "[npz][numpy]") {
  if (!numpy_or_skip()) return;
  const fs::path dir = fresh_dir("to_numpy");
  tg::nn::io::save_npz((dir / "ours.npz").string(), sample_arrays());
  const std::string script = R"(import sys, numpy as np
z = np.load(sys.argv[1])
assert list(z.keys()) == ['weight', 'bias', 'step', 'counts', 'small', 'pixels', 'empty', 'big'], list(z.keys())
def same(name, dtype, values):
    a = z[name]
    assert a.dtype == np.dtype(dtype), (name, a.dtype)
    assert a.shape == np.asarray(values).shape, (name, a.shape)
    assert np.array_equal(a, np.asarray(values, dtype=dtype)), (name, a)
same('weight', '<f4', [[1.5, -2.25, 3e-8], [1e30, 0.0, -0.0]])
same('bias', '<f8', [3.141592653589793, -1e-300, 2.5])
same('step', '<i8', 7)
same('counts', '<i8', [[[-9000000000, 0]], [[42, 7]]])
same('small', '<i4', [-5, 6])
same('pixels', 'u1', [[0, 255], [128, 1]])
same('empty', '<f4', np.zeros((0, 4)))
same('big', '<u8', [0, 2**63])
assert not z['weight'].flags['F_CONTIGUOUS'] or z['weight'].ndim < 2
)";
  CHECK(run_python(dir, script, (dir / "ours.npz").string()) == 0);
  fs::remove_all(dir);
}

TEST_CASE("load_npz reads numpy.savez and numpy.savez_compressed output", "[npz][numpy]") {
  if (!numpy_or_skip()) return;
  const fs::path dir = fresh_dir("from_numpy");
  const std::string script = R"(import sys, numpy as np
d = sys.argv[1]
x = (np.arange(3000, dtype=np.float32) * 0.5 - 7).reshape(30, 100)
kw = dict(x=x, y=np.array([1e-300, -2.0]), n=np.int64(-3), u=np.arange(256, dtype=np.uint8),
          i=np.array([[1, -2]], dtype=np.int32), e=np.zeros((2, 0, 3), dtype=np.float64))
np.savez(d + '/plain.npz', **kw)
np.savez_compressed(d + '/packed.npz', **kw)
)";
  REQUIRE(run_python(dir, script, dir.string()) == 0);
  for (const char* file : {"plain.npz", "packed.npz"}) {
    INFO(file);
    const tg::nn::io::NamedArrays z = tg::nn::io::load_npz((dir / file).string());
    REQUIRE(z.size() == 6);
    CHECK(z[0].first == "x");
    CHECK(z[0].second.shape == Shape{30, 100});
    const std::vector<float> x = tg::nn::io::npy_as_f32(z[0].second, "x");
    CHECK(x[0] == -7.0f);
    CHECK(x[2999] == 2999 * 0.5f - 7);
    CHECK(tg::nn::io::npy_as_f64(z[1].second, "y") == std::vector<double>{1e-300, -2.0});
    CHECK(z[2].second.shape.empty());
    CHECK(tg::nn::io::npy_as_i64(z[2].second, "n") == std::vector<std::int64_t>{-3});
    CHECK(tg::nn::io::npy_as_u8(z[3].second, "u")[200] == 200);
    CHECK(tg::nn::io::npy_as_i32(z[4].second, "i") == std::vector<std::int32_t>{1, -2});
    CHECK(z[5].second.shape == Shape{2, 0, 3});
  }
  fs::remove_all(dir);
}
