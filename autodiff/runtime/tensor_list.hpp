// TensorList: an op's inputs, or the gradients its backward rule returns (one per input). Up to four tensors are
// kept inline, so recording an op or returning its gradients never touches the heap (a std::vector did, twice per
// op); a longer list (concat of many tensors) moves to the heap. It reads like a std::vector<Tensor>.
#pragma once
#include <cstddef>
#include <new>
#include <type_traits>
#include <utility>
#include <vector>

#include "autodiff/tensor.hpp"

namespace tg {

class TensorList {
 public:
  static constexpr std::size_t inline_capacity = 4;
  TensorList() = default;
  // TensorList{a, b}: each tensor is copied, or moved when it is a temporary (Grads{g * b, g * a}). Not an
  // std::initializer_list, whose values can only be copied out: that would cost every op a reference count more.
  template <class... Ts>
    requires(sizeof...(Ts) > 0 && (std::is_convertible_v<Ts, Tensor> && ...))
  TensorList(Ts&&... tensors) {  // NOLINT: implicit on purpose, for {a, b}
    if constexpr (sizeof...(Ts) <= inline_capacity)
      (new (slot(size_++)) Tensor(std::forward<Ts>(tensors)), ...);  // built in place: no Tensor in between
    else
      (push_back(std::forward<Ts>(tensors)), ...);
  }
  TensorList(const std::vector<Tensor>& tensors) {  // NOLINT: implicit on purpose (concat's inputs, older rules)
    for (const Tensor& x : tensors) push_back(x);
  }
  explicit TensorList(std::size_t n) {  // n undefined tensors, to be filled by index
    for (std::size_t i = 0; i < n; ++i) push_back(Tensor());
  }
  TensorList(const TensorList& other) : TensorList() {
    for (const Tensor& x : other) push_back(x);
  }
  TensorList(TensorList&& other) noexcept { take(other); }
  TensorList& operator=(const TensorList& other) {
    if (this != &other) clear(), *this = TensorList(other);
    return *this;
  }
  TensorList& operator=(TensorList&& other) noexcept {
    if (this != &other) clear(), take(other);
    return *this;
  }
  ~TensorList() { clear(); }

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  Tensor& operator[](std::size_t i) { return data()[i]; }
  const Tensor& operator[](std::size_t i) const { return data()[i]; }
  Tensor* begin() { return data(); }
  Tensor* end() { return data() + size_; }
  const Tensor* begin() const { return data(); }
  const Tensor* end() const { return data() + size_; }
  void push_back(Tensor x) {
    if (size_ >= inline_capacity) return spill(std::move(x));
    new (slot(size_)) Tensor(std::move(x));
    ++size_;
  }
  void clear() {
    Tensor* values = data();
    for (std::size_t i = 0; i < size_; ++i) values[i].~Tensor();
    if (spill_) free_spill();
    size_ = 0;
  }

 private:
  Tensor* slot(std::size_t i) { return std::launder(reinterpret_cast<Tensor*>(inline_)) + i; }
  const Tensor* slot(std::size_t i) const { return std::launder(reinterpret_cast<const Tensor*>(inline_)) + i; }
  Tensor* data() { return spill_ ? spill_ : slot(0); }
  const Tensor* data() const { return spill_ ? spill_ : slot(0); }
  void spill(Tensor x);  // the fifth tensor and later ones: every tensor moves to spill_ (grown as needed)
  void free_spill();
  void take(TensorList& other) {  // moves other's tensors here (this list is empty)
    size_ = std::exchange(other.size_, 0);
    capacity_ = std::exchange(other.capacity_, 0);
    spill_ = std::exchange(other.spill_, nullptr);
    if (spill_) return;
    for (std::size_t i = 0; i < size_; ++i) new (slot(i)) Tensor(std::move(*other.slot(i))), other.slot(i)->~Tensor();
  }
  alignas(Tensor) unsigned char inline_[inline_capacity * sizeof(Tensor)];  // the first tensors, built in place
  Tensor* spill_ = nullptr;   // holds every tensor instead, once there are more than inline_capacity
  std::size_t capacity_ = 0;  // of spill_
  std::size_t size_ = 0;
};

}  // namespace tg
