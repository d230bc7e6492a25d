// train_vae: trains a VAE or an IWAE on the embedded shapes data or an MNIST-style IDX directory, shows progress,
// and writes metrics, pictures, an HTML index and checkpoints. `train_vae --help` lists the flags.
#include <cstdio>
#include <exception>

#include "options.hpp"
#include "train.hpp"

int main(int argc, char** argv) {
  std::string command_line = "train_vae";
  for (int i = 1; i < argc; ++i) command_line += std::string(" ") + argv[i];
  tg::app::Options options;
  try {
    options = tg::app::parse_options(argc, argv);
  } catch (const tg::app::UsageError& e) {
    std::fprintf(stderr, "train_vae: %s\n\n%s", e.what(), tg::app::usage().c_str());
    return 2;
  }
  if (options.help) {
    std::printf("%s", tg::app::usage().c_str());
    return 0;
  }
  try {
    return tg::app::run(options, command_line);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "train_vae: error: %s\n", e.what());
    return 1;
  }
}
