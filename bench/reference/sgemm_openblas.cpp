// The OpenBLAS reference for bench_gemm: cblas_sgemm GFLOP/s on the same shapes (bench/gemm_shapes.hpp), timed the
// same way (calibrated to ~0.25 s per rep, median of the reps; by the wall clock and per second of CPU time). It
// links OpenBLAS only, never tapegrad.
//   sgemm_openblas [threads] [reps]
// OpenBLAS picks its kernels from the CPU unless OPENBLAS_CORETYPE names one; bench/compare.sh unsets it for this
// program alone, so that OpenBLAS runs the best kernels it has for the machine.
#include <cblas.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <vector>

#include "../gemm_shapes.hpp"

int main(int argc, char** argv) {
  const int threads = std::max(1, argc > 1 ? std::atoi(argv[1]) : 1);
  const int reps = std::max(1, argc > 2 ? std::atoi(argv[2]) : 5);
  openblas_set_num_threads(threads);
  std::printf("#%ssgemm, core %s, threads=%d reps=%d: median GFLOP/s; GFLOP per CPU-second\n", OPENBLAS_VERSION,
              openblas_get_corename(), openblas_get_num_threads(), reps);
  std::mt19937 rng(1);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  for (const bench::GemmShape& s : bench::gemm_shapes) {
    bench::Floats A(s.M * s.K), B(s.K * s.N), C(s.M * s.N);
    for (float& a : A) a = u(rng);
    for (float& b : B) b = u(rng);
    const int M = static_cast<int>(s.M), N = static_cast<int>(s.N), K = static_cast<int>(s.K);
    const int lda = s.ta ? M : K, ldb = s.tb ? K : N;
    const bench::Rate g = bench::gflops(s, reps, [&] {
      cblas_sgemm(CblasRowMajor, s.ta ? CblasTrans : CblasNoTrans, s.tb ? CblasTrans : CblasNoTrans, M, N, K, 1.0f,
                  A.data(), lda, B.data(), ldb, 0.0f, C.data(), N);
    });
    std::printf("%-34s M=%4d N=%4d K=%4d %c%c  openblas %7.1f GFLOP/s  per CPU-second %7.1f\n", s.name, M, N, K,
                s.ta ? 'T' : 'N', s.tb ? 'T' : 'N', g.wall, g.cpu);
  }
  return 0;
}
