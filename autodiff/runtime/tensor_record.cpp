// TensorImpl records from the free lists, and views of their values (tensor_record.hpp).
#include "autodiff/runtime/tensor_record.hpp"

#include "autodiff/runtime/storage.hpp"

namespace tg {

std::shared_ptr<TensorImpl> new_impl() { return std::allocate_shared<TensorImpl>(BlockAllocator<TensorImpl>()); }

std::shared_ptr<void> share_values(const std::shared_ptr<TensorImpl>& x) {
  return x->storage ? x->storage : std::shared_ptr<void>(x);
}

}  // namespace tg
