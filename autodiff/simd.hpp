// The SIMD seam: a small vector type of the project's own, Vec<T>, over the GCC/Clang vector extensions (the same
// code with libstdc++ and libc++, on x86-64 and aarch64), with a one-lane fallback for compilers that have none.
// Everything the kernels and the vector math of simd_math.hpp need, and nothing that hides a loop. docs/kernels.md.
//
//   Vec<float>  W lanes: 16 with AVX-512, 8 with AVX2, 4 with SSE2 (every x86-64) or NEON (every aarch64)
//   Mask<T>     one lane per lane of Vec<T>: all ones where a comparison holds, zero elsewhere
//   Bits<T>     the lanes' bits as unsigned integers of T's size; Ints<T> as signed ones
#pragma once
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <type_traits>

namespace tg::simd {

// The width of a vector register in bytes, from the instruction set the compiler targets.
#if defined(__AVX512F__)
inline constexpr std::int64_t register_bytes = 64;
#elif defined(__AVX2__)
inline constexpr std::int64_t register_bytes = 32;
#else
inline constexpr std::int64_t register_bytes = 16;
#endif

// The unsigned and signed integers of T's size.
template <class T>
using UInt = std::conditional_t<sizeof(T) == 4, std::uint32_t, std::uint64_t>;
template <class T>
using SInt = std::make_signed_t<UInt<T>>;

#if defined(__GNUC__) || defined(__clang__)  // GCC and Clang: vector extensions
inline constexpr bool vector_extensions = true;
template <class T>
struct NativeOf {
  using type [[gnu::vector_size(register_bytes)]] = T;
};
#else  // any other compiler: one lane, plain scalar code
inline constexpr bool vector_extensions = false;
template <class T>
struct NativeOf {
  using type = T;
};
#endif
template <class T>
using Native = typename NativeOf<T>::type;  // the compiler's own vector of T

// How many lanes of T a vector holds.
template <class T>
inline constexpr std::int64_t width = vector_extensions ? register_bytes / std::int64_t(sizeof(T)) : 1;

template <class T>
struct Mask;

// W lanes of T (float, double or an integer of their size). Arithmetic is lane by lane, and a scalar operand
// stands for a vector holding it in every lane: `2 * v + 1`.
template <class T>
struct Vec {
  Native<T> v;

  Vec() = default;
  Vec(T x) : v(x - Native<T>{}) {}  // every lane x (x - 0 is x, also for -0 and NaN)
  static Vec of(const Native<T>& n) {
    Vec r;
    r.v = n;
    return r;
  }

  T operator[](std::int64_t i) const { return lane(i); }
  T lane(std::int64_t i) const {
    if constexpr (vector_extensions)
      return v[i];
    else
      return (void)i, v;
  }

  friend Vec operator+(const Vec& a, const Vec& b) { return of(a.v + b.v); }
  friend Vec operator-(const Vec& a, const Vec& b) { return of(a.v - b.v); }
  friend Vec operator*(const Vec& a, const Vec& b) { return of(a.v * b.v); }
  friend Vec operator/(const Vec& a, const Vec& b) { return of(a.v / b.v); }
  friend Vec operator-(const Vec& a) { return of(-a.v); }
  Vec& operator+=(const Vec& b) {
    v = v + b.v;
    return *this;
  }
  Vec& operator-=(const Vec& b) {
    v = v - b.v;
    return *this;
  }
  Vec& operator*=(const Vec& b) {
    v = v * b.v;
    return *this;
  }

  // Bit operations, for the integer lanes only.
  friend Vec operator&(const Vec& a, const Vec& b)
    requires std::is_integral_v<T>
  {
    return of(a.v & b.v);
  }
  friend Vec operator|(const Vec& a, const Vec& b)
    requires std::is_integral_v<T>
  {
    return of(a.v | b.v);
  }
  friend Vec operator~(const Vec& a)
    requires std::is_integral_v<T>
  {
    return of(~a.v);
  }
  friend Vec operator<<(const Vec& a, int s)
    requires std::is_integral_v<T>
  {
    return of(a.v << s);
  }
  friend Vec operator>>(const Vec& a, int s)
    requires std::is_integral_v<T>
  {
    return of(a.v >> s);
  }

  friend Mask<T> operator<(const Vec& a, const Vec& b) { return Mask<T>::of(a.v < b.v); }
  friend Mask<T> operator>(const Vec& a, const Vec& b) { return Mask<T>::of(a.v > b.v); }
  friend Mask<T> operator<=(const Vec& a, const Vec& b) { return Mask<T>::of(a.v <= b.v); }
  friend Mask<T> operator>=(const Vec& a, const Vec& b) { return Mask<T>::of(a.v >= b.v); }
  friend Mask<T> operator==(const Vec& a, const Vec& b) { return Mask<T>::of(a.v == b.v); }
  friend Mask<T> operator!=(const Vec& a, const Vec& b) { return Mask<T>::of(a.v != b.v); }
};

// The outcome of a comparison, lane by lane: -1 (all bits set) where it holds, 0 where it does not.
template <class T>
struct Mask {
  using Lane = SInt<T>;  // a signed integer of T's size
  Native<Lane> m;

  template <class Compared>
  static Mask of(const Compared& c) {  // a vector comparison gives -1/0 already; a scalar one, true/false
    if constexpr (vector_extensions)
      return Mask{(Native<Lane>)c};
    else
      return Mask{c ? Lane(-1) : Lane(0)};
  }
  friend Mask operator&&(const Mask& a, const Mask& b) { return Mask{a.m & b.m}; }
  friend Mask operator||(const Mask& a, const Mask& b) { return Mask{a.m | b.m}; }
  friend Mask operator!(const Mask& a) { return Mask{~a.m}; }
};

template <class T>
using Bits = Vec<UInt<T>>;
template <class T>
using Ints = Vec<SInt<T>>;

// `if_true` in the lanes where the mask holds, `if_false` in the others.
template <class T>
Vec<T> select(const Mask<T>& mask, const std::type_identity_t<Vec<T>>& if_true,
              const std::type_identity_t<Vec<T>>& if_false) {
  if constexpr (vector_extensions)
    return Vec<T>::of(mask.m ? if_true.v : if_false.v);
  else
    return mask.m ? if_true : if_false;
}

// Whether the mask holds in any lane.
template <class T>
bool any_of(const Mask<T>& mask) {
  if constexpr (vector_extensions) {
    std::uint64_t words[register_bytes / 8];
    std::memcpy(words, &mask.m, sizeof words);
    std::uint64_t any = 0;
    for (std::uint64_t w : words) any |= w;
    return any != 0;
  } else {
    return mask.m != 0;
  }
}

// Loads and stores of W values at p (no alignment needed: memcpy compiles to one unaligned vector move).
template <class T>
Vec<T> load(const T* p) {
  Vec<T> v;
  std::memcpy(&v.v, p, sizeof v.v);
  return v;
}
template <class T>
void store(const Vec<T>& v, T* p) {
  std::memcpy(p, &v.v, sizeof v.v);
}

// The first n (0 < n < W) values at p in the first lanes, `fill` in the others. A loop's tail goes through the
// same vector code as its body, so an element's result never depends on where it sits in the array: a caller may
// split a range anywhere (over threads, in blocks) and get the same bits.
template <class T>
Vec<T> load_tail(const T* p, std::int64_t n, T fill) {
  T buf[width<T>];
  for (std::int64_t i = 0; i < width<T>; ++i) buf[i] = i < n ? p[i] : fill;
  return load(buf);
}
template <class T>
void store_tail(const Vec<T>& v, T* p, std::int64_t n) {
  T buf[width<T>];
  store(v, buf);
  for (std::int64_t i = 0; i < n; ++i) p[i] = buf[i];
}

// The bits of each lane, and back; signed and unsigned views of the same bits.
template <class T>
Bits<T> bits_of(const Vec<T>& v) {
  return Bits<T>::of(std::bit_cast<Native<UInt<T>>>(v.v));
}
template <class T>
Vec<T> from_bits(const Bits<T>& b) {
  return Vec<T>::of(std::bit_cast<Native<T>>(b.v));
}
template <class T>
Ints<T> signed_of(const Bits<T>& b) {
  return Ints<T>::of(std::bit_cast<Native<SInt<T>>>(b.v));
}
template <class T>
Bits<T> unsigned_of(const Ints<T>& i) {
  return Bits<T>::of(std::bit_cast<Native<UInt<T>>>(i.v));
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

// The IEEE square root of each lane (correctly rounded: the same bits as std::sqrt). Written as a loop over the
// lanes, which the compiler turns into one vector square root (the library is built with -fno-math-errno).
template <class T>
Vec<T> sqrt(const Vec<T>& x) {
  T buf[width<T>];
  store(x, buf);
  for (std::int64_t i = 0; i < width<T>; ++i) buf[i] = std::sqrt(buf[i]);
  return load(buf);
}

// Sum of the lanes, halving: (v0 + v4) + (v2 + v6) ... written out so the order is fixed and visible.
template <class T>
T sum_lanes(const Vec<T>& v) {
  T buf[width<T>];
  store(v, buf);
  for (std::int64_t half = width<T> / 2; half >= 1; half /= 2)
    for (std::int64_t i = 0; i < half; ++i) buf[i] = buf[i] + buf[i + half];
  return buf[0];
}

// The largest lane (NaN lanes are not larger than any other: callers note NaN aside).
template <class T>
T max_lane(const Vec<T>& v) {
  T m = v.lane(0);
  for (std::int64_t i = 1; i < width<T>; ++i) m = v.lane(i) > m ? v.lane(i) : m;
  return m;
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
std::int64_t vectors_for(std::int64_t n) {
  return (n + width<T> - 1) / width<T>;
}

// Lane i holds i: (lane_index<T>() < n) selects the first n lanes.
template <class T>
Vec<T> lane_index() {
  T buf[width<T>];
  for (std::int64_t i = 0; i < width<T>; ++i) buf[i] = static_cast<T>(i);
  return load(buf);
}

}  // namespace tg::simd
