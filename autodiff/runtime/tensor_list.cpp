// TensorList (tensor_list.hpp): the list past its inline tensors.
#include "autodiff/runtime/tensor_list.hpp"

#include <algorithm>

namespace tg {

void TensorList::spill(Tensor x) {
  if (!spill_ || size_ == capacity_) {
    const std::size_t capacity = std::max(2 * inline_capacity, 2 * size_);
    auto* bigger = static_cast<Tensor*>(::operator new(capacity * sizeof(Tensor)));
    Tensor* values = data();
    for (std::size_t i = 0; i < size_; ++i) new (bigger + i) Tensor(std::move(values[i])), values[i].~Tensor();
    if (spill_) ::operator delete(spill_);
    spill_ = bigger;
    capacity_ = capacity;
  }
  new (spill_ + size_) Tensor(std::move(x));
  ++size_;
}

void TensorList::free_spill() {
  ::operator delete(std::exchange(spill_, nullptr));
  capacity_ = 0;
}

}  // namespace tg
