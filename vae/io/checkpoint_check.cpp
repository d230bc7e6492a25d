// The model card checked against its file before any model is built (see checkpoint.hpp): every width, depth,
// latent size and layer count on the card is compared with the shapes in the .npy headers of the file's entries
// (read without decompressing the arrays). A card that claims a larger model than the file holds is refused in
// milliseconds, naming the entry, the card's value and the file's. docs/checkpoints.md lists the checks.
#include <optional>

#include "vae/io/checkpoint.hpp"

namespace tg::vae {

namespace {

// The file's shapes, looked up by entry name; the message of every refusal names the card's entry and value.
struct FileShapes {
  const nn::io::NpzReader& zip;
  const std::string& path;
  std::string prefix;  // "" for a VAE, "vae." for the Gaussian part of a FlowVAE

  std::optional<nn::io::NpyArray> header(const std::string& name) const {
    const std::ptrdiff_t i = zip.find(name);
    if (i < 0) return std::nullopt;
    try {
      return zip.header(static_cast<std::size_t>(i));
    } catch (const std::runtime_error& e) {
      fail("checkpoint", e.what());  // names the file and the entry
    }
  }
  [[noreturn]] void refuse(const std::string& card, const std::string& why) const {
    fail("checkpoint", path + ": the card's " + card + ", but " + why);
  }
  // Entry `name` must be a matrix (rows, cols) of the card's dtype; `card` says which card value gives the shape.
  void expect_matrix(const std::string& name, std::int64_t rows, std::int64_t cols, DType dtype,
                     const std::string& card) const {
    const std::optional<nn::io::NpyArray> h = header(name);
    const Shape want = {rows, cols};
    if (!h) refuse(card, "the file has no entry " + name + " (which would be " + shape_str(want) + ")");
    if (h->shape != want)
      refuse(card, name + " is " + shape_str(h->shape) + " in the file (the card makes it " + shape_str(want) + ")");
    const std::string code = dtype == f32 ? "f4" : "f8";
    if (h->dtype != code)
      refuse(std::string("text.dtype is '") + dtype_name(dtype) + "'", name + " is " +
                                                                           (h->dtype == "f4"   ? "float32"
                                                                            : h->dtype == "f8" ? "float64"
                                                                                               : h->dtype) +
                                                                           " in the file");
  }
  // The layers of an MLP with these sizes, under "<prefix><net>.<i>.weight"; `names` gives the card's value
  // behind each size, for the message.
  void expect_mlp(const std::string& net, const std::vector<std::int64_t>& sizes, const std::vector<std::string>& names,
                  DType dtype, const std::string& depth) const {
    const std::size_t layers = sizes.size() - 1;
    for (std::size_t i = 0; i < layers; ++i)
      expect_matrix(prefix + net + "." + std::to_string(i) + ".weight", sizes[i + 1], sizes[i], dtype,
                    names[i + 1] + " (and " + names[i] + ")");
    const std::string extra = prefix + net + "." + std::to_string(layers) + ".weight";
    if (zip.find(extra) >= 0)
      refuse(depth, "the file has " + extra + ": its " + net + " has more than the card's " + std::to_string(layers) +
                        " layers");
  }
};

std::string hidden_text(const std::vector<std::int64_t>& hidden) {
  std::string s;
  for (std::size_t i = 0; i < hidden.size(); ++i) s += (i ? "," : "") + std::to_string(hidden[i]);
  return s;
}

// The sizes of the encoder and the decoder, with the card's value behind each.
void check_gaussian(const FileShapes& f, const ModelCard& card) {
  const Architecture& a = card.arch;
  std::vector<std::int64_t> enc = {a.data_dim}, dec = {a.latent};
  const std::string data = "text.arch.data_dim is " + std::to_string(a.data_dim);
  const std::string latent = "text.arch.latent is " + std::to_string(a.latent);
  std::vector<std::string> enc_names = {data}, dec_names = {latent};
  for (std::size_t i = 0; i < a.hidden.size(); ++i) {
    enc.push_back(a.hidden[i]);
    enc_names.push_back("text.arch.hidden[" + std::to_string(i) + "] is " + std::to_string(a.hidden[i]));
  }
  for (std::size_t i = a.hidden.size(); i-- > 0;) dec.push_back(a.hidden[i]), dec_names.push_back(enc_names[i + 1]);
  enc.push_back(2 * a.latent), enc_names.push_back(latent + " (2L outputs)");
  const bool normal = a.likelihood == "normal";
  dec.push_back(normal ? 2 * a.data_dim : a.data_dim);
  dec_names.push_back(data + " and text.arch.likelihood is '" + a.likelihood + "'");
  const std::string depth = "text.arch.hidden is '" + hidden_text(a.hidden) + "'";
  f.expect_mlp("encoder", enc, enc_names, card.dtype, depth);
  f.expect_mlp("decoder", dec, dec_names, card.dtype, depth);
}

// The flow of a FlowVAE (vae/coupling.cpp): a context layer (L, D) and coupling_layers layers whose first weight is
// (2L, kept + L).
void check_flow(const FileShapes& f, const ModelCard& card) {
  const Architecture& a = card.arch;
  const std::string layers = "text.arch.coupling_layers is " + std::to_string(a.coupling_layers);
  f.expect_matrix("flow.context.0.weight", a.latent, a.data_dim, card.dtype,
                  "text.arch.latent is " + std::to_string(a.latent));
  for (std::int64_t i = 0; i < a.coupling_layers; ++i) {
    const std::int64_t kept = i % 2 == 1 ? a.latent - a.latent / 2 : a.latent / 2;
    f.expect_matrix("flow." + std::to_string(i) + ".net.0.weight", 2 * a.latent, kept + a.latent, card.dtype,
                    layers + " (and text.arch.latent is " + std::to_string(a.latent) + ")");
  }
  const std::string extra = "flow." + std::to_string(a.coupling_layers) + ".net.0.weight";
  if (f.zip.find(extra) >= 0) f.refuse(layers, "the file also has " + extra);
}

}  // namespace

void check_card_against_file(const ModelCard& card, const nn::io::NpzReader& zip, const std::string& path) {
  const bool flow = card.arch.posterior == "coupling";
  const FileShapes f{zip, path, flow ? "vae." : ""};
  check_gaussian(f, card);
  if (flow) check_flow(f, card);
}

}  // namespace tg::vae
