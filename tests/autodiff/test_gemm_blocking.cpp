// The packed GEMM (autodiff/runtime/gemm.cpp) against its plain-loop twin kernels::gemm_reference at the sizes where
// the blocked code changes course: across every cache block (K > 256, M > 96 rows, N > 2048 columns), at the edges of
// the register tile, on the few-rows path of the training steps (M <= 32), in all four transpose combinations, with
// and without accumulation, and on the thread pool, whose split must not change a single bit.
#include <algorithm>

#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "test_util.hpp"

using namespace tg;

namespace {

struct Dims3 {
  std::int64_t M, N, K;
};

template <class T>
std::vector<T> values(std::size_t n, std::uint64_t seed) {
  Generator gen(seed);
  std::vector<T> v(n);
  for (T& x : v) x = static_cast<T>(gen.uniform() * 2 - 1);
  return v;
}

// Restores the pool's size when a test ends, also when it fails.
struct ThreadsFor {
  int saved = num_threads();
  explicit ThreadsFor(int n) { set_num_threads(n); }
  ~ThreadsFor() { set_num_threads(saved); }
};

// gemm against gemm_reference: |fast - twin| <= tol * (1 + sum_k |a_ik b_kj|) for every element, C overwritten
// (from a poisoned start) and accumulated onto.
template <class T>
void check_against_twin(Dims3 d, bool ta, bool tb, double tol) {
  const auto A = values<T>(static_cast<std::size_t>(d.M * d.K), 11 + d.M);
  const auto B = values<T>(static_cast<std::size_t>(d.K * d.N), 13 + d.N);
  const auto C0 = values<T>(static_cast<std::size_t>(d.M * d.N), 17);
  for (bool acc : {false, true}) {
    std::vector<T> fast = acc ? C0 : std::vector<T>(C0.size(), T(1e30)), twin = C0;
    kernels::gemm<T>(ta, tb, d.M, d.N, d.K, A.data(), B.data(), fast.data(), acc);
    kernels::gemm_reference<T>(ta, tb, d.M, d.N, d.K, A.data(), B.data(), twin.data(), acc);
    for (std::size_t e = 0; e < fast.size(); ++e) {
      const double scale = static_cast<double>(d.K) + 1;  // |a|, |b| <= 1
      if (std::abs(static_cast<double>(fast[e]) - static_cast<double>(twin[e])) > tol * scale) {
        INFO("M " << d.M << " N " << d.N << " K " << d.K << " ta " << ta << " tb " << tb << " acc " << acc
                  << " element (" << static_cast<std::int64_t>(e) / d.N << ", " << static_cast<std::int64_t>(e) % d.N
                  << "): gemm " << fast[e] << ", gemm_reference " << twin[e]);
        REQUIRE(false);
      }
    }
  }
}

template <class T>
void check_shapes(const std::vector<Dims3>& shapes, double tol) {
  for (const Dims3& d : shapes)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) check_against_twin<T>(d, ta, tb, tol);
}

}  // namespace

TEST_CASE("gemm: matches gemm_reference across the K, M and N cache blocks (K > 256, M > 96, N > 2048)",
          "[kernels][gemm]") {
  ThreadsFor one(1);
  const std::vector<Dims3> shapes = {{97, 35, 257}, {193, 19, 513}, {9, 2049, 5}, {100, 2051, 258}};
  check_shapes<double>(shapes, 1e-14);
  check_shapes<float>(shapes, 1e-6);
}

TEST_CASE("gemm: matches gemm_reference at every register-tile edge and on the few-rows path (M <= 32)",
          "[kernels][gemm]") {
  ThreadsFor one(1);
  std::vector<Dims3> shapes;
  for (std::int64_t M = 1; M <= 33; ++M) shapes.push_back({M, 1 + (M * 7) % 41, 1 + (M * 13) % 37});
  for (std::int64_t M : {1, 2, 5, 7, 20, 31, 32, 33}) shapes.push_back({M, 200, 784});  // the IWAE encoder's rows
  for (std::int64_t N : {1, 7, 8, 9, 15, 16, 17, 31, 33, 47, 65}) shapes.push_back({20, N, 300});
  check_shapes<double>(shapes, 1e-14);
  check_shapes<float>(shapes, 1e-6);
}

TEST_CASE("gemm: the threaded path gives the bits of one thread for any pool size", "[kernels][gemm][threads]") {
  const std::vector<Dims3> shapes = {{20, 200, 784}, {128, 400, 300}, {257, 33, 270}, {1000, 50, 20}, {7, 2100, 64}};
  for (const Dims3& d : shapes)
    for (bool ta : {false, true})
      for (bool tb : {false, true}) {
        const auto A = values<float>(static_cast<std::size_t>(d.M * d.K), 3);
        const auto B = values<float>(static_cast<std::size_t>(d.K * d.N), 5);
        std::vector<float> one(static_cast<std::size_t>(d.M * d.N));
        {
          ThreadsFor t(1);
          kernels::gemm<float>(ta, tb, d.M, d.N, d.K, A.data(), B.data(), one.data(), false);
        }
        for (int threads : {2, 3}) {
          ThreadsFor t(threads);
          std::vector<float> many(one.size(), 1e30f);
          kernels::gemm<float>(ta, tb, d.M, d.N, d.K, A.data(), B.data(), many.data(), false);
          const auto at = std::mismatch(one.begin(), one.end(), many.begin()).first - one.begin();
          INFO("M " << d.M << " N " << d.N << " K " << d.K << " ta " << ta << " tb " << tb << " threads " << threads
                    << ": first difference at element " << at);
          REQUIRE(at == static_cast<std::ptrdiff_t>(one.size()));
        }
        ThreadsFor t(2);  // and the threaded path is right, not only the same
        check_against_twin<float>(d, ta, tb, 1e-6);
      }
}

// A thread keeps the block of A it packed last (gemm.cpp, PackedA) and packs it again only for another row block,
// another K block or another product. Here one row block (M <= 96) over three K blocks, two or three row blocks,
// few rows (M <= 32: all of A packed, or transposed, at once), and products of the same shape in a row with
// different A, one of them a single block of A (M <= 96, K <= 256), which the next product starts with: a block
// taken for the wrong rows, the wrong K block or from the previous product gives wrong values. In all four transpose
// combinations, on one thread, and on two, where the pool first runs the split job on the calling thread alone (the
// tasks of a row block one after the other) and then, started, splits it.
TEST_CASE("gemm: a thread reuses its packed block of A only for the same rows, K block and product",
          "[kernels][gemm][threads]") {
  const std::vector<Dims3> shapes = {{64, 300, 600},  {80, 300, 200}, {96, 520, 700},
                                     {150, 400, 300}, {20, 300, 600}, {32, 784, 200}};
  for (int threads : {1, 2}) {
    ThreadsFor t(threads);
    for (const Dims3& d : shapes)
      for (bool ta : {false, true})
        for (bool tb : {false, true})
          for (int round = 0; round < 4; ++round) {  // the workers start within the first rounds at 2 threads
            const auto A = values<float>(static_cast<std::size_t>(d.M * d.K), 100 + static_cast<std::uint64_t>(round));
            const auto B = values<float>(static_cast<std::size_t>(d.K * d.N), 7);
            std::vector<float> fast(static_cast<std::size_t>(d.M * d.N), 1e30f), twin(fast.size());
            kernels::gemm<float>(ta, tb, d.M, d.N, d.K, A.data(), B.data(), fast.data(), false);
            kernels::gemm_reference<float>(ta, tb, d.M, d.N, d.K, A.data(), B.data(), twin.data(), false);
            double worst = 0;
            for (std::size_t e = 0; e < fast.size(); ++e)
              worst = std::max(worst, std::abs(static_cast<double>(fast[e]) - static_cast<double>(twin[e])));
            INFO("M " << d.M << " N " << d.N << " K " << d.K << " ta " << ta << " tb " << tb << " threads " << threads
                      << " round " << round);
            REQUIRE(worst <= 1e-6 * static_cast<double>(d.K + 1));
          }
  }
}
