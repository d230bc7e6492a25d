// The SIMD vocabulary of the kernels, on top of std::experimental::simd (libstdc++): the native vector of floats
// or doubles (8 floats with AVX2, 16 with AVX-512, 4 with SSE2), loads and stores of a whole vector or of a loop's
// tail, and the few bit manipulations the math functions of simd_math.hpp need. Nothing here hides a loop.
#pragma once
#include <bit>
#include <cstdint>
#include <experimental/simd>
#include <type_traits>

namespace tg::simd {

namespace stdx = std::experimental;

template <class T>
using Vec = stdx::native_simd<T>;  // W lanes of T, the widest the compiler targets
template <class T>
using Mask = typename Vec<T>::mask_type;
template <class T>
inline constexpr std::int64_t width = static_cast<std::int64_t>(Vec<T>::size());

// The unsigned integer of T's size, and a vector of them with as many lanes as Vec<T>: T's bits, lane by lane.
template <class T>
using UInt = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
template <class T>
using Bits = stdx::rebind_simd_t<UInt<T>, Vec<T>>;

template <class T>
Vec<T> load(const T* p) {
  return Vec<T>(p, stdx::element_aligned);
}
template <class T>
void store(const Vec<T>& v, T* p) {
  v.copy_to(p, stdx::element_aligned);
}

// The first n (0 < n < W) values at p in the first lanes, `fill` in the others. A loop's tail goes through the
// same vector code as its body, so an element's result never depends on where it sits in the array: a caller may
// split a range anywhere (over threads, in blocks) and get the same bits.
template <class T>
Vec<T> load_tail(const T* p, std::int64_t n, T fill) {
  alignas(Vec<T>) T buf[width<T>];
  for (std::int64_t i = 0; i < width<T>; ++i) buf[i] = i < n ? p[i] : fill;
  return Vec<T>(buf, stdx::vector_aligned);
}
template <class T>
void store_tail(const Vec<T>& v, T* p, std::int64_t n) {
  alignas(Vec<T>) T buf[width<T>];
  v.copy_to(buf, stdx::vector_aligned);
  for (std::int64_t i = 0; i < n; ++i) p[i] = buf[i];
}

// The bits of each lane, and back (std::bit_cast of the whole vector: the layouts are the same).
template <class T>
Bits<T> bits_of(const Vec<T>& v) {
  static_assert(sizeof(Bits<T>) == sizeof(Vec<T>) && std::is_trivially_copyable_v<Vec<T>>);
  return std::bit_cast<Bits<T>>(v);
}
template <class T>
Vec<T> from_bits(const Bits<T>& b) {
  return std::bit_cast<Vec<T>>(b);
}

// |x| and x with the sign of s, by the sign bit (so -0 and NaN keep or take their sign exactly).
template <class T>
Vec<T> abs(const Vec<T>& x) {
  const UInt<T> sign = UInt<T>(1) << (8 * sizeof(T) - 1);
  return from_bits<T>(bits_of(x) & Bits<T>(~sign));
}
template <class T>
Vec<T> copysign(const Vec<T>& magnitude, const Vec<T>& s) {
  const UInt<T> sign = UInt<T>(1) << (8 * sizeof(T) - 1);
  return from_bits<T>((bits_of(magnitude) & Bits<T>(~sign)) | (bits_of(s) & Bits<T>(sign)));
}

template <class T>
Mask<T> isnan(const Vec<T>& x) {
  return x != x;
}

// Sum of the lanes, halving: (v0 + v4) + (v2 + v6) ... written out so the order is fixed and visible.
template <class T>
T sum_lanes(const Vec<T>& v) {
  alignas(Vec<T>) T buf[width<T>];
  v.copy_to(buf, stdx::vector_aligned);
  for (std::int64_t half = width<T> / 2; half >= 1; half /= 2)
    for (std::int64_t i = 0; i < half; ++i) buf[i] = buf[i] + buf[i + half];
  return buf[0];
}

// sum_{k0 <= k < k1} row(k) for vectors row(k), pairwise: the two halves are summed separately and then added,
// down to runs of at most 16 rows, which go into four accumulators. The order depends on n only.
template <class T, class Row>
Vec<T> pairwise_sum(std::int64_t k0, std::int64_t k1, const Row& row) {
  if (k1 - k0 > 16) {
    const std::int64_t mid = k0 + (k1 - k0) / 2;
    return pairwise_sum<T>(k0, mid, row) + pairwise_sum<T>(mid, k1, row);
  }
  Vec<T> a0 = T(0), a1 = T(0), a2 = T(0), a3 = T(0);
  std::int64_t k = k0;
  for (; k + 4 <= k1; k += 4) a0 += row(k), a1 += row(k + 1), a2 += row(k + 2), a3 += row(k + 3);
  if (k < k1) a0 += row(k++);
  if (k < k1) a1 += row(k++);
  if (k < k1) a2 += row(k++);
  return (a0 + a1) + (a2 + a3);
}

// How many vectors of W lanes hold n values (the last one maybe partly).
template <class T>
std::int64_t rows_of(std::int64_t n) {
  return (n + width<T> - 1) / width<T>;
}

// Lane i holds i: (iota<T>() < n) selects the first n lanes.
template <class T>
Vec<T> iota() {
  return Vec<T>([](auto i) { return static_cast<T>(i); });
}

}  // namespace tg::simd
