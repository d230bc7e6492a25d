// Self-describing checkpoints (vae/io/checkpoint.hpp): the model card survives a round trip, load_vae rebuilds the
// model from the file alone (weights, architecture, likelihood, dtype), a weights-only file loads the same way,
// and a file without a card or with a malformed one is refused with a message naming the file and the entry.
#include <catch2/catch.hpp>
#include <cstring>
#include <filesystem>

#include "autodiff/autodiff.hpp"
#include "nn/io/npy.hpp"
#include "nn/optim.hpp"
#include "vae/coupling.hpp"
#include "vae/hierarchy.hpp"
#include "vae/io/checkpoint.hpp"

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
  with_text("arch.hidden",
            "5");  // the card disagrees with the weights: the check names the card's value and the tensor
  CHECK_THROWS_WITH(vae::load_vae(path),
                    Contains(path + ": the card's text.arch.hidden[0] is 5 (and text.arch.data_dim "
                                    "is 4), but encoder.0.weight is (3, 4) in the file (the card "
                                    "makes it (5, 4))"));

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

namespace {

// A checkpoint of `model` whose card is `arch`'s with the entries of `changes` replaced.
void write_card(const std::string& path, const nn::Module& model, const vae::Architecture& arch,
                const std::vector<std::pair<std::string, std::string>>& changes, DType dtype = f32) {
  nn::TrainState s;
  for (auto [k, v] : vae::model_card_entries(vae::ModelCard{arch, dtype, "", ""})) {
    for (const auto& [ck, cv] : changes)
      if (ck == k) v = cv;
    s.text.emplace_back(k, v);
  }
  nn::save_checkpoint(path, model, nullptr, s);
}

std::string refusal(const std::string& path) {
  try {
    vae::load_vae(path);
  } catch (const Error& e) {
    return e.what();
  }
  return "no error";
}

}  // namespace

TEST_CASE("vae checkpoint: a card that claims another model than the file holds is refused before it is built",
          "[vae][checkpoint][hostile]") {
  Generator gen(7);
  const vae::Architecture arch{4, {3}, 2, "tanh", "glorot", "bernoulli"};
  vae::VAE model(arch, gen);
  const std::string path = temp_path("hostile.npz");
  const struct {
    std::vector<std::pair<std::string, std::string>> card;
    std::string message;
  } cases[] = {
      // widths the file does not have: refused from the headers, not after building a 1.2 GB model
      {{{"arch.hidden", "200000"}},
       "the card's text.arch.hidden[0] is 200000 (and text.arch.data_dim is 4), but encoder.0.weight is (3, 4) in "
       "the file (the card makes it (200000, 4))"},
      {{{"arch.hidden", "1000000"}}, "text.arch.hidden[0] is 1000000"},
      {{{"arch.hidden", "1048577"}}, "text.arch.hidden is '1048577', but must be a whole number from 1 to 1048576"},
      {{{"arch.data_dim", "784"}},
       "the card's text.arch.hidden[0] is 3 (and text.arch.data_dim is 784), but "
       "encoder.0.weight is (3, 4) in the file (the card makes it (3, 784))"},
      {{{"arch.latent", "50"}},
       "the card's text.arch.latent is 50 (2L outputs) (and text.arch.hidden[0] is 3), but "
       "encoder.1.weight is (4, 3) in the file (the card makes it (100, 3))"},
      {{{"arch.likelihood", "normal"}}, "text.arch.likelihood is 'normal'"},
      // more or fewer layers than the file
      {{{"arch.hidden", "3,3"}}, "encoder.1.weight is (4, 3) in the file (the card makes it (3, 3))"},
      {{{"arch.hidden", ""}}, "encoder.0.weight is (3, 4) in the file (the card makes it (4, 4))"},
      // implausible depth: refused from the card alone (30,000 layers of width 1 printed as -1-1-1...)
      {{{"arch.hidden",
         [] {
           std::string h = "1";
           for (int i = 1; i < 30000; ++i) h += ",1";
           return h;
         }()}},
       "gives 30000 widths, and a card may give at most 64"},
      // the dtype: float64 on the card, float32 in the file
      {{{"dtype", "float64"}}, "the card's text.dtype is 'float64', but encoder.0.weight is float32 in the file"},
      // a value holding a newline and a terminal's escape codes is printed escaped
      {{{"arch.activation", "tanh\n\x1b[32mtrain_vae: resumed (OK)"}},
       "text.arch.activation is 'tanh\\x0a\\x1b[32mtrain_vae: resumed (OK)', but must be one of"},
  };
  for (const auto& c : cases) {
    INFO(c.card[0].first << " = " << c.card[0].second.substr(0, 40));
    write_card(path, model, arch, c.card);
    const std::string m = refusal(path);
    CHECK_THAT(m, Contains(c.message));
    CHECK(m.find('\n') == std::string::npos);
    CHECK(m.find('\x1b') == std::string::npos);
    CHECK_THROWS_WITH(vae::read_model_card(path), Contains(c.message));  // what train_vae --resume reads
  }
  std::filesystem::remove(path);
}

TEST_CASE("vae checkpoint: a card with fewer layers than the file, whose sizes fit the first ones, is refused",
          "[vae][checkpoint][hostile]") {
  Generator gen(10);
  const vae::Architecture arch{4, {4}, 2, "tanh", "glorot", "bernoulli"};  // encoder (4, 4), (4, 4)
  vae::VAE model(arch, gen);
  const std::string path = temp_path("depth.npz");
  write_card(path, model, arch, {{"arch.hidden", ""}});  // 4 -> 2L = 4: the first layer fits
  CHECK_THROWS_WITH(vae::read_model_card(path),
                    Contains("the card's text.arch.hidden is '', but the file has encoder.1.weight: its encoder has "
                             "more than the card's 1 layers"));
  std::filesystem::remove(path);
}

TEST_CASE("vae checkpoint: a coupling card must give the file's number of coupling layers, at most 1024",
          "[vae][checkpoint][hostile]") {
  Generator gen(8);
  vae::Architecture arch{4, {3}, 2, "tanh", "glorot", "bernoulli", "coupling", 4};
  vae::FlowVAE model(arch, gen);
  const std::string path = temp_path("flow.npz");
  write_card(path, model, arch, {});
  CHECK(vae::read_model_card(path).arch.coupling_layers == 4);
  for (const char* n : {"200000", "2147483648"}) {
    write_card(path, model, arch, {{"arch.coupling_layers", n}});
    CHECK_THROWS_WITH(vae::read_model_card(path), Contains(std::string("text.arch.coupling_layers is '") + n +
                                                           "', but must be a whole number from 1 to 1024"));
  }
  write_card(path, model, arch, {{"arch.coupling_layers", "3"}});
  CHECK_THROWS_WITH(vae::read_model_card(path),
                    Contains("the card's text.arch.coupling_layers is 3, but the file also has flow.3.net.0.weight"));
  write_card(path, model, arch, {{"arch.coupling_layers", "1024"}});
  CHECK_THROWS_WITH(vae::read_model_card(path),
                    Contains("the card's text.arch.coupling_layers is 1024 (and text.arch.latent is 2), but the file "
                             "has no entry flow.4.net.0.weight"));
  std::filesystem::remove(path);
}

TEST_CASE("vae checkpoint: a two-layer model's file, which has no card, is named as such", "[vae][checkpoint]") {
  Generator gen(9);
  vae::TwoLayerArchitecture arch;
  arch.data_dim = 4, arch.hidden1 = {3}, arch.latent1 = 2, arch.hidden2 = {3}, arch.latent2 = 2;
  vae::TwoLayerVAE model(arch, gen);
  const std::string path = temp_path("two.npz");
  nn::save_checkpoint(path, model, nullptr, nn::TrainState{});
  CHECK_THROWS_WITH(vae::read_model_card(path),
                    Contains(path + ": holds a model with two stochastic layers (q_z1_x.0.weight), whose checkpoints "
                                    "have no card: resume it with train_vae --arch iwae-paper-2"));
  std::filesystem::remove(path);
}
