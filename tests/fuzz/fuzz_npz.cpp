// libFuzzer target: the .npy and .npz readers. Input starting with the .npy magic goes to decode_npy, the rest to
// decode_npz with a 16 MiB budget.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <span>
#include <stdexcept>

#include "nn/io/npy.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> in(data, size);
  try {
    if (size >= 6 && std::memcmp(data, "\x93NUMPY", 6) == 0) {
      const tg::nn::io::NpyArray a = tg::nn::io::decode_npy(in, "fuzz.npy");
      if (a.dtype == "f4") tg::nn::io::npy_as_f32(a, "a");
    } else {
      for (const auto& [name, a] : tg::nn::io::decode_npz(in, "fuzz.npz", 16 << 20))
        tg::nn::io::encode_npy(a);  // what was read can be written back
    }
  } catch (const std::runtime_error&) {
  }
  return 0;
}
