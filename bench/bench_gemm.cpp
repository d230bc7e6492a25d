// GEMM throughput (GFLOP/s) of tapegrad's packed kernel and its plain-loop reference twin, on the shapes of the
// VAE / IWAE training steps (the same list as ../shared/reference/sgemm_openblas.c) and 1024^3.
//   bench_gemm [threads] [reps]
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <vector>

#include "autodiff/kernels.hpp"
#include "autodiff/random.hpp"
#include "autodiff/thread_pool.hpp"

using Clock = std::chrono::steady_clock;

struct Shape {
  const char* name;
  std::int64_t M, N, K;
  bool ta, tb;
};

template <class F>
static double gflops(const Shape& s, int reps, F&& gemm) {
  const double flop = 2.0 * static_cast<double>(s.M * s.N * s.K);
  std::int64_t iters = 1;
  for (;;) {  // calibrate to ~0.25 s per rep
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < iters; ++i) gemm();
    const double dt = std::chrono::duration<double>(Clock::now() - t0).count();
    if (dt > 0.05) {
      iters = static_cast<std::int64_t>(static_cast<double>(iters) * 0.25 / dt) + 1;
      break;
    }
    iters *= 2;
  }
  std::vector<double> g;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = Clock::now();
    for (std::int64_t i = 0; i < iters; ++i) gemm();
    g.push_back(flop * static_cast<double>(iters) / std::chrono::duration<double>(Clock::now() - t0).count() * 1e-9);
  }
  std::sort(g.begin(), g.end());
  return g[g.size() / 2];
}

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1, reps = argc > 2 ? std::atoi(argv[2]) : 5;
  tg::set_num_threads(std::max(1, threads));
  const Shape shapes[] = {{"VAE fc1 fwd   x[128,784] W1^T", 128, 400, 784, false, true},
                          {"VAE fc4 fwd   h[128,400] W4^T", 128, 784, 400, false, true},
                          {"VAE fc4 dW    dY^T[784,128] h", 784, 400, 128, true, false},
                          {"VAE fc1 dW    dY^T[400,128] x", 400, 784, 128, true, false},
                          {"IWAE enc fc1  x[20,784] W^T", 20, 200, 784, false, true},
                          {"IWAE dec fc1  z[1000,50] W^T", 1000, 200, 50, false, true},
                          {"IWAE dec fc2  h[1000,200] W^T", 1000, 200, 200, false, true},
                          {"IWAE dec out  h[1000,200] W^T", 1000, 784, 200, false, true},
                          {"IWAE dec out dX dY[1000,784] W", 1000, 200, 784, false, false},
                          {"IWAE dec out dW dY^T[784,1000] h", 784, 200, 1000, true, false},
                          {"square 1024^3 (NN)", 1024, 1024, 1024, false, false}};
  std::printf("# tapegrad sgemm, threads=%d reps=%d: median GFLOP/s of the packed kernel and of the plain loops\n",
              tg::num_threads(), reps);
  tg::Generator gen(1);
  for (const Shape& s : shapes) {
    std::vector<float> A(static_cast<std::size_t>(s.M * s.K)), B(static_cast<std::size_t>(s.K * s.N)),
        C(static_cast<std::size_t>(s.M * s.N));
    for (float& a : A) a = static_cast<float>(gen.uniform() - 0.5);
    for (float& b : B) b = static_cast<float>(gen.uniform() - 0.5);
    const double packed = gflops(
        s, reps, [&] { tg::kernels::gemm<float>(s.ta, s.tb, s.M, s.N, s.K, A.data(), B.data(), C.data(), false); });
    const double plain = s.M * s.N * s.K > 300'000'000 ? 0.0 : gflops(s, 1, [&] {
      tg::kernels::gemm_reference<float>(s.ta, s.tb, s.M, s.N, s.K, A.data(), B.data(), C.data(), false);
    });
    std::printf("%-34s M=%4lld N=%4lld K=%4lld %c%c  packed %7.1f GFLOP/s  plain %6.1f\n", s.name,
                static_cast<long long>(s.M), static_cast<long long>(s.N), static_cast<long long>(s.K), s.ta ? 'T' : 'N',
                s.tb ? 'T' : 'N', packed, plain);
  }
  return 0;
}
