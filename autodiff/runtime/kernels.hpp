// The narrow kernel interface the ops call, over contiguous memory. Each fast kernel (SIMD through simd::Vec,
// packed GEMM) has a plain-loop twin, X_reference, written right beside it: the twin says what the fast one
// computes, and the tests compare the two. Each kernel exists for float and double. The
// elementwise kernels take (pointer, length) ranges and give every element the same bits wherever the range
// starts or ends, so a caller may split the work into blocks (over threads) without changing any result.
#pragma once
#include <cstdint>

namespace tg::kernels {

// Reference mode: every fast kernel hands its work to its plain twin, so that stepping into an op in gdb lands on
// the loop that reads as the math, and a whole program can be run on the twins. On from the start in a build
// configured with -DTG_REFERENCE_KERNELS=ON (the debug and reference presets), off otherwise; a program or a test
// may switch it at any time (tests compare the two modes). docs/kernels.md gives the bounds within which they agree.
bool reference_mode();
void set_reference_mode(bool on);

enum class Unary { neg, exp, log, log1p, expm1, sqrt, square, abs, tanh, sigmoid, relu, softplus, log_sigmoid };
enum class Binary { add, sub, mul, div };

// y[i] = f(x[i]) for i < n. The fast kernel's exp, log, log1p, expm1, tanh, sigmoid and softplus are the vector
// functions of autodiff/runtime/simd_math.hpp (within 2 ulp of the twin's std:: functions, 3 for tanh:
// docs/kernels.md); every other f gives the twin's bits exactly.
template <class T>
void unary(Unary f, std::int64_t n, const T* x, T* y);
template <class T>
void unary_reference(Unary f, std::int64_t n, const T* x, T* y);
// out[i] = a[i * sa] op b[i * sb] for i < n; a stride of 0 repeats (broadcasts) one value. Same bits as the twin.
template <class T>
void binary(Binary f, std::int64_t n, const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out);
template <class T>
void binary_reference(Binary f, std::int64_t n, const T* a, std::int64_t sa, const T* b, std::int64_t sb, T* out);

// How far apart a and b are in steps from one representable value of T to the next (1 for neighbours; the
// largest finite value and inf are neighbours): 0 when a == b (+0 and -0 too) or both are NaN, infinity when only
// one is NaN. The unit of the accuracy tests and of bench/ulp_error.
template <class T>
double ulp_distance(T a, T b);

// What the kernels cost per value on one core, in nanoseconds, for the thread pool's cost model (tg::worth_splitting
// and tg::parallel_blocks decide from them whether an op is split over blocks of its output): float32 on an AVX2
// core (AMD Zen 3), timed on 1000 x 784 values; docs/performance.md.
namespace cost_ns {
inline constexpr double cheap_unary = 0.2;           // neg, abs, relu, square, sqrt: a load, an operation, a store
inline constexpr double transcendental_unary = 2.3;  // exp, log, tanh, sigmoid, softplus, ...: a polynomial each
inline constexpr double activation_backward = 0.35;
inline constexpr double log_prob = 6.0;           // the Bernoulli (6) and Normal (4-5) log-densities, per value
inline constexpr double log_prob_backward = 2.0;  // their backward: one exp or none per value
inline constexpr double gemm_flop = 1.0 / 50;     // the GEMM: about 50 flop per ns (a multiply-add is 2)
inline constexpr double packed_value = 0.25;      // the GEMM's packing of B: a value read and written
constexpr double unary(Unary f) {
  return f == Unary::neg || f == Unary::abs || f == Unary::relu || f == Unary::square || f == Unary::sqrt
             ? cheap_unary
             : transcendental_unary;
}
}  // namespace cost_ns

// C (M, N) = op(A) op(B) (+ C if accumulate), row-major, contiguous. op(A) is A (M, K), or A^T with A stored
// (K, M) when trans_a; op(B) is B (K, N), or B^T with B stored (N, K) when trans_b.
template <class T>
void gemm(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B, T* C,
          bool accumulate);
// The same in three plain loops: the reference the packed, threaded gemm (autodiff/runtime/gemm.cpp) is tested against.
template <class T>
void gemm_reference(bool trans_a, bool trans_b, std::int64_t M, std::int64_t N, std::int64_t K, const T* A, const T* B,
                    T* C, bool accumulate);

// Reductions over the middle axis of x viewed as (outer, n, inner) -> y (outer, inner). The fast sums add
// pairwise (the halves of the n terms separately, down to runs of 16 added into four accumulators), so the
// rounding error grows like log n instead of n; each output depends only on its own n inputs, never on how the
// outputs are split. The twins add in order.
template <class T>
void reduce_sum(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y);
template <class T>
void reduce_sum_reference(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y);
// The maximum and the first index where it sits; a NaN wins (the first one). n >= 1. Same bits as the twin.
template <class T>
void reduce_max(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y, std::int64_t* argmax);
template <class T>
void reduce_max_reference(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y,
                          std::int64_t* argmax);
// Stable log-sum-exp: m + log(sum exp(x - m)) with m the max; all -inf gives -inf, any +inf gives +inf, NaN gives
// NaN. n >= 1.
template <class T>
void reduce_logsumexp(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y);
template <class T>
void reduce_logsumexp_reference(std::int64_t outer, std::int64_t n, std::int64_t inner, const T* x, T* y);

// ---- fused kernels (kernels_fused.cpp) -------------------------------------------------------------------------
// They work on rows of E values (an event) and take a range of rows [r0, r1), so a caller may split the rows.

// An operand of a fused kernel, read row by row: row r's E values start at p + (r E) mod period, where period (a
// multiple of E) is the operand's size: R E for a full one, less for one that repeats over leading axes (the
// data x (B, D) beside logits (K, B, D)). A null p reads as zeros.
template <class T>
struct Rows {
  const T* p = nullptr;
  std::int64_t period = 1;
  const T* row(std::int64_t r, std::int64_t E) const { return p + (r * E) % period; }
};

// out[r] = sum_j x t - softplus(t) over row r (Bernoulli log-likelihood from logits t), computed without
// cancellation as (x - [t > 0]) t - log1p(e^-|t|). The backward writes gx = g[r] t and gt = g[r] (x - sigmoid(t))
// for every element (R E values each; a null gx or gt is skipped).
template <class T>
void bernoulli_log_prob(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t, T* out);
template <class T>
void bernoulli_log_prob_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t, T* out);
template <class T>
void bernoulli_log_prob_backward(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t, const T* g,
                                 T* gx, T* gt);
template <class T>
void bernoulli_log_prob_backward_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> t,
                                           const T* g, T* gx, T* gt);

// out[r] = sum_j -1/2 y^2 - log_sigma - 1/2 log(2 pi), y = (x - mu) e^-log_sigma, over row r (diagonal Normal
// log-density). The backward writes gx = -g y / sigma, gmu = g y / sigma, glog_sigma = g (y^2 - 1).
template <class T>
void normal_log_prob(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu, Rows<T> log_sigma,
                     T* out);
template <class T>
void normal_log_prob_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu,
                               Rows<T> log_sigma, T* out);
template <class T>
void normal_log_prob_backward(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu,
                              Rows<T> log_sigma, const T* g, T* gx, T* gmu, T* glog_sigma);
template <class T>
void normal_log_prob_backward_reference(std::int64_t r0, std::int64_t r1, std::int64_t E, Rows<T> x, Rows<T> mu,
                                        Rows<T> log_sigma, const T* g, T* gx, T* gmu, T* glog_sigma);

// gx[i] = g[i] f'(x[i]) computed from the activation's output y = f(x): relu [y > 0], tanh 1 - y^2, sigmoid
// y (1 - y), softplus -expm1(-y); any other f passes g through.
template <class T>
void activation_backward(Unary f, std::int64_t n, const T* y, const T* g, T* gx);
template <class T>
void activation_backward_reference(Unary f, std::int64_t n, const T* y, const T* g, T* gx);

}  // namespace tg::kernels
