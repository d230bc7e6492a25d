// Pooled tensor storage: freed buffers go back to a free list by size class (powers of two), so a training
// step in steady state takes every buffer from the pool and makes no heap allocation.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>

namespace tg {

struct Storage {
  void* data = nullptr;
  std::size_t bytes = 0;     // requested size
  std::size_t capacity = 0;  // size class
  Storage() = default;
  Storage(const Storage&) = delete;
  Storage& operator=(const Storage&) = delete;
  ~Storage();
};

std::shared_ptr<Storage> allocate_storage(std::size_t bytes);  // 64-byte aligned, uninitialised

struct MemoryStats {
  std::uint64_t system_allocations = 0;  // buffers taken from the heap
  std::uint64_t pool_hits = 0;           // buffers reused from the pool
  std::uint64_t bytes_in_use = 0;
  std::uint64_t bytes_pooled = 0;  // free, kept for reuse
};
MemoryStats memory_stats();
void release_pooled_memory();  // give every free buffer back to the heap

}  // namespace tg
