// The thread pool (see thread_pool.hpp): workers sleep on a condition variable; a parallel_for hands out task
// indices through an atomic counter, and the caller takes tasks as well.
#include "autodiff/thread_pool.hpp"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg {

namespace {

class Pool {
 public:
  explicit Pool(int n) {
    for (int i = 1; i < n; ++i) workers_.emplace_back([this] { work(); });
  }
  ~Pool() {
    {
      std::lock_guard lock(mutex_);
      stop_ = true;
    }
    wake_.notify_all();
    for (auto& t : workers_) t.join();
  }
  int size() const { return static_cast<int>(workers_.size()) + 1; }

  void run(std::int64_t n, const std::function<void(std::int64_t)>& f) {
    std::lock_guard serial(run_mutex_);  // one parallel_for at a time
    auto job = std::make_shared<Job>();
    job->f = &f, job->n = n;
    {
      std::lock_guard lock(mutex_);
      job_ = job;
      ++generation_;
    }
    wake_.notify_all();
    take_tasks(*job);
    std::unique_lock lock(mutex_);
    finished_.wait(lock, [&] { return job->done == n; });
    job_.reset();
  }

 private:
  struct Job {  // one parallel_for: a worker that wakes late finds its counter used up and does nothing
    const std::function<void(std::int64_t)>* f = nullptr;
    std::int64_t n = 0, done = 0;  // done is guarded by mutex_
    std::atomic<std::int64_t> next{0};
  };
  void take_tasks(Job& job) {
    std::int64_t count = 0;
    for (std::int64_t i; (i = job.next.fetch_add(1)) < job.n; ++count) (*job.f)(i);
    if (count == 0) return;
    std::lock_guard lock(mutex_);
    job.done += count;
    if (job.done == job.n) finished_.notify_all();
  }
  void work() {
    std::uint64_t seen = 0;
    for (;;) {
      std::shared_ptr<Job> job;
      {
        std::unique_lock lock(mutex_);
        wake_.wait(lock, [&] { return stop_ || (job_ && generation_ != seen); });
        if (stop_) return;
        job = job_;
        seen = generation_;
      }
      take_tasks(*job);
    }
  }
  std::vector<std::thread> workers_;
  std::mutex mutex_, run_mutex_;
  std::condition_variable wake_, finished_;
  std::shared_ptr<Job> job_;
  std::uint64_t generation_ = 0;
  bool stop_ = false;
};

}  // namespace

namespace {

int default_threads() {
  if (const char* env = std::getenv("TG_NUM_THREADS")) {
    const int n = std::atoi(env);
    if (n >= 1) return n;
  }
  return std::max(1u, std::thread::hardware_concurrency());
}

std::mutex g_pool_mutex;
std::unique_ptr<Pool>& pool_slot() {
  static std::unique_ptr<Pool> pool;
  return pool;
}
Pool& pool() {
  std::lock_guard lock(g_pool_mutex);
  auto& p = pool_slot();
  if (!p) p = std::make_unique<Pool>(default_threads());
  return *p;
}

}  // namespace

void set_num_threads(int n) {
  if (n < 1) fail("set_num_threads", "n is " + std::to_string(n) + ", but must be at least 1");
  std::lock_guard lock(g_pool_mutex);
  auto& p = pool_slot();
  if (!p || p->size() != n) p = std::make_unique<Pool>(n);
}

int num_threads() { return pool().size(); }

void parallel_for(std::int64_t n, const std::function<void(std::int64_t)>& f) {
  if (n <= 0) return;
  Pool& p = pool();
  if (n == 1 || p.size() == 1) {
    for (std::int64_t i = 0; i < n; ++i) f(i);
    return;
  }
  p.run(n, f);
}

}  // namespace tg
