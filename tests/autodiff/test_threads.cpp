// The ops the thread pool splits over blocks of their output (unary ops, linear + activation, the fused
// log-densities, forward and backward) give the same bits for 1, 2 and 3 threads, at sizes large enough that the
// cost model does split them (the training step's 1000 x 784 decoder output). And the pool's fallback to the calling
// thread when split jobs lose (thread_pool.hpp): it falls back, comes back, and changes no bit. And the split tuner
// (split_tuner.hpp), which finds the smallest job worth splitting from the rates of the program's windows.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <thread>

#include "autodiff/runtime/split_tuner.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "test_util.hpp"

using namespace tg;

namespace {

// Restores the pool's size when a test ends, also when it fails.
struct ThreadsFor {
  int saved = num_threads();
  explicit ThreadsFor(int n) { set_num_threads(n); }
  ~ThreadsFor() { set_num_threads(saved); }
};

std::vector<float> values_of(const Tensor& t) {
  const float* p = t.data<float>();
  return std::vector<float>(p, p + t.numel());
}

// A new pool of n threads for one test, so that its statistics, its fallback and its speed start afresh; a new pool
// of the old size after, so that what the test taught its pool does not reach the next test.
struct FreshPool {
  static void renew(int n) {
    set_num_threads(n == 1 ? 2 : 1);  // set_num_threads keeps a pool of the same size
    set_num_threads(n);
  }
  int saved = num_threads();
  explicit FreshPool(int n) { renew(n); }
  ~FreshPool() { renew(saved); }
};

// Every value the op computes with `threads` threads: its output and the gradients of its inputs.
template <class Op>
std::vector<std::vector<float>> run_with(int threads, Op op, bool same_pool = false) {
  ThreadsFor pool(threads);
  Tape tape;
  TapeScope scope(tape);
  Generator gen(7);
  std::vector<Tensor> inputs = op.inputs(gen);
  // Making the inputs teaches the pool too (their jobs are timed, and one may have lost): the op gets a new pool,
  // unless the test asks for the same one.
  if (threads > 1 && !same_pool) FreshPool::renew(threads);
  // The workers start after a job of 1 ms, which a fast machine may not have here: jobs without an estimate start
  // them at once, until one is won (on a loaded machine the first may lose, and the pool would then run the op's
  // jobs alone). Their tasks take 1 ms each: a split job of empty tasks would be judged lost (the caller's own task
  // took no time).
  const auto one_ms = [](std::int64_t) { std::this_thread::sleep_for(std::chrono::milliseconds(1)); };
  if (threads > 1 && !same_pool)
    for (int j = 0; j < 100 && pool_stats().won == 0; ++j) parallel_for(2, one_ms);
  const std::int64_t split = pool_stats().split;
  Tensor out = op(inputs);
  backward(sum(out * out));  // a gradient that differs from element to element
  const PoolStats stats = pool_stats();
  INFO("threads " << threads << ": split " << stats.split << ", won " << stats.won << ", lost " << stats.lost
                  << ", alone " << stats.alone << ", unstarted " << stats.unstarted << ", workers " << stats.workers
                  << ", speed " << stats.speed);
  if (threads > 1) REQUIRE(stats.split > split);  // the pool did split the work
  std::vector<std::vector<float>> all{values_of(out)};
  for (const Tensor& t : inputs)
    if (t.requires_grad()) all.push_back(values_of(t.grad()));
  return all;
}

void require_same_bits(const char* name, int threads, const std::vector<std::vector<float>>& one,
                       const std::vector<std::vector<float>>& many) {
  REQUIRE(many.size() == one.size());
  for (std::size_t i = 0; i < one.size(); ++i) {
    REQUIRE(many[i].size() == one[i].size());
    const auto diff = std::mismatch(one[i].begin(), one[i].end(), many[i].begin());
    const auto at = diff.first - one[i].begin();
    INFO(name << " with " << threads << " threads, tensor " << i << " (0: the output, then the gradients), element "
              << at << " of " << one[i].size());
    REQUIRE(diff.first == one[i].end());  // every value the same, bit for bit (NaN included: none here)
  }
}

template <class Op>
void check_same_bits(const char* name, Op op) {
  const auto one = run_with(1, op);
  for (int threads : {2, 3}) require_same_bits(name, threads, one, run_with(threads, op));
}

Tensor leaf(Tensor t) { return t.requires_grad(true); }

struct Bernoulli {
  std::vector<Tensor> inputs(Generator& gen) const {
    return {bernoulli(full({20, 784}, 0.3), gen), leaf(randn({50, 20, 784}, gen) * 3.0)};
  }
  Tensor operator()(const std::vector<Tensor>& in) const { return bernoulli_log_prob(in[0], in[1], 1); }
};
struct Normal {
  std::vector<Tensor> inputs(Generator& gen) const {
    return {leaf(randn({1000, 784}, gen)), leaf(randn({1000, 784}, gen)), leaf(randn({1000, 784}, gen) * 0.1)};
  }
  Tensor operator()(const std::vector<Tensor>& in) const { return normal_log_prob(in[0], in[1], in[2], 1); }
};
struct Tanh {
  std::vector<Tensor> inputs(Generator& gen) const { return {leaf(randn({1000, 784}, gen) * 2.0)}; }
  Tensor operator()(const std::vector<Tensor>& in) const { return tanh(in[0]); }
};
struct LinearTanh {
  std::vector<Tensor> inputs(Generator& gen) const {
    return {leaf(randn({1000, 200}, gen)), leaf(randn({784, 200}, gen) * 0.1), leaf(randn({784}, gen))};
  }
  Tensor operator()(const std::vector<Tensor>& in) const { return linear_tanh(in[0], in[1], in[2]); }
};

using std::chrono::milliseconds;

// One job of 8 tasks. A task the calling thread runs sleeps 1 ms (work that takes time); one a worker runs sleeps
// `on_worker`: 20 ms plays a worker descheduled while it holds its task, 1 ms a worker that keeps up. runs[i]
// counts the runs of task i.
void job(std::vector<int>& runs, milliseconds on_worker) {
  const auto caller = std::this_thread::get_id();
  parallel_for(8, [&](std::int64_t i) {
    ++runs[static_cast<std::size_t>(i)];
    std::this_thread::sleep_for(std::this_thread::get_id() == caller ? milliseconds(1) : on_worker);
  });
}

// Runs jobs whose worker tasks sleep 20 ms until one has lost (the caller alone: 8 ms; split: 20 ms or more);
// returns how many jobs it ran. The worker takes a task unless it wakes more than 8 ms late, 40 times over.
int until_a_job_lost(std::vector<int>& runs) {
  int jobs = 0;
  for (const std::int64_t lost = pool_stats().lost; pool_stats().lost == lost && jobs < 40; ++jobs)
    job(runs, milliseconds(20));
  INFO("jobs run: " << jobs);
  REQUIRE(pool_stats().lost > 0);
  return jobs;
}

void require_each_ran(const std::vector<int>& runs, int times) {
  for (std::size_t i = 0; i < runs.size(); ++i) {
    INFO("task " << i);
    REQUIRE(runs[i] == times);
  }
}

}  // namespace

TEST_CASE("threads: after a split job loses, the pool runs the next 8 jobs on the calling thread alone",
          "[threads][pool]") {
  FreshPool pool(2);
  std::vector<int> runs(8, 0);
  int jobs = until_a_job_lost(runs);
  const PoolStats lost = pool_stats();
  CHECK(lost.alone == 0);  // nothing ran alone before the first loss
  for (int j = 0; j < 8; ++j, ++jobs) job(runs, milliseconds(20));
  const PoolStats after = pool_stats();
  INFO("split " << after.split << ", won " << after.won << ", lost " << after.lost << ", alone " << after.alone);
  CHECK(after.split == lost.split);  // no worker saw those 8 jobs...
  CHECK(after.alone == 8);           // ... the calling thread ran them
  require_each_ran(runs, jobs);      // every task once per job, wherever it ran
  job(runs, milliseconds(20));       // then the pool tries a split job again
  CHECK(pool_stats().split == after.split + 1);
  CHECK(pool_stats().alone == 8);
}

TEST_CASE("threads: once split jobs win again, the pool splits every job again", "[threads][pool]") {
  FreshPool pool(2);
  std::vector<int> runs(8, 0);
  int jobs = until_a_job_lost(runs);
  const PoolStats lost = pool_stats();
  // The workers keep up from now on: the split jobs take about 4 ms against 8 ms on the caller alone.
  for (; pool_stats().won == lost.won && jobs < 300; ++jobs) job(runs, milliseconds(1));
  const PoolStats won = pool_stats();
  INFO("jobs run: " << jobs << "; split " << won.split << ", won " << won.won << ", lost " << won.lost << ", alone "
                    << won.alone);
  REQUIRE(won.won > lost.won);
  CHECK(won.alone >= 8);  // the fallback did happen in between
  // After a win every job is split until one loses (this one, whose worker task sleeps 20 ms, or a later one), and
  // that loss sends the next 8 jobs to the calling thread, not more: the win set the count back.
  jobs += until_a_job_lost(runs);
  const PoolStats again = pool_stats();
  CHECK(again.split > won.split);
  CHECK(again.alone == won.alone);
  for (int j = 0; j < 9; ++j, ++jobs) job(runs, milliseconds(1));
  CHECK(pool_stats().alone == again.alone + 8);
  CHECK(pool_stats().split == again.split + 1);
  require_each_ran(runs, jobs);
}

TEST_CASE("threads: a job the caller ran alone while its worker was still waking gets no verdict", "[threads][pool]") {
  FreshPool pool(2);
  // Long enough for the worker to stop spinning and go to sleep (it spins 100 us), even on a loaded machine.
  std::this_thread::sleep_for(milliseconds(50));
  const PoolStats before = pool_stats();
  int runs = 0;
  parallel_for(2, [&](std::int64_t) { ++runs; });  // two empty tasks: done long before a worker can wake
  INFO("split " << pool_stats().split << ", won " << pool_stats().won << ", lost " << pool_stats().lost);
  CHECK(runs == 2);
  CHECK(pool_stats().split == before.split + 1);
  CHECK(pool_stats().lost == before.lost);  // the worker was asleep: that says nothing about the load
  CHECK(pool_stats().alone == before.alone);
}

TEST_CASE("threads: a job lost because its worker was still waking gets no verdict; the next one lost does",
          "[threads][pool]") {
  std::vector<int> runs(8, 0);
  // The worker sleeps when the first job comes, wakes while the caller runs its tasks, takes one and holds it 20 ms
  // (the caller alone: 8 ms). The next job finds it spinning, and loses the same way. On a loaded machine the
  // scheduler may hand the worker a core at the wrong moment: the pair is tried up to five times.
  bool shown = false;
  int jobs = 0;
  for (int attempt = 0; attempt < 5 && !shown; ++attempt) {
    const FreshPool fresh(2);
    // No estimate: starts the workers, and a job the worker keeps up with wins (a job without a verdict here would
    // make the next one the second in a row).
    parallel_for(2, [](std::int64_t) { std::this_thread::sleep_for(milliseconds(2)); });
    std::this_thread::sleep_for(milliseconds(50));
    const PoolStats before = pool_stats();
    if (before.won != 1) continue;
    job(runs, milliseconds(20));
    const PoolStats first = pool_stats();
    job(runs, milliseconds(20));
    const PoolStats second = pool_stats();
    jobs += 2;
    INFO("attempt " << attempt << ": lost " << before.lost << ", " << first.lost << ", " << second.lost);
    CHECK(first.split == before.split + 1);
    shown = first.lost == before.lost && second.lost == before.lost + 1;
  }
  CHECK(shown);
  require_each_ran(runs, jobs);
}

TEST_CASE("threads: the second job in a row that the caller ran alone while its worker was waking is lost",
          "[threads][pool]") {
  FreshPool pool(2);
  int runs = 0;
  auto asleep_then_two_empty_tasks = [&] {
    std::this_thread::sleep_for(milliseconds(50));   // the worker goes to sleep (or has not started yet)
    parallel_for(2, [&](std::int64_t) { ++runs; });  // done long before it can wake
  };
  // On a loaded machine the scheduler may hand the worker a core at the wrong moment: the pair is tried up to five
  // times, and one of them must show the rule.
  bool shown = false;
  for (int attempt = 0; attempt < 5 && !shown; ++attempt) {
    const FreshPool fresh(2);  // a pool of its own for each attempt
    runs = 0;
    const PoolStats before = pool_stats();
    asleep_then_two_empty_tasks();
    const bool first_kept = pool_stats().lost == before.lost;  // once: the worker may just have been asleep
    asleep_then_two_empty_tasks();
    INFO("split " << pool_stats().split << ", won " << pool_stats().won << ", lost " << pool_stats().lost);
    const bool second_lost = pool_stats().lost == before.lost + 1;  // twice in a row: it does not get a core in time
    CHECK(runs == 4);
    parallel_for(2, [&](std::int64_t) { ++runs; });  // and the fallback follows
    shown = first_kept && second_lost && pool_stats().alone == before.alone + 1;
  }
  CHECK(shown);
}

TEST_CASE("threads: the workers start with the first job worth 1 ms on this machine, not on one slow job",
          "[threads][pool]") {
  const auto empty = [](std::int64_t) {};
  const auto one_ms = [](std::int64_t) { std::this_thread::sleep_for(milliseconds(1)); };
  {
    // Jobs the kernels estimate at 1.3 ms that take microseconds here: they run on the calling thread, timed, and
    // never start a worker (an estimate alone, 1.3 ms, would).
    FreshPool pool(2);
    CHECK(pool_stats().workers == 0);  // none yet: the program still runs on one thread
    for (int j = 0; j < 20; ++j) parallel_for(4, empty, 1.3e6);
    CHECK(pool_stats().unstarted == 20);
    CHECK(pool_stats().workers == 0);
    CHECK(pool_stats().split == 0);
  }
  {
    // One job of 5 ms among jobs of microseconds (all estimated at 0.5 ms) is one slow job, not a slow machine.
    FreshPool pool(2);
    for (int j = 0; j < 8; ++j) parallel_for(4, empty, 0.5e6);
    parallel_for(5, one_ms, 0.5e6);
    CHECK(pool_stats().workers == 0);
  }
  {
    // Jobs estimated at 0.6 ms that take 4 ms: after a few of them the pool knows the machine is slower than the
    // figures, and the next job worth 1 ms starts the workers; the job after it is split.
    FreshPool pool(2);
    int jobs = 0;
    for (; pool_stats().workers == 0 && jobs < 20; ++jobs) parallel_for(4, one_ms, 0.6e6);
    INFO("jobs run before the workers started: " << jobs << ", speed " << speed());
    CHECK(jobs >= 4);  // not before 4 jobs were timed
    CHECK(jobs <= 8);
    CHECK(pool_stats().workers == 1);
    CHECK(pool_stats().split == 0);  // those ran on the calling thread
    int runs = 0;
    parallel_for(
        4, [&](std::int64_t) { ++runs; }, 0.6e6);
    CHECK(runs == 4);
    CHECK(pool_stats().split == 1);
  }
}

TEST_CASE("threads: the pool learns how fast this machine runs against the kernels' estimates", "[threads][pool]") {
  FreshPool pool(2);
  CHECK(speed() == 1);  // nothing timed yet: the estimates as they are
  CHECK(worth_splitting(150e3, 8) > 1);
  // Jobs that take microseconds where the kernels estimated 10 ms: this machine is much faster than the figures.
  for (int j = 0; j < 40; ++j)
    parallel_for(
        2, [](std::int64_t) {}, 10e6);
  INFO("speed " << speed());
  CHECK(speed() < 0.1);
  CHECK(pool_stats().speed == speed());
  CHECK(worth_splitting(150e3, 8) == 1);  // 150 us by the figures is a few microseconds here: not worth a worker
  CHECK(worth_splitting(100e6, 8) > 1);
  // Jobs that take 2 ms where the kernels estimated 0.1 ms: the other way round.
  FreshPool again(2);
  CHECK(worth_splitting(50e3, 8) == 1);
  for (int j = 0; j < 12; ++j)
    parallel_for(
        2, [](std::int64_t) { std::this_thread::sleep_for(milliseconds(1)); }, 100e3);
  INFO("speed " << speed());
  CHECK(speed() > 2);
  CHECK(worth_splitting(50e3, 8) > 1);  // 50 us by the figures takes more than 100 us here
  const PoolStats after = pool_stats();
  parallel_for(
      2, [](std::int64_t) {}, 0);  // a job without an estimate teaches nothing
  CHECK(speed() == after.speed);
}

TEST_CASE("threads: one job moves the measured speed by at most an eighth of a factor 2", "[threads][pool]") {
  {
    FreshPool pool(2);
    parallel_for(
        2, [](std::int64_t) {}, 10e6);  // 10 ms estimated, microseconds taken: a sample of 1/2 at most
    CHECK(speed() == Approx(std::pow(0.5, 1.0 / 8)).epsilon(1e-12));
  }
  {
    FreshPool pool(2);
    parallel_for(
        2, [](std::int64_t) { std::this_thread::sleep_for(milliseconds(10)); }, 1e6);  // 20 ms for 1 ms
    CHECK(speed() == Approx(std::pow(2.0, 1.0 / 8)).epsilon(1e-12));
  }
}

TEST_CASE("threads: a split job teaches the speed from the calling thread's own share of it", "[threads][pool]") {
  FreshPool pool(2);
  parallel_for(2, [](std::int64_t) {});  // no estimate: starts the workers
  // Two tasks of 2 ms, estimated at 4 ms in all: when the worker takes one, the caller's task (2 ms) is to be
  // compared with its share of the estimate (2 ms), and the speed stays about where it was. Against the whole job's
  // estimate it would look twice as fast as it is, and the speed would fall by 2^(1/8).
  const auto two_ms = [](std::int64_t) { std::this_thread::sleep_for(milliseconds(2)); };
  bool seen = false;  // a job split and won (a loaded machine may need a few tries)
  for (int attempt = 0; attempt < 50 && !seen; ++attempt) {
    const PoolStats before = pool_stats();
    parallel_for(2, two_ms, 4e6);
    const PoolStats after = pool_stats();
    if (after.won == before.won + 1) {
      seen = true;
      INFO("speed before " << before.speed << ", after " << after.speed);
      CHECK(after.speed > 0.97 * before.speed);
    }
  }
  CHECK(seen);
}

TEST_CASE("threads: ops give the same bits while the pool falls back to the calling thread", "[threads][pool]") {
  const tgtest::FastKernels fast_kernels;  // the fast kernels' own behaviour, also in a reference build
  const auto one = run_with(1, LinearTanh{});
  FreshPool pool(2);
  std::vector<int> runs(8, 0);
  until_a_job_lost(runs);
  const std::int64_t alone = pool_stats().alone;
  const auto fallen_back = run_with(2, LinearTanh{}, true);  // the same pool: the next 8 jobs run alone
  CHECK(pool_stats().alone > alone);
  require_same_bits("linear_tanh, falling back", 2, one, fallen_back);
}

TEST_CASE("threads: the fused log-densities give the same bits for any number of threads", "[threads][fused]") {
  check_same_bits("bernoulli_log_prob", Bernoulli{});
  check_same_bits("normal_log_prob", Normal{});
}

TEST_CASE("threads: unary ops and linear + activation give the same bits for any number of threads", "[threads][ops]") {
  check_same_bits("tanh", Tanh{});
  check_same_bits("linear_tanh", LinearTanh{});
}

namespace {

// Feeds the tuner `windows` windows, each at the rate `rate(level)` of the level it ran; returns the levels run.
template <class Rate>
std::vector<int> feed(SplitTuner& tuner, int windows, Rate rate) {
  std::vector<int> ran;
  for (int w = 0; w < windows; ++w) {
    ran.push_back(tuner.level());
    tuner.window_done(rate(tuner.level()));
  }
  return ran;
}

// A machine on which the program runs fastest at level `best`, and `slope` slower per level away from it.
auto valley(int best, double slope) {
  return [=](int level) { return 1 + slope * std::abs(level - best); };
}

// Noise of +-`amount` (uniform, from a fixed seed) on every window's rate.
template <class Rate>
auto noisy(Rate rate, double amount, std::uint64_t seed) {
  return [=, state = seed](int level) mutable {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    const double u = static_cast<double>(state >> 11) * 0x1.0p-53;  // [0, 1)
    return rate(level) * (1 + amount * (2 * u - 1));
  };
}

}  // namespace

TEST_CASE("split tuner: the sweep runs every level up and back down, and takes the fastest", "[threads][tuner]") {
  SplitTuner tuner;
  CHECK(tuner.sweeping());
  CHECK(tuner.level() == 0);  // until it has measured, the jobs of 100 us or more are split
  const std::vector<int> ran = feed(tuner, 2 * SplitTuner::levels, valley(5, 0.1));
  CHECK(ran == std::vector<int>{0, 1, 2, 3, 4, 5, 6, 7, 7, 6, 5, 4, 3, 2, 1, 0});
  CHECK_FALSE(tuner.sweeping());
  CHECK(tuner.taken() == 5);
  CHECK(tuner.level() == 5);
  // Both windows of a level count: level 2 had the fastest window but the slowest other one.
  SplitTuner twice;
  feed(twice, 2 * SplitTuner::levels, [&, w = 0](int level) mutable {
    ++w;
    if (level == 2) return w < 8 ? 3.0 : 0.5;  // slow on the way up, fastest on the way down
    return level == 4 ? 0.9 : 1.0;
  });
  CHECK(twice.taken() == 4);
}

TEST_CASE("split tuner: the thresholds double from 100 us, and the last level splits nothing", "[threads][tuner]") {
  CHECK(SplitTuner::threshold_ns(0) == 100e3);
  CHECK(SplitTuner::threshold_ns(3) == 800e3);
  CHECK(SplitTuner::threshold_ns(6) == 6.4e6);
  CHECK(std::isinf(SplitTuner::threshold_ns(SplitTuner::never)));
}

TEST_CASE("split tuner: a faster neighbour is taken, and the tuner walks on to a new best", "[threads][tuner]") {
  SplitTuner tuner;
  feed(tuner, 2 * SplitTuner::levels, valley(0, 0.1));
  REQUIRE(tuner.taken() == 0);
  // The machine gets loaded: now splitting nothing is fastest. Trials walk level by level, each right after the
  // last one that moved (4 windows of rest, 6 of trial).
  int windows = 0;
  const auto loaded = valley(SplitTuner::never, 0.1);
  while (tuner.taken() != SplitTuner::never && windows < 1000) tuner.window_done(loaded(tuner.level())), ++windows;
  INFO("windows until level 7: " << windows);
  CHECK(tuner.taken() == SplitTuner::never);
  CHECK(windows == 7 * (SplitTuner::min_gap + 2 * SplitTuner::pairs));
  // There it stays: every trial of level 6 loses.
  const std::vector<int> ran = feed(tuner, 500, loaded);
  CHECK(tuner.taken() == SplitTuner::never);
  CHECK(std::count(ran.begin(), ran.end(), SplitTuner::never) >= 470);
}

TEST_CASE("split tuner: where levels run alike, the next sweep finds the best level that trials cannot reach",
          "[threads][tuner]") {
  SplitTuner tuner;
  feed(tuner, 2 * SplitTuner::levels, valley(SplitTuner::never, 0.1));  // loaded while it swept
  REQUIRE(tuner.taken() == SplitTuner::never);
  // Then quiet, for a program without a job of 800 us: levels 3 to 7 split nothing and run alike; level 1 is best.
  const auto quiet = [](int level) { return level >= 3 ? 1.0 : 0.8 + 0.05 * std::abs(level - 1); };
  const std::vector<int> stuck = feed(tuner, SplitTuner::sweep_every - 1, quiet);
  CHECK(tuner.taken() == SplitTuner::never);  // every trial of level 6 ran alike: no reason to move
  CHECK(std::count(stuck.begin(), stuck.end(), 6) > 0);
  CHECK(std::count_if(stuck.begin(), stuck.end(), [](int level) { return level < 6; }) == 0);
  // The next sweep starts when the trial running and its rest are over (at most 70 windows on); it takes level 1.
  int windows = 0;
  bool swept = false;
  for (; !(swept && !tuner.sweeping()) && windows < 200; ++windows) {
    swept = swept || tuner.sweeping();
    tuner.window_done(quiet(tuner.level()));
  }
  INFO("windows until the sweep ended: " << windows);
  CHECK(swept);
  CHECK(windows <= 2 * SplitTuner::pairs + SplitTuner::max_gap + 2 * SplitTuner::levels);
  CHECK(tuner.taken() == 1);
  // A new level: its neighbours are tried after 4 windows of rest, not the 64 the trials of level 7 had reached.
  const std::vector<int> after = feed(tuner, SplitTuner::min_gap + 1, quiet);
  CHECK(std::count(after.begin(), after.end(), 1) == SplitTuner::min_gap);
  CHECK(after.back() != 1);
}

TEST_CASE("split tuner: a neighbour less than 2 % faster is not taken, and trials come ever more rarely",
          "[threads][tuner]") {
  SplitTuner tuner;
  feed(tuner, 2 * SplitTuner::levels, valley(3, 0.1));
  REQUIRE(tuner.taken() == 3);
  // Level 2 and 4 are 1.5 % faster than 3 now: not enough.
  const std::vector<int> ran = feed(tuner, 400, [](int level) { return level == 3 ? 1.0 : 0.985; });
  CHECK(tuner.taken() == 3);
  // The windows of rest before each trial (a trial: 6 windows, the neighbour's first): 4, then twice as many each
  // time, up to 64.
  std::vector<std::size_t> starts;
  for (std::size_t w = 0; w < ran.size(); ++w)
    if (ran[w] != 3 && (w < 2 || ran[w - 2] == 3)) starts.push_back(w);
  REQUIRE(starts.size() >= 6);
  std::vector<std::size_t> rests{starts[0]};
  for (std::size_t i = 1; i < starts.size(); ++i) rests.push_back(starts[i] - starts[i - 1] - 2 * SplitTuner::pairs);
  CHECK(rests[0] == 4);
  CHECK(rests[1] == 8);
  CHECK(rests[2] == 16);
  CHECK(rests[3] == 32);
  CHECK(rests[4] == 64);
  CHECK(rests[5] == 64);
  // Both ways were tried, in turn.
  CHECK(std::count(ran.begin(), ran.end(), 2) > 0);
  CHECK(std::count(ran.begin(), ran.end(), 4) > 0);
}

TEST_CASE("split tuner: one fast window does not win a trial; the median pair decides", "[threads][tuner]") {
  SplitTuner tuner;
  feed(tuner, 2 * SplitTuner::levels, valley(3, 0.1));
  REQUIRE(tuner.taken() == 3);
  feed(tuner, SplitTuner::min_gap, valley(3, 0.1));  // rest; the next window starts the first trial (level 4)
  REQUIRE(tuner.level() == 4);
  const std::vector<int> ran = feed(tuner, 2 * SplitTuner::pairs, [w = 0](int level) mutable {
    ++w;
    if (level == 3) return 1.0;
    return w == 1 ? 0.2 : 1.05;  // the first window of level 4 is five times as fast (the others 5 % slower)
  });
  CHECK(ran == std::vector<int>{4, 3, 4, 3, 4, 3});
  CHECK(tuner.taken() == 3);
}

TEST_CASE("split tuner: with noise of +-10 % on every window it settles near the best, and rarely leaves it",
          "[threads][tuner]") {
  for (int best : {0, 4, SplitTuner::never}) {
    for (std::uint64_t seed : {1, 2, 3}) {
      SplitTuner tuner;
      auto rate = noisy(valley(best, 0.1), 0.1, seed);
      feed(tuner, 100, rate);  // sweep and first trials
      const std::vector<int> ran = feed(tuner, 2000, rate);
      double mean = 0;
      for (int level : ran) mean += valley(best, 0.1)(level) / static_cast<double>(ran.size());
      INFO("best " << best << ", seed " << seed << ": taken " << tuner.taken() << ", mean rate " << mean);
      CHECK(std::abs(tuner.taken() - best) <= 1);
      CHECK(mean < 1.02);  // within 2 % of the best level's rate, the trials included
    }
  }
}

TEST_CASE("split tuner: a window without an estimate counts as the slowest", "[threads][tuner]") {
  SplitTuner tuner;
  feed(tuner, 2 * SplitTuner::levels, [](int level) { return level == 1 ? 0.0 : 1.0 + 0.01 * level; });
  CHECK(tuner.taken() == 0);  // level 1's rates, 0 (no estimate), are not taken for the fastest
}

TEST_CASE("threads: the pool measures windows of 20 ms and 32 jobs, and splits by the tuner's level",
          "[threads][pool][tuner]") {
  FreshPool pool(2);
  parallel_for(2, [](std::int64_t) {});  // no estimate: starts the workers, and the tuner's first window
  REQUIRE(pool_stats().workers == 1);
  CHECK(worth_splitting(150e3, 8) > 1);  // level 0: jobs of 100 us or more (speed 1: nothing timed); job 1
  std::this_thread::sleep_for(milliseconds(25));
  for (int j = 0; j < 30; ++j) worth_splitting(1e3, 8);
  CHECK(pool_stats().windows == 0);  // 20 ms, but 31 jobs
  worth_splitting(1e3, 8);
  CHECK(pool_stats().windows == 1);       // the 32nd ends the window
  CHECK(pool_stats().level == 1);         // the sweep's second window: jobs of 200 us or more
  CHECK(worth_splitting(150e3, 8) == 1);  // so 150 us runs on the calling thread
  CHECK(worth_splitting(250e3, 8) > 1);
  for (int j = 0; j < 40; ++j) worth_splitting(1e3, 8);
  CHECK(pool_stats().windows == 1);  // 42 jobs, but not 20 ms (a machine that slow fails this)
}
