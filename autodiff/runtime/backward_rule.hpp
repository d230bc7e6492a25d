// Backward: an op's backward rule, stored inside its tape entry. A rule is any callable
// `Grads rule(const Tensor& g)`; its captures (a few tensors and numbers) are kept in a buffer of the entry itself
// (a larger closure goes to the heap), so recording an op allocates nothing and the entry is reused by the next
// step after clear(). A std::function makes a heap allocation for closures of more than two pointers (every rule
// that keeps two tensors); this, with the inline lists and records of tensor_list.hpp and tensor_record.hpp, took
// the scalar chain of bench_scalar from 0.81 to 0.26 us per node (docs/performance.md, "Scalar chain"). Read it as
// `std::function<Grads(const Tensor&)>`.
#pragma once
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>

#include "autodiff/runtime/tensor_list.hpp"

namespace tg {

// The gradients a backward rule returns: one per input, in the order of the inputs (an undefined Tensor where an
// input needs none). A gradient may have the broadcast output shape: the tape sums it back to the input's shape, so
// no op can forget to.
using Grads = TensorList;

// An op's backward rule: any callable `Grads rule(const Tensor& g)` where g = dL/d(output), its captures kept in
// closure_ (up to inline_bytes; a pointer to a larger closure on the heap).
class Backward {
 public:
  static constexpr std::size_t inline_bytes = 128;
  template <class F>
  static constexpr bool fits_inline = sizeof(F) <= inline_bytes && alignof(F) <= alignof(std::max_align_t);

  template <class F>
    requires(!std::is_same_v<std::decay_t<F>, Backward>)
  Backward(F&& rule);  // NOLINT: implicit on purpose, record() takes the lambda as it is (moved once, into place)
  Backward(Backward&& other) noexcept : ops_(other.ops_) {
    ops_->move(closure_, other.closure_);
    other.ops_ = moved_from();
  }
  Backward& operator=(Backward&& other) noexcept;
  Backward(const Backward&) = delete;
  Backward& operator=(const Backward&) = delete;
  ~Backward() { ops_->destroy(closure_); }

  Grads operator()(const Tensor& g) const { return ops_->call(closure_, g); }

 private:
  struct Ops {  // what the stored closure of type F can do: be called, moved elsewhere, destroyed
    Grads (*call)(const void* closure, const Tensor& g);
    void (*move)(void* to, void* from);
    void (*destroy)(void* closure);
  };
  template <class F>
  static const Ops* ops_for();
  static const Ops* moved_from();                                  // owns nothing, returns no gradients
  alignas(std::max_align_t) unsigned char closure_[inline_bytes];  // the closure, or a pointer to it on the heap
  const Ops* ops_;
};

// ---- the type erasure: what a stored closure of type F can do ---------------------------------------------------

template <class F>
const Backward::Ops* Backward::ops_for() {
  static constexpr Ops inline_ops{
      [](const void* c, const Tensor& g) -> Grads { return Grads((*static_cast<const F*>(c))(g)); },
      [](void* to, void* from) {
        new (to) F(std::move(*static_cast<F*>(from)));
        static_cast<F*>(from)->~F();
      },
      [](void* c) { static_cast<F*>(c)->~F(); }};
  static constexpr Ops heap_ops{
      [](const void* c, const Tensor& g) -> Grads { return Grads((**static_cast<F* const*>(c))(g)); },
      [](void* to, void* from) { new (to) F*(*static_cast<F**>(from)); }, [](void* c) { delete *static_cast<F**>(c); }};
  return fits_inline<F> ? &inline_ops : &heap_ops;
}

template <class F>
  requires(!std::is_same_v<std::decay_t<F>, Backward>)
Backward::Backward(F&& rule) : ops_(ops_for<std::decay_t<F>>()) {
  using Rule = std::decay_t<F>;
  if constexpr (fits_inline<Rule>)
    new (closure_) Rule(std::forward<F>(rule));
  else
    new (closure_) Rule*(new Rule(std::forward<F>(rule)));
}

inline const Backward::Ops* Backward::moved_from() {
  static constexpr Ops ops{[](const void*, const Tensor&) { return Grads(); }, [](void*, void*) {}, [](void*) {}};
  return &ops;
}

inline Backward& Backward::operator=(Backward&& other) noexcept {
  if (this != &other) {
    ops_->destroy(closure_);
    ops_ = other.ops_;
    ops_->move(closure_, other.closure_);
    other.ops_ = moved_from();
  }
  return *this;
}

}  // namespace tg
