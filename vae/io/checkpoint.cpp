// Self-describing VAE checkpoints (see checkpoint.hpp): the model card to and from text entries, and the model
// rebuilt from a file alone. The entries and their layout: docs/checkpoints.md.
#include "vae/io/checkpoint.hpp"

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <initializer_list>
#include <string_view>

#include "nn/io/npy.hpp"

namespace tg::vae {

namespace {

constexpr const char* kFormat = "tapegrad-vae 1";

// A value read from a file, fit for a message: quoted, escaped (nn::io::printable_name) and cut at 80 bytes, so that
// a value holding a newline or a terminal's escape codes cannot forge a line of output.
std::string quoted(const std::string& value) {
  const std::string head = nn::io::printable_name(std::string_view(value).substr(0, 80));
  return "'" + head + (value.size() > 80 ? "'... (" + std::to_string(value.size()) + " bytes)" : "'");
}

std::string join(const std::vector<std::int64_t>& v) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? "," : "") + std::to_string(v[i]);
  return s;
}

struct CardReader {
  const std::vector<std::pair<std::string, std::string>>& text;
  std::string where;

  [[noreturn]] void bad(const std::string& key, const std::string& value, const std::string& must) const {
    fail("checkpoint", where + ": text." + key + " is " + quoted(value) + ", but " + must);
  }
  const std::string* find(const std::string& key) const {
    for (const auto& [k, v] : text)
      if (k == key) return &v;
    return nullptr;
  }
  const std::string& get(const std::string& key) const {
    for (const auto& [k, v] : text)
      if (k == key) return v;
    fail("checkpoint", where + ": has no entry text." + key +
                           " (a file written before checkpoints described their model? give the architecture "
                           "with train_vae's flags and load it with nn::load_checkpoint)");
  }
  std::int64_t whole(const std::string& key, const std::string& s, std::int64_t most) const {
    char* end = nullptr;
    errno = 0;
    const long long v = std::strtoll(s.c_str(), &end, 10);
    if (s.empty() || *end != '\0' || errno != 0 || v < 1 || v > most)
      bad(key, s, "must be a whole number from 1 to " + std::to_string(most));
    return v;
  }
  std::vector<std::int64_t> widths(const std::string& key) const {
    const std::string& text = get(key);
    const std::size_t n = text.empty() ? 0 : 1 + static_cast<std::size_t>(std::count(text.begin(), text.end(), ','));
    if (n > max_card_hidden_layers)
      bad(key, text,
          "gives " + std::to_string(n) + " widths, and a card may give at most " +
              std::to_string(max_card_hidden_layers));
    std::vector<std::int64_t> v;
    for (std::size_t at = 0; !text.empty() && at <= text.size();) {
      const std::size_t comma = std::min(text.find(',', at), text.size());
      v.push_back(whole(key, text.substr(at, comma - at), max_card_width));
      at = comma + 1;
    }
    return v;
  }
  std::string one_of(const std::string& key, std::initializer_list<const char*> allowed) const {
    const std::string& v = get(key);
    std::string list;
    for (const char* a : allowed) {
      if (v == a) return v;
      list += std::string(list.empty() ? "" : ", ") + a;
    }
    bad(key, v, "must be one of " + list);
  }
};

}  // namespace

std::vector<std::pair<std::string, std::string>> model_card_entries(const ModelCard& c) {
  return {{"format", kFormat},
          {"arch.data_dim", std::to_string(c.arch.data_dim)},
          {"arch.hidden", join(c.arch.hidden)},
          {"arch.latent", std::to_string(c.arch.latent)},
          {"arch.activation", c.arch.activation},
          {"arch.likelihood", c.arch.likelihood},
          {"arch.init", c.arch.init},
          {"arch.posterior", c.arch.posterior},
          {"arch.coupling_layers", std::to_string(c.arch.coupling_layers)},
          {"dtype", dtype_name(c.dtype)},
          {"data.binarisation", c.binarisation},
          {"command_line", c.command_line}};
}

ModelCard model_card_from(const std::vector<std::pair<std::string, std::string>>& text, const std::string& where) {
  const CardReader r{text, where};
  if (r.get("format") != kFormat) r.bad("format", r.get("format"), std::string("must be '") + kFormat + "'");
  ModelCard c;
  c.arch.data_dim = r.whole("arch.data_dim", r.get("arch.data_dim"), max_card_width);
  c.arch.latent = r.whole("arch.latent", r.get("arch.latent"), max_card_width);
  c.arch.hidden = r.widths("arch.hidden");
  c.arch.activation = r.one_of("arch.activation", {"relu", "tanh", "sigmoid", "softplus", "identity"});
  c.arch.likelihood = r.one_of("arch.likelihood", {"bernoulli", "normal"});
  c.arch.init = r.one_of("arch.init", {"pytorch", "glorot"});
  if (r.find("arch.posterior"))  // cards written before the coupling posterior have neither entry: Gaussian
    c.arch.posterior = r.one_of("arch.posterior", {"gaussian", "coupling"});
  if (const std::string* layers = r.find("arch.coupling_layers"))
    c.arch.coupling_layers = r.whole("arch.coupling_layers", *layers, max_card_coupling_layers);
  c.dtype = r.one_of("dtype", {"float32", "float64"}) == "float32" ? f32 : f64;
  c.binarisation = r.one_of("data.binarisation", {"dynamic", "fixed", ""});
  c.command_line = r.get("command_line");
  return c;
}

ModelCard read_model_card(const std::string& path) {
  std::vector<std::uint8_t> bytes;
  std::unique_ptr<nn::io::NpzReader> zip;
  try {
    bytes = nn::io::read_file_bytes(path, nn::max_checkpoint_bytes);
    zip = std::make_unique<nn::io::NpzReader>(bytes, path);
  } catch (const std::runtime_error& e) {
    fail("checkpoint", e.what());
  }
  nn::check_declared_total(*zip, bytes.size(), path);
  const auto text = nn::read_checkpoint_text(*zip, path);
  const bool has_card = std::any_of(text.begin(), text.end(), [](const auto& kv) { return kv.first == "format"; });
  if (!has_card && zip->find("q_z1_x.0.weight") >= 0)  // TwoLayerVAE (vae/hierarchy.hpp) writes no card yet
    fail("checkpoint", path +
                           ": holds a model with two stochastic layers (q_z1_x.0.weight), whose checkpoints have "
                           "no card: resume it with train_vae --arch iwae-paper-2, or build a vae::TwoLayerVAE and "
                           "load it with nn::load_checkpoint");
  ModelCard card = model_card_from(text, path);
  check_card_against_file(card, *zip, path);
  return card;
}

void save_vae(const std::string& path, const nn::Module& model, const nn::Optimizer* optimizer, nn::TrainState state,
              const ModelCard& card) {
  for (auto& entry : model_card_entries(card)) {  // replaces a card already in state (a resumed run's)
    std::erase_if(state.text, [&](const auto& kv) { return kv.first == entry.first; });
    state.text.push_back(std::move(entry));
  }
  nn::save_checkpoint(path, model, optimizer, state);
}

LoadedVae load_vae(const std::string& path) {
  LoadedVae v;
  v.card = read_model_card(path);
  if (v.card.arch.posterior != "gaussian")
    fail("load_vae", path + ": text.arch.posterior is " + quoted(v.card.arch.posterior) +
                         "; load_vae builds Gaussian VAEs: build a vae::FlowVAE from read_model_card(path).arch and "
                         "load it with nn::load_checkpoint");
  Generator gen(0);  // the initial weights are overwritten by the file's
  v.model = std::make_unique<VAE>(v.card.arch, gen, v.card.dtype);
  v.state = nn::load_checkpoint(path, *v.model, nullptr);
  return v;
}

}  // namespace tg::vae
