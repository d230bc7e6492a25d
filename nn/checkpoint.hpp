// Checkpoints: a model's named parameters, its optimiser's state, the training RNGs, epoch, step and scalar
// metadata in one .npz file (nn/io/npy.hpp), written atomically. Loading is all or nothing: it reads and checks
// every entry (names, shapes, dtypes and values) into fresh tensors before it changes anything, so a resumed run
// continues bit-identically or stops with a message naming the file and the entry. A hostile file cannot make it
// read or decompress more than the model and optimiser need (plus a little for the training state).
//
// Arrays in the file: <param> (float32/float64, the parameter's shape), optim.<kind>.<buffer> (e.g.
// optim.adam.m.encoder.0.weight), optim.step, train.epoch, train.step (int64 scalars), rng.<name>.state (4
// uint64), rng.<name>.has_spare (uint8), rng.<name>.spare (float64), meta.<key> (float64 scalars).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "autodiff/random.hpp"
#include "nn/module.hpp"
#include "nn/optim.hpp"

namespace tg::nn {

struct TrainState {
  std::int64_t epoch = 0;                                      // epochs completed
  std::int64_t step = 0;                                       // optimiser steps taken
  std::vector<std::pair<std::string, Generator::State>> rngs;  // e.g. {"data", gen.state()}
  std::vector<std::pair<std::string, double>> meta;            // free-form scalars, e.g. {"best_elbo", -92.3}

  const Generator::State& rng(const std::string& name) const;  // throws if there is no such generator
  double meta_value(const std::string& key) const;             // throws if there is no such key
};

// Saves parameters, the optimiser's state (if optimizer is not null) and `state` to path (via path.tmp). Refuses,
// writing nothing, what loading would refuse: a parameter or optimiser buffer that is not finite (the file at path,
// e.g. the last good checkpoint, stays as it was), a negative epoch or step, a parameter name with a reserved
// prefix.
void save_checkpoint(const std::string& path, const Module& model, const Optimizer* optimizer, const TrainState& state);

// Restores the model's parameters and the optimiser's state (if optimizer is not null; an optimiser's entries
// are ignored otherwise) and returns the rest. Throws tg::Error, changing nothing, if the file is damaged, a name
// is missing or extra, a shape or dtype differs, or a value is out of range (a parameter that is not finite, a
// negative step or epoch, an all-zero generator state): "checkpoint: model.npz: encoder.0.weight has shape
// (400, 784) in the file but (200, 784) in the model", "checkpoint: model.npz: optim.step is -1, but must be >= 0".
TrainState load_checkpoint(const std::string& path, Module& model, Optimizer* optimizer);

}  // namespace tg::nn
