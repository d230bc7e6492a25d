// train_vae at the edges: numbers that wrap, a resume with nothing left to do, images of 2 x 2 pixels, and the
// numerical extremes (learning rate 10 and beyond, latent 1, k = 1000, batch 1, all-zero images). Each run trains,
// or stops with a message naming the first non-finite value (anomaly mode's report); a checkpoint on disk always
// loads (every value finite) and is the last good one.
#include <catch2/catch.hpp>
#include <filesystem>
#include <string>

#include "examples/train_vae_testing.hpp"

using namespace tgtest;
using Catch::Matchers::Contains;

TEST_CASE("train_vae: numbers out of range are refused by name, never wrapped", "[examples][train_vae][errors]") {
  const struct {
    const char* args;
    const char* message;
  } cases[] = {
      {"--threads 2147483648", "--threads: 2147483648 must be at most 1024"},
      {"--threads 4294967298", "--threads: 4294967298 must be at most 1024"},
      {"--seed 18446744073709551616", "--seed: 18446744073709551616 must be at most 18446744073709551615"},
      {"--seed -1", "--seed: -1 must be at least 0"},
      {"--k 99999999999999999999", "--k: 99999999999999999999 must be at most 16777216"},
      {"--batch 0", "--batch: 0 must be at least 1"},
      {"--epochs 1.5", "--epochs: '1.5' is not a whole number"},
      {"--lr 1e400", "--lr: '1e400' is not a positive number"},
      {"--lr 5000", "--lr: 5000 must be at most 1000"},
      {"--hidden 8,", "--hidden: give layer sizes like 200,200"},
  };
  for (const auto& c : cases) {
    INFO(c.args);
    // --help after the bad flag: a build that took the value would print its usage and exit 0 at once, instead of
    // going on to train on the default data for minutes.
    const Run r = run_example("train_vae", std::string(c.args) + " --help");
    CHECK(r.status == 2);
    CHECK_THAT(r.out, Contains(std::string("train_vae: ") + c.message));
  }
  const Run seed = run_example("train_vae", "--seed 18446744073709551615 --help");
  CHECK(seed.status == 0);  // the largest seed is a seed
}

TEST_CASE("train_vae: --resume with no epoch left to train says so instead of exiting 0 having done nothing",
          "[examples][train_vae][errors]") {
  const fs::path dir = fresh_dir("resume_done");
  const fs::path data = tiny_data(dir / "data", 4, 32, 16);
  const Run first = run_example("train_vae", tiny_flags(data, dir / "out", 8, 2));
  REQUIRE(first.status == 0);
  const std::string ckpt = (dir / "out" / "checkpoint.npz").string();
  for (const char* epochs : {"2", "1"}) {
    const Run again = run_example(
        "train_vae", tiny_flags(data, dir / "again", 8, 2) + " --epochs " + epochs + " --resume '" + ckpt + "'");
    INFO(again.out);
    CHECK(again.status == 1);
    CHECK_THAT(again.out, Contains("train_vae: error: --resume " + ckpt +
                                   ": the checkpoint has already trained 2 epochs, and --epochs is " + epochs +
                                   "; ask for more epochs than that to continue"));
  }
  fs::remove_all(dir);
}

TEST_CASE("train_vae: images of 2 x 2 pixels train and are drawn at their size", "[examples][train_vae]") {
  const fs::path dir = fresh_dir("two_by_two");
  const fs::path data = tiny_data(dir / "data", 2, 48, 16);
  const Run r = run_example("train_vae", tiny_flags(data, dir / "out", 8, 2));
  INFO(r.out);
  CHECK(r.status == 0);  // a grid of 2 x 2 images indexes within its 80 values after every epoch
  CHECK(fs::exists(dir / "out" / "reconstructions.png"));
  CHECK(fs::exists(dir / "out" / "manifold.png"));
  fs::remove_all(dir);
}

namespace {

// Runs train_vae on `data` (side x side images) with tiny flags plus `extra`; checks the run trained, or stopped
// with anomaly mode's report and the last good checkpoint on disk. Returns the run.
Run edge_run(const fs::path& data, const fs::path& out, int side, const std::string& extra, int latent = 2) {
  const Run r = run_example("train_vae", tiny_flags(data, out, 16, 3) + " " + extra);
  INFO(extra << "\n" << r.out);
  const tg::vae::Architecture arch = {
      side * side, {16}, latent, extra.find("relu") != std::string::npos ? "relu" : "tanh", "glorot"};
  const std::int64_t epoch = checkpoint_epoch(out / "checkpoint.npz", arch);  // loads: every value finite
  if (r.status == 0) {
    CHECK(epoch == 3);
    CHECK(has(r, "final (test, "));
  } else {
    CHECK(r.status == 1);
    CHECK(has(r, "train_vae: error: training stopped in epoch "));
    // anomaly mode's report names the first op that made a NaN or an infinity, and where; or a distribution
    // refused its parameters first (e.g. a variance that underflows to 0), naming the element and its value
    const bool anomaly = has(r, "; anomaly: ") && has(r, " at element ") && has(r, "; the op was called at ");
    const bool refused = has(r, "], but must be") || has(r, " but must be positive and finite");
    CHECK((anomaly || refused));
    CHECK(has(r, "The step was not taken"));
    CHECK(epoch < 3);
    if (epoch > 0) CHECK(has(r, "checkpoint.npz still holds epoch " + std::to_string(epoch)));
  }
  return r;
}

}  // namespace

TEST_CASE("train_vae: latent 1, k = 1000, batch 1 and all-zero images train", "[examples][train_vae][edge]") {
  const fs::path dir = fresh_dir("edges");
  const fs::path data = tiny_data(dir / "data", 4, 48, 16), zeros = tiny_data(dir / "zeros", 4, 48, 16, true);
  CHECK(edge_run(data, dir / "latent1", 4, "--latent 1", 1).status == 0);
  CHECK(edge_run(data, dir / "k1000", 4, "--k 1000").status == 0);
  CHECK(edge_run(data, dir / "batch1", 4, "--batch 1 --model vae").status == 0);
  const Run blank = edge_run(zeros, dir / "zeros", 4, "");
  CHECK(blank.status == 0);
  fs::remove_all(dir);
}

TEST_CASE(
    "train_vae: a learning rate that blows up stops with anomaly mode's report and keeps the last good "
    "checkpoint",
    "[examples][train_vae][edge]") {
  const fs::path dir = fresh_dir("lr");
  const fs::path data = tiny_data(dir / "data", 4, 48, 16);
  // With this seed, learning rate 10 drives a log-variance out of range in epoch 2: the checkpoint of epoch 1 stays
  const Run ten = edge_run(data, dir / "lr10", 4, "--lr 10");
  CHECK(ten.status == 1);
  CHECK(has(ten, "training stopped in epoch 2, batch 2: Normal: log_var["));
  CHECK(has(ten, "checkpoint.npz still holds epoch 1"));
  // and learning rate 20 makes the loss infinite in epoch 1: the test of the anomaly path
  const Run twenty = edge_run(data, dir / "lr20", 4, "--lr 20");
  CHECK(twenty.status == 1);
  CHECK(
      has(twenty,
          "training stopped in epoch 1, batch 2: the loss is inf; anomaly: forward of 'normal_log_prob' (tape entry "));
  // 1000 drives the encoder's log-variance to where sigma is 0 or inf in float32: Normal refuses it
  const Run thousand = edge_run(data, dir / "lr1000", 4, "--lr 1000 --activation relu");
  CHECK(thousand.status == 1);
  CHECK(has(thousand, "training stopped in epoch 1, batch "));
  CHECK(has(thousand, "Normal: log_var[0, 0] is "));
  fs::remove_all(dir);
}
