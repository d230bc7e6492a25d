// libFuzzer target: load_checkpoint into a small model and Adam. The input is written to a file (the loader reads
// paths); a load either succeeds with finite values or throws tg::Error, changing nothing.
#include <unistd.h>

#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <span>
#include <string>

#include "autodiff/autodiff.hpp"
#include "nn/checkpoint.hpp"
#include "nn/io/gzip.hpp"
#include "nn/mlp.hpp"

namespace {
struct Fixture {
  tg::Generator gen{1};
  tg::nn::MLP model{{4, 3, 2}, "tanh", gen};
  tg::nn::Adam adam{model.named_parameters(), {}};
  std::string path = "/tmp/tg_fuzz_checkpoint_" + std::to_string(::getpid()) + ".npz";
};
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  static Fixture f;
  tg::nn::io::write_file_atomic(f.path, std::span<const std::uint8_t>(data, size));
  try {
    tg::nn::load_checkpoint(f.path, f.model, &f.adam);
    for (const tg::Tensor& p : f.model.parameters())
      for (double v : p.to_vector())
        if (!std::isfinite(v)) __builtin_trap();  // the loader promised finite parameters
  } catch (const tg::Error&) {
  }
  return 0;
}
