// Command-line options of train_vae: every flag, its default, and the checks that turn a bad value into a message
// and exit status 2. `train_vae --help` prints usage().
#pragma once
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace tg::app {

struct Options {
  std::string model = "iwae";  // vae | iwae
  std::int64_t k = 5;          // samples per example in the training bound
  std::string arch = "";       // pytorch-examples | iwae-paper | iwae-paper-2 | "" (explicit sizes below)
  std::int64_t latent = 8;
  std::vector<std::int64_t> hidden = {256, 128};
  std::string activation = "tanh";
  std::int64_t epochs = 12;
  std::int64_t batch = 64;
  double lr = 1e-3;
  std::string schedule = "constant";  // constant | iwae
  std::uint64_t seed = 1;
  int threads = 0;                   // 0: from TG_NUM_THREADS or the core count
  std::string data = "shapes";       // shapes | a directory of IDX files (raw or .gz)
  std::int64_t train_n = 0;          // training examples used (0: all)
  std::string binarize = "dynamic";  // dynamic | fixed
  std::int64_t eval_k = 5000;        // importance samples for the final log p(x) estimate
  std::int64_t eval_k_epoch = 50;    // ... and for the per-epoch estimate
  std::int64_t eval_n = 500;         // test examples used for the estimates (0: all)
  std::string out = "build/train_vae";
  std::string resume = "";        // the model is the one the checkpoint describes
  std::string save_weights = "";  // also write the model alone (weights and model card) here at the end
  bool help = false;

  std::string estimator = "reparam";   // reparam | stl | dreg: the gradient estimator of the training bound
  std::string posterior = "gaussian";  // gaussian | coupling: q(z|x), or the flow of coupling layers on top of it
};

// Parses argv. Throws UsageError on an unknown flag or a bad value; the message says which and why.
struct UsageError : std::runtime_error {
  using std::runtime_error::runtime_error;
};
Options parse_options(int argc, char** argv);
// The command that trains this model again: every flag that affects the weights, with its value (not --out,
// --resume, --threads, --save-weights or the evaluation flags), so that it is the same for a resumed run, a
// run with more threads, or one writing elsewhere. Checkpoints record it (docs/checkpoints.md).
std::string training_command(const Options& o);
std::string usage();

}  // namespace tg::app
