// Prefetching the records of the tensors a loop over the tape will reach next. The entries lie one after another,
// but the tensors they name are scattered through memory, and a sweep over a long tape reaches each one long after
// it was last touched: a cache miss per tensor, which was most of the time of a backward or clear() over a tape of
// scalars (bench_scalar). Asking for the records of the entry a few places on lets them arrive while the loop works
// on the current one. A hint only: it never faults and changes no value.
#pragma once
#include <cstddef>

#include "autodiff/runtime/tensor_record.hpp"

namespace tg {

inline constexpr std::size_t prefetch_ahead = 4;  // entries

// The whole record, from the reference counts just before it (allocate_shared puts them there): the sweep reads
// its shape, flags and gradient, and a scalar's values live at its end.
inline void prefetch_record(const TensorImpl* t) {
  if (!t) return;
  const auto* p = reinterpret_cast<const char*>(t);
  for (std::ptrdiff_t offset = -16; offset < static_cast<std::ptrdiff_t>(sizeof(TensorImpl)); offset += 64)
    __builtin_prefetch(p + offset);
}

}  // namespace tg
