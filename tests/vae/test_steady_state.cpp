// A training step in steady state makes no heap allocation: tensor values come from the storage pool, tensor
// records from the block free lists, and a tape entry keeps its backward rule inline (docs/performance.md). This
// test executable replaces the global operator new with one that counts, so every allocation is seen.
#include <atomic>
#include <catch2/catch.hpp>
#include <cstdlib>
#include <new>

#include "autodiff/autodiff.hpp"
#include "autodiff/thread_pool.hpp"
#include "nn/optim.hpp"
#include "vae/vae.hpp"

namespace {
std::atomic<long> g_news{0};

void* counted(std::size_t n, std::size_t align) {
  g_news.fetch_add(1, std::memory_order_relaxed);
  n = (n + align - 1) / align * align;  // aligned_alloc wants a multiple of the alignment
  if (void* p = align > alignof(std::max_align_t) ? std::aligned_alloc(align, n) : std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
}  // namespace

void* operator new(std::size_t n) { return counted(n, 1); }
void* operator new[](std::size_t n) { return counted(n, 1); }
void* operator new(std::size_t n, std::align_val_t a) { return counted(n, static_cast<std::size_t>(a)); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted(n, static_cast<std::size_t>(a)); }
// The nothrow forms too (Catch2 registers its tests with them), so that every new pairs with the free below.
void* operator new(std::size_t n, const std::nothrow_t&) noexcept {
  try {
    return counted(n, 1);
  } catch (const std::bad_alloc&) {
    return nullptr;
  }
}
void* operator new[](std::size_t n, const std::nothrow_t& tag) noexcept { return operator new(n, tag); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

using namespace tg;

namespace {
// Heap allocations per step over `steps` steps of `model` on a batch of B, after three steps of warm-up.
double allocations_per_step(const vae::Architecture& arch, std::int64_t B, std::int64_t K, bool iwae, int threads) {
  set_num_threads(threads);
  Tape tape;
  TapeScope scope(tape);
  Generator gen(3);
  vae::VAE model(arch, gen);
  nn::Adam opt(model.named_parameters(), {.lr = 1e-3});
  const Tensor x = bernoulli(full({B, arch.data_dim}, 0.5), gen);
  auto step = [&] {
    tape.clear();
    opt.zero_grad();
    Tensor eps = vae::draw_eps(model, x, K, gen);
    Tensor bound = iwae ? vae::iwae_bound(model, x, eps) : vae::elbo_analytic(model, x, eps);
    backward(-mean(bound));
    opt.step();
  };
  for (int i = 0; i < 3; ++i) step();
  const long before = g_news.load();
  for (int i = 0; i < 4; ++i) step();
  const long after = g_news.load();
  set_num_threads(1);
  return static_cast<double>(after - before) / 4;
}
}  // namespace

TEST_CASE("steady state: a VAE or IWAE training step makes no heap allocation", "[memory][vae]") {
  vae::Architecture small = vae::iwae_paper_architecture();
  small.data_dim = 30, small.hidden = {16, 12}, small.latent = 5;
  CHECK(allocations_per_step(small, 6, 5, true, 1) == 0);
  CHECK(allocations_per_step(small, 6, 1, false, 1) == 0);
  vae::Architecture relu = vae::pytorch_examples_architecture();
  relu.data_dim = 40, relu.hidden = {24}, relu.latent = 4;
  CHECK(allocations_per_step(relu, 8, 1, false, 1) == 0);
  // The threaded paths too: the IWAE paper's model at k = 50 splits its GEMMs over two threads.
  CHECK(allocations_per_step(vae::iwae_paper_architecture(), 20, 50, true, 2) == 0);
}

TEST_CASE("steady state: the counting operator new sees an allocation", "[memory]") {
  const long before = g_news.load();
  auto* p = new std::vector<int>(100);  // the counter itself works, so the zeros above mean something
  const long after = g_news.load();
  delete p;
  CHECK(after - before == 2);
}
