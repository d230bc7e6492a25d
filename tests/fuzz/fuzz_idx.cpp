// libFuzzer target: the IDX reader, on raw or gzipped bytes (as read_idx sees them), and the dataset built from
// an (N, H, W) array the way load_mnist_like builds it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "autodiff/tensor.hpp"
#include "nn/data.hpp"
#include "nn/io/gzip.hpp"
#include "nn/io/idx.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  try {
    const tg::nn::io::IdxArray a = tg::nn::io::is_gzip(in)
                                       ? tg::nn::io::parse_idx(tg::nn::io::gunzip(in, "fuzz.gz", 16 << 20), "fuzz")
                                       : tg::nn::io::parse_idx(in, "fuzz");
    if (a.shape.size() == 3 && a.shape[1] > 0 && a.shape[2] > 0) {
      std::int64_t dim = 0;
      if (__builtin_mul_overflow(a.shape[1], a.shape[2], &dim)) return 0;
      const tg::nn::Dataset d = tg::nn::Dataset::from_u8(a.data, a.shape[0], dim, {}, a.shape[1], a.shape[2]);
      if (d.size() > 0) d.rows(0, 1);
    }
  } catch (const std::runtime_error&) {
  } catch (const tg::Error&) {
  }
  return 0;
}
