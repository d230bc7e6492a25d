// Training throughput (steps/s) of the four reference configurations, the same as reference/torch_train.py's:
// one step = forward + backward + Adam on random binarised 784-dim data; median of several reps. Also counts every
// heap allocation of the timed steps (a replaced operator new) and reports the process's peak RSS.
//   bench_train [--reps 5] [--secs 1] [--threads N] [--config vae|iwae1|iwae5|iwae50]
// bench/compare.sh runs it one configuration per process (so the peak RSS is the configuration's) beside the
// PyTorch reference and prints the ratios.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "autodiff/runtime/storage.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "autodiff/tape.hpp"
#include "nn/optim.hpp"
#include "tests/support/count_new.hpp"
#include "vae/vae.hpp"

using namespace tg;
using Clock = std::chrono::steady_clock;

struct Config {
  const char* key;
  const char* name;
  bool pytorch_arch;
  std::int64_t batch, k;
};

static double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

static void measure(const Config& c, int reps, double secs) {
  Generator gen(0);
  vae::VAE model(c.pytorch_arch ? vae::pytorch_examples_architecture() : vae::iwae_paper_architecture(), gen);
  nn::Adam opt(model.named_parameters(), {.lr = 1e-3});
  std::vector<Tensor> pool;
  for (int i = 0; i < 64; ++i) pool.push_back(bernoulli(full({c.batch, 784}, 0.5), gen));
  std::int64_t it = 0;
  auto step = [&] {
    const Tensor& x = pool[static_cast<std::size_t>(it++ % 64)];
    current_tape().clear();
    opt.zero_grad();
    Tensor eps = vae::draw_eps(model, x, c.k, gen);
    Tensor bound = c.pytorch_arch ? vae::elbo_analytic(model, x, eps) : vae::iwae_bound(model, x, eps);
    backward(-mean(bound));
    opt.step();
  };
  auto t0 = Clock::now();
  std::int64_t warm = 0;
  while (warm < 10 || seconds_since(t0) < 0.5) step(), ++warm;
  const auto per_rep =
      std::max<std::int64_t>(5, static_cast<std::int64_t>(secs * static_cast<double>(warm) / seconds_since(t0)));
  std::vector<double> rates;
  rates.reserve(static_cast<std::size_t>(reps));  // the benchmark's own bookkeeping allocates nothing while counting
  const MemoryStats before = memory_stats();
  const PoolStats jobs_before = pool_stats();
  const long news_before = tg::support::heap_allocations();
  for (int r = 0; r < reps; ++r) {
    t0 = Clock::now();
    for (std::int64_t i = 0; i < per_rep; ++i) step();
    rates.push_back(static_cast<double>(per_rep) / seconds_since(t0));
  }
  const MemoryStats after = memory_stats();
  const long news = tg::support::heap_allocations() - news_before;
  const PoolStats jobs = pool_stats();
  std::sort(rates.begin(), rates.end());
  const double med = rates[rates.size() / 2];
  std::printf(
      "%-28s %4lld %3lld %9.1f  (%.1f..%.1f) %8.2f %10.0f %11.2f %11.2f\n", c.name, static_cast<long long>(c.batch),
      static_cast<long long>(c.k), med, rates.front(), rates.back(), 1e3 / med, med * static_cast<double>(c.batch),
      static_cast<double>(news) / static_cast<double>(reps * per_rep),
      static_cast<double>(after.system_allocations - before.system_allocations) / static_cast<double>(reps * per_rep));
  // What the thread pool did with the jobs of the timed steps (see thread_pool.hpp): split, of which won and lost,
  // and run on the calling thread alone after a loss; and the split tuner's level (split_tuner.hpp).
  const auto per_step = [&](std::int64_t a, std::int64_t b) {
    return static_cast<double>(a - b) / static_cast<double>(reps * per_rep);
  };
  std::printf(
      "# pool jobs per step: %.2f split (%.2f won, %.2f lost), %.2f alone, %.2f before the workers started; "
      "speed %.2f of the estimates; split tuner at level %d after %lld windows\n",
      per_step(jobs.split, jobs_before.split), per_step(jobs.won, jobs_before.won),
      per_step(jobs.lost, jobs_before.lost), per_step(jobs.alone, jobs_before.alone),
      per_step(jobs.unstarted, jobs_before.unstarted), jobs.speed, jobs.level, static_cast<long long>(jobs.windows));
}

int main(int argc, char** argv) {
  int reps = 5, threads = 0;
  double secs = 1.0;
  std::string only;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--reps"))
      reps = std::max(1, std::atoi(argv[i + 1]));
    else if (!std::strcmp(argv[i], "--secs"))
      secs = std::atof(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--threads"))
      threads = std::atoi(argv[i + 1]);
    else if (!std::strcmp(argv[i], "--config"))
      only = argv[i + 1];
  }
  if (threads > 0) set_num_threads(threads);
  std::printf("# tapegrad training throughput, %d threads, reps=%d x ~%.1fs, median (min..max)\n", num_threads(), reps,
              secs);
  std::printf("%-28s %4s %3s %9s  %-13s %8s %10s %11s %11s\n", "config", "B", "k", "steps/s", "(min..max)", "ms/step",
              "examples/s", "new/step", "pool/step");
  const Config configs[] = {{"vae", "VAE 784-400-20 (examples)", true, 128, 1},
                            {"iwae1", "IWAE-arch k=1 (=VAE)", false, 20, 1},
                            {"iwae5", "IWAE-arch k=5", false, 20, 5},
                            {"iwae50", "IWAE-arch k=50", false, 20, 50}};
  bool any = false;
  for (const Config& c : configs)
    if (only.empty() || only == c.key) measure(c, reps, secs), any = true;
  if (!any) {
    std::fprintf(stderr, "bench_train: --config is '%s', but must be vae, iwae1, iwae5 or iwae50\n", only.c_str());
    return 2;
  }
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);
  std::printf("peak RSS %.1f MB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);  // Linux: ru_maxrss in KiB
  return 0;
}
