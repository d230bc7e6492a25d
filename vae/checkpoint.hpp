// Self-describing VAE checkpoints. Beside the weights and the training state (nn/checkpoint.hpp), the file records
// what it takes to rebuild the model from the file alone: the architecture (widths, latent size, activation,
// likelihood, init), the dtype, how the data were binarised and the command line that trained it, as text entries
// (text.arch.hidden = "200,200", ...). docs/checkpoints.md lists every entry and its layout.
//
//   vae::save_vae("model.npz", model, &adam, state, card);   // card: vae::ModelCard{model.architecture(), ...}
//   vae::LoadedVae v = vae::load_vae("model.npz");           // v.model is ready: v.model->encode(x), ...
#pragma once
#include <memory>
#include <string>

#include "nn/checkpoint.hpp"
#include "vae/model.hpp"

namespace tg::vae {

struct ModelCard {
  Architecture arch;
  DType dtype = f32;
  std::string binarisation;  // how binary data were made from grey levels: "dynamic", "fixed", or "" (none)
  std::string command_line;  // e.g. "train_vae --arch iwae-paper --k 50", or ""
};

// The card as the text entries of a checkpoint (keys without the "text." prefix), and back. model_card_from
// throws, naming `where` (the file) and the entry, when an entry is missing or malformed.
std::vector<std::pair<std::string, std::string>> model_card_entries(const ModelCard& card);
ModelCard model_card_from(const std::vector<std::pair<std::string, std::string>>& text, const std::string& where);

// The card of a checkpoint file, read without building a model.
ModelCard read_model_card(const std::string& path);

// save_checkpoint with the card's entries added to state.text. With optimizer = nullptr and a default state,
// this is the weights-only file (parameters and card).
// The model is a VAE or a FlowVAE (card.arch.posterior says which).
void save_vae(const std::string& path, const nn::Module& model, const nn::Optimizer* optimizer, nn::TrainState state,
              const ModelCard& card);

struct LoadedVae {
  std::unique_ptr<VAE> model;  // built from the card, with the file's weights
  ModelCard card;
  nn::TrainState state;  // epoch, step, generators and metadata as saved
};
// Builds the model the card describes and loads its weights (an optimiser's entries are ignored). A card with the
// coupling posterior is refused: build vae::FlowVAE(read_model_card(path).arch, ...) and nn::load_checkpoint it.
LoadedVae load_vae(const std::string& path);

}  // namespace tg::vae
