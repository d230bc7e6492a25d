// The GEMM's blocking and its packers (see gemm.cpp): the register tile and cache blocks per vector width, and the
// copies of blocks of op(A) and op(B) into the micro-kernel's order, with the register transposes they use on
// AVX-512. Included by gemm.cpp only; it keeps the driver and the micro-kernel short enough to read.
#pragma once
#include <algorithm>
#include <cstdint>

#include "autodiff/runtime/simd.hpp"

namespace tg::kernels::gemm_detail {

template <class T>
struct Blocking {
  using V = simd::Vec<T>;
  static constexpr std::int64_t W = simd::width<T>;
  // The register tile MR x NR, NR = 2W: MR * 2 accumulators, the two vectors of B and one broadcast of A must fit
  // the vector registers: 16 with SSE2 and AVX2 (MR = 6: 15 in use), 32 with AVX-512 (MR = 8: 19 in use). On
  // AVX-512 (Zen 5), 12 and 14 rows (27 and 31 registers) lost to 8 over bench_gemm's shapes (mean ratio to
  // OpenBLAS 0.99 and 0.94 against 1.01; 0.87 and 0.82 against 0.93 at 128x784x400), 12 winning only on the two
  // products with K >= 784 and N = 200. The row counts of training, 128 to 1000, are whole tiles of 8.
  static constexpr std::int64_t MR = sizeof(V) >= 64 ? 8 : 6, NR = 2 * W;
  // KC x NR floats of packed B (16 KB with AVX2, 32 KB of the 48 KB of L1 with AVX-512) stay in L1 while MC x KC
  // of packed A (96 KB) stream from L2. On AVX-512 (Zen 5), KC = 192 and 384 and MC = 192 and 384 measured the
  // same within the noise (a few percent either way on every shape): the constants are those of AVX2.
  static constexpr std::int64_t KC = 256, MC = 96, NC = 2048;
  // A stored (K, M) is packed with the values of k + a_ahead asked for: on AVX-512 (Zen 5), 8 rows ahead instead
  // of 4 took 784x200x1000 TN from 0.89-0.98 of OpenBLAS to 1.02-1.08 (three runs each).
  static constexpr std::int64_t a_ahead = sizeof(V) >= 64 ? 8 : 4;
  // Up to this many rows of C, B is not packed (its N x K values would be copied for only a few rows each).
  static constexpr std::int64_t few_rows = 32;
};

// Asks for the cache lines holding p[0 : n] ahead of their use: a hint, which neither faults nor changes a value.
template <class T>
void prefetch(const T* p, std::int64_t n) {
  constexpr std::int64_t line = 64 / sizeof(T);
  for (std::int64_t o = 0; o < n; o += line) __builtin_prefetch(p + o);
  __builtin_prefetch(p + n - 1);  // p need not start a line: the last one may be one more
}

// Packing reads A or B once and writes it in the micro-kernel's order. The operand is usually in L3, not L2, by
// then: a copy loop that waits for each line in turn costs as much as the products that follow (a quarter of
// 1000 x 200 x 784 went to pack_a, of 128 x 400 x 784 to pack_b_panel). So the packers read many lines at once
// and ask for the next ones before they need them; and the copies of whole panels have counts known at compile
// time, so that they are plain moves without a test per value.

#if defined(__GNUC__) || defined(__clang__)
// The packers' transposes in registers, for vectors of 16 floats (AVX-512), built of rounds. In round H (8, 4, 2 or
// 1), two vectors a and b exchange blocks of H lanes: lanes_lo takes from every run of 2H lanes the first H of a and
// then the first H of b, lanes_hi the second H of a and then those of b. Rounds 8, 4, 2, 1 over 16 vectors, each
// pairing vector i with i + H, transpose 16 x 16 values: 64 shuffles where writing them one by one takes 256 stores.
inline constexpr bool has_lane_shuffles = true;
// clang-format off
template <int H, class N>
N lanes_lo(N a, N b) {
  if constexpr (H == 8)
    return __builtin_shufflevector(a, b, 0, 1, 2, 3, 4, 5, 6, 7, 16, 17, 18, 19, 20, 21, 22, 23);
  if constexpr (H == 4)
    return __builtin_shufflevector(a, b, 0, 1, 2, 3, 16, 17, 18, 19, 8, 9, 10, 11, 24, 25, 26, 27);
  if constexpr (H == 2)
    return __builtin_shufflevector(a, b, 0, 1, 16, 17, 4, 5, 20, 21, 8, 9, 24, 25, 12, 13, 28, 29);
  if constexpr (H == 1)
    return __builtin_shufflevector(a, b, 0, 16, 2, 18, 4, 20, 6, 22, 8, 24, 10, 26, 12, 28, 14, 30);
}
template <int H, class N>
N lanes_hi(N a, N b) {
  if constexpr (H == 8)
    return __builtin_shufflevector(a, b, 8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31);
  if constexpr (H == 4)
    return __builtin_shufflevector(a, b, 4, 5, 6, 7, 20, 21, 22, 23, 12, 13, 14, 15, 28, 29, 30, 31);
  if constexpr (H == 2)
    return __builtin_shufflevector(a, b, 2, 3, 18, 19, 6, 7, 22, 23, 10, 11, 26, 27, 14, 15, 30, 31);
  if constexpr (H == 1)
    return __builtin_shufflevector(a, b, 1, 17, 3, 19, 5, 21, 7, 23, 9, 25, 11, 27, 13, 29, 15, 31);
}
// clang-format on
// Round H over the n vectors r: vector i and vector i + H exchange, for every i whose bit H is clear.
template <int H, class V>
void transpose_round(V* r, int n) {
  for (int i = 0; i < n; ++i)
    if (!(i & H)) {
      const auto a = r[i].v, b = r[i + H].v;
      r[i].v = lanes_lo<H>(a, b), r[i + H].v = lanes_hi<H>(a, b);
    }
}
#else
inline constexpr bool has_lane_shuffles = false;  // the packers copy value by value
template <int H, class N>
N lanes_lo(N a, N) {
  return a;
}
template <int H, class N>
N lanes_hi(N, N b) {
  return b;
}
template <int H, class V>
void transpose_round(V*, int) {}
#endif

// Packs op(A)[i0 : i0+mc, p0 : p0+kc] as MR-row panels: panel r holds, for each k, MR consecutive values.
template <class T>
void pack_a(bool ta, const T* A, std::int64_t M, std::int64_t K, std::int64_t i0, std::int64_t mc, std::int64_t p0,
            std::int64_t kc, T* out) {
  using V = typename Blocking<T>::V;
  constexpr std::int64_t MR = Blocking<T>::MR, W = Blocking<T>::W, a_ahead = Blocking<T>::a_ahead;
  if (ta) {  // A is stored (K, M): the mc values of one k are contiguous; each goes to its panel's row k
    const std::int64_t panels = (mc + MR - 1) / MR;
    for (std::int64_t k = 0; k < kc; ++k) {
      const T* src = A + (p0 + k) * M + i0;
      if (k + a_ahead < kc) prefetch(src + a_ahead * M, mc);  // a_ahead rows of A in flight
      for (std::int64_t r = 0; r < panels; ++r) {
        const std::int64_t mr = std::min(MR, mc - r * MR);
        T* dst = out + (r * kc + k) * MR;
        if (mr == MR)
          for (std::int64_t i = 0; i < MR; ++i) dst[i] = src[r * MR + i];
        else
          for (std::int64_t i = 0; i < MR; ++i) dst[i] = i < mr ? src[r * MR + i] : T(0);
      }
    }
    return;
  }
  // A is stored (M, K): the MR rows of a panel are read side by side, and while one panel is copied, the rows of
  // the next are fetched, a line of each per `line` values of k.
  constexpr std::int64_t line = 64 / sizeof(T);
  for (std::int64_t r = 0; r < mc; r += MR, out += kc * MR) {
    const std::int64_t mr = std::min(MR, mc - r), next = std::min(MR, mc - r - MR);
    const T* src[MR];
    for (std::int64_t i = 0; i < MR; ++i) src[i] = A + (i0 + r + std::min(i, mr - 1)) * K + p0;
    std::int64_t k = 0;
    // With 16 floats to a vector, 16 values of k from each of the 8 rows at a time, transposed in registers:
    // packing A went from 13 % of 1000x200x784 NN to 9 % (AVX-512, Zen 5, perf).
    if constexpr (has_lane_shuffles && W == 16 && MR == 8)
      for (; mr == MR && k + W <= kc; k += W) {
        for (std::int64_t i = 0; i < next; ++i) __builtin_prefetch(src[0] + (MR + i) * K + k);
        V r[MR];
        for (std::int64_t i = 0; i < MR; ++i) r[i] = simd::load(src[i] + k);
        transpose_round<4>(r, MR), transpose_round<2>(r, MR), transpose_round<1>(r, MR);
        // r[t] now holds the 8 rows at k + t in its first 8 lanes and at k + 8 + t in the others: two of them give
        // the packed values of two steps of k.
        for (std::int64_t t = 0; t < MR; t += 2) {
          simd::store(V::of(lanes_lo<8>(r[t].v, r[t + 1].v)), out + (k + t) * MR);
          simd::store(V::of(lanes_hi<8>(r[t].v, r[t + 1].v)), out + (k + 8 + t) * MR);
        }
      }
    for (; k < kc; ++k) {
      if (k % line == 0)
        for (std::int64_t i = 0; i < next; ++i) __builtin_prefetch(src[0] + (MR + i) * K + k);
      if (mr == MR)
        for (std::int64_t i = 0; i < MR; ++i) out[k * MR + i] = src[i][k];
      else
        for (std::int64_t i = 0; i < MR; ++i) out[k * MR + i] = i < mr ? src[i][k] : T(0);
    }
  }
}

// Packs op(B)[p0 : p0+kc, j : j+nr] for B stored (N, K): NR rows of B become the NR columns of the panel, W values
// of k at a time. The NR rows of the next panel are fetched while this one is copied, a line of each per `line`
// values of k. With 16 floats to a vector, W x W blocks are transposed in registers: storing the values one at a
// time had been a quarter of 128x400x784 NT on AVX-512 (Zen 5, perf), the transpose is 15 %. Else through a row.
template <class T>
void pack_bt_panel(const T* B, std::int64_t K, std::int64_t N, std::int64_t p0, std::int64_t kc, std::int64_t j,
                   std::int64_t nr, T* out) {
  using V = typename Blocking<T>::V;
  constexpr std::int64_t NR = Blocking<T>::NR, W = Blocking<T>::W, line = 64 / sizeof(T);
  const std::int64_t next = std::min(NR, N - j - NR);
  for (std::int64_t k = 0; k < kc; k += W) {
    const std::int64_t kw = std::min(W, kc - k);
    if (k % line == 0)
      for (std::int64_t c = 0; c < next; ++c) __builtin_prefetch(B + (j + NR + c) * K + p0 + k);
    if constexpr (has_lane_shuffles && W == 16)
      if (kw == W) {  // a 16 x 16 block at a time
        for (std::int64_t c0 = 0; c0 < NR; c0 += W) {
          V r[W];
          for (std::int64_t c = 0; c < W; ++c) r[c] = c0 + c < nr ? simd::load(B + (j + c0 + c) * K + p0 + k) : V(0);
          transpose_round<8>(r, W), transpose_round<4>(r, W), transpose_round<2>(r, W), transpose_round<1>(r, W);
          for (std::int64_t t = 0; t < W; ++t) simd::store(r[t], out + (k + t) * NR + c0);
        }
        continue;
      }
    for (std::int64_t c = 0; c < NR; ++c) {
      alignas(64) T row[W];
      const V v = c < nr ? (kw == W ? simd::load(B + (j + c) * K + p0 + k)
                                    : simd::load_tail(B + (j + c) * K + p0 + k, kw, T(0)))
                         : V(0);
      simd::store(v, row);
      if (kw == W)
        for (std::int64_t t = 0; t < W; ++t) out[(k + t) * NR + c] = row[t];
      else
        for (std::int64_t t = 0; t < kw; ++t) out[(k + t) * NR + c] = row[t];
    }
  }
}

// Packs op(B)[p0 : p0+kc, j : j+nr] as one NR-column panel: for each k, NR consecutive values.
template <class T>
void pack_b_panel(bool tb, const T* B, std::int64_t K, std::int64_t N, std::int64_t p0, std::int64_t kc, std::int64_t j,
                  std::int64_t nr, T* out) {
  constexpr std::int64_t NR = Blocking<T>::NR, W = Blocking<T>::W;
  if (tb) return pack_bt_panel(B, K, N, p0, kc, j, nr, out);
  if (nr == NR) {  // a whole panel: two vectors per k
    for (std::int64_t k = 0; k < kc; ++k, out += NR) {
      const T* src = B + (p0 + k) * N + j;
      simd::store(simd::load(src), out);
      simd::store(simd::load(src + W), out + W);
    }
    return;
  }
  for (std::int64_t k = 0; k < kc; ++k)
    for (std::int64_t c = 0; c < NR; ++c) *out++ = c < nr ? B[(p0 + k) * N + j + c] : T(0);
}

}  // namespace tg::kernels::gemm_detail
