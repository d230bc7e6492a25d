// Dims (dims.hpp): the members that may fail or move values.
#include "autodiff/runtime/dims.hpp"

#include <string>

#include "autodiff/tensor.hpp"

namespace tg {

void Dims::too_long() const {
  fail("shape", "more than " + std::to_string(max_size) + " dims (" + shape_str(*this) +
                    " and one more); tapegrad's tensors have rank at most " + std::to_string(max_size));
}

void Dims::resize(std::size_t n, std::int64_t value) {
  if (n > max_size) fail("shape", std::to_string(n) + " dims asked for; at most " + std::to_string(max_size));
  for (std::size_t i = size_; i < n; ++i) values_[i] = value;
  size_ = n;
}

std::int64_t* Dims::insert(const std::int64_t* pos, std::int64_t v) {
  const auto i = static_cast<std::size_t>(pos - values_);
  push_back(v);
  std::rotate(values_ + i, values_ + size_ - 1, values_ + size_);
  return values_ + i;
}

std::int64_t* Dims::erase(const std::int64_t* pos) {
  const auto i = static_cast<std::size_t>(pos - values_);
  std::copy(values_ + i + 1, values_ + size_, values_ + i);
  --size_;
  return values_ + i;
}

}  // namespace tg
