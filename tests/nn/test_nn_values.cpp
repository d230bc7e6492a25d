// Value tests of the nn functions that had none: initialisers that fill from a generator, .npy files on disk,
// dtype sizes, a dataset's labels, an MLP's activation name, random shapes within their documented ranges.
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>

#include "autodiff/autodiff.hpp"
#include "nn/data.hpp"
#include "nn/init.hpp"
#include "nn/io/npy.hpp"
#include "nn/mlp.hpp"
#include "nn/synthetic.hpp"

using namespace tg;
using namespace tg::nn;

TEST_CASE("fill_uniform and fill_normal draw from the generator in row-major order", "[nn][init]") {
  Generator gen(1), same(1);
  Tensor u = zeros({3, 4}, f64), n = zeros({2, 5}, f64);
  fill_uniform(u, -2.0, 3.0, gen);
  fill_normal(n, 1.5, 0.5, gen);
  // Within an ulp or so, not bit for bit: whether lo + (hi - lo) u is one fused multiply-add depends on how each side
  // is compiled. A draw out of order is off by far more.
  for (std::int64_t i = 0; i < u.numel(); ++i) CHECK(u.flat(i) == Approx(-2.0 + 5.0 * same.uniform()).margin(4e-15));
  for (std::int64_t i = 0; i < n.numel(); ++i) CHECK(n.flat(i) == Approx(1.5 + 0.5 * same.normal()).epsilon(1e-15));
  Tensor w = zeros({4, 9}), b = zeros({4});
  Generator g2(2), again(2);
  torch_linear_init(w, b, g2);
  for (std::int64_t i = 0; i < w.numel(); ++i)
    CHECK(w.flat(i) == Approx(static_cast<float>(-1.0 / 3 + 2.0 / 3 * again.uniform())).epsilon(1e-7));
  for (std::int64_t i = 0; i < b.numel(); ++i)
    CHECK(b.flat(i) == Approx(static_cast<float>(-1.0 / 3 + 2.0 / 3 * again.uniform())).epsilon(1e-7));
  CHECK(fans(zeros({4, 9, 3})) == std::pair<std::int64_t, std::int64_t>{27, 12});
}

TEST_CASE("save_npy and load_npy round-trip an array through a file; dtype sizes", "[nn][npz]") {
  const std::string path =
      (std::filesystem::temp_directory_path() / ("tg_npy_" + std::to_string(::getpid()) + ".npy")).string();
  const std::vector<std::int32_t> v = {3, -1, 7, 0, 2, 9};
  io::save_npy(path, io::npy_from(std::span<const std::int32_t>(v), {3, 2}));
  const io::NpyArray a = io::load_npy(path);
  CHECK(a.dtype == "i4");
  CHECK(a.shape == std::vector<std::int64_t>{3, 2});
  CHECK(io::npy_as_i32(a, "a") == v);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  std::filesystem::remove(path);
  CHECK(io::dtype_size("f4") == 4);
  CHECK(io::dtype_size("f8") == 8);
  CHECK(io::dtype_size("u1") == 1);
  CHECK(io::dtype_size("i8") == 8);
  CHECK_THROWS_WITH(io::dtype_size("f2"), "npy: dtype 'f2' is not one of f4, f8, i4, i8, u1, u8");
}

TEST_CASE("Dataset::has_labels, MLP::activation_name", "[nn][data][module]") {
  CHECK(Dataset::from_u8({1, 2}, 2, 1, {5, 6}).has_labels());
  CHECK_FALSE(Dataset::from_u8({1, 2}, 2, 1).has_labels());
  Generator gen(3);
  CHECK(MLP({2, 3}, "softplus", gen).activation_name() == "softplus");
  CHECK(MLP({2, 3, 1}, "sigmoid", gen).sizes() == std::vector<std::int64_t>{2, 3, 1});
}

TEST_CASE("random_shape stays within the documented ranges and picks every kind", "[nn][synthetic]") {
  Generator gen(4);
  std::vector<int> kinds(num_shape_kinds, 0);
  for (int i = 0; i < 2000; ++i) {
    const ShapeSpec s = random_shape(gen, 28);
    ++kinds[static_cast<std::size_t>(s.kind)];
    const bool long_thin = s.kind == ShapeKind::cross || s.kind == ShapeKind::line;
    CHECK(s.size >= (long_thin ? 6.0 : 4.5));
    CHECK(s.size <= (long_thin ? 11.0 : 9.5));
    CHECK(s.angle >= 0.0);
    CHECK(s.angle <= std::acos(-1.0));
    CHECK(s.cx >= 0.0);
    CHECK(s.cx <= 28.0);
    CHECK(s.cy >= 0.0);
    CHECK(s.cy <= 28.0);
  }
  for (int k = 0; k < num_shape_kinds; ++k) CHECK(kinds[static_cast<std::size_t>(k)] > 200);  // about 2000 / 7 each
  const ShapeSpec small = random_shape(gen, 14);  // sizes scale with the side
  CHECK(small.size <= 11.0 * 14 / 28);
  CHECK_THROWS_WITH(random_shape(gen, 7), "random_shape: side is 7, but must be >= 8");
}
