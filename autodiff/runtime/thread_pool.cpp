// The thread pool (see thread_pool.hpp). One job at a time: the caller publishes it (task body, count) while the
// pool is locked against workers entering, then bumps a generation number; workers spinning or sleeping on that
// number enter, take task indices from an atomic counter, and leave. The caller takes tasks too, then waits until
// every task is done. No allocation, no lock on the way unless a worker has gone to sleep. The caller times each
// job it splits and, while split jobs lose, runs the next ones alone (judge). Jobs that come with an estimate of
// their cost are timed, and the pool learns from them how fast this machine is (learn).
#include "autodiff/runtime/thread_pool.hpp"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdlib>
#include <mutex>
#include <string>
#include <system_error>
#include <thread>
#include <vector>

#include "autodiff/runtime/split_tuner.hpp"
#include "autodiff/tensor.hpp"

namespace tg {

namespace {

void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

// How long a worker keeps looking for the next job before it sleeps: a training step hands out jobs every few
// tens of microseconds, and waking a sleeping thread costs about as much.
constexpr auto spin_time = std::chrono::microseconds(100);

// After a split job that lost, how many jobs run on the calling thread alone before the pool tries splitting again:
// min_backoff after a single loss, doubling with each loss in a row up to max_backoff. A training step hands out
// tens of jobs, so a loaded machine sees a trial split every few dozen steps, and a machine that has become quiet
// again splits within as many.
constexpr std::int64_t min_backoff = 8, max_backoff = 1024;

// The workers start for a job of 1 ms or more, as this machine runs it: its estimate times the speed learnt from
// at least `start_after_timed` jobs, so that one slow job (the first touch of new memory, a moment of load) is not
// taken for the machine (see Pool()).
constexpr double start_after_ns = 1e6;
constexpr int start_after_timed = 4;

// A window of the split tuner (split_tuner.hpp) ends with the first job the kernels ask about after 20 ms, and after
// at least 32 of them: long enough to hold a few training steps of a small model, and its rate their average.
constexpr std::int64_t window_ns = 20'000'000, window_jobs = 32;

class Pool {
 public:
  // The workers start with the first job of 1 ms or more on this machine (start_after_ns), not before: a program
  // whose jobs are all shorter (a small model, a scalar computation) keeps one thread, and with it the C library's
  // single-threaded mode, in which every shared_ptr copy (each Tensor copy) is a plain increment instead
  // of an atomic one. Once a second thread has existed that mode never returns (docs/performance.md, "The workers
  // start late"). A job without an estimate (cost 0) starts them at once.
  explicit Pool(int n) : size_(n) {}
  ~Pool() {
    {
      std::lock_guard lock(sleep_mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  Pool(const Pool&) = delete;
  Pool& operator=(const Pool&) = delete;
  int size() const { return size_; }

  void run(std::int64_t n, TaskRef f, double cost_ns) {
    std::lock_guard serial(run_mutex_);  // one job at a time, whichever thread asks
    const bool starting = !started_.load(std::memory_order_relaxed);
    const bool falling_back = alone_left_ > 0;        // the last split jobs lost (see judge)
    if (falling_back || (starting && cost_ns > 0)) {  // run it here, timed
      if (falling_back) {
        --alone_left_, ++stats_.alone;
      } else {
        ++stats_.unstarted;
      }
      const auto start = Clock::now();
      for (std::int64_t i = 0; i < n; ++i) f(i);
      const auto took = Clock::now() - start;
      learn(cost_ns, took);
      if (starting && timed_ >= start_after_timed && cost_ns * speed() >= start_after_ns)
        start_workers();  // the next job worth splitting is split
      return;
    }
    if (starting) start_workers();
    const bool fresh = first_split_;  // the workers have just been started, and are not spinning yet
    first_split_ = false;
    const auto start = Clock::now();
    for (int open = 0; !inside_.compare_exchange_weak(open, -1, std::memory_order_acquire); open = 0) cpu_relax();
    f_ = f, n_ = n;  // workers still inside the last job have left; none can enter until inside_ is 0 again
    next_.store(0, std::memory_order_relaxed);
    pending_.store(n, std::memory_order_relaxed);
    const std::uint64_t job = generation_.load(std::memory_order_relaxed) + 1;
    job_.store(job, std::memory_order_relaxed);
    inside_.store(0, std::memory_order_release);
    generation_.store(job);
    // Every worker was spinning, ready to take a task at once (one just started is not: it is like one waking).
    const bool awake = !fresh && sleepers_.load() == 0;
    if (!awake) {
      std::lock_guard lock(sleep_mutex_);
      wake_.notify_all();
    }
    const auto own_start = Clock::now();
    const std::int64_t own = take_tasks();
    const auto own_end = Clock::now();
    for (int spin = 0; pending_.load(std::memory_order_acquire) > 0; ++spin)  // the last tasks end elsewhere
      spin < 4096 ? cpu_relax() : std::this_thread::yield();
    judge(n, own, awake, own_end - own_start, Clock::now() - start);
    if (own > 0) learn(cost_ns * static_cast<double>(own) / static_cast<double>(n), own_end - own_start);
  }

  PoolStats stats() {
    std::lock_guard serial(run_mutex_);
    PoolStats s = stats_;
    s.workers = static_cast<std::int64_t>(workers_.size());
    s.speed = speed();
    std::lock_guard tune(tune_mutex_);
    s.windows = windows_;
    s.level = tuner_.level();
    return s;
  }

  double speed() const { return speed_.load(std::memory_order_relaxed); }

  // worth_splitting's question: counts a job the kernels estimated at `estimated_ns` (split or not) in the split
  // tuner's window, ends the window when it is due, and returns the smallest job worth splitting now, in nanoseconds
  // of this machine. Before the workers start there are no windows: jobs of 100 us or more (level 0), so that the
  // first job worth 1 ms can start them.
  double split_from_ns(double estimated_ns) {
    if (!started_.load(std::memory_order_acquire) || !(estimated_ns > 0))
      return split_from_.load(std::memory_order_relaxed);
    window_cost_.fetch_add(static_cast<std::int64_t>(std::min(estimated_ns, 1e15)), std::memory_order_relaxed);
    if (window_jobs_.fetch_add(1, std::memory_order_relaxed) + 1 >= window_jobs) {
      const std::int64_t now = now_ns();
      if (now - window_start_.load(std::memory_order_relaxed) >= window_ns) {
        std::unique_lock lock(tune_mutex_, std::try_to_lock);  // another thread may be ending it: let it
        const std::int64_t start = window_start_.load(std::memory_order_relaxed);
        if (lock.owns_lock() && now - start >= window_ns) {  // not ended by another thread meanwhile
          const auto cost = static_cast<double>(window_cost_.exchange(0, std::memory_order_relaxed));
          window_jobs_.store(0, std::memory_order_relaxed);
          window_start_.store(now, std::memory_order_relaxed);
          tuner_.window_done(static_cast<double>(now - start) / cost);
          split_from_.store(SplitTuner::threshold_ns(tuner_.level()), std::memory_order_relaxed);
          ++windows_;
        }
      }
    }
    return split_from_.load(std::memory_order_relaxed);
  }

 private:
  using Clock = std::chrono::steady_clock;

  static std::int64_t now_ns() {
    return std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now().time_since_epoch()).count();
  }

  void start_workers() {  // under run_mutex_
    try {
      for (int i = 1; i < size_; ++i) workers_.emplace_back([this] { work(); });
    } catch (const std::system_error&) {  // no more threads: the caller takes the tasks the workers cannot
    }
    window_start_.store(now_ns(), std::memory_order_relaxed);  // the split tuner's first window starts
    started_.store(true, std::memory_order_release);
    first_split_ = true;
  }

  // Returns how many tasks this thread ran.
  std::int64_t take_tasks() {
    std::int64_t done = 0;
    for (std::int64_t i; (i = next_.fetch_add(1, std::memory_order_relaxed)) < n_; ++done) f_(i);
    if (done) pending_.fetch_sub(done, std::memory_order_acq_rel);
    return done;
  }

  // The verdict on a split job of n tasks, of which the caller ran `own` in `own_time`, the whole job taking
  // `wall`. Had the caller run all n, it would have taken about own_time / own x n: a job that took longer lost
  // (a worker held a task while it was descheduled). So did a job whose every task the caller ran although the
  // workers were `awake` (spinning, a microsecond from taking a task): they were not given a core in time, and on
  // a loaded machine a spinning worker also takes CPU time the caller would have had (with autogroups, Linux shares
  // it out per session, not per thread). After a loss the next `backoff_` jobs run on the caller alone, a count
  // that doubles with every job lost in a row; a job that wins sets it back. No verdict where there is nothing to
  // compare: the caller ran no task (it was descheduled itself). Nor on a job lost while a worker was still waking
  // from sleep, which takes tens of microseconds on any machine: the worker takes its first task late, or none. The
  // pool's own pauses put the workers to sleep (so do the gaps between jobs, at the split tuner's higher levels), so
  // without that exception the first split job after a fallback would nearly always lose, and the pool would hardly
  // split again even on an idle machine; the worker it woke spins now, and the next job gets a fair verdict. But if
  // the next split job finds the workers waking again and loses too, it lost: the worker did not get a core in
  // time, and every such job pays a wake-up for nothing.
  void judge(std::int64_t n, std::int64_t own, bool awake, Clock::duration own_time, Clock::duration wall) {
    ++stats_.split;
    if (own == 0) return;
    if (own < n && wall.count() * own <= own_time.count() * n) {
      lost_waking_in_a_row_ = 0;
      ++stats_.won;
      backoff_ = min_backoff;
      return;
    }
    if (!awake && ++lost_waking_in_a_row_ < 2) return;  // a worker was still waking: no verdict, the first time
    lost_waking_in_a_row_ = 0;
    ++stats_.lost;
    alone_left_ = backoff_;
    backoff_ = std::min(2 * backoff_, max_backoff);
  }

  // One more timing: work the kernels estimated at `estimated_ns` took `took` here (0: no estimate, nothing learnt).
  // The speed is a running geometric mean of took / estimated, over about the last 8 jobs, each sample clamped to
  // within a factor of 2 of the speed so far: a caller descheduled for a time slice is one slow job, not a slow
  // machine.
  void learn(double estimated_ns, Clock::duration took) {
    if (estimated_ns <= 0) return;
    ++timed_;
    const double was = speed(), took_ns = std::chrono::duration<double, std::nano>(took).count();
    const double ratio = std::clamp(took_ns / estimated_ns, was / 2, was * 2);
    speed_.store(std::clamp(was * std::pow(ratio / was, 1.0 / 8), 1.0 / 64, 64.0), std::memory_order_relaxed);
  }

  // Enters job `job` unless the pool is being given another job or has moved on already.
  bool enter(std::uint64_t job) {
    int k = inside_.load(std::memory_order_relaxed);
    do {
      if (k < 0) return false;
    } while (!inside_.compare_exchange_weak(k, k + 1, std::memory_order_acquire));
    if (job_.load(std::memory_order_relaxed) == job) return true;
    inside_.fetch_sub(1, std::memory_order_release);
    return false;
  }

  // Returns the next generation after `seen`, or 0 to stop.
  std::uint64_t wait_for_job(std::uint64_t seen) {
    auto until = std::chrono::steady_clock::now() + spin_time;
    for (int spin = 1;; ++spin) {
      const std::uint64_t g = generation_.load(std::memory_order_acquire);
      if (g != seen) return g;
      if (stop_.load(std::memory_order_relaxed)) return 0;
      if (spin % 64 || std::chrono::steady_clock::now() < until) {
        cpu_relax();
        continue;
      }
      std::unique_lock lock(sleep_mutex_);
      sleepers_.fetch_add(1);
      wake_.wait(lock, [&] { return stop_ || generation_.load() != seen; });
      sleepers_.fetch_sub(1);
      until = std::chrono::steady_clock::now() + spin_time;
    }
  }

  void work() {
    for (std::uint64_t seen = 0; (seen = wait_for_job(seen)) != 0;) {
      if (!enter(seen)) continue;
      take_tasks();
      inside_.fetch_sub(1, std::memory_order_release);
    }
  }

  static constexpr auto no_task = [](std::int64_t) {};
  int size_;
  std::vector<std::thread> workers_;  // size_ - 1 of them once started_
  std::atomic<bool> started_{false};
  std::mutex run_mutex_;
  TaskRef f_{no_task};  // the current job: f_(0), ..., f_(n_ - 1)
  std::int64_t n_ = 0;
  std::atomic<std::uint64_t> job_{0};         // the generation the current job was published as
  std::atomic<std::int64_t> next_{0};         // the next task index to hand out
  std::atomic<std::int64_t> pending_{0};      // tasks not finished yet
  std::atomic<int> inside_{0};                // workers inside the current job; -1 while it is being replaced
  std::atomic<std::uint64_t> generation_{0};  // bumped for each job
  std::mutex sleep_mutex_;
  std::condition_variable wake_;
  std::atomic<int> sleepers_{0};
  std::atomic<bool> stop_{false};
  std::atomic<double> speed_{1.0};  // learn(); read by worth_splitting on any thread
  // The split tuner (split_from_ns): the current window and the smallest job worth splitting, read on any thread.
  std::mutex tune_mutex_;  // guards tuner_ and windows_
  SplitTuner tuner_;
  std::int64_t windows_ = 0;  // windows ended
  std::atomic<std::int64_t> window_start_{0}, window_cost_{0}, window_jobs_{0};
  std::atomic<double> split_from_{SplitTuner::threshold_ns(0)};
  // Guarded by run_mutex_: the fallback to the calling thread (see judge) and what the pool did.
  std::int64_t alone_left_ = 0;  // jobs still to run on the calling thread alone
  std::int64_t backoff_ = min_backoff;
  int lost_waking_in_a_row_ = 0;  // split jobs in a row lost while a worker was still waking (see judge)
  bool first_split_ = false;      // the workers have been started, and no job has been split since
  std::int64_t timed_ = 0;        // jobs learnt from
  PoolStats stats_;
};

int default_threads() {
  if (const char* env = std::getenv("TG_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
}

// The pool, made on first use. set_num_threads replaces it: call it while no kernel runs on another thread.
std::mutex g_pool_mutex;
std::unique_ptr<Pool> g_pool_owner;
std::atomic<Pool*> g_pool{nullptr};

Pool& pool() {
  if (Pool* p = g_pool.load(std::memory_order_acquire)) return *p;
  std::lock_guard lock(g_pool_mutex);
  if (!g_pool_owner) g_pool_owner = std::make_unique<Pool>(default_threads());
  g_pool.store(g_pool_owner.get(), std::memory_order_release);
  return *g_pool_owner;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) fail("set_num_threads", "n is " + std::to_string(n) + ", but must be at least 1");
  std::lock_guard lock(g_pool_mutex);
  if (g_pool_owner && g_pool_owner->size() == n) return;
  g_pool.store(nullptr);
  g_pool_owner = std::make_unique<Pool>(n);
  g_pool.store(g_pool_owner.get(), std::memory_order_release);
}

int num_threads() { return pool().size(); }

PoolStats pool_stats() { return pool().stats(); }

void parallel_for(std::int64_t n, TaskRef f, double cost_ns) {
  if (n <= 0) return;
  Pool& p = pool();
  if (n == 1 || p.size() == 1) {
    for (std::int64_t i = 0; i < n; ++i) f(i);
    return;
  }
  p.run(n, f, cost_ns);
}

double speed() { return pool().speed(); }

std::int64_t worth_splitting(double cost_ns, std::int64_t max_tasks) {
  // Measured on a 2-core machine (docs/performance.md): handing a job to a spinning worker costs about 1 us, to a
  // sleeping one 10-50 us, and when the other core is busy a worker may be descheduled holding its task, so that a
  // job split in two takes longer than on one thread. Jobs under the split tuner's threshold (100 us at first, then
  // measured: split_tuner.hpp), by the estimate times the measured speed(), stay on the calling thread; larger ones
  // are cut into shares of at least 25 us, several per thread, so that a late worker holds back only a small share.
  // Until a job is worth 1 ms here the pool runs them on the calling thread (Pool::run): the IWAE models of batch 20
  // (k = 1 and 5) have no such job, so they run on one thread at any thread count, as fast as on one thread; the VAE
  // of batch 128 and IWAE k = 50 have several per step.
  constexpr double min_share_ns = 25e3;
  Pool& p = pool();
  const int threads = p.size();
  if (threads == 1) return 1;
  const double split_from = p.split_from_ns(cost_ns);  // counts the job in the split tuner's window
  if (max_tasks < 2) return 1;
  const double cost = cost_ns * p.speed();
  if (cost < split_from) return 1;
  const auto by_cost = static_cast<std::int64_t>(cost / min_share_ns);
  return std::max<std::int64_t>(1, std::min({max_tasks, by_cost, std::int64_t{4} * threads}));
}

}  // namespace tg
