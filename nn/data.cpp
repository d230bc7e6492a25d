// Dataset storage and access, fixed and dynamic binarisation, shuffled epoch batches, and the MNIST-style
// loader.
#include "nn/data.hpp"

#include <algorithm>
#include <cmath>

#include "nn/io/idx.hpp"

namespace tg::nn {

// a * b, or a tg::Error naming `what` when it overflows int64.
static std::int64_t product(const char* what, const char* a_name, std::int64_t a, const char* b_name, std::int64_t b) {
  std::int64_t p = 0;
  if (__builtin_mul_overflow(a, b, &p))
    fail(what, std::string(a_name) + " * " + b_name + " = " + std::to_string(a) + " * " + std::to_string(b) +
                   " is more than 2^63 - 1");
  return p;
}

static void check_layout(const char* what, std::size_t size, std::int64_t n, std::int64_t dim, std::size_t n_labels,
                         std::int64_t height, std::int64_t width) {
  if (n < 0) fail(what, "n is " + std::to_string(n) + ", but must be >= 0");
  if (dim < 1) fail(what, "dim is " + std::to_string(dim) + ", but must be >= 1");
  const std::int64_t count = product(what, "n", n, "dim", dim);
  if (static_cast<std::uint64_t>(size) != static_cast<std::uint64_t>(count))
    fail(what, "there are " + std::to_string(size) + " values, but n * dim is " + std::to_string(count));
  if (n_labels != 0 && static_cast<std::uint64_t>(n_labels) != static_cast<std::uint64_t>(n))
    fail(what, "there are " + std::to_string(n_labels) + " labels, but must be 0 or n = " + std::to_string(n));
  if (height < 0 || width < 0)
    fail(what,
         "height and width are " + std::to_string(height) + " and " + std::to_string(width) + ", but must be >= 0");
  if ((height != 0 || width != 0) && product(what, "height", height, "width", width) != dim)
    fail(what, "height * width is " + std::to_string(height * width) + ", but must equal dim " + std::to_string(dim));
}

Dataset Dataset::from_u8(std::vector<std::uint8_t> pixels, std::int64_t n, std::int64_t dim,
                         std::vector<std::int32_t> labels, std::int64_t height, std::int64_t width) {
  check_layout("Dataset", pixels.size(), n, dim, labels.size(), height, width);
  Dataset d;
  d.u8_ = std::move(pixels), d.labels_ = std::move(labels);
  d.n_ = n, d.dim_ = dim, d.height_ = height, d.width_ = width;
  return d;
}

Dataset Dataset::from_f32(std::vector<float> values, std::int64_t n, std::int64_t dim, std::vector<std::int32_t> labels,
                          std::int64_t height, std::int64_t width) {
  check_layout("Dataset", values.size(), n, dim, labels.size(), height, width);
  for (std::size_t k = 0; k < values.size(); ++k)
    if (!std::isfinite(values[k]))
      fail("Dataset", "value[" + std::to_string(k) + "] is " + std::to_string(values[k]) + ", but must be finite");
  Dataset d;
  d.f32_ = std::move(values), d.labels_ = std::move(labels), d.is_u8_ = false;
  d.n_ = n, d.dim_ = dim, d.height_ = height, d.width_ = width;
  return d;
}

void Dataset::check_row(const char* what, std::int64_t i) const {
  if (i < 0 || i >= n_) fail(what, "row is " + std::to_string(i) + ", but must be in [0, " + std::to_string(n_) + ")");
}

std::int32_t Dataset::label(std::int64_t i) const {
  check_row("Dataset::label", i);
  if (labels_.empty()) fail("Dataset::label", "this dataset has no labels");
  return labels_[static_cast<std::size_t>(i)];
}

float Dataset::value(std::int64_t i, std::int64_t j) const {
  check_row("Dataset::value", i);
  if (j < 0 || j >= dim_)
    fail("Dataset::value", "column is " + std::to_string(j) + ", but must be in [0, " + std::to_string(dim_) + ")");
  return at(i, j);
}

float Dataset::at(std::int64_t i, std::int64_t j) const {
  const std::size_t k = static_cast<std::size_t>(i * dim_ + j);
  return is_u8() ? static_cast<float>(u8_[k]) / 255.0f : f32_[k];
}

double Dataset::mean() const {
  double total = 0.0;
  for (std::int64_t i = 0; i < n_; ++i)
    for (std::int64_t j = 0; j < dim_; ++j) total += at(i, j);
  return n_ > 0 ? total / static_cast<double>(n_ * dim_) : 0.0;
}

Tensor Dataset::gather(std::span<const std::int64_t> indices) const {
  Tensor x = empty({static_cast<std::int64_t>(indices.size()), dim_}, f32);  // (B, D)
  float* out = x.data<float>();
  for (std::size_t b = 0; b < indices.size(); ++b) {
    check_row("Dataset::gather", indices[b]);
    for (std::int64_t j = 0; j < dim_; ++j) out[static_cast<std::int64_t>(b) * dim_ + j] = at(indices[b], j);
  }
  return x;
}

Tensor Dataset::rows(std::int64_t begin, std::int64_t end) const {
  if (begin < 0 || begin > end || end > n_)
    fail("Dataset::rows", "[" + std::to_string(begin) + ", " + std::to_string(end) +
                              ") is not a range of rows in [0, " + std::to_string(n_) + "]");
  std::vector<std::int64_t> idx;
  for (std::int64_t i = begin; i < end; ++i) idx.push_back(i);
  return gather(idx);
}

Dataset Dataset::head(std::int64_t n) const {
  if (n < 0 || n > n_)
    fail("Dataset::head", "n is " + std::to_string(n) + ", but must be in [0, " + std::to_string(n_) + "]");
  const auto cut = static_cast<std::size_t>(n * dim_);
  std::vector<std::int32_t> labels;
  if (!labels_.empty()) labels.assign(labels_.begin(), labels_.begin() + n);
  if (is_u8())
    return from_u8({u8_.begin(), u8_.begin() + static_cast<std::ptrdiff_t>(cut)}, n, dim_, labels, height_, width_);
  return from_f32({f32_.begin(), f32_.begin() + static_cast<std::ptrdiff_t>(cut)}, n, dim_, labels, height_, width_);
}

Dataset Dataset::binarized(double threshold) const {
  std::vector<std::uint8_t> bits(static_cast<std::size_t>(n_ * dim_));
  for (std::int64_t i = 0; i < n_; ++i)
    for (std::int64_t j = 0; j < dim_; ++j) {
      const float v = at(i, j);
      if (!(v >= 0.0f && v <= 1.0f))
        fail("Dataset::binarized", "value[" + std::to_string(i) + ", " + std::to_string(j) + "] is " +
                                       std::to_string(v) + ", but must be in [0, 1]");
      bits[static_cast<std::size_t>(i * dim_ + j)] = v > threshold ? 255 : 0;
    }
  return from_u8(std::move(bits), n_, dim_, labels_, height_, width_);
}

Binarize binarize_from_name(const std::string& name) {
  if (name == "none") return Binarize::none;
  if (name == "fixed") return Binarize::fixed;
  if (name == "dynamic") return Binarize::dynamic;
  fail("binarize", "name is \"" + name + "\", but must be none, fixed or dynamic");
}

std::vector<std::vector<std::int64_t>> epoch_batches(std::int64_t n, std::int64_t batch_size, bool shuffle,
                                                     bool drop_last, Generator& gen) {
  if (batch_size < 1) fail("epoch_batches", "batch_size is " + std::to_string(batch_size) + ", but must be >= 1");
  std::vector<std::int64_t> order = shuffle ? randperm(n, gen) : std::vector<std::int64_t>();
  if (!shuffle)
    for (std::int64_t i = 0; i < n; ++i) order.push_back(i);
  std::vector<std::vector<std::int64_t>> batches;
  for (std::int64_t start = 0; start < n; start += batch_size) {
    const std::int64_t stop = std::min(n, start + batch_size);
    if (drop_last && stop - start < batch_size) break;
    batches.emplace_back(order.begin() + start, order.begin() + stop);
  }
  return batches;
}

BatchIterator::BatchIterator(const Dataset& data, const BatchOptions& options, Generator& gen)
    : data_(data),
      options_(options),
      gen_(gen),
      batches_(epoch_batches(data.size(), options.batch_size, options.shuffle, options.drop_last, gen)) {}

bool BatchIterator::next(Tensor& x) {
  if (pos_ >= num_batches()) return false;
  x = data_.gather(batches_[static_cast<std::size_t>(pos_++)]);        // (B, D)
  if (options_.binarize == Binarize::dynamic) x = bernoulli(x, gen_);  // x ~ Bernoulli(pixel), fresh each batch
  if (options_.binarize == Binarize::fixed) {
    float* p = x.data<float>();
    for (std::int64_t k = 0; k < x.numel(); ++k) p[k] = p[k] > options_.threshold ? 1.0f : 0.0f;
  }
  return true;
}

std::span<const std::int64_t> BatchIterator::indices() const {
  if (pos_ == 0) return {};
  return batches_[static_cast<std::size_t>(pos_ - 1)];
}

static Dataset from_idx(const io::IdxArray& images, const io::IdxArray& labels, const std::string& what) {
  const std::int64_t n = images.shape.at(0), h = images.shape.at(1), w = images.shape.at(2);
  if (h < 1 || w < 1)
    fail("load_mnist_like",
         what + " images are " + std::to_string(h) + " x " + std::to_string(w) + " pixels; they need at least one");
  std::vector<std::int32_t> ls(labels.data.begin(), labels.data.end());
  return Dataset::from_u8(images.data, n, product("load_mnist_like", "rows", h, "columns", w), std::move(ls), h, w);
}

TrainTest load_mnist_like(const std::string& dir) {
  const io::IdxDataset idx = io::load_idx_dir(dir);
  return {from_idx(idx.train_images, idx.train_labels, dir + ": train"),
          from_idx(idx.test_images, idx.test_labels, dir + ": t10k")};
}

}  // namespace tg::nn
