// A training step in steady state makes no heap allocation: tensor values come from the storage pool, tensor
// records from the block free lists, and a tape entry keeps its backward rule inline (docs/performance.md). This
// test executable links tests/support/count_new.cpp, the operator new that counts (the benchmarks' too), so every
// allocation is seen (and the last test case checks that counter for the benchmarks too).
#include <catch2/catch.hpp>

#include "autodiff/autodiff.hpp"
#include "autodiff/runtime/thread_pool.hpp"
#include "nn/optim.hpp"
#include "tests/support/count_new.hpp"
#include "vae/vae.hpp"

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
  const long before = tg::support::heap_allocations();
  for (int i = 0; i < 4; ++i) step();
  const long after = tg::support::heap_allocations();
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
  const long before = tg::support::heap_allocations();
  // The counter itself works, so the zeros above mean something. Through a volatile pointer, so that the compiler
  // may not leave out either allocation (the vector and its 100 ints): the optimiser can drop unused ones.
  std::vector<int>* volatile p = new std::vector<int>(100);
  const long after = tg::support::heap_allocations();
  delete p;
  CHECK(after - before == 2);
}
