// The GEMM shapes of the VAE / IWAE training steps of bench_train, and 1024^3: one list, read by bench_gemm and by
// the OpenBLAS reference (reference/sgemm_openblas.cpp), so both time the same products, the same way (gflops).
// Row-major C (M, N) = op(A) op(B); ta: A is stored (K, M); tb: B is stored (N, K), as a Linear's weight in x W^T.
#pragma once
#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdlib>
#include <ctime>
#include <new>
#include <vector>

namespace bench {

struct GemmShape {
  const char* name;
  std::int64_t M, N, K;
  bool ta, tb;
};

inline constexpr GemmShape gemm_shapes[] = {
    {"VAE fc1 fwd   x[128,784] W1^T", 128, 400, 784, false, true},
    {"VAE fc4 fwd   h[128,400] W4^T", 128, 784, 400, false, true},
    {"VAE fc4 dW    dY^T[784,128] h", 784, 400, 128, true, false},
    {"VAE fc1 dW    dY^T[400,128] x", 400, 784, 128, true, false},
    {"IWAE enc fc1  x[20,784] W^T", 20, 200, 784, false, true},
    {"IWAE enc fc1 dW dY^T[200,20] x", 200, 784, 20, true, false},
    {"IWAE dec fc1  z[1000,50] W^T", 1000, 200, 50, false, true},
    {"IWAE dec fc2  h[1000,200] W^T", 1000, 200, 200, false, true},
    {"IWAE dec out  h[1000,200] W^T", 1000, 784, 200, false, true},
    {"IWAE dec out dX dY[1000,784] W", 1000, 200, 784, false, false},
    {"IWAE dec out dW dY^T[784,1000] h", 784, 200, 1000, true, false},
    {"square 1024^3 (NN)", 1024, 1024, 1024, false, false},
};

// n floats in a 64-byte aligned buffer, as a tensor's storage holds them (autodiff/runtime/storage.hpp): both programs
// give their GEMM operands that alignment, the one it meets in training. (A std::vector's 16 bytes would make every
// other 32-byte load of a row straddle two cache lines, which costs the few-rows path of tapegrad a fifth.)
class Floats {
 public:
  explicit Floats(std::int64_t n)
      : n_(static_cast<std::size_t>(n)),
        p_(static_cast<float*>(std::aligned_alloc(64, (n_ * sizeof(float) + 63) / 64 * 64))) {
    if (!p_) throw std::bad_alloc();
  }
  ~Floats() { std::free(p_); }
  Floats(const Floats&) = delete;
  Floats& operator=(const Floats&) = delete;
  float* data() { return p_; }
  float* begin() { return p_; }
  float* end() { return p_ + n_; }

 private:
  std::size_t n_;
  float* p_;
};

// What gflops measures, both the median of the reps: GFLOP/s by the clock on the wall, and GFLOP per second of the
// process's CPU time (std::clock), which leaves out the time the process waited for a core. On a shared machine the
// wall figure moves with the others' load from one program to the next, the CPU figure much less; with threads, the
// CPU figure counts every thread's time, waiting included: GFLOP per CPU-second, not throughput.
struct Rate {
  double wall, cpu;
};

// GFLOP/s of gemm() on shape s: calibrated to about 0.25 s per rep, the medians of `reps` reps.
template <class F>
Rate gflops(const GemmShape& s, int reps, F&& gemm) {
  const double flop = 2.0 * static_cast<double>(s.M * s.N * s.K);
  std::int64_t iters = 1;
  for (;;) {  // calibrate to ~0.25 s per rep
    const auto t0 = std::chrono::steady_clock::now();
    for (std::int64_t i = 0; i < iters; ++i) gemm();
    const double dt = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (dt > 0.05) {
      iters = static_cast<std::int64_t>(static_cast<double>(iters) * 0.25 / dt) + 1;
      break;
    }
    iters *= 2;
  }
  std::vector<double> wall, cpu;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    const std::clock_t c0 = std::clock();
    for (std::int64_t i = 0; i < iters; ++i) gemm();
    const double c = static_cast<double>(std::clock() - c0) / CLOCKS_PER_SEC;
    const double w = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    wall.push_back(flop * static_cast<double>(iters) / w * 1e-9);
    cpu.push_back(flop * static_cast<double>(iters) / c * 1e-9);
  }
  std::sort(wall.begin(), wall.end());
  std::sort(cpu.begin(), cpu.end());
  return {wall[wall.size() / 2], cpu[cpu.size() / 2]};
}

}  // namespace bench
