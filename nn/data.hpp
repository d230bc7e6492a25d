// Datasets of N flattened images (uint8 scaled by 1/255 or float in [0, 1]), fixed and dynamic binarisation,
// seeded shuffled mini-batches, and load_mnist_like(dir) for MNIST-style IDX directories (nn/io/idx.hpp).
// Dynamic binarisation (x ~ Bernoulli(pixel), resampled for every batch) is the IWAE paper's MNIST protocol.
#pragma once
#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "autodiff/random.hpp"
#include "autodiff/tensor.hpp"

namespace tg::nn {

class Dataset {
 public:
  Dataset() = default;
  // n rows of dim values, row-major. Images may give their height and width (height * width == dim).
  // uint8 pixels are served as p / 255; labels are optional (empty, or one per row).
  static Dataset from_u8(std::vector<std::uint8_t> pixels, std::int64_t n, std::int64_t dim,
                         std::vector<std::int32_t> labels = {}, std::int64_t height = 0, std::int64_t width = 0);
  // Float rows: images in [0, 1], or any finite points (e.g. 2-D data; binarisation then refuses them).
  static Dataset from_f32(std::vector<float> values, std::int64_t n, std::int64_t dim,
                          std::vector<std::int32_t> labels = {}, std::int64_t height = 0, std::int64_t width = 0);

  std::int64_t size() const { return n_; }
  std::int64_t dim() const { return dim_; }
  std::int64_t height() const { return height_; }  // 0 when the rows are not images
  std::int64_t width() const { return width_; }
  bool is_u8() const { return is_u8_; }
  bool has_labels() const { return !labels_.empty(); }
  std::int32_t label(std::int64_t i) const;
  float value(std::int64_t i, std::int64_t j) const;  // row i, column j, as served (u8 scaled to [0, 1]); checked
  double mean() const;                                // of every value, as served

  // Rows `indices` as a float32 (B, dim) tensor, a constant (not on the tape).
  Tensor gather(std::span<const std::int64_t> indices) const;
  Tensor rows(std::int64_t begin, std::int64_t end) const;  // rows [begin, end)
  Dataset head(std::int64_t n) const;                       // the first n rows

  // Fixed binarisation: value > threshold -> 1, else 0 (stored as uint8 0 / 255). Values must be in [0, 1].
  Dataset binarized(double threshold = 0.5) const;

 private:
  void check_row(const char* what, std::int64_t i) const;
  float at(std::int64_t i, std::int64_t j) const;  // value(i, j) for indices known to be in range
  std::vector<std::uint8_t> u8_;
  std::vector<float> f32_;
  std::vector<std::int32_t> labels_;
  std::int64_t n_ = 0, dim_ = 0, height_ = 0, width_ = 0;
  bool is_u8_ = true;
};

enum class Binarize { none, fixed, dynamic };
Binarize binarize_from_name(const std::string& name);  // "none" | "fixed" | "dynamic"

struct BatchOptions {
  std::int64_t batch_size = 100;
  bool shuffle = true;
  bool drop_last = false;  // drop the last batch when it is shorter than batch_size
  Binarize binarize = Binarize::none;
  double threshold = 0.5;  // for Binarize::fixed
};

// One epoch's batches of row indices: a permutation of 0..n-1 drawn from gen (or 0..n-1 in order without
// shuffle), cut into consecutive pieces of batch_size. Every row appears exactly once (once at most with
// drop_last).
std::vector<std::vector<std::int64_t>> epoch_batches(std::int64_t n, std::int64_t batch_size, bool shuffle,
                                                     bool drop_last, Generator& gen);

// Serves one epoch: the order is drawn from gen at construction and, with dynamic binarisation, each batch's
// pixels are drawn from gen in next(). Keeps references to data and gen, which must outlive it.
//   BatchIterator batches(train, {.batch_size = 100, .binarize = Binarize::dynamic}, gen);
//   for (Tensor x; batches.next(x);) { ... }   // x: (B, 784) float32
class BatchIterator {
 public:
  BatchIterator(const Dataset& data, const BatchOptions& options, Generator& gen);
  bool next(Tensor& x);                           // the next batch, or false after the last
  std::span<const std::int64_t> indices() const;  // the rows of the batch next() returned last
  std::int64_t num_batches() const { return static_cast<std::int64_t>(batches_.size()); }
  std::int64_t batch_index() const { return pos_ - 1; }  // of the batch next() returned last

 private:
  const Dataset& data_;
  BatchOptions options_;
  Generator& gen_;
  std::vector<std::vector<std::int64_t>> batches_;
  std::int64_t pos_ = 0;
};

struct TrainTest {
  Dataset train, test;
};
// The four IDX files of an MNIST-style directory (MNIST, Fashion-MNIST) as uint8 datasets with labels.
TrainTest load_mnist_like(const std::string& dir);

}  // namespace tg::nn
