// libFuzzer target: vae::load_vae of any bytes. The card is checked against the file before a model is built, so a
// load either succeeds with a model no larger than the file's budget (64 x its size + 1 MiB) or throws tg::Error,
// quickly and within the budget (a card that claims a larger model than the file holds is refused from the headers).
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>

#include "nn/io/gzip.hpp"
#include "vae/io/checkpoint.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static const std::string path = "/tmp/tg_fuzz_card_" + std::to_string(::getpid()) + ".npz";
  tg::nn::io::write_file_atomic(path, std::span<const std::uint8_t>(data, size));
  try {
    const tg::vae::LoadedVae v = tg::vae::load_vae(path);
    const auto bytes = static_cast<std::size_t>(v.model->num_parameters()) * tg::dtype_size(v.card.dtype);
    if (bytes > tg::nn::io::decode_budget(size, SIZE_MAX)) __builtin_trap();  // a model the file does not hold
  } catch (const tg::Error&) {
  }
  return 0;
}
