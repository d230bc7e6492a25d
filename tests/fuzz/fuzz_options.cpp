// libFuzzer target: train_vae's command-line parser. The input is split at NUL bytes into argv; any argv parses or
// throws UsageError.
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "examples/train_vae/options.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::vector<std::string> args = {"train_vae"};
  std::string cur;
  for (std::size_t i = 0; i < size; ++i) {
    if (data[i] == 0) {
      args.push_back(cur);
      cur.clear();
    } else {
      cur += static_cast<char>(data[i]);
    }
  }
  args.push_back(cur);
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  try {
    const tg::app::Options o = tg::app::parse_options(static_cast<int>(args.size()), argv.data());
    if (o.k < 1 || o.batch < 1 || o.epochs < 1 || o.threads < 0 || o.latent < 1 || !(o.lr > 0)) __builtin_trap();
  } catch (const tg::app::UsageError&) {
  }
  return 0;
}
