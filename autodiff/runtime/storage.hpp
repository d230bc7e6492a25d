// Pooled tensor storage: freed buffers go back to a free list by size class (powers of two), so a training
// step in steady state takes every buffer from the pool and makes no heap allocation. The small records around
// them (TensorImpl, Storage and their shared_ptr counts) come from free lists of blocks, for the same reason.
// The lists are per thread (no lock); a buffer freed on another thread than the one that took it joins the lists
// of the thread that frees it.
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

// Uninitialised, 64-byte aligned. (Values of at most TensorImpl::small_bytes need no Storage: they live inside
// their tensor's record, see autodiff/tensor.hpp.) MemoryStats counts buffers only.
std::shared_ptr<Storage> allocate_storage(std::size_t bytes);

// Blocks of up to 512 bytes from the calling thread's free list. BlockAllocator hands them to std::allocate_shared.
void* take_block(std::size_t bytes);
void give_block(void* block, std::size_t bytes);
template <class T>
struct BlockAllocator {
  using value_type = T;
  BlockAllocator() = default;
  template <class U>
  BlockAllocator(const BlockAllocator<U>&) {}  // NOLINT: implicit, as allocators must be
  T* allocate(std::size_t n) { return static_cast<T*>(take_block(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) { give_block(p, n * sizeof(T)); }
  friend bool operator==(const BlockAllocator&, const BlockAllocator&) { return true; }
};

struct MemoryStats {                     // over all threads
  std::uint64_t system_allocations = 0;  // buffers taken from the heap
  std::uint64_t pool_hits = 0;           // buffers reused from the pool
  std::uint64_t bytes_in_use = 0;
  std::uint64_t bytes_pooled = 0;  // free, kept for reuse
};
MemoryStats memory_stats();
void release_pooled_memory();  // give the calling thread's free buffers back to the heap

}  // namespace tg
