// Self-describing checkpoints (vae/checkpoint.hpp): the model card survives a round trip, load_vae rebuilds the
// model from the file alone (weights, architecture, likelihood, dtype), a weights-only file loads the same way,
// and a file without a card or with a malformed one is refused with a message naming the file and the entry.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "autodiff/autodiff.hpp"
#include "nn/io/npy.hpp"
#include "nn/optim.hpp"
#include "vae/checkpoint.hpp"

using namespace tg;
using Catch::Matchers::Contains;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tg_test_vae_checkpoint_" + name)).string();
}

bool same_values(const Tensor& a, const Tensor& b) {
  return a.shape() == b.shape() && a.dtype() == b.dtype() &&
         std::memcmp(a.raw_data(), b.raw_data(), static_cast<std::size_t>(a.numel()) * dtype_size(a.dtype())) == 0;
}

}  // namespace

TEST_CASE("vae checkpoint: load_vae rebuilds the model from the file alone, card and weights", "[vae][checkpoint]") {
  Generator gen(4);
  const vae::Architecture arch{5, {4, 3}, 2, "sigmoid", "glorot", "normal"};
  vae::VAE model(arch, gen, f64);
  nn::Adam adam(model.named_parameters(), nn::AdamOptions{});
  nn::TrainState state;
  state.epoch = 3, state.step = 30, state.meta = {{"best", -1.5}};
  const vae::ModelCard card{arch, f64, "fixed", "train_vae --latent 2 --hidden 4,3"};
  const std::string path = temp_path("roundtrip.npz");
  vae::save_vae(path, model, &adam, state, card);

  const vae::LoadedVae v = vae::load_vae(path);
  CHECK(v.card.arch.data_dim == 5);
  CHECK(v.card.arch.hidden == std::vector<std::int64_t>{4, 3});
  CHECK(v.card.arch.latent == 2);
  CHECK(v.card.arch.activation == "sigmoid");
  CHECK(v.card.arch.likelihood == "normal");
  CHECK(v.card.arch.init == "glorot");
  CHECK(v.card.dtype == f64);
  CHECK(v.card.binarisation == "fixed");
  CHECK(v.card.command_line == "train_vae --latent 2 --hidden 4,3");
  CHECK(v.state.epoch == 3);
  CHECK(v.state.meta_value("best") == -1.5);
  const nn::NamedTensors a = model.named_parameters(), b = v.model->named_parameters();
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) CHECK(same_values(a[i].second, b[i].second));
  // The same model: the same decoder mean for the same z.
  const Tensor z = randn({3, 2}, gen, f64);
  NoGrad no_grad;
  CHECK(same_values(model.decode_mean(z), v.model->decode_mean(z)));

  // Saving what was loaded (a resumed run) replaces the card instead of adding a second one.
  vae::save_vae(path, *v.model, nullptr, v.state, card);
  CHECK(vae::read_model_card(path).arch.activation == "sigmoid");
  std::filesystem::remove(path);
}

TEST_CASE("vae checkpoint: a weights-only file (no optimiser, no state) loads the same way", "[vae][checkpoint]") {
  Generator gen(5);
  const vae::Architecture arch{6, {4}, 3, "relu", "pytorch", "bernoulli"};
  vae::VAE model(arch, gen);
  const std::string path = temp_path("weights.npz");
  vae::save_vae(path, model, nullptr, nn::TrainState{}, vae::ModelCard{arch, f32, "dynamic", ""});
  for (const auto& [name, a] : nn::io::load_npz(path)) CHECK_FALSE(name.rfind("optim.", 0) == 0);
  const vae::LoadedVae v = vae::load_vae(path);
  CHECK(v.card.arch.describe() == arch.describe());
  CHECK(same_values(model.named_parameters()[0].second, v.model->named_parameters()[0].second));
  std::filesystem::remove(path);
}

TEST_CASE("vae checkpoint: a file without a card, or with a bad entry, is refused naming file and entry",
          "[vae][checkpoint]") {
  Generator gen(6);
  const vae::Architecture arch{4, {3}, 2, "tanh", "pytorch", "bernoulli"};
  vae::VAE model(arch, gen);
  const std::string path = temp_path("bad.npz");
  nn::save_checkpoint(path, model, nullptr, nn::TrainState{});  // no card
  CHECK_THROWS_WITH(vae::load_vae(path), Contains(path + ": has no entry text.format"));

  auto with_text = [&](const std::string& key, const std::string& value) {
    nn::TrainState s;
    for (auto [k, v] : vae::model_card_entries(vae::ModelCard{arch, f32, "", ""}))
      s.text.emplace_back(k, k == key ? value : v);
    nn::save_checkpoint(path, model, nullptr, s);
  };
  with_text("arch.activation", "swish");
  CHECK_THROWS_WITH(vae::load_vae(path), Contains(path + ": text.arch.activation is 'swish', but must be one of relu"));
  with_text("arch.hidden", "3,x");
  CHECK_THROWS_WITH(vae::load_vae(path), Contains("text.arch.hidden is 'x', but must be a whole number"));
  with_text("arch.latent", "0");
  CHECK_THROWS_WITH(vae::load_vae(path), Contains("text.arch.latent is '0'"));
  with_text("arch.latent", "2x");  // a number followed by text is not a number
  CHECK_THROWS_WITH(vae::load_vae(path), Contains("text.arch.latent is '2x', but must be a whole number"));
  with_text("format", "tapegrad-vae 2");  // a card of another format is not read as ours
  CHECK_THROWS_WITH(vae::load_vae(path),
                    Contains(path + ": text.format is 'tapegrad-vae 2', but must be 'tapegrad-vae 1'"));
  with_text("arch.hidden", "5");  // the card disagrees with the weights: the loader names the tensor
  CHECK_THROWS_WITH(vae::load_vae(path), Contains("encoder.0.weight has shape (3, 4) in the file but (5, 4)"));

  // Text entries must be uint8 vectors of bounded size, on the way out and on the way in.
  nn::TrainState big;
  big.text = {{"note", std::string(nn::max_text_bytes + 1, 'a')}};
  CHECK_THROWS_WITH(nn::save_checkpoint(path, model, nullptr, big), Contains("text.note has 65537 bytes"));
  nn::save_checkpoint(path, model, nullptr, nn::TrainState{});
  nn::io::NamedArrays arrays = nn::io::load_npz(path);
  const double one = 1.0;
  arrays.emplace_back("text.format", nn::io::npy_from(std::span<const double>(&one, 1), {1}));
  nn::io::save_npz(path, arrays);
  CHECK_THROWS_WITH(nn::read_checkpoint_text(path), Contains("text.format is (1,) float64, but text must be uint8"));
  std::filesystem::remove(path);
}
