// What a product costs when the thread pool cuts it into tasks but runs them all on the calling thread, against the
// same product at 1 thread. The pool does that at any thread count above 1 before its workers start (in a program
// whose every job is under 1 ms here, such as the IWAE of batch 20, for its whole run) and while its split jobs lose
// (thread_pool.cpp). The tasks must then cost no more than the unsplit product: no block of A packed twice, no part
// of a tile computed and thrown away (docs/kernels.md, section 5).
//   bench_gemm_alone [threads] [reps]
// For each product below, in `reps` rounds alternating between a pool of 1 thread and a new pool of `threads` (2 by
// default), whose workers have not started: the median microseconds per product of each, and their ratio, 1 thread
// over `threads` (1.00: the cut costs nothing; above: a cut run alone is faster, below: slower). The pool's jobs per
// product, in the last round, show whether the product was cut (1 or more: every call), and a note says where the
// workers started after all.
#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "autodiff/random.hpp"
#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "gemm_shapes.hpp"

namespace {

// Products of the IWAE steps of batch 20 that the pool cuts (more than 100 us) but that do not start its workers
// (less than 1 ms), each through one of the ways a cut can cost: the packed path with few row blocks, whose tasks
// also split the columns (M = 100: the decoder at k = 5), and the few-rows path, B stored (N, K) or (K, N), its
// rows a batch of 20 or 32. The encoder's first product sits at the threshold on a fast core: the pool cuts it in
// only some of its calls, as in training (its jobs per product say how many).
constexpr bench::GemmShape shapes[] = {
    {"IWAE k=5 dec out  h[100,200] W^T", 100, 784, 200, false, true},
    {"IWAE k=5 dec out dX dY[100,784] W", 100, 200, 784, false, false},
    {"IWAE enc fc1  x[20,784] W^T", 20, 200, 784, false, true},
    {"few rows  x[32,784] W^T", 32, 400, 784, false, true},
    {"few rows dX dY[32,400] W", 32, 784, 400, false, false},
};

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v[v.size() / 2];
}

}  // namespace

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::max(2, std::atoi(argv[1])) : 2;
  const int reps = argc > 2 ? std::max(1, std::atoi(argv[2])) : 7;
  std::printf(
      "# tapegrad sgemm cut into tasks for %d threads and run on the calling thread alone, against 1 thread;"
      " %d rounds, medians\n",
      threads, reps);
  std::printf("%-34s %5s %5s %5s %2s %10s %10s %8s %12s\n", "shape", "M", "N", "K", "op", "1t us", "alone us",
              "1t/alone", "jobs/product");
  tg::Generator gen(1);
  for (const bench::GemmShape& s : shapes) {
    bench::Floats A(s.M * s.K), B(s.K * s.N), C(s.M * s.N);
    for (float& a : A) a = static_cast<float>(gen.uniform() - 0.5);
    for (float& b : B) b = static_cast<float>(gen.uniform() - 0.5);
    std::int64_t calls = 0;
    auto product = [&] {
      ++calls;
      tg::kernels::gemm<float>(s.ta, s.tb, s.M, s.N, s.K, A.data(), B.data(), C.data(), false);
    };
    const double flop = 2.0 * static_cast<double>(s.M * s.N * s.K);
    auto microseconds = [&] { return flop / (bench::gflops(s, 1, product).wall * 1e3); };
    std::vector<double> one, alone;
    double jobs = 0;
    bool started = false;
    for (int r = 0; r < reps; ++r) {
      tg::set_num_threads(1);
      one.push_back(microseconds());
      tg::set_num_threads(threads);  // a new pool: its workers start only for a job of 1 ms or more
      const auto before = tg::pool_stats();
      const std::int64_t calls_before = calls;
      alone.push_back(microseconds());
      const auto after = tg::pool_stats();
      jobs = static_cast<double>(after.unstarted - before.unstarted) / static_cast<double>(calls - calls_before);
      started = started || after.workers > 0;
    }
    std::printf("%-34s %5lld %5lld %5lld %c%c %10.2f %10.2f %8.3f %12.2f%s\n", s.name, static_cast<long long>(s.M),
                static_cast<long long>(s.N), static_cast<long long>(s.K), s.ta ? 'T' : 'N', s.tb ? 'T' : 'N',
                median(one), median(alone), median(one) / median(alone), jobs,
                started ? "  (the workers started: not run alone)" : "");
  }
  tg::set_num_threads(1);
}
