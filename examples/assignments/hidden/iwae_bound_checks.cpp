// Hidden checks of exercise iwae_bound (the exercise's name and _checks: gdb tells it from the student's file). They
// live outside the handout and run only in the autograder (and in CTest, with the solution). A static grading::Hidden
// registers them; Grader::finish runs them. docs/teaching.md.
#include "grading.hpp"
#include "iwae_bound/iwae_bound.hpp"
#include "vae/iwae.hpp"

namespace {

const grading::Hidden checks("iwae_bound", [](grading::Grader& grader) {
  grader.check("hidden: L_K(log w + c) = L_K(log w) + c for c = 30 and K = 7 (against the library)", 1, [] {
    tg::Generator gen(101);
    const tg::Tensor log_w = tg::randn({7, 5}, gen, tg::f64);
    const tg::Tensor mine = assignment::iwae_bound(tg::add_scalar(log_w, 30.0));
    const tg::Tensor expected = tg::add_scalar(tg::vae::iwae_bound_from_log_weights(log_w), 30.0);
    return grading::close(mine, expected, 1e-10) ? std::string() : grading::compare(mine, expected);
  });
});

}  // namespace
