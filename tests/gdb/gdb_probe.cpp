// What the gdb tests of gdb/tapegrad.py look at (tests/gdb/printers.md replays a session on it): a fresh tape whose
// entry 0 is a concat of six tensors, lists of inputs of five, four and two, the distributions' printers, and one
// IWAE step with the DReG estimator (docs/derivations/estimators.md), whose detached copies keep the names.
#include <iostream>

#include "autodiff/autodiff.hpp"
#include "prob/bernoulli.hpp"
#include "vae/vae.hpp"

namespace tg_gdb {
using namespace tg;

// Every phase calls this where the session looks; the session breaks on it and goes `up` to see the phase's locals.
volatile const char* last_stop = nullptr;
[[gnu::noinline]] void stop_here(const char* what) { last_stop = what; }

// Entry 0 of a fresh tape has six inputs (a TensorList past its four inline tensors); then five (the first list
// that spills), four (the last kept inline) and two. Names x0..x5 differ from the variables, so that tg-grad x5
// finds its tensor on the tape (the inputs of entry 0), not as a local.
[[gnu::noinline]] void six_inputs() {
  Tape tape;
  TapeScope scope(tape);
  Tensor a = tensor({1, 2}, {1, 2}).requires_grad(true).name("x0");  // (1, 2) each
  Tensor b = tensor({3, 4}, {1, 2}).requires_grad(true).name("x1");
  Tensor c = tensor({5, 6}, {1, 2}).requires_grad(true).name("x2");
  Tensor d = tensor({7, 8}, {1, 2}).requires_grad(true).name("x3");
  Tensor e = tensor({9, 10}, {1, 2}).requires_grad(true).name("x4");
  Tensor f = tensor({11, 12}, {1, 2}).requires_grad(true).name("x5");
  Tensor cat6 = concat({a, b, c, d, e, f}, 0).name("cat6");  // entry 0: (6, 2)
  stop_here("entry 0");
  Tensor cat5 = concat({a, b, c, d, e}, 0).name("cat5");  // entry 1: (5, 2)
  Tensor cat4 = concat({a, b, c, d}, 0).name("cat4");     // entry 2: (4, 2)
  Tensor ab = (a * b).name("ab");                         // entry 3: (1, 2)
  // dL/dx5 = 2 x5 = (22, 24); dL/dx0 = 2 x0 + 1 + 1 + x1 = (7, 10)
  Tensor loss = (sum(cat6 * cat6) + sum(cat5) + sum(cat4) + sum(ab)).name("loss");
  backward(loss);
  stop_here("after backward");
}

[[gnu::noinline]] void distributions() {
  prob::Bernoulli bern = prob::Bernoulli::from_logits(tensor({-1, 0, 2}).name("logits"), 1);
  prob::Normal normal = prob::Normal::from_scale(tensor({0, 1}).name("loc"), tensor({1, 2}).name("scale"), 1);
  stop_here("distributions");
}

// One step of the IWAE bound with the DReG estimator: iwae_bound_dreg detaches mu, log_var and z, and the copies
// keep their names; backward reaches only the tensors on the tape.
[[gnu::noinline]] void dreg_step() {
  Generator gen(7);
  vae::Architecture arch{6, {4}, 2, "tanh", "pytorch"};  // D = 6, one hidden layer of 4, L = 2
  vae::VAE model(arch, gen);
  Tensor x = tensor({1, 0, 1, 1, 0, 0, 0, 1, 1, 0, 0, 1}, {2, 6}).name("x");  // (B, D) = (2, 6)
  Tensor eps = vae::draw_eps(model, x, /*K=*/3, gen).name("eps");             // (K, B, L) = (3, 2, 2)
  Tensor bound = vae::iwae_bound_dreg(model, x, eps);                         // (B,)
  Tensor loss = neg(mean(bound)).name("loss");                                // ()
  backward(loss);
  stop_here("after the DReG step");
  current_tape().clear();
}

}  // namespace tg_gdb

int main() {
  tg_gdb::six_inputs();
  tg_gdb::distributions();
  tg_gdb::dreg_step();
  std::cout << "gdb_probe: done" << std::endl;
  return 0;
}
