// train_vae --resume: metrics.csv, curves.svg and index.html hold every epoch (a run resumed in its own folder
// writes the same metrics.csv as an uninterrupted one), entries of the checkpoint that train_vae does not write are
// not carried into later checkpoints, and a checkpoint whose card does not fit its file is refused as load_vae
// refuses it: fast, with the same message, printed escaped.
#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <string>

#include "examples/train_vae_testing.hpp"
#include "nn/io/npy.hpp"
#include "vae/io/checkpoint.hpp"

using namespace tgtest;
using Catch::Matchers::Contains;

namespace {

// The checkpoint at `path` with its text entry `key` set to `value` (added if missing), and `extra` more entries.
void rewrite(const fs::path& path, const std::string& key, const std::string& value,
             const tg::nn::io::NamedArrays& extra = {}) {
  tg::nn::io::NamedArrays a = tg::nn::io::load_npz(path.string());
  std::erase_if(a, [&](const auto& e) { return e.first == "text." + key; });
  const auto* p = reinterpret_cast<const std::uint8_t*>(value.data());
  a.emplace_back("text." + key, tg::nn::io::npy_from(std::span<const std::uint8_t>(p, value.size()),
                                                     {static_cast<std::int64_t>(value.size())}));
  a.insert(a.end(), extra.begin(), extra.end());
  tg::nn::io::save_npz(path.string(), a);
}

std::string text_of(const fs::path& path) {
  const Bytes b = file_bytes(path);
  return std::string(b.begin(), b.end());
}

}  // namespace

TEST_CASE("train_vae: a run resumed in its folder writes the metrics.csv of an uninterrupted run, every epoch",
          "[examples][train_vae][resume]") {
  const fs::path dir = fresh_dir("resume_rows");
  const fs::path data = tiny_data(dir / "data", 4, 64, 16);
  // --eval-k as --eval-k-epoch: a run of 1 epoch estimates log p(x) at its last epoch as every epoch does
  const std::string same_k = " --eval-k 5";
  const Run straight = run_example("train_vae", tiny_flags(data, dir / "straight", 8, 3) + same_k);
  REQUIRE(straight.status == 0);
  const Run first = run_example("train_vae", tiny_flags(data, dir / "split", 8, 1) + same_k);
  REQUIRE(first.status == 0);
  const Run rest = run_example("train_vae", tiny_flags(data, dir / "split", 8, 3) + same_k + " --resume '" +
                                                (dir / "split" / "checkpoint.npz").string() + "'");
  INFO(rest.out);
  REQUIRE(rest.status == 0);
  CHECK(text_of(dir / "split" / "metrics.csv") == text_of(dir / "straight" / "metrics.csv"));
  CHECK(file_bytes(dir / "split" / "checkpoint.npz") == file_bytes(dir / "straight" / "checkpoint.npz"));
  const std::string page = text_of(dir / "split" / "index.html"), svg = text_of(dir / "split" / "curves.svg");
  for (const char* epoch : {"<tr><td>1</td>", "<tr><td>2</td>", "<tr><td>3</td>"}) CHECK_THAT(page, Contains(epoch));
  const std::string timing = text_of(dir / "split" / "timing.csv");
  CHECK(std::count(timing.begin(), timing.end(), '\n') == 4);
  CHECK(svg.size() > 1000);
  // A run killed after writing metrics.csv for epoch 2 but before its checkpoint: the row of epoch 2 is dropped and
  // written again by the resumed run (the same bytes as the uninterrupted run).
  fs::copy_file(dir / "split" / "checkpoint.npz", dir / "epoch3.npz");
  const Run one = run_example("train_vae", tiny_flags(data, dir / "killed", 8, 1) + same_k);
  REQUIRE(one.status == 0);
  fs::copy_file(dir / "killed" / "checkpoint.npz", dir / "epoch1.npz");
  const Run two = run_example("train_vae", tiny_flags(data, dir / "killed", 8, 2) + same_k + " --resume '" +
                                               (dir / "killed" / "checkpoint.npz").string() + "'");
  REQUIRE(two.status == 0);
  fs::copy_file(dir / "epoch1.npz", dir / "killed" / "checkpoint.npz", fs::copy_options::overwrite_existing);
  const Run three = run_example("train_vae", tiny_flags(data, dir / "killed", 8, 3) + same_k + " --resume '" +
                                                 (dir / "killed" / "checkpoint.npz").string() + "'");
  REQUIRE(three.status == 0);
  CHECK(text_of(dir / "killed" / "metrics.csv") == text_of(dir / "straight" / "metrics.csv"));
  // A checkpoint copied away from its metrics.csv resumes too, and says that the earlier rows are missing.
  fs::create_directories(dir / "alone");
  fs::copy_file(dir / "split" / "checkpoint.npz", dir / "alone" / "c.npz");
  const Run alone = run_example("train_vae", tiny_flags(data, dir / "alone_out", 8, 4) + " --resume '" +
                                                 (dir / "alone" / "c.npz").string() + "'");
  CHECK(alone.status == 0);
  CHECK(has(alone, "metrics.csv holds 0 of the checkpoint's 3 epochs"));
  fs::remove_all(dir);
}

TEST_CASE("train_vae: entries train_vae does not write are not carried into the checkpoints of a resumed run",
          "[examples][train_vae][resume]") {
  const fs::path dir = fresh_dir("resume_junk");
  const fs::path data = tiny_data(dir / "data", 4, 32, 16);
  REQUIRE(run_example("train_vae", tiny_flags(data, dir / "out", 8, 1)).status == 0);
  const fs::path ckpt = dir / "out" / "checkpoint.npz";
  const double v = 5;
  rewrite(ckpt, "junk", std::string(60000, 'j'),
          {{"meta.junk", tg::nn::io::npy_from(std::span<const double>(&v, 1), {})}});
  const Run r = run_example("train_vae", tiny_flags(data, dir / "out", 8, 2) + " --resume '" + ckpt.string() + "'");
  INFO(r.out);
  REQUIRE(r.status == 0);
  for (const auto& [name, a] : tg::nn::io::load_npz(ckpt.string())) {
    CHECK(name != "text.junk");
    CHECK(name != "meta.junk");
  }
  CHECK(fs::file_size(ckpt) < 20000);
  fs::remove_all(dir);
}

TEST_CASE("train_vae: --resume refuses a card that does not fit its file as load_vae does, in well under a second",
          "[examples][train_vae][resume][hostile]") {
  const fs::path dir = fresh_dir("resume_cards");
  const fs::path data = tiny_data(dir / "data", 4, 32, 16);
  REQUIRE(run_example("train_vae", tiny_flags(data, dir / "out", 8, 1)).status == 0);
  const fs::path good = dir / "out" / "checkpoint.npz", bad = dir / "bad.npz";
  const struct {
    const char* key;
    std::string value;
    const char* message;
  } cases[] = {
      {"arch.hidden", "200000",
       "the card's text.arch.hidden[0] is 200000 (and text.arch.data_dim is 16), but "
       "encoder.0.weight is (8, 16) in the file"},
      {"arch.hidden", "1000000", "text.arch.hidden[0] is 1000000"},
      {"arch.posterior", "coupling", "the file has no entry vae.encoder.0.weight"},
      {"arch.coupling_layers", "2147483648", "must be a whole number from 1 to 1024"},
      {"dtype", "float64", "the card's text.dtype is 'float64', but encoder.0.weight is float32 in the file"},
      {"arch.activation", "tanh\n\x1b[1Atrain_vae: resumed (OK)", "text.arch.activation is 'tanh\\x0a\\x1b[1Atrain"},
  };
  for (const auto& c : cases) {
    INFO(c.key << " = " << c.value);
    fs::copy_file(good, bad, fs::copy_options::overwrite_existing);
    rewrite(bad, c.key, c.value);
    std::string load_vae_message;
    try {
      tg::vae::load_vae(bad.string());
    } catch (const tg::Error& e) {
      load_vae_message = e.what();
    }
    CHECK_THAT(load_vae_message, Contains(c.message));
    const auto t0 = std::chrono::steady_clock::now();
    const Run r = run_example("train_vae", tiny_flags(data, dir / "r", 8, 2) + " --resume '" + bad.string() + "'", 20);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    CHECK(r.status == 1);
    CHECK_THAT(r.out, Contains("train_vae: error: " + load_vae_message));  // the same refusal, the same words
    CHECK(r.out.find('\x1b') == std::string::npos);
    CHECK(seconds < 10);  // a bound on a hang, not a benchmark: the refusal itself takes milliseconds
  }
  fs::remove_all(dir);
}
