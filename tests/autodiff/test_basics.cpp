// Value tests of small public functions of autodiff that had none: dtype names and sizes, the per-thread default
// generator and manual_seed, giving pooled memory back, and the thread pool's size and parallel_for.
#include <atomic>
#include <cstdint>

#include "autodiff/runtime/storage.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "test_util.hpp"

using namespace tg;

TEST_CASE("dtype_name and dtype_size", "[tensor]") {
  CHECK(std::string(dtype_name(f32)) == "float32");
  CHECK(std::string(dtype_name(f64)) == "float64");
  CHECK(dtype_size(f32) == 4);
  CHECK(dtype_size(f64) == 8);
}

TEST_CASE("manual_seed reseeds the thread's default generator, which rand and randn draw from", "[random]") {
  manual_seed(11);
  const Tensor a = randn({5}, f64), u = rand({3}, f64);
  Generator same(11);
  for (std::int64_t i = 0; i < 5; ++i) CHECK(a.flat(i) == same.normal());
  for (std::int64_t i = 0; i < 3; ++i) CHECK(u.flat(i) == same.uniform());
  manual_seed(11);
  CHECK(randn({5}, f64).to_vector() == a.to_vector());
  CHECK(default_generator().state().s == [] {
    Generator g(11);
    for (int i = 0; i < 5; ++i) g.normal();
    return g.state().s;
  }());
}

TEST_CASE("release_pooled_memory gives every free buffer back", "[tensor][memory]") {
  { const Tensor t = zeros({1000}); }  // its buffer goes back to the pool
  CHECK(memory_stats().bytes_pooled > 0);
  release_pooled_memory();
  CHECK(memory_stats().bytes_pooled == 0);
  const std::uint64_t before = memory_stats().system_allocations;
  { const Tensor t = zeros({1000}); }
  CHECK(memory_stats().system_allocations == before + 1);  // taken from the heap again, not the pool
}

TEST_CASE("values of at most 16 bytes live inside their tensor's record, views keep them alive", "[tensor][memory]") {
  const MemoryStats before = memory_stats();
  Tensor view;
  {
    const Tensor t = tensor({1, 2, 3, 4});  // 16 bytes of float32: no buffer
    CHECK(reinterpret_cast<std::uintptr_t>(t.raw_data()) % 16 == 0);
    CHECK(t.raw_data() == t.impl()->small);
    view = reshape(t, {2, 2});
    CHECK(view.raw_data() == t.raw_data());  // a view, not a copy
  }
  const Tensor d = tensor({1, 2}, f64);
  CHECK(memory_stats().system_allocations == before.system_allocations);
  CHECK(memory_stats().pool_hits == before.pool_hits);
  CHECK(memory_stats().bytes_in_use == before.bytes_in_use);
  CHECK(view.to_vector() == std::vector<double>{1, 2, 3, 4});  // the storage outlived the tensor that made it
  CHECK(d.to_vector() == std::vector<double>{1, 2});
  const std::uint64_t hits = memory_stats().pool_hits + memory_stats().system_allocations;
  { const Tensor five = tensor({1, 2, 3, 4, 5}); }  // 20 bytes: a buffer
  CHECK(memory_stats().pool_hits + memory_stats().system_allocations == hits + 1);
}

TEST_CASE("set_num_threads sizes the pool; parallel_for runs every index once", "[threads]") {
  const int previous = num_threads();
  for (int n : {1, 2, 3}) {
    set_num_threads(n);
    CHECK(num_threads() == n);
    std::vector<std::atomic<int>> hits(100);
    parallel_for(100, [&](std::int64_t i) { hits[static_cast<std::size_t>(i)]++; });
    for (const auto& h : hits) CHECK(h == 1);
  }
  CHECK_THROWS_AS(set_num_threads(0), Error);
  set_num_threads(previous);
}
