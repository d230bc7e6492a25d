// Tests of checkpoints: a save / load round trip resumes training bit-identically (parameters, Adam or SGD
// state, RNG state), training state and metadata survive, and mismatched names, shapes and dtypes are named
// exactly.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <functional>
#include <limits>

#include "autodiff/autodiff.hpp"
#include "nn/checkpoint.hpp"
#include "nn/io/npy.hpp"
#include "nn/io/zip_testing.hpp"
#include "nn/mlp.hpp"
#include "support/bytes.hpp"

using namespace tg;
using namespace tg::nn;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tg_test_checkpoint_" + name)).string();
}

// A few steps of regression on random inputs drawn from gen (so resuming needs the RNG state too).
void train(MLP& model, Optimizer& opt, Generator& gen, int steps) {
  for (int i = 0; i < steps; ++i) {
    const Tensor x = randn({8, 5}, gen);             // (B, 5)
    const Tensor y = slice(x, 1, 0, 2) * 2.0 + 1.0;  // (B, 2)
    const Tensor loss = mean(square(model(x) - y));
    opt.zero_grad();
    backward(loss);
    current_tape().clear();
    opt.step();
  }
}

bool bit_identical(const Module& a, const Module& b) {
  const NamedTensors pa = a.named_parameters(), pb = b.named_parameters();
  if (pa.size() != pb.size()) return false;
  for (std::size_t i = 0; i < pa.size(); ++i)
    if (pa[i].second.numel() != pb[i].second.numel() ||
        std::memcmp(pa[i].second.raw_data(), pb[i].second.raw_data(), pa[i].second.numel() * sizeof(float)) != 0)
      return false;
  return true;
}

std::unique_ptr<Optimizer> make_optimizer(MLP& model, bool adam) {
  if (adam) return std::make_unique<Adam>(model.named_parameters(), AdamOptions{.lr = 0.01, .eps = 1e-4});
  return std::make_unique<SGD>(model.named_parameters(), SgdOptions{.lr = 0.01, .momentum = 0.9});
}

}  // namespace

TEST_CASE("Checkpoint round trip: resuming after load is bit-identical to an uninterrupted run", "[nn][checkpoint]") {
  for (bool adam : {true, false}) {
    const std::string path = temp_path(adam ? "adam.npz" : "sgd.npz");
    Generator init_a(1), data_a(2);
    MLP straight({5, 16, 2}, "tanh", init_a);
    auto opt_a = make_optimizer(straight, adam);
    train(straight, *opt_a, data_a, 5);
    data_a.normal();

    Generator init_b(1), data_b(2);
    MLP first({5, 16, 2}, "tanh", init_b);
    auto opt_b = make_optimizer(first, adam);
    train(first, *opt_b, data_b, 5);
    data_b.normal();  // leave a spare normal in the generator: it must survive too
    save_checkpoint(path, first, opt_b.get(),
                    {.epoch = 3, .step = 5, .rngs = {{"data", data_b.state()}}, .meta = {}, .text = {}});
    CHECK_FALSE(std::filesystem::exists(path + ".tmp"));

    Generator init_c(99), data_c(98);  // a different start, overwritten by the load
    MLP resumed({5, 16, 2}, "tanh", init_c);
    auto opt_c = make_optimizer(resumed, adam);
    const TrainState st = load_checkpoint(path, resumed, opt_c.get());
    data_c.set_state(st.rng("data"));
    CHECK(st.epoch == 3);
    CHECK(st.step == 5);
    CHECK(opt_c->steps() == 5);
    CHECK(bit_identical(first, resumed));
    train(resumed, *opt_c, data_c, 7);
    train(straight, *opt_a, data_a, 7);
    CHECK(bit_identical(straight, resumed));
    CHECK(data_a.next_u64() == data_c.next_u64());
    std::filesystem::remove(path);
  }
}

TEST_CASE("Checkpoint stores epoch, step, several RNGs and scalar metadata", "[nn][checkpoint]") {
  const std::string path = temp_path("meta.npz");
  Generator gen(5), noise(6);
  noise.normal();
  MLP model({3, 2}, "relu", gen);
  const Generator::State gen_state = gen.state();
  save_checkpoint(path, model, nullptr,
                  {.epoch = 40,
                   .step = 12345,
                   .rngs = {{"data", gen.state()}, {"noise", noise.state()}},
                   .meta = {{"best_elbo", -92.25}, {"K", 5}},
                   .text = {}});
  MLP other({3, 2}, "relu", gen);
  Adam adam(other.named_parameters(), {});
  CHECK_THROWS_WITH(load_checkpoint(path, other, &adam),
                    "checkpoint: " + path +
                        ": has no tensor optim.adam.m.0.weight, which the optimiser has (was the "
                        "file saved with another optimiser, or without one?)");
  const TrainState st = load_checkpoint(path, other, nullptr);
  CHECK(st.epoch == 40);
  CHECK(st.step == 12345);
  CHECK(st.meta_value("best_elbo") == -92.25);
  CHECK(st.meta_value("K") == 5);
  CHECK(st.rng("data").s == gen_state.s);
  CHECK(st.rng("noise").has_spare);
  CHECK(st.rng("noise").spare == noise.state().spare);
  CHECK_THROWS_WITH(st.rng("init"), "checkpoint: there is no generator named \"init\" in the training state");
  CHECK(other.parameter("0.weight").to_vector() == model.parameter("0.weight").to_vector());
  std::filesystem::remove(path);
}

TEST_CASE("Checkpoint load names the mismatched tensor and changes nothing", "[nn][checkpoint]") {
  const std::string path = temp_path("mismatch.npz");
  const std::string where = "checkpoint: " + path + ": ";
  Generator gen(7);
  MLP saved({4, 3, 2}, "relu", gen);
  Adam adam(saved.named_parameters(), {});
  save_checkpoint(path, saved, &adam, {});

  MLP wider({5, 3, 2}, "relu", gen);
  const std::vector<double> before = wider.parameter("0.weight").to_vector();
  CHECK_THROWS_WITH(load_checkpoint(path, wider, nullptr),
                    where + "0.weight has shape (3, 4) in the file but (3, 5) in the model");
  CHECK(wider.parameter("0.weight").to_vector() == before);

  MLP doubles({4, 3, 2}, "relu", gen, false, f64);
  CHECK_THROWS_WITH(load_checkpoint(path, doubles, nullptr),
                    where + "0.weight has dtype float32 in the file but float64 in the model");

  struct Wrapped : Module {
    explicit Wrapped(Generator& g) {
      register_module("encoder", std::make_shared<MLP>(std::vector<std::int64_t>{4, 3, 2}, "relu", g));
    }
  } wrapped(gen);
  CHECK_THROWS_WITH(load_checkpoint(path, wrapped, nullptr),
                    where + "has no tensor encoder.0.weight, which the model has");

  MLP shallower({4, 3}, "relu", gen);
  CHECK_THROWS_WITH(load_checkpoint(path, shallower, nullptr),
                    where + "has a tensor 1.weight that the model does not have");

  MLP same({4, 3, 2}, "relu", gen);
  SGD sgd(same.named_parameters(), {.momentum = 0.9});
  CHECK_THROWS_WITH(load_checkpoint(path, same, &sgd),
                    where + "has a tensor optim.adam.m.0.weight that the training state does not have");
  CHECK_FALSE(bit_identical(same, saved));  // the failed loads changed nothing
  CHECK_NOTHROW(load_checkpoint(path, same, nullptr));
  CHECK(bit_identical(same, saved));

  CHECK_THROWS_WITH(load_checkpoint(temp_path("missing.npz"), same, nullptr), Catch::StartsWith("checkpoint: "));
  std::filesystem::remove(path);
}

namespace {

// A checkpoint of a small model after three Adam steps, rewritten with `edit` applied to its arrays.
struct Damaged {
  std::string path;
  Generator gen{11};
  MLP model{{5, 3, 2}, "tanh", gen};
  Adam adam{model.named_parameters(), {.lr = 0.01}};
  Damaged(const std::string& name, const std::function<void(io::NamedArrays&)>& edit) : path(temp_path(name)) {
    Generator data(12);
    train(model, adam, data, 3);
    save_checkpoint(path, model, &adam,
                    {.epoch = 2, .step = 3, .rngs = {{"data", data.state()}}, .meta = {}, .text = {}});
    io::NamedArrays arrays = io::load_npz(path);
    edit(arrays);
    io::save_npz(path, arrays);
  }
  ~Damaged() { std::filesystem::remove(path); }
  Damaged(const Damaged&) = delete;
  Damaged& operator=(const Damaged&) = delete;
};

io::NpyArray& array(io::NamedArrays& arrays, const std::string& name) {
  for (auto& [n, a] : arrays)
    if (n == name) return a;
  FAIL("no array " << name);
  throw;
}

template <class T>
void poke(io::NpyArray& a, std::size_t i, T value) {
  REQUIRE((i + 1) * sizeof(T) <= a.bytes.size());
  std::memcpy(a.bytes.data() + i * sizeof(T), &value, sizeof(T));
}

// Loads `file` into a fresh model and optimiser and checks that the failed load changed neither.
std::string failed_load(const std::string& path) {
  Generator gen(99);
  MLP fresh({5, 3, 2}, "tanh", gen);
  Adam adam(fresh.named_parameters(), {.lr = 0.01});
  const NamedTensors before = fresh.named_parameters();
  std::vector<std::vector<double>> values;
  for (const auto& [n, p] : before) values.push_back(p.to_vector());
  const OptimizerState state = adam.state();
  std::string message = "no error";
  try {
    load_checkpoint(path, fresh, &adam);
  } catch (const Error& e) {
    message = e.what();
  }
  for (std::size_t i = 0; i < before.size(); ++i) CHECK(fresh.named_parameters()[i].second.to_vector() == values[i]);
  CHECK(adam.steps() == 0);
  for (std::size_t i = 0; i < state.buffers.size(); ++i)
    CHECK(adam.state().buffers[i].second.to_vector() == state.buffers[i].second.to_vector());
  return message;
}

}  // namespace

TEST_CASE("Checkpoint load is all or nothing: a bad value anywhere changes no parameter and no optimiser state",
          "[nn][checkpoint][hostile]") {
  // optim.step = -1 comes after every parameter in the file: it must be found before they are copied in
  const Damaged step("step.npz", [](io::NamedArrays& a) { poke<std::int64_t>(array(a, "optim.step"), 0, -1); });
  CHECK(failed_load(step.path) ==
        "checkpoint: " + step.path + ": optim.step is -1, but must be >= 0 and at most 2^53 (9007199254740992)");
  const Damaged epoch("epoch.npz", [](io::NamedArrays& a) { poke<std::int64_t>(array(a, "train.epoch"), 0, -4); });
  CHECK(failed_load(epoch.path) ==
        "checkpoint: " + epoch.path + ": train.epoch is -4, but must be >= 0 and at most 2^53 (9007199254740992)");
  const Damaged nan("nan.npz", [](io::NamedArrays& a) { poke<float>(array(a, "1.weight"), 2, std::nanf("")); });
  CHECK(failed_load(nan.path) == "checkpoint: " + nan.path + ": 1.weight[2] is nan, but a parameter must be finite");
  const Damaged v("v.npz", [](io::NamedArrays& a) { poke<float>(array(a, "optim.adam.v.0.bias"), 1, -1.0f); });
  CHECK(failed_load(v.path) == "checkpoint: " + v.path +
                                   ": optimiser state: adam::set_state: v.0.bias[1] is -1.000000, but must be finite "
                                   "and >= 0");
  const Damaged m("m.npz", [](io::NamedArrays& a) {
    poke<float>(array(a, "optim.adam.m.1.bias"), 0, std::numeric_limits<float>::infinity());
  });
  CHECK_THAT(failed_load(m.path), Catch::Contains("m.1.bias[0] is inf, but must be finite"));
  const Damaged rng("rng.npz", [](io::NamedArrays& a) {
    for (int i = 0; i < 4; ++i) poke<std::uint64_t>(array(a, "rng.data.state"), i, 0);
  });
  CHECK(failed_load(rng.path) ==
        "checkpoint: " + rng.path + ": rng.data.state is all zeros, which no generator reaches");
  const Damaged spare("spare.npz",
                      [](io::NamedArrays& a) { poke<std::uint8_t>(array(a, "rng.data.has_spare"), 0, 2); });
  CHECK(failed_load(spare.path) == "checkpoint: " + spare.path + ": rng.data.has_spare is 2, but must be 0 or 1");
  const Damaged extra("extra.npz", [](io::NamedArrays& a) { a.emplace_back("bad\nname", a[0].second); });
  CHECK(failed_load(extra.path) ==
        "checkpoint: " + extra.path + ": has a tensor bad\\x0aname that the model does not have");
}

TEST_CASE("Checkpoint load refuses an entry that declares more than its tensor needs, before decompressing it",
          "[nn][checkpoint][hostile]") {
  const Damaged good("declared.npz", [](io::NamedArrays&) {});
  // Rebuild the archive with 0.weight deflated and declaring 100 KB: the model needs 3 x 5 floats.
  const io::NamedArrays arrays = io::load_npz(good.path);
  std::vector<tgtest::ZipEntry> entries;
  for (const auto& [name, a] : arrays) {
    tgtest::ZipEntry e = tgtest::npy_entry(name + ".npy", a, 8);
    if (name == "0.weight") e.size = 100000;
    entries.push_back(e);
  }
  io::write_file_atomic(good.path, tgtest::zip_bytes(entries));
  CHECK_THAT(failed_load(good.path),
             Catch::StartsWith("checkpoint: npz: " + good.path +
                               ": entry '0.weight.npy' declares 100000 bytes, more than the limit of 4156"));
}

TEST_CASE("Checkpoint save refuses what load would refuse and leaves the last good file as it was",
          "[nn][checkpoint][hostile]") {
  const std::string path = temp_path("keep.npz");
  Generator gen(3);
  MLP model({4, 3, 2}, "tanh", gen);
  Adam adam(model.named_parameters(), {});
  save_checkpoint(path, model, &adam, {.epoch = 1, .step = 0, .rngs = {}, .meta = {}, .text = {}});
  const std::vector<std::uint8_t> good = io::read_file_bytes(path);
  Tensor w = model.parameter("1.weight");
  w.set_flat(3, std::nan(""));
  CHECK_THROWS_WITH(save_checkpoint(path, model, &adam, {.epoch = 2, .step = 5, .rngs = {}, .meta = {}, .text = {}}),
                    "checkpoint: " + path + ": not written: 1.weight[3] is nan, but a parameter must be finite");
  CHECK(io::read_file_bytes(path) == good);
  CHECK_FALSE(std::filesystem::exists(path + ".tmp"));
  w.set_flat(3, 0.5);
  CHECK_THROWS_WITH(save_checkpoint(path, model, &adam, {.epoch = -1, .step = 0, .rngs = {}, .meta = {}, .text = {}}),
                    Catch::Contains("not written: epoch is -1 and step 0, but both must be >= 0"));
  CHECK_NOTHROW(save_checkpoint(path, model, &adam, {.epoch = 2, .step = 5, .rngs = {}, .meta = {}, .text = {}}));
  CHECK(io::read_file_bytes(path) != good);
  std::filesystem::remove(path);
}
