// Helpers of the tests that run train_vae on tiny data: an MNIST-style IDX directory written by the test, the flags
// of a tiny model, and file contents.
#pragma once
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <string>
#include <vector>

#include "autodiff/random.hpp"
#include "examples/examples_testing.hpp"
#include "nn/checkpoint.hpp"
#include "nn/io/gzip.hpp"
#include "nn/optim.hpp"
#include "support/bytes.hpp"
#include "vae/model.hpp"

namespace tgtest {

inline fs::path fresh_dir(const std::string& name) {
  const fs::path dir = fs::temp_directory_path() / ("tg_runs_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

inline void write_idx(const fs::path& path, const std::vector<std::uint32_t>& dims, const Bytes& data) {
  Bytes b = {0, 0, 8, static_cast<std::uint8_t>(dims.size())};
  for (std::uint32_t d : dims)
    for (int s = 24; s >= 0; s -= 8) b.push_back(static_cast<std::uint8_t>(d >> s));
  b.insert(b.end(), data.begin(), data.end());
  tg::nn::io::write_file_atomic(path.string(), b);
}

// An MNIST-style directory of side x side images: n_train and n_test of them, each a bar at a random place (or all
// zeros when `blank`).
inline fs::path tiny_data(const fs::path& dir, int side, int n_train, int n_test, bool blank = false) {
  fs::create_directories(dir);
  tg::Generator gen(5);
  auto images = [&](int n) {
    Bytes px(static_cast<std::size_t>(n * side * side), 0);
    if (!blank)
      for (int i = 0; i < n; ++i) {
        const auto row = static_cast<int>(gen.below(static_cast<std::uint64_t>(side)));
        for (int c = 0; c < side; ++c) px[static_cast<std::size_t>((i * side + row) * side + c)] = 255;
      }
    return px;
  };
  const auto s = static_cast<std::uint32_t>(side);
  write_idx(dir / "train-images-idx3-ubyte", {static_cast<std::uint32_t>(n_train), s, s}, images(n_train));
  write_idx(dir / "train-labels-idx1-ubyte", {static_cast<std::uint32_t>(n_train)}, Bytes(n_train, 1));
  write_idx(dir / "t10k-images-idx3-ubyte", {static_cast<std::uint32_t>(n_test), s, s}, images(n_test));
  write_idx(dir / "t10k-labels-idx1-ubyte", {static_cast<std::uint32_t>(n_test)}, Bytes(n_test, 1));
  return dir;
}

inline std::vector<std::string> tiny_args(const fs::path& data, const fs::path& out, int hidden, int epochs) {
  return {"--data",   data.string(), "--out",          out.string(), "--hidden", std::to_string(hidden),
          "--latent", "2",           "--batch",        "16",         "--eval-n", "16",
          "--eval-k", "20",          "--eval-k-epoch", "5",          "--epochs", std::to_string(epochs)};
}
inline std::string tiny_flags(const fs::path& data, const fs::path& out, int hidden, int epochs) {
  std::string s;
  for (const std::string& a : tiny_args(data, out, hidden, epochs)) s += " '" + a + "'";
  return s;
}

inline Bytes file_bytes(const fs::path& path) { return tg::nn::io::read_file_bytes(path.string()); }

// The model and optimiser train_vae builds for tiny_flags-like options, for loading its checkpoints.
struct Loaded {
  tg::Generator gen{0};
  tg::vae::VAE model;
  tg::nn::Adam adam;
  explicit Loaded(const tg::vae::Architecture& arch) : model(arch, gen), adam(model.named_parameters(), {}) {}
};
inline tg::vae::Architecture tiny_architecture(std::int64_t D, std::int64_t hidden, std::int64_t latent) {
  return {D, {hidden}, latent, "tanh", "glorot"};
}

// The epoch of the checkpoint at `path` (which must load, every value checked), or -1 if there is none.
inline std::int64_t checkpoint_epoch(const fs::path& path, const tg::vae::Architecture& arch) {
  if (!fs::exists(path)) return -1;
  Loaded check(arch);
  std::int64_t epoch = -1;
  CHECK_NOTHROW(epoch = tg::nn::load_checkpoint(path.string(), check.model, &check.adam).epoch);
  return epoch;
}
}  // namespace tgtest
