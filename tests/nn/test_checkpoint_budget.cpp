// The budgets of a checkpoint read and write: counts no larger than 2^53 (a step of 2^63 - 1 would overflow Adam's
// next step), at most 4096 entries of training state (loaded in time linear in their number), text entries of at
// most 1 MiB together, and save refusing each of these, so that what is written can be read back.
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <limits>

#include "autodiff/autodiff.hpp"
#include "nn/checkpoint.hpp"
#include "nn/io/npy.hpp"
#include "nn/io/zip_testing.hpp"
#include "nn/mlp.hpp"
#include "support/bytes.hpp"

using namespace tg;
using namespace tg::nn;
using Catch::Matchers::Contains;

namespace {

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() / ("tg_test_checkpoint_budget_" + name)).string();
}

// A checkpoint of `model` with `meta` entries, and `optim.step` replaced by `step` (when >= 0) in the file.
void write_with(const std::string& path, const MLP& model, const Adam& adam, std::size_t meta, std::int64_t step) {
  TrainState s;
  save_checkpoint(path, model, &adam, s);
  io::NamedArrays a = io::load_npz(path);
  for (auto& [name, arr] : a)
    if (name == "optim.step" && step >= 0) tgtest::set_le(arr.bytes, 0, static_cast<std::uint64_t>(step), 8);
  for (std::size_t i = 0; i < meta; ++i) {
    const double v = static_cast<double>(i);
    a.emplace_back("meta.m" + std::to_string(i), io::npy_from(std::span<const double>(&v, 1), {}));
  }
  io::save_npz(path, a);
}

}  // namespace

TEST_CASE("Checkpoint load refuses an optimiser step past 2^53; Adam refuses to step past 2^63 - 1",
          "[nn][checkpoint][hostile]") {
  const std::string path = temp_path("step.npz");
  Generator gen(1);
  MLP model({3, 2}, "tanh", gen);
  Adam adam(model.named_parameters(), {});
  write_with(path, model, adam, 0, std::numeric_limits<std::int64_t>::max());
  CHECK_THROWS_WITH(load_checkpoint(path, model, &adam),
                    Contains("optim.step is 9223372036854775807, but must be >= 0 and at most 2^53"));
  write_with(path, model, adam, 0, max_count);
  CHECK(load_checkpoint(path, model, &adam).epoch == 0);  // 2^53 itself is a count
  CHECK(adam.steps() == max_count);
  // Adam's own guard: a step count of 2^63 - 1 set directly cannot grow.
  OptimizerState s = adam.state();
  s.step = std::numeric_limits<std::int64_t>::max();
  adam.set_state(s);
  CHECK_THROWS_WITH(adam.step(), "adam: the step count is 2^63 - 1 and cannot grow");
  std::filesystem::remove(path);
}

TEST_CASE("Checkpoint load: 4000 meta entries load in linear time, 4097 entries of state are refused",
          "[nn][checkpoint][hostile]") {
  const std::string path = temp_path("meta.npz");
  Generator gen(2);
  MLP model({3, 2}, "tanh", gen);
  Adam adam(model.named_parameters(), {});
  write_with(path, model, adam, 4000, -1);
  const TrainState st = load_checkpoint(path, model, &adam);  // quadratic lookups took 0.44 s for 10,000
  REQUIRE(st.meta.size() == 4000);
  CHECK(st.meta_value("m3999") == 3999.0);
  write_with(path, model, adam, 4097, -1);
  CHECK_THROWS_WITH(load_checkpoint(path, model, &adam),
                    "checkpoint: " + path +
                        ": has 4097 rng.*, meta.* and text.* entries, more than the 4096 a "
                        "checkpoint may hold");
  CHECK_THROWS_WITH(read_checkpoint_text(path), Contains("has 4097 rng.*, meta.* and text.* entries"));
  std::filesystem::remove(path);
}

TEST_CASE("Checkpoint text: at most 1 MiB together, on the way in and on the way out", "[nn][checkpoint][hostile]") {
  const std::string path = temp_path("text.npz");
  Generator gen(3);
  MLP model({3, 2}, "tanh", gen);
  TrainState s;
  for (int i = 0; i < 15; ++i) s.text.emplace_back("t" + std::to_string(i), std::string(max_text_bytes, 'a'));
  save_checkpoint(path, model, nullptr, s);  // 15 x 64 KiB: within the budget
  CHECK(read_checkpoint_text(path).size() == 15);
  s.text.emplace_back("t15", std::string(max_text_bytes, 'a'));
  s.text.emplace_back("t16", "b");
  CHECK_THROWS_WITH(save_checkpoint(path, model, nullptr, s),
                    Contains("not written: the text entries up to text.t16 hold 1048577 bytes, more than the budget "
                             "of 1048576"));
  // The same file written by hand is refused when read.
  io::NamedArrays a = io::load_npz(path);
  const std::string more(max_text_bytes, 'c');
  for (const char* key : {"text.t15", "text.t16"})
    a.emplace_back(key, io::npy_from(std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(more.data()),
                                                                   more.size()),
                                     {static_cast<std::int64_t>(more.size())}));
  io::save_npz(path, a);
  CHECK_THROWS_WITH(read_checkpoint_text(path), Contains("hold 1114112 bytes, more than the budget of 1048576"));
  std::filesystem::remove(path);
}

TEST_CASE("Checkpoint save validates the training state it writes: counts, entries of state, optimiser step",
          "[nn][checkpoint][hostile]") {
  const std::string path = temp_path("save.npz");
  std::filesystem::remove(path);  // left by an earlier run that stopped half-way
  Generator gen(4);
  MLP model({3, 2}, "tanh", gen);
  Adam adam(model.named_parameters(), {});
  TrainState s;
  s.epoch = max_count + 1;
  CHECK_THROWS_WITH(save_checkpoint(path, model, &adam, s),
                    Contains("not written: epoch is 9007199254740993 and step 0, but both must be >= 0 and at most "
                             "2^53"));
  s.epoch = 1, s.step = max_count + 1;
  CHECK_THROWS_WITH(save_checkpoint(path, model, &adam, s), Contains("and step 9007199254740993"));
  s.step = 1;
  for (int i = 0; i < 4097; ++i) s.meta.emplace_back("m" + std::to_string(i), 1.0);
  CHECK_THROWS_WITH(save_checkpoint(path, model, &adam, s),
                    Contains("0 generators, 4097 meta and 0 text entries make more than the 4096"));
  s.meta.clear();
  OptimizerState o = adam.state();
  o.step = max_count + 1;
  adam.set_state(o);
  CHECK_THROWS_WITH(save_checkpoint(path, model, &adam, s),
                    Contains("not written: optim.step is 9007199254740993, but must be at most 2^53"));
  CHECK_FALSE(std::filesystem::exists(path));
  o.step = 3;
  adam.set_state(o);
  save_checkpoint(path, model, &adam, s);
  CHECK(load_checkpoint(path, model, &adam).step == 1);
  std::filesystem::remove(path);
}

TEST_CASE("Checkpoint load: entries that declare more than 64 times the file are refused before any is read",
          "[nn][checkpoint][hostile]") {
  const std::string path = temp_path("declared.npz");
  Generator gen(5);
  MLP model({3, 2}, "tanh", gen);
  save_checkpoint(path, model, nullptr, TrainState{});
  // meta.big: 40 KB of stored blocks declaring 4 MB (within DEFLATE's 1032 x, beyond the file's budget)
  std::vector<tgtest::ZipEntry> entries;
  for (const auto& [name, a] : io::load_npz(path)) entries.push_back(tgtest::npy_entry(name + ".npy", a));
  const std::vector<double> big(5000, 1.0);
  tgtest::ZipEntry e = tgtest::npy_entry("meta.big.npy", io::npy_from(std::span<const double>(big), {5000}), 8);
  e.size = 4000000;
  entries.push_back(e);
  const tgtest::Bytes file = tgtest::zip_bytes(entries);
  io::write_file_atomic(path, file);
  CHECK_THROWS_WITH(
      load_checkpoint(path, model, nullptr),
      Contains("checkpoint: " + path + ": its entries up to meta.big.npy declare more than the budget of " +
               std::to_string(64 * file.size() + (1 << 20)) + " bytes (64 x " + std::to_string(file.size()) +
               " input bytes + 1 MiB"));
  std::filesystem::remove(path);
}
