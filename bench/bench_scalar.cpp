// The tape's own cost: the scalar chain a = tanh(a * b + c) over n links, every value a one-element tensor, so the
// arithmetic is nothing and what is measured is recording an op and sweeping it back. One node = one tape entry
// (three per link: mul, add, tanh); the figure is forward + backward + clear, per node. Also counts every heap
// allocation (a replaced operator new) per node in steady state.
//   bench_scalar [--links 1000] [--reps 9]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "tests/support/count_new.hpp"

using namespace tg;
using Clock = std::chrono::steady_clock;

int main(int argc, char** argv) {
  long links = 1000;
  int reps = 9;
  for (int i = 1; i + 1 < argc; i += 2) {
    if (!std::strcmp(argv[i], "--links")) links = std::max(1L, std::atol(argv[i + 1]));
    if (!std::strcmp(argv[i], "--reps")) reps = std::max(1, std::atoi(argv[i + 1]));
  }
  set_num_threads(1);
  Tape tape;
  TapeScope scope(tape);
  Tensor a0 = scalar(0.5).requires_grad(true), b = scalar(0.9).requires_grad(true), c = scalar(0.1).requires_grad(true);
  auto pass = [&] {  // forward, backward, clear: one training step of the chain
    tape.clear();
    a0.zero_grad(), b.zero_grad(), c.zero_grad();
    Tensor a = a0;
    for (long i = 0; i < links; ++i) a = tanh(a * b + c);
    backward(a);
  };
  for (int i = 0; i < 3; ++i) pass();  // warm-up: the pools and the tape's vector reach their size
  const double nodes = 3.0 * static_cast<double>(links);
  std::vector<double> us;
  us.reserve(static_cast<std::size_t>(reps));  // the benchmark's own bookkeeping allocates nothing while counting
  const long news_before = tg::support::heap_allocations();
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    pass();
    us.push_back(std::chrono::duration<double, std::micro>(Clock::now() - t0).count() / nodes);
  }
  const long news = tg::support::heap_allocations() - news_before;
  std::sort(us.begin(), us.end());
  std::printf("# tapegrad scalar chain a = tanh(a * b + c), %ld links = %.0f nodes (tape entries), %d reps\n", links,
              nodes, reps);
  std::printf("%-34s %9s %9s %9s %16s\n", "", "median", "min", "max", "heap allocs/node");
  std::printf("%-34s %9.3f %9.3f %9.3f %16.2f\n", "us per node, forward + backward", us[us.size() / 2], us.front(),
              us.back(), static_cast<double>(news) / (nodes * reps));
  std::printf("%-34s %9.3f %9.3f %9.3f\n", "us per link (3 nodes)", 3 * us[us.size() / 2], 3 * us.front(),
              3 * us.back());
  std::printf("check: d a_n / d b = %.6f\n", b.grad().item());
  return 0;
}
