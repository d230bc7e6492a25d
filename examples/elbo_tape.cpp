// The tape of one ELBO: a tiny 6-4-2 VAE on two binary vectors, the Monte Carlo ELBO (elbo.5) recorded op by op with
// the tensors mu, log_var, z and log_w named, printed after backward, and the gdb commands to stop inside it.
// Math: docs/derivations/elbo.md (and reparam.md for z); stepping through backward: docs/tape.md, section 5.
#include <iostream>
#include <string>

#include "autodiff/autodiff.hpp"
#include "vae/vae.hpp"

int main(int, char** argv) {
  using namespace tg;
  Generator gen(3);
  vae::Architecture arch{6, {4}, 2, "tanh", "pytorch"};  // D = 6, one hidden layer of 4, L = 2
  vae::VAE model(arch, gen, f64);
  Tensor x = tensor({1, 0, 1, 1, 0, 0, 0, 1, 0, 0, 1, 1}, {2, 6}, f64).name("x");  // (B, D) = (2, 6)
  Tensor eps = vae::draw_eps(model, x, /*K=*/1, gen).name("eps");                  // (K, B, L) = (1, 2, 2)

  // (elbo.5) ELBO = (1/K) sum_k [log p(x|z_k) + log p(z_k) - log q(z_k|x)], z_k = mu + sigma eps_k
  Tensor elbo = vae::elbo_monte_carlo(model, x, eps);  // (B,)
  Tensor loss = neg(mean(elbo)).name("loss");          // the training loss: -ELBO averaged over the batch
  backward(loss);

  std::cout << "A " << arch.describe() << " VAE, B = 2 binary vectors, K = 1 sample each.\n"
            << "ELBO per example (elbo.5): " << elbo.flat(0) << ", " << elbo.flat(1) << "   loss = " << loss.item()
            << "\n\n";
  print_tape(std::cout, current_tape(), PrintOptions{3});

  // The same noise through the analytic-KL estimator (elbo.6), kept off the tape.
  {
    NoGrad no_grad;
    Tensor elbo_kl = vae::elbo_analytic(model, x, eps);
    std::cout << "\nWith the KL to the prior in closed form (elbo.6), same eps: " << elbo_kl.flat(0) << ", "
              << elbo_kl.flat(1) << "\n";
  }

  // Find the named entries: where in the library each was made.
  const Tape& tape = current_tape();
  std::string found, log_w_line;
  for (const char* want : {"mu", "log_var", "z", "log_w"}) {
    std::string at = "missing";
    for (std::size_t i = 0; i < tape.size(); ++i)
      if (tape.entry(i).out.name() == want) {
        at = "#" + std::to_string(i) + " (" + where_str(tape.entry(i).where) + ")";
        if (std::string(want) == "log_w") log_w_line = where_str(tape.entry(i).where);
        break;
      }
    found += std::string(found.empty() ? "" : ", ") + want + " " + at;
  }
  std::cout << "named entries: " << found << "\n";

  std::cout << "\nTo watch it in gdb (build with -DCMAKE_BUILD_TYPE=Debug for unoptimised locals):\n"
            << "  gdb --args " << argv[0] << "\n"
            << "  (gdb) break tg::vae::elbo_monte_carlo     # the objective, before any of its ops run\n"
            << "  (gdb) break tg::vae::elbo_analytic        # the closed-form-KL twin (elbo.6)\n"
            << "  (gdb) break " << log_w_line << "              # the line that computes log_w (iwae.1)\n"
            << "  (gdb) break tg::Tape::backward            # the reverse sweep\n"
            << "  (gdb) run\n"
            << "  (gdb) next                                # (a few times) past the checks, into the sweep loop\n"
            << "  (gdb) print i                             # the tape index being processed (see the table)\n"
            << "  (gdb) print e.op\n"
            << "  (gdb) print e.where                       # the file:line column of the table\n"
            << "  (gdb) print grad_out.flat(0)\n"
            << "  (gdb) step                                # into that op's backward rule\n";
  return found.find("missing") == std::string::npos ? 0 : 1;
}
