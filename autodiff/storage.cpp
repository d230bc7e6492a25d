// Pooled tensor storage (see storage.hpp): a free list per power-of-two size class, guarded by one mutex.
#include "autodiff/storage.hpp"

#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <vector>

namespace tg {
namespace {

struct Pool {
  std::mutex mutex;
  std::vector<void*> free_lists[64];  // free_lists[c] holds buffers of 2^c bytes
  MemoryStats stats;
};

Pool& pool() {
  static Pool* p = new Pool;  // never destroyed: tensors may outlive static destructors
  return *p;
}

int size_class(std::size_t bytes) { return std::bit_width(std::max<std::size_t>(bytes, 64) - 1); }

}  // namespace

std::shared_ptr<Storage> allocate_storage(std::size_t bytes) {
  auto s = std::make_shared<Storage>();
  const int c = size_class(bytes);
  s->bytes = bytes;
  s->capacity = std::size_t{1} << c;
  Pool& p = pool();
  {
    std::lock_guard lock(p.mutex);
    p.stats.bytes_in_use += s->capacity;
    if (!p.free_lists[c].empty()) {
      s->data = p.free_lists[c].back();
      p.free_lists[c].pop_back();
      p.stats.pool_hits++;
      p.stats.bytes_pooled -= s->capacity;
      return s;
    }
    p.stats.system_allocations++;
  }
  s->data = std::aligned_alloc(64, s->capacity);
  if (s->data == nullptr) {
    std::lock_guard lock(p.mutex);
    p.stats.bytes_in_use -= s->capacity;
    p.stats.system_allocations--;
    throw std::bad_alloc();  // empty() turns it into a tg::Error naming the shape
  }
  return s;
}

Storage::~Storage() {
  if (data == nullptr) return;
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  p.free_lists[std::countr_zero(capacity)].push_back(data);
  p.stats.bytes_in_use -= capacity;
  p.stats.bytes_pooled += capacity;
}

MemoryStats memory_stats() {
  std::lock_guard lock(pool().mutex);
  return pool().stats;
}

void release_pooled_memory() {
  Pool& p = pool();
  std::lock_guard lock(p.mutex);
  for (auto& list : p.free_lists) {
    for (void* ptr : list) std::free(ptr);
    list.clear();
  }
  p.stats.bytes_pooled = 0;
}

}  // namespace tg
