// Grader of exercise coupling: y against the layer's closed form, log_det against log |det J| with J the Jacobian
// of that closed form by central differences (float64, LU), and the gradients into u, W and b against the closed
// form's. Exit status: the number of failed checks.
#include <cmath>

#include "coupling/coupling.hpp"
#include "grading.hpp"

using tg::Tensor;

namespace {

struct Reference {
  Tensor y, log_det, s;
};
Reference reference(const Tensor& u, const Tensor& W, const Tensor& b) {  // the closed form, (coupling.1)
  const std::int64_t L = u.size(-1), H = L / 2;
  const Tensor keep = tg::slice(u, -1, 0, H), change = tg::slice(u, -1, H, L);
  const Tensor h = tg::add(tg::matmul(keep, tg::transpose(W)), b);
  const Tensor s = tg::tanh(tg::slice(h, -1, 0, H)), t = tg::slice(h, -1, H, L);
  return {tg::concat({keep, change * tg::exp(s) + t}, -1), tg::sum(s, {-1}), s};
}

// log |det dy/du| at one u (1, L) from central differences of the closed form and an LU with partial pivoting.
double log_abs_det_fd(const Tensor& u, const Tensor& W, const Tensor& b) {
  const std::int64_t L = u.numel();
  const double h = 1e-6;
  std::vector<double> J(L * L);
  for (std::int64_t j = 0; j < L; ++j) {
    Tensor up = tg::copy(u), down = tg::copy(u);
    up.set_flat(j, u.flat(j) + h), down.set_flat(j, u.flat(j) - h);
    const Tensor dy = (reference(up, W, b).y - reference(down, W, b).y) / (2 * h);
    for (std::int64_t i = 0; i < L; ++i) J[i * L + j] = dy.flat(i);
  }
  double log_det = 0;
  for (std::int64_t c = 0; c < L; ++c) {
    std::int64_t p = c;
    for (std::int64_t r = c + 1; r < L; ++r) p = std::abs(J[r * L + c]) > std::abs(J[p * L + c]) ? r : p;
    for (std::int64_t k = 0; k < L; ++k) std::swap(J[c * L + k], J[p * L + k]);
    log_det += std::log(std::abs(J[c * L + c]));
    for (std::int64_t r = c + 1; r < L; ++r) {
      const double f = J[r * L + c] / J[c * L + c];
      for (std::int64_t k = c; k < L; ++k) J[r * L + k] -= f * J[c * L + k];
    }
  }
  return log_det;
}

struct Layer {
  Tensor u, W, b;
};
Layer random_layer(tg::Generator& gen, const tg::Shape& batch, std::int64_t L) {
  tg::Shape shape = batch;
  shape.push_back(L);
  return {tg::randn(shape, gen, tg::f64), tg::mul_scalar(tg::randn({L, L / 2}, gen, tg::f64), 0.7),
          tg::mul_scalar(tg::randn({L}, gen, tg::f64), 0.5)};
}

std::string check_y(const Layer& c) {
  const Tensor mine = assignment::affine_coupling(c.u, c.W, c.b).y;
  const Reference r = reference(c.u, c.W, c.b);
  if (grading::close(mine, r.y, 1e-12)) return "";
  const std::int64_t L = c.u.size(-1), H = L / 2;
  const Tensor keep = tg::slice(c.u, -1, 0, H), change = tg::slice(c.u, -1, H, L),
               t = tg::slice(r.y, -1, H, L) - change * tg::exp(r.s);
  return "y: " + grading::compare(mine, r.y) +
         grading::diagnose(mine, {{c.u, "your y is u: the second half must be u_change * exp(s) + t"},
                                  {tg::concat({keep, change * r.s + t}, -1),
                                   "the scale is exp(s), not s: exp keeps it positive, so the layer is invertible"}});
}

std::string check_log_det(const Layer& c) {
  const Tensor mine = assignment::affine_coupling(c.u, c.W, c.b).log_det;
  const std::int64_t B = c.u.size(0), L = c.u.size(-1);
  Tensor expected = tg::zeros({B}, tg::f64);
  for (std::int64_t i = 0; i < B; ++i) expected.set_flat(i, log_abs_det_fd(tg::slice(c.u, 0, i, i + 1), c.W, c.b));
  if (grading::close(mine, expected, 1e-7)) return "";
  const Reference r = reference(c.u, c.W, c.b);
  const Tensor h = tg::add(tg::matmul(tg::slice(c.u, -1, 0, L / 2), tg::transpose(c.W)), c.b);
  return "log |det dy/du| (finite differences): " + grading::compare(mine, expected) +
         grading::diagnose(mine,
                           {{tg::zeros({B}, tg::f64), "yours is 0: the changed half is scaled by exp(s)"},
                            {tg::sum(tg::exp(r.s), {-1}),
                             "this is sum exp(s), the scales themselves: the log of the determinant of "
                             "diag(exp(s)) is sum s"},
                            {tg::sum(tg::tanh(h), {-1}),
                             "sum s over the scaled half only: the shift t moves y without changing volume"}},
                           1e-7);
}

std::string check_gradients(const Layer& c, tg::Generator& gen) {
  const Tensor gy = tg::randn(c.u.shape(), gen, tg::f64), gd = tg::randn({c.u.size(0)}, gen, tg::f64);
  auto loss = [&](bool mine) {
    return [&, mine](const std::vector<Tensor>& in) {
      if (mine) {
        const assignment::Coupled o = assignment::affine_coupling(in[0], in[1], in[2]);
        return tg::add(tg::sum(o.y * gy), tg::sum(o.log_det * gd));
      }
      const Reference r = reference(in[0], in[1], in[2]);
      return tg::add(tg::sum(r.y * gy), tg::sum(r.log_det * gd));
    };
  };
  return grading::compare_all(grading::gradients(loss(true), {c.u, c.W, c.b}),
                              grading::gradients(loss(false), {c.u, c.W, c.b}), {"dL/du", "dL/dW", "dL/db"}, 1e-10);
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("coupling: an affine coupling layer and its log-determinant", argc, argv);
  tg::Generator gen(43);
  const Layer layer = random_layer(gen, {5}, 4);
  const std::string y = "(coupling.1) y = (u_keep, u_change exp(s) + t) on random u (5, 4)";

  grader.check(y, 3, [&] { return check_y(layer); });
  grader.check("(coupling.2) log_det = log |det dy/du|, the Jacobian by finite differences, for each of 5 u", 3,
               [&] { return check_log_det(layer); });
  grader.check(
      "L = 6 and a batch (2, 3, 6): y and log_det of shape (2, 3)", 1,
      [&] {
        const Layer big = random_layer(gen, {2, 3}, 6);
        const assignment::Coupled o = assignment::affine_coupling(big.u, big.W, big.b);
        const Reference r = reference(big.u, big.W, big.b);
        if (!grading::close(o.y, r.y, 1e-12)) return "y: " + grading::compare(o.y, r.y);
        return grading::close(o.log_det, r.log_det, 1e-12) ? std::string()
                                                           : "log_det: " + grading::compare(o.log_det, r.log_det);
      },
      y);
  grader.check("gradients of sum(y gy) + sum(log_det gd) into u, W and b equal the closed form's", 2,
               [&] { return check_gradients(layer, gen); });
  return grader.finish();
}
