// The chain rule on scalars: y = tanh(w x + b)^2 computed one op at a time, its tape printed, and every partial
// derivative worked out by hand next to the value the reverse sweep found. The tape's rules: docs/tape.md (sections
// 1 and 2); the same sweep runs every objective of docs/derivations/.
#include <cmath>
#include <cstdio>
#include <iostream>

#include "autodiff/autodiff.hpp"

int main() {
  using namespace tg;
  Tensor w = scalar(0.8, f64).name("w");
  Tensor x = scalar(1.5, f64).name("x");
  Tensor b = scalar(-0.3, f64).name("b");
  w.requires_grad(true);
  x.requires_grad(true);
  b.requires_grad(true);

  // Forward, one elementary op per line: each appends one entry to the tape.
  Tensor u = (w * x).name("u");    // u = w x
  Tensor a = (u + b).name("a");    // a = u + b
  Tensor h = tanh(a).name("h");    // h = tanh(a)
  Tensor y = square(h).name("y");  // y = h^2

  std::cout << "y = tanh(w x + b)^2 with w = 0.8, x = 1.5, b = -0.3\n\n"
            << "The tape after the forward pass (one entry per op, in the order they ran):\n";
  print_tape(std::cout);

  backward(y);  // one reverse sweep: y -> h -> a -> (u, b) -> (w, x)
  std::cout << "\nThe tape after backward (|grad| is the size of dy/d(that entry's output)):\n";
  print_tape(std::cout);

  // The same partials by hand. Local derivatives first, then products along the path (the chain rule).
  const double wv = 0.8, xv = 1.5, hv = std::tanh(wv * xv - 0.3);
  const double dy_dh = 2.0 * hv;       // d/dh h^2 = 2h
  const double dh_da = 1.0 - hv * hv;  // d/da tanh(a) = 1 - tanh(a)^2
  const double dy_da = dy_dh * dh_da;  // chain rule: dy/da = dy/dh dh/da
  const double dy_du = dy_da * 1.0;    // da/du = 1
  const double dy_db = dy_da * 1.0;    // da/db = 1
  const double dy_dw = dy_du * xv;     // du/dw = x
  const double dy_dx = dy_du * wv;     // du/dx = w

  struct Row {
    const char* what;
    const char* rule;
    double by_hand;
    Tensor t;
  };
  const Row rows[] = {
      {"dy/dh", "2h", dy_dh, h},        {"dy/da", "2h (1 - h^2)", dy_da, a}, {"dy/du", "dy/da * 1", dy_du, u},
      {"dy/db", "dy/da * 1", dy_db, b}, {"dy/dw", "dy/du * x", dy_dw, w},    {"dy/dx", "dy/du * w", dy_dx, x},
  };
  std::printf("\n%-6s  %-14s  %18s  %18s  %9s\n", "", "by hand", "hand value", "tape value", "|diff|");
  double worst = 0.0;
  for (const Row& r : rows) {
    const double tape_value = r.t.grad().item();
    const double diff = std::fabs(tape_value - r.by_hand);
    worst = std::fmax(worst, diff);
    std::printf("%-6s  %-14s  %18.12f  %18.12f  %9.1e\n", r.what, r.rule, r.by_hand, tape_value, diff);
  }
  std::printf("\nh = %.12f, y = %.12f\n", hv, y.item());
  std::printf("largest |hand - tape| = %.1e: the tape %s the chain rule by hand to 1e-12\n", worst,
              worst <= 1e-12 ? "agrees with" : "DISAGREES with");
  return worst <= 1e-12 ? 0 : 1;
}
