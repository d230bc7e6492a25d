// TensorImpl, the record behind a Tensor handle, laid out for speed: values of at most 16 bytes (a scalar, a pair
// of doubles) live inside the record, so a scalar computation takes one block from the free lists of storage.hpp
// per tensor instead of a record and a buffer (with the second round of the lean tape, bench_scalar went from 2 168
// to 1 531 instructions per node: docs/performance.md); the tape a tensor was recorded on is named by a generation
// number, not a reference, so checking an input is one comparison. docs/tape.md explains both.
#pragma once
#include <cstdint>
#include <memory>
#include <string>

#include "autodiff/dtype.hpp"
#include "autodiff/runtime/dims.hpp"

namespace tg {

using Shape = Dims;  // a tensor's dims, outermost first; {} is a scalar

struct TensorImpl {
  // Values of at most this many bytes (a scalar, a pair of doubles) live in `small`, inside the record itself: a
  // tensor of a scalar computation is then one block from the free lists, not a record and a buffer.
  static constexpr std::size_t small_bytes = 16;
  Shape shape;
  std::int64_t numel = 0;  // shape_numel(shape), kept beside it because loops ask for it often
  DType dtype = f32;
  bool requires_grad = false;  // leaves: set by the user; recorded outputs: always true
  void* data = nullptr;        // the values: in `small`, or in the buffer `storage` keeps alive
  // What keeps the values alive when they are not in `small`: their Storage (autodiff/runtime/storage.hpp), or, for a
  // view of a small tensor (reshape, detach), the record of that tensor. Null when the values are in `small`.
  std::shared_ptr<void> storage;
  std::shared_ptr<TensorImpl> grad;  // written by backward (leaves accumulate across calls)
  // Set when a tape recorded the op that produced this tensor; entry == -1 for leaves. Generations are unique over
  // all tapes (each Tape and each clear() takes a new one), so the generation alone says which tape, and whether
  // it has been cleared since.
  std::uint64_t generation = 0;
  std::int64_t entry = -1;
  std::string name;
  alignas(16) unsigned char small[small_bytes];
  // Written out, so that making a record sets the members above and nothing else: a defaulted constructor would
  // have std::allocate_shared zero all of its bytes first.
  TensorImpl() {}  // NOLINT(modernize-use-equals-default)
};

// What a view of x (same values, another record) holds to keep x's values alive: x's storage, or x's record itself
// when its values live inside it.
std::shared_ptr<void> share_values(const std::shared_ptr<TensorImpl>& x);

// Whether x's values may be changed in place without anyone else seeing it: one handle holds x, and no view shares
// its values. A view holds x's storage, or x's record itself when the values live inside it (share_values above),
// so both counts being 1 rules every view out. The tape adds a second gradient into the first this way.
inline bool sole_owner(const std::shared_ptr<TensorImpl>& x) {
  return x.use_count() == 1 && (!x->storage || x->storage.use_count() == 1);
}

// A fresh TensorImpl from the free lists of autodiff/runtime/storage.hpp (no heap allocation in steady state).
std::shared_ptr<TensorImpl> new_impl();

}  // namespace tg
