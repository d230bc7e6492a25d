// The same numbers in every build: 100 training steps of a small IWAE in float32, whose losses are written below
// as an AVX-512 build computes them. Every build runs this test against the same figures (AVX-512, AVX2, the x86-64
// baseline, aarch64 NEON, clang with libc++, reference mode: README, Platforms), so a build whose kernels drift
// from the others by more than 1e-5 relative fails here. docs/kernels.md says what holds bit for bit and what does not,
// and why.
#include <catch2/catch.hpp>
#include <cmath>
#include <iomanip>
#include <vector>

#include "autodiff/autodiff.hpp"
#include "autodiff/runtime/kernels.hpp"
#include "nn/data.hpp"
#include "nn/optim.hpp"
#include "nn/synthetic.hpp"
#include "vae/vae.hpp"

using namespace tg;

namespace {

// The loss (minus the mean IWAE bound, k = 5) after steps 1, 10, 50 and 100 of Adam on 12 x 12 shapes.
std::vector<double> losses_of_100_steps() {
  const nn::Dataset train = nn::make_shapes(500, 3, 12);
  Generator init(7), data(8), noise(9);
  vae::VAE model({144, {32}, 4, "tanh", "glorot"}, init);
  nn::Adam opt(model.named_parameters(), {.lr = 3e-3});
  Tape tape;
  TapeScope scope(tape);
  std::vector<double> losses;
  for (int step = 1; step <= 100;) {
    nn::BatchIterator batches(train, {.batch_size = 50}, data);
    for (Tensor x; step <= 100 && batches.next(x); ++step) {
      tape.clear();
      opt.zero_grad();
      const Tensor loss = -mean(vae::iwae_bound(model, x, vae::draw_eps(model, x, 5, noise)));
      backward(loss);
      opt.step();
      if (step == 1 || step == 10 || step == 50 || step == 100) losses.push_back(loss.item());
    }
  }
  tape.clear();
  return losses;
}

// Computed by the test build (GCC 12, AVX-512) and checked in every other build.
const std::vector<double> expected = {100.59728241, 88.1745681763, 43.830291748, 39.2523498535};

}  // namespace

TEST_CASE("same numbers: 100 training steps give the same losses in every build, to 1e-5 relative",
          "[vae][training][determinism]") {
  const std::vector<double> losses = losses_of_100_steps();
  REQUIRE(losses.size() == expected.size());
  for (std::size_t i = 0; i < losses.size(); ++i) {
    INFO("loss " << i << ": this build " << std::setprecision(12) << losses[i] << ", recorded " << expected[i]);
    CHECK(std::abs(losses[i] - expected[i]) <= 1e-5 * std::abs(expected[i]));
  }
}

TEST_CASE("same numbers: reference mode gives the fast kernels' losses to 1e-5 relative",
          "[vae][training][determinism][reference]") {
  const bool was = kernels::reference_mode();
  kernels::set_reference_mode(false);
  const std::vector<double> fast = losses_of_100_steps();
  kernels::set_reference_mode(true);
  const std::vector<double> reference = losses_of_100_steps();
  kernels::set_reference_mode(was);
  for (std::size_t i = 0; i < fast.size(); ++i) {
    INFO("loss " << i << ": fast " << fast[i] << ", reference " << reference[i]);
    CHECK(std::abs(fast[i] - reference[i]) <= 1e-5 * std::abs(reference[i]));
  }
}
