// Reader for the IDX format of MNIST and Fashion-MNIST (http://yann.lecun.com/exdb/mnist/): a big-endian
// header 00 00 TT NN (TT = element type, NN = number of dimensions), NN big-endian uint32 sizes, then the data.
// Files may be raw or gzip-compressed. Only unsigned bytes (TT = 0x08) are supported.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

namespace tg::nn::io {

struct IdxArray {
  std::vector<std::int64_t> shape;  // e.g. (60000, 28, 28) for images, (60000) for labels
  std::vector<std::uint8_t> data;   // row-major, product(shape) bytes
};

// Parses IDX bytes. `what` names the source in error messages. The data must fill the rest of the input
// exactly: a short file is "truncated", and bytes past the data are rejected as trailing garbage, since a
// wrong header (e.g. a flipped dimension) is the usual reason for either.
IdxArray parse_idx(std::span<const std::uint8_t> bytes, const std::string& what);

// Reads an IDX file, raw or gzipped (detected by the gzip magic, not by the name).
IdxArray read_idx(const std::string& path);

struct IdxDataset {
  IdxArray train_images, train_labels, test_images, test_labels;
};

// Loads the four files of an MNIST-style directory: train-images-idx3-ubyte, train-labels-idx1-ubyte,
// t10k-images-idx3-ubyte, t10k-labels-idx1-ubyte, each raw or with ".gz" (the Debian dataset-fashion-mnist
// package ships the .gz ones in /usr/share/datasets/fashion-mnist); the "train-images.idx3-ubyte" spelling is
// also accepted. Checks that images are (N, H, W), labels are (N) and the counts agree.
IdxDataset load_idx_dir(const std::string& dir);

}  // namespace tg::nn::io
