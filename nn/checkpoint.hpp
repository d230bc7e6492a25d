// Checkpoints: a model's named parameters, its optimiser's state, the training RNGs, epoch, step and scalar
// metadata in one .npz file (nn/io/npy.hpp), written atomically. Loading is all or nothing: it reads and checks
// every entry (names, shapes, dtypes and values) into fresh tensors before it changes anything, so a resumed run
// continues bit-identically or stops with a message naming the file and the entry. A hostile file cannot make it
// read or decompress more than the model and optimiser need (plus a little for the training state).
//
// Arrays in the file: <param> (float32/float64, the parameter's shape), optim.<kind>.<buffer> (e.g.
// optim.adam.m.encoder.0.weight), optim.step, train.epoch, train.step (int64 scalars), rng.<name>.state (4
// uint64), rng.<name>.has_spare (uint8), rng.<name>.spare (float64), meta.<key> (float64 scalars), text.<key>
// (UTF-8 bytes, uint8 (n,): descriptive strings such as a model's architecture, see vae/io/checkpoint.hpp).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/random.hpp"
#include "nn/io/npy.hpp"
#include "nn/module.hpp"
#include "nn/optim.hpp"

namespace tg::nn {

struct TrainState {
  std::int64_t epoch = 0;                                      // epochs completed
  std::int64_t step = 0;                                       // optimiser steps taken
  std::vector<std::pair<std::string, Generator::State>> rngs;  // e.g. {"data", gen.state()}
  std::vector<std::pair<std::string, double>> meta;            // free-form scalars, e.g. {"best_elbo", -92.3}
  std::vector<std::pair<std::string, std::string>> text;       // free-form strings, e.g. {"arch.activation", "tanh"}

  const Generator::State& rng(const std::string& name) const;  // throws if there is no such generator
  double meta_value(const std::string& key) const;             // throws if there is no such key
};

// Saves parameters, the optimiser's state (if optimizer is not null) and `state` to path (via path.tmp). Refuses,
// writing nothing, what loading would refuse: a parameter or optimiser buffer that is not finite (the file at path,
// e.g. the last good checkpoint, stays as it was), a negative epoch or step, a parameter name with a reserved
// prefix, a count above max_count, more than max_state_entries entries of state or text beyond its budget.
void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optimizer, const TrainState& state);

// Restores the model's parameters and the optimiser's state (if optimizer is not null; an optimiser's entries
// are ignored otherwise) and returns the rest. Throws tg::Error, changing nothing, if the file is damaged, a name
// is missing or extra, a shape or dtype differs, or a value is out of range (a parameter that is not finite, a
// negative step or epoch, an all-zero generator state): "checkpoint: model.npz: encoder.0.weight has shape
// (400, 784) in the file but (200, 784) in the model", "checkpoint: model.npz: optim.step is -1, but must be >= 0".
TrainState load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer);

// The text.<key> entries of a checkpoint (keys without the prefix), read without a model: what a file says about
// itself before anything is built from it. Each entry must be uint8 (n,) of at most max_text_bytes, all of them
// together at most max_text_total bytes; the file at most max_checkpoint_bytes (only the text entries are
// decompressed).
inline constexpr std::size_t max_text_bytes = std::size_t{1} << 16;
inline constexpr std::size_t max_text_total = std::size_t{1} << 20;
inline constexpr std::size_t max_checkpoint_bytes = std::size_t{1} << 31;
std::vector<std::pair<std::string, std::string>> read_checkpoint_text(const std::string& path);
// The same from an archive already open (`path` names it in messages).
std::vector<std::pair<std::string, std::string>> read_checkpoint_text(const io::NpzReader& zip,
                                                                      const std::string& path);

// The training state's budget: at most max_state_entries rng.*, meta.* and text.* entries in a file, and counts
// (optim.step, train.step, train.epoch) of at most max_count = 2^53 (a double still counts them exactly; Adam's
// bias correction takes the step as a double). A file beyond either is refused before its state is read.
inline constexpr std::size_t max_state_entries = 4096;

// The budget of a checkpoint read: its entries together may declare at most io::decode_budget(file size, no cap)
// bytes (64 times the file plus 1 MiB; a file numpy.savez writes declares its own size, savez_compressed's about
// 1.1 times it). Throws tg::Error naming the file otherwise. load_checkpoint and vae::read_model_card check it.
void check_declared_total(const io::NpzReader& zip, std::size_t file_bytes, const std::string& path);
inline constexpr std::int64_t max_count = std::int64_t{1} << 53;

}  // namespace tg::nn
