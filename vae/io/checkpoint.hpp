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

// Plausibility limits of a card: model_card_from refuses widths (data_dim, hidden, latent) above max_card_width,
// more than max_card_hidden_layers hidden layers, and more than max_card_coupling_layers coupling layers.
inline constexpr std::int64_t max_card_width = std::int64_t{1} << 20;
inline constexpr std::size_t max_card_hidden_layers = 64;
inline constexpr std::int64_t max_card_coupling_layers = 1024;

// Compares every size the card gives with the shapes of the file's weights, read from their .npy headers (nothing
// is decompressed): encoder.I.weight and decoder.I.weight for each layer, no layer more, the dtype, and for the
// coupling posterior flow.context.0.weight and flow.I.net.0.weight for each coupling layer. Throws tg::Error naming
// the card's value, the entry and its shape in the file. The model the card describes then holds no more than
// the file declares (at most nn::io::max_expansion times its size, nn::check_declared_total).
void check_card_against_file(const ModelCard& card, const nn::io::NpzReader& zip, const std::string& path);

// The card of a checkpoint file, read without building a model and checked against the file
// (check_card_against_file): what load_vae and train_vae --resume build from, so both accept and refuse the same
// files. A file of the two-layer model (which has no card) is named as such.
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
