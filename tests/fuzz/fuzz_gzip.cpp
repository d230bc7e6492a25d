// libFuzzer target: the DEFLATE decoder and the gzip container. The first byte picks gunzip or inflate_raw; the
// output budget is 16 MiB (a caller's limit), so any input must decode, or throw std::runtime_error, within it.
#include <cstddef>
#include <cstdint>
#include <span>
#include <stdexcept>

#include "nn/io/gzip.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::span<const std::uint8_t> in(data + 1, size - 1);
  constexpr std::size_t limit = std::size_t{16} << 20;
  try {
    if (data[0] & 1) {
      tg::nn::io::gunzip(in, "fuzz.gz", limit);
    } else {
      std::size_t consumed = 0;
      tg::nn::io::inflate_raw(in, "fuzz", limit, in.size() * 4, &consumed);
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
