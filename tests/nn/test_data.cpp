// Tests of Dataset (scaling, binarisation, errors), seeded epoch batches (coverage, drop_last, determinism),
// dynamic binarisation, and load_mnist_like on a tiny IDX directory written by the test.
#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <set>

#include "nn/data.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

Dataset ramp(std::int64_t n, std::int64_t dim) {  // pixel (i, j) = (i * dim + j) mod 256
  std::vector<std::uint8_t> px(static_cast<std::size_t>(n * dim));
  for (std::size_t k = 0; k < px.size(); ++k) px[k] = static_cast<std::uint8_t>(k % 256);
  std::vector<std::int32_t> labels(static_cast<std::size_t>(n));
  for (std::int64_t i = 0; i < n; ++i) labels[static_cast<std::size_t>(i)] = static_cast<std::int32_t>(i);
  return Dataset::from_u8(std::move(px), n, dim, std::move(labels));
}

void write_idx(const std::filesystem::path& path, const std::vector<std::uint32_t>& dims,
               const std::vector<std::uint8_t>& data) {
  std::ofstream f(path, std::ios::binary);
  const unsigned char magic[4] = {0, 0, 0x08, static_cast<unsigned char>(dims.size())};
  f.write(reinterpret_cast<const char*>(magic), 4);
  for (std::uint32_t d : dims) {
    const unsigned char be[4] = {static_cast<unsigned char>(d >> 24), static_cast<unsigned char>(d >> 16),
                                 static_cast<unsigned char>(d >> 8), static_cast<unsigned char>(d)};
    f.write(reinterpret_cast<const char*>(be), 4);
  }
  f.write(reinterpret_cast<const char*>(data.data()), static_cast<std::streamsize>(data.size()));
}

}  // namespace

TEST_CASE("Dataset serves uint8 pixels scaled by 1/255 as float32 (B, D) batches", "[nn][data]") {
  const Dataset d = ramp(4, 3);
  CHECK(d.size() == 4);
  CHECK(d.dim() == 3);
  CHECK(d.value(1, 2) == 5.0f / 255.0f);
  const std::vector<std::int64_t> idx{3, 0};
  const Tensor x = d.gather(idx);
  REQUIRE(x.shape() == Shape{2, 3});
  CHECK(x.dtype() == f32);
  CHECK(x.at({0, 0}) == static_cast<double>(9.0f / 255.0f));
  CHECK(x.at({1, 2}) == static_cast<double>(2.0f / 255.0f));
  CHECK(d.rows(1, 3).at({0, 0}) == static_cast<double>(3.0f / 255.0f));
  CHECK(d.label(2) == 2);
  CHECK(d.head(2).size() == 2);
  CHECK(d.mean() == Approx(5.5 / 255.0));
  const std::vector<std::int64_t> bad{4};
  CHECK_THROWS_WITH(d.gather(bad), "Dataset::gather: row is 4, but must be in [0, 4)");
}

TEST_CASE("Dataset rejects inconsistent layouts and non-finite values", "[nn][data]") {
  CHECK_THROWS_WITH(Dataset::from_u8(std::vector<std::uint8_t>(5), 2, 3),
                    "Dataset: there are 5 values, but n * dim is 6");
  CHECK_THROWS_WITH(Dataset::from_u8(std::vector<std::uint8_t>(6), 2, 3, {1}),
                    "Dataset: there are 1 labels, but must be 0 or n = 2");
  CHECK_THROWS_WITH(Dataset::from_f32({0.f, NAN}, 1, 2), Catch::StartsWith("Dataset: value[1] is nan"));
  CHECK_THROWS_WITH(Dataset::from_f32({0.f, 2.f}, 1, 2).binarized(),
                    "Dataset::binarized: value[0, 1] is 2.000000, but must be in [0, 1]");
  CHECK_THROWS_WITH(binarize_from_name("random"), "binarize: name is \"random\", but must be none, fixed or dynamic");
}

TEST_CASE("Fixed binarisation: a value above 0.5 becomes 1", "[nn][data]") {
  const Dataset d = Dataset::from_u8({0, 127, 128, 255}, 1, 4);
  const Dataset b = d.binarized();
  CHECK(b.value(0, 0) == 0.0f);
  CHECK(b.value(0, 1) == 0.0f);  // 127 / 255 < 0.5
  CHECK(b.value(0, 2) == 1.0f);  // 128 / 255 > 0.5
  CHECK(b.value(0, 3) == 1.0f);
  Generator gen(1);
  BatchIterator it(d, {.batch_size = 1, .shuffle = false, .binarize = Binarize::fixed}, gen);
  Tensor x;
  REQUIRE(it.next(x));
  CHECK(x.to_vector() == std::vector<double>{0, 0, 1, 1});
  // A value equal to the threshold is not above it.
  const Dataset f = Dataset::from_f32({0.25f, 0.5f, 0.75f}, 1, 3).binarized(0.5);
  CHECK(f.value(0, 1) == 0.0f);
  CHECK(f.value(0, 2) == 1.0f);
}

TEST_CASE("Epoch batches cover the dataset exactly once; drop_last drops the short one", "[nn][data]") {
  for (bool drop_last : {false, true}) {
    Generator gen(7);
    const auto batches = epoch_batches(10, 3, true, drop_last, gen);
    REQUIRE(batches.size() == (drop_last ? 3u : 4u));
    std::vector<std::int64_t> seen;
    for (const auto& b : batches) {
      CHECK(b.size() == (&b == &batches.back() && !drop_last ? 1u : 3u));
      seen.insert(seen.end(), b.begin(), b.end());
    }
    std::set<std::int64_t> distinct(seen.begin(), seen.end());
    CHECK(distinct.size() == seen.size());  // no row twice
    CHECK(seen.size() == (drop_last ? 9u : 10u));
    CHECK(*distinct.rbegin() <= 9);
  }
  Generator gen(7);
  CHECK(epoch_batches(6, 6, true, true, gen).size() == 1);  // exact multiple: nothing dropped
  CHECK(epoch_batches(5, 6, true, true, gen).empty());
  const auto in_order = epoch_batches(5, 2, false, false, gen);
  CHECK(in_order == std::vector<std::vector<std::int64_t>>{{0, 1}, {2, 3}, {4}});
  CHECK_THROWS_WITH(epoch_batches(5, 0, true, false, gen), "epoch_batches: batch_size is 0, but must be >= 1");
}

TEST_CASE("The same seed gives the same batch order; another seed or epoch a different one", "[nn][data]") {
  const Dataset d = ramp(50, 2);
  auto order = [&](Generator& gen) {
    std::vector<std::int64_t> rows;
    BatchIterator it(d, {.batch_size = 8}, gen);
    for (Tensor x; it.next(x);) {
      CHECK(x.shape() == Shape{static_cast<std::int64_t>(it.indices().size()), 2});
      CHECK(x.at({0, 0}) == static_cast<double>(d.value(it.indices()[0], 0)));
      rows.insert(rows.end(), it.indices().begin(), it.indices().end());
    }
    CHECK(it.num_batches() == 7);
    return rows;
  };
  Generator a(42), b(42), c(43);
  const auto first = order(a);
  CHECK(first == order(b));
  CHECK(first != order(c));
  CHECK(first != order(a));  // the next epoch draws a new order
  std::vector<std::int64_t> sorted = first;
  std::sort(sorted.begin(), sorted.end());
  for (std::int64_t i = 0; i < 50; ++i) CHECK(sorted[static_cast<std::size_t>(i)] == i);
}

TEST_CASE("Dynamic binarisation draws x ~ Bernoulli(pixel) afresh for every batch", "[nn][data]") {
  Generator data_gen(3);
  std::vector<std::uint8_t> px(400 * 50);
  for (auto& p : px) p = static_cast<std::uint8_t>(data_gen.below(256));
  const Dataset d = Dataset::from_u8(std::move(px), 400, 50);
  Generator gen(5);
  double total = 0.0;
  std::int64_t count = 0;
  std::vector<double> first_epoch, second_epoch;
  bool binary = true;
  for (int epoch = 0; epoch < 2; ++epoch) {
    BatchIterator it(d, {.batch_size = 100, .shuffle = false, .binarize = Binarize::dynamic}, gen);
    for (Tensor x; it.next(x);) {
      for (double v : x.to_vector()) {
        binary = binary && (v == 0.0 || v == 1.0);
        total += v, ++count;
        (epoch == 0 ? first_epoch : second_epoch).push_back(v);
      }
    }
  }
  CHECK(binary);
  CHECK(count == 2 * 400 * 50);
  CHECK(total / static_cast<double>(count) == Approx(d.mean()).margin(0.006));  // sd of the mean is about 0.002
  CHECK(first_epoch != second_epoch);
}

TEST_CASE("load_mnist_like reads an IDX directory into labelled uint8 datasets", "[nn][data]") {
  const auto dir = std::filesystem::temp_directory_path() / "tg_test_data_idx";
  std::filesystem::create_directories(dir);
  std::vector<std::uint8_t> train(3 * 2 * 2), test(1 * 2 * 2, 255);
  for (std::size_t k = 0; k < train.size(); ++k) train[k] = static_cast<std::uint8_t>(20 * k);
  write_idx(dir / "train-images-idx3-ubyte", {3, 2, 2}, train);
  write_idx(dir / "train-labels-idx1-ubyte", {3}, {7, 8, 9});
  write_idx(dir / "t10k-images-idx3-ubyte", {1, 2, 2}, test);
  write_idx(dir / "t10k-labels-idx1-ubyte", {1}, {4});
  const TrainTest data = load_mnist_like(dir.string());
  std::filesystem::remove_all(dir);
  CHECK(data.train.size() == 3);
  CHECK(data.train.dim() == 4);
  CHECK(data.train.height() == 2);
  CHECK(data.train.value(2, 3) == 220.0f / 255.0f);
  CHECK(data.train.label(1) == 8);
  CHECK(data.test.size() == 1);
  CHECK(data.test.value(0, 0) == 1.0f);
  CHECK(data.test.label(0) == 4);
}

TEST_CASE("Dataset accessors are bounds-checked and sizes that overflow are refused", "[nn][data][limits]") {
  const Dataset d = ramp(2, 3);
  CHECK(d.value(1, 2) == 5.0f / 255.0f);
  // row 2 of 2 would read row 0 of whatever lies beyond, and 1e12 far outside the pixels, without the check
  CHECK_THROWS_WITH(d.value(2, 0), "Dataset::value: row is 2, but must be in [0, 2)");
  CHECK_THROWS_WITH(d.value(1000000000000, 0), "Dataset::value: row is 1000000000000, but must be in [0, 2)");
  CHECK_THROWS_WITH(d.value(0, 3), "Dataset::value: column is 3, but must be in [0, 3)");
  CHECK_THROWS_WITH(d.value(0, -1), "Dataset::value: column is -1, but must be in [0, 3)");
  CHECK_THROWS_WITH(d.label(-1), "Dataset::label: row is -1, but must be in [0, 2)");
  CHECK_THROWS_WITH(d.rows(1, 3), "Dataset::rows: [1, 3) is not a range of rows in [0, 2]");
  CHECK_THROWS_WITH(d.head(3), "Dataset::head: n is 3, but must be in [0, 2]");
  // n * dim that overflows int64 (2^62 * 4 wraps to 0, which an empty vector "matches")
  CHECK_THROWS_WITH(Dataset::from_u8({}, std::int64_t{1} << 62, 4),
                    "Dataset: n * dim = 4611686018427387904 * 4 is more than 2^63 - 1");
  CHECK_THROWS_WITH(Dataset::from_f32({}, 4, std::int64_t{1} << 62),
                    "Dataset: n * dim = 4 * 4611686018427387904 is more than 2^63 - 1");
  CHECK_THROWS_WITH(Dataset::from_u8({}, 0, 4, {}, std::int64_t{1} << 32, std::int64_t{1} << 32),
                    "Dataset: height * width = 4294967296 * 4294967296 is more than 2^63 - 1");
  CHECK_THROWS_WITH(Dataset::from_u8({0, 0, 0, 0}, 1, 4, {}, -2, -2),
                    "Dataset: height and width are -2 and -2, but must be >= 0");
}
