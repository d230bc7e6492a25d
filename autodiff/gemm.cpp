// The packed, cache-blocked GEMM behind kernels::gemm (its plain-loop twin is kernels::gemm_reference).
// Blocks of op(B) (KC x NC) and op(A) (MC x KC) are copied ("packed") into contiguous panels, reading A or B
// transposed as asked, so no transpose is ever materialised; an MR x NR register tile of C is then computed by a
// std::experimental::simd micro-kernel. Row blocks of C are spread over the thread pool.
#include <algorithm>
#include <cstdlib>
#include <experimental/simd>
#include <memory>

#include "autodiff/kernels.hpp"
#include "autodiff/thread_pool.hpp"

namespace tg::kernels {

namespace stdx = std::experimental;

namespace {

template <class T>
struct Blocking {
  using V = stdx::native_simd<T>;
  static constexpr std::int64_t W = static_cast<std::int64_t>(V::size());
  static constexpr std::int64_t MR = 8, NR = 2 * W;  // 16 accumulators of width W
  static constexpr std::int64_t KC = 256, MC = 96, NC = 2048;
};

// A 64-byte aligned scratch buffer per thread, grown on demand and then reused (no allocation in steady state).
template <class T>
T* scratch(int slot, std::size_t n) {
  struct Buffer {
    T* p = nullptr;
    std::size_t n = 0;
    ~Buffer() { std::free(p); }
  };
  thread_local Buffer buffers[2];
  Buffer& b = buffers[slot];
  if (b.n < n) {
    std::free(b.p);
    b.n = (n + 15) / 16 * 16;
    b.p = static_cast<T*>(std::aligned_alloc(64, b.n * sizeof(T)));
  }
  return b.p;
}

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] as MR-row panels: panel r holds, for each k, MR consecutive values.
template <class T>
void pack_a(bool ta, const T* A, std::int64_t M, std::int64_t K, std::int64_t i0, std::int64_t mc, std::int64_t p0,
            std::int64_t kc, T* out) {
  constexpr std::int64_t MR = Blocking<T>::MR;
  for (std::int64_t r = 0; r < mc; r += MR)
    for (std::int64_t k = 0; k < kc; ++k)
      for (std::int64_t i = 0; i < MR; ++i) {
        const std::int64_t row = i0 + r + i, col = p0 + k;
        *out++ = r + i < mc ? (ta ? A[col * M + row] : A[row * K + col]) : T(0);
      }
}

// Packs op(B)[p0 : p0+kc, j0 : j0+nc] as NR-column panels: panel c holds, for each k, NR consecutive values.
template <class T>
void pack_b_panel(bool tb, const T* B, std::int64_t K, std::int64_t N, std::int64_t p0, std::int64_t kc, std::int64_t j,
                  std::int64_t nr, T* out) {
  constexpr std::int64_t NR = Blocking<T>::NR;
  if (tb) {  // B is stored (N, K): read each of its rows contiguously
    for (std::int64_t c = 0; c < NR; ++c)
      for (std::int64_t k = 0; k < kc; ++k) out[k * NR + c] = c < nr ? B[(j + c) * K + p0 + k] : T(0);
    return;
  }
  for (std::int64_t k = 0; k < kc; ++k)
    for (std::int64_t c = 0; c < NR; ++c) *out++ = c < nr ? B[(p0 + k) * N + j + c] : T(0);
}

// C[0:MR, 0:NR] (+)= a-panel x b-panel over kc, into a full tile `c` with row stride ldc.
template <class T>
void micro_kernel(std::int64_t kc, const T* a, const T* b, T* c, std::int64_t ldc, bool add) {
  using V = typename Blocking<T>::V;
  constexpr std::int64_t MR = Blocking<T>::MR, W = Blocking<T>::W, NR = Blocking<T>::NR;
  V acc0[MR], acc1[MR];
  for (std::int64_t i = 0; i < MR; ++i) acc0[i] = V(0), acc1[i] = V(0);
  for (std::int64_t k = 0; k < kc; ++k, a += MR, b += NR) {
    const V b0(b, stdx::vector_aligned), b1(b + W, stdx::vector_aligned);
    for (std::int64_t i = 0; i < MR; ++i) {
      const V ai(a[i]);
      acc0[i] += ai * b0;
      acc1[i] += ai * b1;
    }
  }
  for (std::int64_t i = 0; i < MR; ++i) {
    T* ci = c + i * ldc;
    if (add) acc0[i] += V(ci, stdx::element_aligned), acc1[i] += V(ci + W, stdx::element_aligned);
    acc0[i].copy_to(ci, stdx::element_aligned);
    acc1[i].copy_to(ci + W, stdx::element_aligned);
  }
}

// One MC-row block of C against the packed B block: pack this block of A, then every MR x NR tile.
template <class T>
void row_block(bool ta, const T* A, std::int64_t M, std::int64_t K, std::int64_t i0, std::int64_t mc, std::int64_t p0,
               std::int64_t kc, const T* bp, std::int64_t j0, std::int64_t nc, T* C, std::int64_t N, bool add) {
  constexpr std::int64_t MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  T* ap = scratch<T>(0, static_cast<std::size_t>((mc + MR - 1) / MR * MR * kc));
  pack_a(ta, A, M, K, i0, mc, p0, kc, ap);
  alignas(64) T tile[MR * NR];
  for (std::int64_t j = 0; j < nc; j += NR)
    for (std::int64_t i = 0; i < mc; i += MR) {
      const std::int64_t mr = std::min(MR, mc - i), nr = std::min(NR, nc - j);
      T* c = C + (i0 + i) * N + j0 + j;
      if (mr == MR && nr == NR) {
        micro_kernel(kc, ap + i * kc, bp + j * kc, c, N, add);
        continue;
      }
      micro_kernel(kc, ap + i * kc, bp + j * kc, tile, NR, false);  // edge tile: compute in full, copy the part
      for (std::int64_t r = 0; r < mr; ++r)
        for (std::int64_t s = 0; s < nr; ++s) c[r * N + s] = (add ? c[r * N + s] : T(0)) + tile[r * NR + s];
    }
}

}  // namespace

template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B, T* C,
          bool accumulate) {
  using Bk = Blocking<T>;
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (!accumulate) std::fill_n(C, M * N, T(0));
    return;
  }
  const bool parallel = static_cast<double>(M) * N * K > 64.0 * 64 * 64;
  for (std::int64_t j0 = 0; j0 < N; j0 += Bk::NC) {
    const std::int64_t nc = std::min(Bk::NC, N - j0), panels = (nc + Bk::NR - 1) / Bk::NR;
    for (std::int64_t p0 = 0; p0 < K; p0 += Bk::KC) {
      const std::int64_t kc = std::min(Bk::KC, K - p0);
      const bool add = accumulate || p0 > 0;
      T* bp = scratch<T>(1, static_cast<std::size_t>(panels * Bk::NR * kc));
      auto pack = [&](std::int64_t c) {
        pack_b_panel(trans_b, B, K, N, p0, kc, j0 + c * Bk::NR, std::min(Bk::NR, nc - c * Bk::NR),
                     bp + c * Bk::NR * kc);
      };
      // Tasks: row blocks of C; with few rows, split the columns too so that every thread has work.
      const std::int64_t row_blocks = (M + Bk::MC - 1) / Bk::MC;
      const std::int64_t col_split =
          parallel ? std::max<std::int64_t>(1, std::min<std::int64_t>(panels, 2 * num_threads() / row_blocks)) : 1;
      const std::int64_t per = (panels + col_split - 1) / col_split;
      auto task = [&](std::int64_t t) {
        const std::int64_t rb = t / col_split, cs = t % col_split;
        const std::int64_t i0 = rb * Bk::MC, c0 = cs * per, c1 = std::min(panels, c0 + per);
        if (c0 >= c1) return;
        row_block(trans_a, A, M, K, i0, std::min(Bk::MC, M - i0), p0, kc, bp + c0 * Bk::NR * kc, j0 + c0 * Bk::NR,
                  std::min(nc, c1 * Bk::NR) - c0 * Bk::NR, C, N, add);
      };
      if (parallel) {
        parallel_for(panels, pack);
        parallel_for(row_blocks * col_split, task);
      } else {
        for (std::int64_t c = 0; c < panels; ++c) pack(c);
        for (std::int64_t t = 0; t < row_blocks; ++t) task(t);
      }
    }
  }
}

template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*,
                          bool);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*, double*,
                           bool);

}  // namespace tg::kernels
