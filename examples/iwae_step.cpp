// One IWAE training step, small enough to read every number in a debugger: a 6-4-2 VAE, B = 2 binary vectors,
// K = 3 samples each, the bound (iwae.2), backward and one Adam step; then a NaN caught by anomaly mode.
// docs/debugging.md steps through it in gdb (and a CTest test replays that walkthrough); math:
// docs/derivations/iwae.md.
#include <iostream>
#include <limits>

#include "autodiff/autodiff.hpp"
#include "nn/optim.hpp"
#include "vae/vae.hpp"

int main() {
  using namespace tg;
  Generator gen(7);
  vae::Architecture arch{6, {4}, 2, "tanh", "pytorch"};  // D = 6, one hidden layer of 4, L = 2
  vae::VAE model(arch, gen);
  nn::Adam adam(model.named_parameters(), nn::AdamOptions{});
  Tensor x = tensor({1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1}, {2, 6}).name("x");  // (B, D) = (2, 6)
  Tensor eps = vae::draw_eps(model, x, /*K=*/3, gen).name("eps");             // (K, B, L) = (3, 2, 2)

  // The training step: loss = -mean over the batch of L_3, one reverse sweep, one update.
  Tensor bound = vae::iwae_bound(model, x, eps);  // (B,)
  Tensor loss = neg(mean(bound)).name("loss");    // ()
  backward(loss);
  adam.step();
  std::cout << "iwae_step: L_3 = " << bound.flat(0) << ", " << bound.flat(1) << "; loss = " << loss.item() << std::endl;

  // A step that goes wrong: one decoder weight has become NaN. Anomaly mode stops at the first op whose output
  // holds a NaN and names it, its tape entry, and the line that called it.
  current_tape().clear();
  model.parameter("decoder.0.weight").set_flat(0, std::numeric_limits<double>::quiet_NaN());
  AnomalyMode anomaly;
  try {
    Tensor bad = vae::iwae_bound(model, x, eps);
    std::cout << "iwae_step: no anomaly?\n";
    return 1;
  } catch (const AnomalyError& e) {
    std::cout << "iwae_step: " << e.what() << std::endl;
  }
  return 0;
}
