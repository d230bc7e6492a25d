// GEMM throughput (GFLOP/s) of tapegrad's packed kernel and its plain-loop reference twin, on the shapes of the
// VAE / IWAE training steps and 1024^3 (bench/gemm_shapes.hpp, the list reference/sgemm_openblas.cpp times too),
// by the wall clock and per second of CPU time (bench::Rate).
//   bench_gemm [threads] [reps] [--no-plain]
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "autodiff/random.hpp"
#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "gemm_shapes.hpp"

using Shape = bench::GemmShape;

int main(int argc, char** argv) {
  const int threads = argc > 1 ? std::atoi(argv[1]) : 1, reps = argc > 2 ? std::atoi(argv[2]) : 5;
  tg::set_num_threads(std::max(1, threads));
  const bool with_plain = !(argc > 3 && std::string(argv[3]) == "--no-plain");
  std::printf(
      "# tapegrad sgemm, threads=%d reps=%d: median GFLOP/s of the packed kernel and of the plain loops; the packed"
      " kernel's GFLOP per CPU-second\n",
      tg::num_threads(), reps);
  tg::Generator gen(1);
  for (const Shape& s : bench::gemm_shapes) {
    bench::Floats A(s.M * s.K), B(s.K * s.N), C(s.M * s.N);
    for (float& a : A) a = static_cast<float>(gen.uniform() - 0.5);
    for (float& b : B) b = static_cast<float>(gen.uniform() - 0.5);
    const bench::Rate packed = bench::gflops(
        s, reps, [&] { tg::kernels::gemm<float>(s.ta, s.tb, s.M, s.N, s.K, A.data(), B.data(), C.data(), false); });
    double plain = 0;  // the plain loops take minutes above 300 M multiply-adds
    if (with_plain && s.M * s.N * s.K <= 300'000'000)
      plain = bench::gflops(s, 1, [&] {
                tg::kernels::gemm_reference<float>(s.ta, s.tb, s.M, s.N, s.K, A.data(), B.data(), C.data(), false);
              }).wall;
    std::printf("%-34s M=%4lld N=%4lld K=%4lld %c%c  packed %7.1f GFLOP/s  plain %6.1f  per CPU-second %7.1f\n", s.name,
                static_cast<long long>(s.M), static_cast<long long>(s.N), static_cast<long long>(s.K), s.ta ? 'T' : 'N',
                s.tb ? 'T' : 'N', packed.wall, plain, packed.cpu);
  }
  return 0;
}
