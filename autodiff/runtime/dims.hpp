// Dims: a tensor's shape kept inline, never on the heap. Making, copying and comparing shapes is what every op
// does; with std::vector<std::int64_t> each of them was a heap allocation, and a training step of the VAE made
// thousands (docs/performance.md: 0 allocations per step in steady state, with this and the pools of storage.hpp).
// It reads like std::vector<std::int64_t> and converts to and from one.
#pragma once
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <iterator>
#include <vector>

namespace tg {

// A tensor's shape, or a list of axes: at most max_size values (a tensor of rank 9 is an error).
class Dims {
 public:
  using value_type = std::int64_t;
  static constexpr std::size_t max_size = 8;
  Dims() = default;
  Dims(std::initializer_list<std::int64_t> values) : Dims(values.begin(), values.end()) {}
  Dims(const std::vector<std::int64_t>& values) : Dims(values.begin(), values.end()) {}  // NOLINT: implicit
  explicit Dims(std::size_t n, std::int64_t value = 0) { resize(n, value); }
  template <std::input_iterator It>
  Dims(It first, It last) {
    for (; first != last; ++first) push_back(*first);
  }
  operator std::vector<std::int64_t>() const { return {begin(), end()}; }  // NOLINT: implicit

  std::size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  std::int64_t& operator[](std::size_t i) { return values_[i]; }
  std::int64_t operator[](std::size_t i) const { return values_[i]; }
  std::int64_t& front() { return values_[0]; }
  std::int64_t front() const { return values_[0]; }
  std::int64_t& back() { return values_[size_ - 1]; }
  std::int64_t back() const { return values_[size_ - 1]; }
  std::int64_t* data() { return values_; }
  const std::int64_t* data() const { return values_; }
  std::int64_t* begin() { return values_; }
  std::int64_t* end() { return values_ + size_; }
  const std::int64_t* begin() const { return values_; }
  const std::int64_t* end() const { return values_ + size_; }

  void push_back(std::int64_t v) {
    if (size_ == max_size) too_long();
    values_[size_++] = v;
  }
  void pop_back() { --size_; }
  void clear() { size_ = 0; }
  void resize(std::size_t n, std::int64_t value = 0);
  std::int64_t* insert(const std::int64_t* pos, std::int64_t v);  // before pos, like std::vector
  std::int64_t* erase(const std::int64_t* pos);
  template <std::input_iterator It>
  void insert(const std::int64_t* pos, It first, It last) {  // the values of [first, last) before pos
    for (std::int64_t* at = begin() + (pos - begin()); first != last; ++first) at = insert(at, *first) + 1;
  }
  void insert(const std::int64_t* pos, std::initializer_list<std::int64_t> values) {
    insert(pos, values.begin(), values.end());
  }
  std::reverse_iterator<std::int64_t*> rbegin() { return std::reverse_iterator(end()); }
  std::reverse_iterator<std::int64_t*> rend() { return std::reverse_iterator(begin()); }
  std::reverse_iterator<const std::int64_t*> rbegin() const { return std::reverse_iterator(end()); }
  std::reverse_iterator<const std::int64_t*> rend() const { return std::reverse_iterator(begin()); }
  friend bool operator==(const Dims& a, const Dims& b) {
    return a.size_ == b.size_ && std::equal(a.begin(), a.end(), b.begin());
  }

 private:
  [[noreturn]] void too_long() const;
  std::int64_t values_[max_size] = {};
  std::size_t size_ = 0;
};

}  // namespace tg
