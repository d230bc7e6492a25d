// Pooled tensor storage (see storage.hpp). Each thread keeps its own free lists, so taking or returning a buffer
// takes no lock: buffers by power-of-two size class (64-byte aligned), and blocks of 16..512 bytes for the small
// records. A free buffer or block is linked into its list through its own first bytes. When a thread exits, its
// lists go back to the heap, and whatever it frees after that (static destructors) goes straight to the heap.
#include "autodiff/runtime/storage.hpp"

#include <algorithm>
#include <atomic>
#include <bit>
#include <cstdlib>
#include <mutex>
#include <new>
#include <utility>
#include <vector>

namespace tg {
namespace {

struct FreeNode {
  FreeNode* next;
};

// Counters written only by their own thread (a load and a store, no locked instruction) and read by any thread.
struct Counters {
  std::atomic<std::int64_t> system_allocations{0}, pool_hits{0}, bytes_in_use{0}, bytes_pooled{0};
};
void bump(std::atomic<std::int64_t>& counter, std::int64_t by) {
  counter.store(counter.load(std::memory_order_relaxed) + by, std::memory_order_relaxed);
}

constexpr std::size_t block_step = 16, block_classes = 32, buffer_classes = 64;

struct ThreadCache;
struct Registry {  // every thread's counters, and the totals of the threads that have exited
  std::mutex mutex;
  std::vector<ThreadCache*> caches;
  MemoryStats retired;
};
Registry& registry() {
  static Registry* r = new Registry;  // never destroyed: threads may exit after static destructors ran
  return *r;
}

// A thread's free lists and counters. Plain data, initialised as a constant, so that reaching it is one
// thread-local address (no initialisation check per access); ThreadExit hands it back when the thread ends.
struct ThreadCache {
  FreeNode* buffers[buffer_classes];  // buffers[c]: free buffers of 2^c bytes
  FreeNode* blocks[block_classes];    // blocks[c]: free blocks of 16 (c + 1) bytes
  Counters counts;
  bool registered;  // in registry().caches, with a ThreadExit armed
  bool gone;        // the thread is ending: everything goes straight to the heap
};
constinit thread_local ThreadCache t_cache{};

struct ThreadExit {
  ~ThreadExit();
};
thread_local ThreadExit t_exit;

[[gnu::noinline]] void register_cache(ThreadCache& c) {
  c.registered = true;
  [[maybe_unused]] ThreadExit& arm = t_exit;  // its destructor runs when this thread ends
  std::lock_guard lock(registry().mutex);
  registry().caches.push_back(&c);
}

inline ThreadCache& cache() {
  ThreadCache& c = t_cache;
  if (!c.registered) [[unlikely]]
    register_cache(c);
  return c;
}

ThreadExit::~ThreadExit() {
  ThreadCache& c = t_cache;
  c.gone = true;
  for (FreeNode* head : c.buffers)
    while (head) std::free(std::exchange(head, head->next));
  for (FreeNode* head : c.blocks)
    while (head) ::operator delete(std::exchange(head, head->next));
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  r.retired.system_allocations += static_cast<std::uint64_t>(c.counts.system_allocations.load());
  r.retired.pool_hits += static_cast<std::uint64_t>(c.counts.pool_hits.load());
  r.retired.bytes_in_use += static_cast<std::uint64_t>(c.counts.bytes_in_use.load());
  r.caches.erase(std::find(r.caches.begin(), r.caches.end(), &c));
}

// Pops the head of a free list and prefetches the next one. A list's nodes were freed in whatever order a step let
// go of its tensors, so they lie scattered through memory, and reading node->next of a node not touched for a whole
// step is a cache miss; the scalar chain of bench_scalar spends a tenth of its time there. Prefetching the new head
// (all of its bytes: it is about to be written over) lets the next pop find it in cache.
inline void* pop(FreeNode*& head, std::size_t bytes) {
  FreeNode* node = head;
  head = node->next;
  if (head)
    for (std::size_t offset = 0; offset < bytes; offset += 64)
      __builtin_prefetch(reinterpret_cast<const char*>(head) + offset, 1);
  return node;
}

int size_class(std::size_t bytes) { return std::bit_width(std::max<std::size_t>(bytes, 64) - 1); }
std::size_t block_class(std::size_t bytes) { return (std::max<std::size_t>(bytes, 1) - 1) / block_step; }

}  // namespace

std::shared_ptr<Storage> allocate_storage(std::size_t bytes) {
  auto s = std::allocate_shared<Storage>(BlockAllocator<Storage>());
  const int c = size_class(bytes);
  s->bytes = bytes;
  s->capacity = std::size_t{1} << c;
  const auto capacity = static_cast<std::int64_t>(s->capacity);
  ThreadCache& cache = tg::cache();
  if (!cache.gone) {
    if (cache.buffers[c]) {
      void* node = pop(cache.buffers[c], std::min<std::size_t>(s->capacity, 64));
      bump(cache.counts.bytes_in_use, capacity);
      bump(cache.counts.pool_hits, 1);
      bump(cache.counts.bytes_pooled, -capacity);
      s->data = node;
      return s;
    }
  }
  s->data = std::aligned_alloc(64, s->capacity);
  if (s->data == nullptr) throw std::bad_alloc();  // empty() turns it into a tg::Error naming the shape
  if (!cache.gone) {
    bump(cache.counts.bytes_in_use, capacity);
    bump(cache.counts.system_allocations, 1);
  }
  return s;
}

Storage::~Storage() {
  if (data == nullptr) return;
  ThreadCache& cache = tg::cache();
  if (cache.gone) {
    std::free(data);
    return;
  }
  const int c = std::countr_zero(capacity);
  cache.buffers[c] = new (data) FreeNode{cache.buffers[c]};
  bump(cache.counts.bytes_in_use, -static_cast<std::int64_t>(capacity));
  bump(cache.counts.bytes_pooled, static_cast<std::int64_t>(capacity));
}

void* take_block(std::size_t bytes) {
  const std::size_t c = block_class(bytes);
  ThreadCache& cache = tg::cache();
  if (c >= block_classes || cache.gone || !cache.blocks[c]) return ::operator new((c + 1) * block_step);
  return pop(cache.blocks[c], (c + 1) * block_step);
}

void give_block(void* block, std::size_t bytes) {
  const std::size_t c = block_class(bytes);
  ThreadCache& cache = tg::cache();
  if (c >= block_classes || cache.gone) return ::operator delete(block);
  cache.blocks[c] = new (block) FreeNode{cache.blocks[c]};
}

MemoryStats memory_stats() {
  Registry& r = registry();
  std::lock_guard lock(r.mutex);
  MemoryStats s = r.retired;
  for (const ThreadCache* cache : r.caches) {
    s.system_allocations += static_cast<std::uint64_t>(cache->counts.system_allocations.load());
    s.pool_hits += static_cast<std::uint64_t>(cache->counts.pool_hits.load());
    s.bytes_in_use += static_cast<std::uint64_t>(cache->counts.bytes_in_use.load());
    s.bytes_pooled += static_cast<std::uint64_t>(cache->counts.bytes_pooled.load());
  }
  return s;
}

void release_pooled_memory() {
  ThreadCache& cache = tg::cache();
  if (cache.gone) return;
  for (FreeNode*& list : cache.buffers)
    for (FreeNode* head = std::exchange(list, nullptr); head;) std::free(std::exchange(head, head->next));
  cache.counts.bytes_pooled.store(0, std::memory_order_relaxed);
}

}  // namespace tg
