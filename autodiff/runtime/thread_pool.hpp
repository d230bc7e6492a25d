// A small pool of std::threads for the kernels. set_num_threads(n) sizes it; the default comes from the environment
// variable TG_NUM_THREADS, else the number of cores. The calling thread always works too. Workers spin briefly
// after a job, so that the next one (a few microseconds later, in a training step) starts without a wake-up, then
// sleep. Kernels decide whether a piece of work is worth splitting (see worth_splitting); the pool runs what it gets.
//
// Which jobs are worth splitting is measured, not fixed: once the workers have started, the split tuner
// (split_tuner.hpp) times the whole program in windows of about 20 ms, each splitting only jobs above one threshold
// (100 us, 200 us, ... 6.4 ms, or none), and settles on the threshold at which the program ran fastest. On a quiet
// machine that is where the second core pays; on a loaded one, where splitting costs more than it gains, it splits
// nothing.
//
// What a job costs depends on the machine: the kernels estimate it (kernels::cost_ns, figures of one AVX2 core), and
// the pool times the jobs it is given with an estimate and learns how this machine's time compares (speed():
// measured / estimated; 0.5 where the kernels run twice as fast as the figures say). worth_splitting judges the
// estimate times that ratio. The workers start with the first job of 1 ms or more by that measure (once a few jobs
// have been timed), not before: until then the program has one thread, and the C library keeps shared_ptr's
// reference counts (every Tensor copy) plain instead of atomic.
//
// Except while splitting loses. On a loaded machine a worker can take a task and then be descheduled for a whole
// time slice (milliseconds) while the caller waits for it, or wake up too late to take any task at all. So the pool
// times every job it splits: the caller knows how long its own tasks took, hence how long it would have needed for
// all of them. A job that took longer lost, as did one whose every task the caller ran itself while the workers
// were spinning, ready (they were not given a core in time); a job that lost while a worker was still waking from
// sleep counts only when the next split job does the same (waking takes tens of microseconds). After a loss
// the next 8 jobs run on the calling thread alone, the workers asleep; then the pool splits a job again, and if that
// one loses too, twice as many run alone (up to 1024). A job that wins brings the count back to 8. Only who runs a task
// changes, never the task: the results have the same bits either way. pool_stats() tells what the pool did.
#pragma once
#include <cstdint>
#include <memory>
#include <type_traits>

namespace tg {

void set_num_threads(int n);  // n >= 1; 1 runs everything on the calling thread
int num_threads();

// What the pool did with the jobs it got (parallel_for with n >= 2 tasks, 2 threads or more) since it was made; a
// new pool (set_num_threads with another count) starts from 0.
struct PoolStats {
  std::int64_t split = 0;      // jobs handed out to the workers
  std::int64_t won = 0;        // ... of which the caller alone would have taken longer
  std::int64_t lost = 0;       // ... of which it would not, or it ran every task itself: the pool falls back
  std::int64_t alone = 0;      // jobs run on the calling thread alone, falling back after a job lost
  std::int64_t unstarted = 0;  // jobs run on the calling thread, timed, before the workers started
  std::int64_t workers = 0;    // worker threads started (with the first job of 1 ms; 0 until then)
  double speed = 1;            // this machine's time / the kernels' estimate, learned from timed jobs (see speed())
  std::int64_t windows = 0;    // windows the split tuner has measured (split_tuner.hpp)
  int level = 0;               // ... and its level now: jobs of 100 us x 2^level or more are split; 7: none
};
PoolStats pool_stats();

// A reference to a task body f(i), which stays on the caller's stack for the whole parallel_for: no copy and no
// heap allocation (unlike std::function).
class TaskRef {
 public:
  template <class F>
  TaskRef(F&& f)  // NOLINT: implicit on purpose, parallel_for takes the lambda as it is
      : body_(const_cast<void*>(static_cast<const void*>(std::addressof(f)))),
        call_([](void* body, std::int64_t i) { (*static_cast<std::remove_reference_t<F>*>(body))(i); }) {}
  void operator()(std::int64_t i) const { call_(body_, i); }

 private:
  void* body_;
  void (*call_)(void* body, std::int64_t i);
};

// Runs f(0), ..., f(n - 1), spread over the pool; returns when all are done. Tasks must not throw. `cost_ns` is
// the kernels' estimate of what all n take on one thread: the pool times the job and learns from it (speed()), and
// runs such jobs on the calling thread until one of them is worth 1 ms here. 0: no estimate; split as asked.
void parallel_for(std::int64_t n, TaskRef f, double cost_ns = 0);

// How this machine's time compares with the kernels' estimates: the geometric mean of measured / estimated over
// the jobs timed lately (1 until a job has been timed). With 1 thread nothing is timed.
double speed();

// The cost model: work estimated at `cost_ns` nanoseconds (as one thread would take, by the kernels' figures), which
// takes cost_ns x speed() here, is split over the pool only when it is at least the split tuner's threshold (100 us
// until the workers start), into shares that still outweigh the price of handing them out, a few microseconds.
// Every call counts in the tuner's window, split or not. Returns how many tasks to make (1: run it on the calling
// thread).
std::int64_t worth_splitting(double cost_ns, std::int64_t max_tasks);

// Runs f(begin, end) over [0, n) cut into contiguous blocks, spread over the pool when n items of `cost_ns_each`
// nanoseconds each are worth splitting, else f(0, n) on the calling thread. For work whose every item (an element,
// a row of output) is computed on its own: the result is then the same, bit for bit, for any number of threads.
template <class F>
void parallel_blocks(std::int64_t n, double cost_ns_each, F&& f) {
  const std::int64_t tasks = n > 1 ? worth_splitting(cost_ns_each * static_cast<double>(n), n) : 1;
  if (tasks <= 1) return f(std::int64_t{0}, n);
  const std::int64_t per = (n + tasks - 1) / tasks;
  parallel_for(
      tasks,
      [&](std::int64_t t) {
        const std::int64_t begin = t * per, end = begin + per < n ? begin + per : n;
        if (begin < end) f(begin, end);
      },
      cost_ns_each * static_cast<double>(n));
}

}  // namespace tg
