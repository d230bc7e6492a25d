// Whole runs of train_vae on a tiny IDX data set written by the test: the same seed gives bit-identical
// metrics.csv and checkpoint (twice, and with 1 or 2 threads); SIGKILL at random moments, some in the middle of a
// checkpoint write, never leaves a torn checkpoint, and --resume reaches the uninterrupted run's final checkpoint;
// numerical edge cases train or stop with anomaly mode's report, never with a NaN in the checkpoint.
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "autodiff/random.hpp"
#include "examples/train_vae_testing.hpp"
#include "nn/checkpoint.hpp"
#include "nn/io/gzip.hpp"
#include "nn/optim.hpp"
#include "vae/model.hpp"

using namespace tgtest;

namespace {

// Starts train_vae with argv (stdout and stderr to `log`); returns its pid.
pid_t spawn_train_vae(const std::vector<std::string>& args, const fs::path& log) {
  std::vector<std::string> all = {example_path("train_vae").string()};
  all.insert(all.end(), args.begin(), args.end());
  std::vector<char*> argv;
  for (std::string& a : all) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
  posix_spawn_file_actions_adddup2(&actions, 1, 2);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  REQUIRE(rc == 0);
  return pid;
}

}  // namespace

TEST_CASE("train_vae: the same seed gives bit-identical metrics.csv and checkpoint, with 1 or 2 threads",
          "[examples][train_vae][determinism]") {
  const fs::path dir = fresh_dir("determinism");
  const fs::path data = tiny_data(dir / "data", 4, 96, 16);
  std::vector<fs::path> outs;
  for (const char* threads : {"1", "1", "2"}) {
    const fs::path out = dir / ("out" + std::to_string(outs.size()));
    const Run r = run_example("train_vae", tiny_flags(data, out, 256, 2) + " --threads " + threads);
    INFO(r.out);
    REQUIRE(r.status == 0);
    outs.push_back(out);
  }
  for (const char* file : {"metrics.csv", "checkpoint.npz"}) {
    INFO(file);
    const Bytes first = file_bytes(outs[0] / file);
    CHECK(first.size() > 100);
    CHECK(file_bytes(outs[1] / file) == first);  // again
    CHECK(file_bytes(outs[2] / file) == first);  // with 2 threads
  }
  // metrics.csv holds only what the seed decides (the times are in timing.csv): no column of time, and every row has
  // the header's fields, so that equal bytes above do not depend on how fast the runs were.
  std::ifstream csv(outs[0] / "metrics.csv");
  std::string header, row;
  REQUIRE(std::getline(csv, header));
  CHECK(header.find("second") == std::string::npos);
  for (int rows = 0; std::getline(csv, row); ++rows) {
    INFO("header: " << header << "\nrow " << rows << ": " << row);
    CHECK(std::count(row.begin(), row.end(), ',') == std::count(header.begin(), header.end(), ','));
  }
  const Run other = run_example("train_vae", tiny_flags(data, dir / "seed2", 256, 2) + " --seed 2");
  REQUIRE(other.status == 0);
  CHECK(file_bytes(dir / "seed2" / "checkpoint.npz") != file_bytes(outs[0] / "checkpoint.npz"));
  fs::remove_all(dir);
}

TEST_CASE(
    "train_vae: SIGKILL at 20 random moments never tears the checkpoint, and --resume ends where an "
    "uninterrupted run ends",
    "[examples][train_vae][crash]") {
  const fs::path dir = fresh_dir("crash");
  const fs::path data = tiny_data(dir / "data", 4, 64, 16);
  // A wide hidden layer makes the checkpoint ~1.8 MB, so that a write takes long enough to be killed in.
  const int hidden = 4096, epochs = 8;
  const tg::vae::Architecture arch = tiny_architecture(16, hidden, 2);
  const auto t0 = std::chrono::steady_clock::now();
  // Every run here is bounded (run_limit_s, 120 s, for one that takes 2): a hang or a slow-down fails the test at
  // the bound, with its output, instead of at CTest's timeout.
  const Run straight = run_example("train_vae", tiny_flags(data, dir / "straight", hidden, epochs));
  const double run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(straight.out);
  REQUIRE(straight.status == 0);
  const Bytes final_checkpoint = file_bytes(dir / "straight" / "checkpoint.npz");

  const fs::path out = dir / "killed", log = dir / "killed.log", ckpt = out / "checkpoint.npz";
  const fs::path tmp = out / "checkpoint.npz.tmp";
  tg::Generator gen(2024);
  int kills = 0, mid_write = 0, loads = 0, completed = 0;
  for (int k = 0; kills < 20 && k < 40; ++k) {  // 20 kills that land (a run may end before its kill)
    const std::int64_t epoch = checkpoint_epoch(ckpt, arch);
    if (epoch == epochs) {  // this cycle got to the end before a kill: it must match, then start over
      CHECK(file_bytes(ckpt) == final_checkpoint);
      ++completed;
      fs::remove_all(out);
    }
    fs::create_directories(out);
    fs::remove(tmp);  // left by a kill in a write; the next write replaces it anyway
    std::vector<std::string> args = tiny_args(data, out, hidden, epochs);
    if (fs::exists(ckpt)) args.insert(args.end(), {"--resume", ckpt.string()});
    const pid_t pid = spawn_train_vae(args, log);
    if (k % 3 == 0) {
      // Wait for a checkpoint write to begin (its temporary file appears), then kill at once.
      const auto give_up = std::chrono::steady_clock::now() + std::chrono::duration<double>(2 * run_seconds + 5);
      while (!fs::exists(tmp) && std::chrono::steady_clock::now() < give_up && waitpid(pid, nullptr, WNOHANG) == 0) {
      }
    } else {
      std::this_thread::sleep_for(std::chrono::duration<double>(gen.uniform() * run_seconds / 2));
    }
    ::kill(pid, SIGKILL);
    int status = 0;
    waitpid(pid, &status, 0);
    kills += WIFSIGNALED(status) ? 1 : 0;
    mid_write += fs::exists(tmp) ? 1 : 0;                // the write was cut short: its temporary file stays behind
    loads += checkpoint_epoch(ckpt, arch) >= 0 ? 1 : 0;  // old or new, never torn
  }
  WARN("crash safety: " << kills << " kills (SIGKILL), " << mid_write << " during a checkpoint write, " << loads
                        << " checkpoints loaded after a kill, " << completed
                        << " runs reached the end between kills; an uninterrupted run takes " << run_seconds << " s");
  CHECK(kills == 20);
  CHECK(mid_write >= 2);
  CHECK(loads >= 3);  // some kills came after a checkpoint: the runs after them resumed
  // Finish from what is on disk, and compare with the uninterrupted run.
  if (checkpoint_epoch(ckpt, arch) != epochs) {
    std::string flags = tiny_flags(data, out, hidden, epochs);
    if (fs::exists(ckpt)) flags += " --resume '" + ckpt.string() + "'";
    const Run rest = run_example("train_vae", flags);
    INFO(rest.out);
    REQUIRE(rest.status == 0);
  }
  CHECK(file_bytes(ckpt) == final_checkpoint);
  fs::remove_all(dir);
}
