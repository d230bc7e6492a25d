// The packed, cache-blocked GEMM behind kernels::gemm, and its plain-loop twin kernels::gemm_reference.
// Blocks of op(B) (KC x NC) and op(A) (MC x KC) are copied ("packed") into contiguous panels, reading A or B
// transposed as asked, so no transpose is ever materialised; an MR x NR register tile of C is then computed by a
// SIMD micro-kernel (simd::Vec). With few rows (the encoder of a batch of 20), packing B would cost as much
// as the product itself: that path reads B where it lies instead. Column panels of C are spread over the thread
// pool; every element is computed by the same instructions whatever the split, so results never depend on it.
#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <memory>

#include "autodiff/runtime/gemm_pack.hpp"
#include "autodiff/runtime/kernels.hpp"
#include "autodiff/runtime/simd.hpp"
#include "autodiff/runtime/thread_pool.hpp"

namespace tg::kernels {

namespace {

using namespace gemm_detail;  // Blocking<T>, prefetch, pack_a, pack_b_panel, pack_bt_panel

// The size of blocks of at most `most` that cut n into as few pieces as possible, all about equal (K = 784 in
// four blocks of 196, not three of 256 and one of 16, which would reload C for 16 steps of k).
inline std::int64_t even_blocks(std::int64_t n, std::int64_t most) {
  const std::int64_t pieces = (n + most - 1) / most;
  return (n + pieces - 1) / pieces;
}

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

// C[0:MR, 0:NV*W] (+)= a-panel x b over kc, into a full tile `c` with row stride ldc: NV = 2 vectors of B per
// step (the whole NR columns), or NV = 1 for a last panel of at most W columns. b holds NR values per k, the rows
// ldb apart: a packed panel (ldb = NR) or B itself (ldb = N).
template <class T, int NV>
void micro_kernel(std::int64_t kc, const T* a, const T* b, std::int64_t ldb, T* c, std::int64_t ldc, bool add) {
  using V = typename Blocking<T>::V;
  constexpr std::int64_t MR = Blocking<T>::MR, W = Blocking<T>::W;
  // The tile of C is read and written only after the kc steps, but it is rarely in L1 or L2 (C of 1024 x 1024
  // is 4 MB): asked for now, its lines arrive during the loop instead of stalling the stores (a fifth of the
  // kernel's time at 1024^3).
  for (std::int64_t i = 0; i < MR; ++i) prefetch(c + i * ldc, NV * W);
  V acc0[MR], acc1[MR];  // the first and (NV = 2) the second vector of each row
  // The loops over the MR rows, here and after the k loop, are unrolled outright, so that the NV MR accumulators
  // live in registers from start to end (left as loops, GCC 12 keeps them in memory, zeroed by two calls to memset
  // per tile, which cost up to a tenth of a product). The k loop does four steps per turn: one counter and one
  // branch per 48 FMAs instead of 12 (a few percent, measured). (Written as loops over NV vectors too, the kernel
  // kept pointers in vector registers around its k loop: 200x784x20 TN lost a tenth.)
#pragma GCC unroll 8
  for (std::int64_t i = 0; i < MR; ++i) acc0[i] = V(0), acc1[i] = V(0);
#pragma GCC unroll 4
  for (std::int64_t k = 0; k < kc; ++k, a += MR, b += ldb) {
    const V b0 = simd::load(b), b1 = NV == 2 ? simd::load(b + W) : V(0);
    for (std::int64_t i = 0; i < MR; ++i) {
      const V ai(a[i]);
      acc0[i] += ai * b0;
      if constexpr (NV == 2) acc1[i] += ai * b1;
    }
  }
#pragma GCC unroll 8
  for (std::int64_t i = 0; i < MR; ++i) {
    T* ci = c + i * ldc;
    if (add) acc0[i] += simd::load(ci);
    simd::store(acc0[i], ci);
    if constexpr (NV == 2) {
      if (add) acc1[i] += simd::load(ci + W);
      simd::store(acc1[i], ci + W);
    }
  }
}

// The MR x NR tile of C at c (mr x nr of it inside C): whole tiles in place, edge tiles through a buffer, those of
// at most W columns by the one-vector kernel (half the work of a whole tile: the 8 columns left of N = 200).
template <class T>
void tile(std::int64_t kc, const T* a, const T* b, std::int64_t ldb, T* c, std::int64_t ldc, std::int64_t mr,
          std::int64_t nr, bool add) {
  constexpr std::int64_t MR = Blocking<T>::MR, NR = Blocking<T>::NR, W = Blocking<T>::W;
  if (mr == MR && nr == NR) return micro_kernel<T, 2>(kc, a, b, ldb, c, ldc, add);
  alignas(64) T buf[MR * NR];
  if (nr <= W)
    micro_kernel<T, 1>(kc, a, b, ldb, buf, NR, false);
  else
    micro_kernel<T, 2>(kc, a, b, ldb, buf, NR, false);
  for (std::int64_t r = 0; r < mr; ++r)
    for (std::int64_t s = 0; s < nr; ++s) c[r * ldc + s] = (add ? c[r * ldc + s] : T(0)) + buf[r * NR + s];
}

// Which block of A this thread's scratch buffer 0 holds, packed: rows from i0, columns from p0 (-1: all of them, as
// the few-rows paths copy A), in GEMM number `product` (each call of gemm takes a new number, so a block of an
// earlier product, whose A may since have changed, is never taken for this one's).
struct PackedA {
  std::uint64_t product = 0;
  std::int64_t i0 = -2, p0 = -2;
};
thread_local PackedA packed_a;
std::atomic<std::uint64_t> products{0};

// Whether this thread must fill its scratch buffer 0 with block (i0, p0) of `product`: not if it holds it already.
// Records that it holds it from now on.
bool must_pack_a(std::uint64_t product, std::int64_t i0, std::int64_t p0) {
  if (packed_a.product == product && packed_a.i0 == i0 && packed_a.p0 == p0) return false;
  packed_a = {product, i0, p0};
  return true;
}

// One MC-row block of C against the packed B block: pack this block of A, then every MR x NR tile. With few row
// blocks the tasks also split the columns (see packed), so the tasks of one row block follow each other; a thread
// that runs two of them in a row (every one, when the pool runs the job on the calling thread alone) packs the
// block once.
template <class T>
void row_block(std::uint64_t product, bool ta, const T* A, std::int64_t M, std::int64_t K, std::int64_t i0,
               std::int64_t mc, std::int64_t p0, std::int64_t kc, const T* bp, std::int64_t j0, std::int64_t nc, T* C,
               std::int64_t N, bool add) {
  constexpr std::int64_t MR = Blocking<T>::MR, NR = Blocking<T>::NR;
  T* ap = scratch<T>(0, static_cast<std::size_t>((mc + MR - 1) / MR * MR * kc));
  if (must_pack_a(product, i0, p0)) pack_a(ta, A, M, K, i0, mc, p0, kc, ap);
  for (std::int64_t j = 0; j < nc; j += NR)
    for (std::int64_t i = 0; i < mc; i += MR)
      tile(kc, ap + i * kc, bp + j * kc, NR, C + (i0 + i) * N + j0 + j, N, std::min(MR, mc - i), std::min(NR, nc - j),
           add);
}

// The packed path: for each block of KC x NC of op(B), pack it (its panels spread over the tasks), then the row
// blocks of C against it (and, with few row blocks, parts of the columns too, so that every thread has work).
template <class T>
void packed(std::uint64_t product, bool ta, bool tb, std::int64_t M, std::int64_t N, std::int64_t K, const T* A,
            const T* B, T* C, bool accumulate, bool split) {
  using Bk = Blocking<T>;
  const std::int64_t KC = even_blocks(K, Bk::KC);
  for (std::int64_t j0 = 0; j0 < N; j0 += Bk::NC) {
    const std::int64_t nc = std::min(Bk::NC, N - j0), panels = (nc + Bk::NR - 1) / Bk::NR;
    for (std::int64_t p0 = 0; p0 < K; p0 += KC) {
      const std::int64_t kc = std::min(KC, K - p0);
      const bool add = accumulate || p0 > 0;
      T* bp = scratch<T>(1, static_cast<std::size_t>(panels * Bk::NR * kc));
      auto pack = [&](std::int64_t c) {
        pack_b_panel(tb, B, K, N, p0, kc, j0 + c * Bk::NR, std::min(Bk::NR, nc - c * Bk::NR), bp + c * Bk::NR * kc);
      };
      const std::int64_t row_blocks = (M + Bk::MC - 1) / Bk::MC;
      const std::int64_t col_split =
          split ? std::max<std::int64_t>(1, std::min<std::int64_t>(panels, 2 * num_threads() / row_blocks)) : 1;
      const std::int64_t per = (panels + col_split - 1) / col_split;
      auto task = [&](std::int64_t t) {
        const std::int64_t rb = t / col_split, cs = t % col_split;
        const std::int64_t i0 = rb * Bk::MC, c0 = cs * per, c1 = std::min(panels, c0 + per);
        if (c0 >= c1) return;
        row_block(product, ta, A, M, K, i0, std::min(Bk::MC, M - i0), p0, kc, bp + c0 * Bk::NR * kc, j0 + c0 * Bk::NR,
                  std::min(nc, c1 * Bk::NR) - c0 * Bk::NR, C, N, add);
      };
      if (split) {
        const double kc_nc = static_cast<double>(kc) * static_cast<double>(nc);  // the block of op(B)
        parallel_for(panels, pack, kc_nc * cost_ns::packed_value);
        parallel_for(row_blocks * col_split, task, 2.0 * static_cast<double>(M) * kc_nc * cost_ns::gemm_flop);
      } else {
        for (std::int64_t c = 0; c < panels; ++c) pack(c);
        for (std::int64_t t = 0; t < row_blocks; ++t) task(t);
      }
    }
  }
}

// C[i0:i0+R, j0:j0+S] (+)= rows of A (lda apart) . rows of B (ldb apart) over K: R x S dot products, each summed in
// W lanes and added across them at the end. For few rows of C and B stored (N, K): nothing is packed.
template <class T, int R, int S>
void dot_tile(std::int64_t K, const T* const* a, const T* const* b, T* c, std::int64_t ldc, std::int64_t mr,
              std::int64_t nr, bool add) {
  using V = typename Blocking<T>::V;
  constexpr std::int64_t W = Blocking<T>::W;
  V acc[R][S];
  for (int r = 0; r < R; ++r)
    for (int s = 0; s < S; ++s) acc[r][s] = V(0);
  std::int64_t k = 0;
  for (; k + W <= K; k += W) {
    V bv[S];
    for (int s = 0; s < S; ++s) bv[s] = simd::load(b[s] + k);
    for (int r = 0; r < R; ++r) {
      const V av = simd::load(a[r] + k);
      for (int s = 0; s < S; ++s) acc[r][s] += av * bv[s];
    }
  }
  if (k < K) {
    V bv[S];
    for (int s = 0; s < S; ++s) bv[s] = simd::load_tail(b[s] + k, K - k, T(0));
    for (int r = 0; r < R; ++r) {
      const V av = simd::load_tail(a[r] + k, K - k, T(0));
      for (int s = 0; s < S; ++s) acc[r][s] += av * bv[s];
    }
  }
  for (std::int64_t r = 0; r < mr; ++r)
    for (std::int64_t s = 0; s < nr; ++s) c[r * ldc + s] = (add ? c[r * ldc + s] : T(0)) + simd::sum_lanes(acc[r][s]);
}

// The dot-product tile: 4 rows of A against DS rows of B, 4 DS accumulators, the DS vectors of B and one of A: 3
// rows of B in 16 registers (SSE2, AVX2), 5 in 32 (AVX-512: 26 in use, 20 FMAs per 9 loads instead of 12 per 7;
// 20x200x784 NT from 1.00-1.11 of OpenBLAS to 1.26-1.33 on Zen 5).
constexpr int DR = 4, DS = simd::register_bytes >= 64 ? 5 : 3;

// Few rows, B stored (N, K): C[:, j0 : j0+nc] by dot products of rows; A read in place, or transposed once into
// scratch when stored (K, M) (once per thread and product: PackedA).
template <class T>
void few_rows_nt(std::uint64_t product, bool ta, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B,
                 T* C, std::int64_t j0, std::int64_t nc, bool add) {
  const T* a_rows = A;
  if (ta) {
    T* at = scratch<T>(0, static_cast<std::size_t>(M * K));
    if (must_pack_a(product, 0, -1))
      for (std::int64_t k = 0; k < K; ++k)
        for (std::int64_t i = 0; i < M; ++i) at[i * K + k] = A[k * M + i];
    a_rows = at;
  }
  for (std::int64_t j = j0; j < j0 + nc; j += DS) {
    const std::int64_t nr = std::min<std::int64_t>(DS, j0 + nc - j);
    const T* b[DS];
    for (int s = 0; s < DS; ++s) b[s] = B + (j + std::min<std::int64_t>(s, nr - 1)) * K;
    for (std::int64_t i = 0; i < M; i += DR) {
      const std::int64_t mr = std::min<std::int64_t>(DR, M - i);
      const T* a[DR];
      for (int r = 0; r < DR; ++r) a[r] = a_rows + (i + std::min<std::int64_t>(r, mr - 1)) * K;
      dot_tile<T, DR, DS>(K, a, b, C + i * N + j, N, mr, nr, add);
    }
  }
}

// Few rows, B stored (K, N): the micro-kernel reads B in place, NR columns and KC rows at a time; A is packed
// (a few rows: cheap), all its K blocks one after the other, once per thread and product (PackedA). A last,
// narrower panel of columns is packed.
template <class T>
void few_rows_nn(std::uint64_t product, bool ta, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B,
                 T* C, std::int64_t j0, std::int64_t nc, bool accumulate) {
  using Bk = Blocking<T>;
  const std::int64_t KC = even_blocks(K, Bk::KC), rows = (M + Bk::MR - 1) / Bk::MR * Bk::MR;
  T* packed_blocks = scratch<T>(0, static_cast<std::size_t>(rows * K));  // block p0 from packed_blocks + rows * p0
  if (must_pack_a(product, 0, -1))
    for (std::int64_t p0 = 0; p0 < K; p0 += KC)
      pack_a(ta, A, M, K, 0, M, p0, std::min(KC, K - p0), packed_blocks + rows * p0);
  for (std::int64_t p0 = 0; p0 < K; p0 += KC) {
    const std::int64_t kc = std::min(KC, K - p0);
    const bool add = accumulate || p0 > 0;
    const T* ap = packed_blocks + rows * p0;
    for (std::int64_t j = j0; j < j0 + nc; j += Bk::NR) {
      const std::int64_t nr = std::min(Bk::NR, j0 + nc - j);
      const T* b = B + p0 * N + j;
      std::int64_t ldb = N;
      if (nr < Bk::NR) {
        T* bp = scratch<T>(1, static_cast<std::size_t>(Bk::NR * kc));
        pack_b_panel(false, B, K, N, p0, kc, j, nr, bp);
        b = bp, ldb = Bk::NR;
      }
      for (std::int64_t i = 0; i < M; i += Bk::MR)
        tile(kc, ap + i * kc, b, ldb, C + i * N + j, N, std::min(Bk::MR, M - i), nr, add);
    }
  }
}

}  // namespace

// The plain twin of the packed GEMM below: C = op(A) op(B) in plain loops, ordered so that the
// innermost loop runs over contiguous memory. The tests compare the two.
template <class T>
void gemm_reference(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B,
                    T* C, bool accumulate) {
  if (!accumulate) std::fill_n(C, M * N, T(0));
  if (!trans_b) {  // C[i, :] += op(A)[i, k] * B[k, :]
    for (std::int64_t i = 0; i < M; ++i)
      for (std::int64_t k = 0; k < K; ++k) {
        const T aik = trans_a ? A[k * M + i] : A[i * K + k];
        const T* b = B + k * N;
        T* c = C + i * N;
        for (std::int64_t j = 0; j < N; ++j) c[j] += aik * b[j];
      }
    return;
  }
  for (std::int64_t i = 0; i < M; ++i)  // C[i, j] += dot(op(A)[i, :], B[j, :])
    for (std::int64_t j = 0; j < N; ++j) {
      const T* b = B + j * K;
      T acc = 0;
      if (!trans_a) {
        const T* a = A + i * K;
        for (std::int64_t k = 0; k < K; ++k) acc += a[k] * b[k];
      } else {
        for (std::int64_t k = 0; k < K; ++k) acc += A[k * M + i] * b[k];
      }
      C[i * N + j] += acc;
    }
}

template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B, T* C,
          bool accumulate) {
  if (reference_mode()) return gemm_reference(trans_a, trans_b, M, N, K, A, B, C, accumulate);  // the plain twin
  using Bk = Blocking<T>;
  if (M == 0 || N == 0) return;
  if (K == 0) {
    if (!accumulate) std::fill_n(C, M * N, T(0));
    return;
  }
  // What one thread would take: the pool is used only where that pays (worth_splitting).
  const double cost =
      2.0 * static_cast<double>(M) * static_cast<double>(N) * static_cast<double>(K) * cost_ns::gemm_flop;
  const std::uint64_t product = products.fetch_add(1, std::memory_order_relaxed) + 1;  // see PackedA
  if (M > Bk::few_rows)
    return packed(product, trans_a, trans_b, M, N, K, A, B, C, accumulate,
                  worth_splitting(cost, (N + Bk::NR - 1) / Bk::NR) > 1);  // over panels of NR columns
  // Few rows: tasks over runs of whole units of columns, those the path computes at once: DS rows of B (stored
  // (N, K)) or an NR-column panel (stored (K, N)). A task that started or ended inside one would compute it whole
  // and keep part of it (a split in 7 runs of 32 columns for N = 200 computed 44 groups of DS = 5 rows of B, not 40).
  const std::int64_t unit = trans_b ? DS : Bk::NR, units = (N + unit - 1) / unit;
  const std::int64_t tasks = worth_splitting(cost, units);
  const std::int64_t per = (units + tasks - 1) / tasks * unit;
  auto task = [&](std::int64_t t) {
    const std::int64_t j0 = t * per, nc = std::min(per, N - j0);
    if (nc <= 0) return;
    if (trans_b)
      few_rows_nt(product, trans_a, M, N, K, A, B, C, j0, nc, accumulate);
    else
      few_rows_nn(product, trans_a, M, N, K, A, B, C, j0, nc, accumulate);
  };
  if (tasks == 1) return task(0);
  parallel_for(tasks, task, cost);
}

template void gemm_reference<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*,
                                    float*, bool);
template void gemm_reference<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*,
                                     double*, bool);
template void gemm<float>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const float*, const float*, float*,
                          bool);
template void gemm<double>(bool, bool, std::int64_t, std::int64_t, std::int64_t, const double*, const double*, double*,
                           bool);

}  // namespace tg::kernels
