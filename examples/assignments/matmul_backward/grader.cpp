// Grader of exercise matmul_backward: dL/dA and dL/dB against the sums of the closed form (plain loops, not
// tg::matmul) on square matrices, where slips compute and can be named, then on (3, 4) @ (4, 2) against the
// library's tg::matmul. Exit status: the number of failed checks.
#include "grading.hpp"
#include "matmul_backward/matmul_backward.hpp"

using tg::Tensor;

namespace {

// (P Q) by three loops over the elements: the closed form, independent of tg::matmul. tP, tQ: use the transpose.
Tensor product(const Tensor& P, const Tensor& Q, bool tP = false, bool tQ = false) {
  const std::int64_t M = tP ? P.size(1) : P.size(0), K = tP ? P.size(0) : P.size(1), N = tQ ? Q.size(0) : Q.size(1);
  Tensor out = tg::zeros({M, N}, tg::f64);
  for (std::int64_t i = 0; i < M; ++i)
    for (std::int64_t j = 0; j < N; ++j) {
      double s = 0;
      for (std::int64_t k = 0; k < K; ++k) s += P.flat(tP ? k * M + i : i * K + k) * Q.flat(tQ ? j * K + k : k * N + j);
      out.set_flat(i * N + j, s);
    }
  return out;
}

std::string check_square(int which, tg::Generator& gen) {
  const Tensor A = tg::randn({3, 3}, gen, tg::f64), B = tg::randn({3, 3}, gen, tg::f64);
  const Tensor G = tg::randn({3, 3}, gen, tg::f64);
  const Tensor mine =
      grading::gradients([](const auto& in) { return assignment::my_matmul(in[0], in[1]); }, {A, B}, G)[which];
  const Tensor zeros = tg::zeros({3, 3}, tg::f64);
  if (which == 0) {
    const Tensor expected = product(G, B, false, true);  // G B^T
    if (grading::close(mine, expected, 1e-12)) return "";
    return "dL/dA: " + grading::compare(mine, expected) +
           grading::diagnose(mine, {{zeros, "yours is 0: dL/dA_ik = sum_j G_ij B_kj, a matrix product of G and B"},
                                    {product(G, B), "dL/dA = G B^T: B must be transposed (sum over j of G_ij B_kj)"},
                                    {product(B, G, true),
                                     "B^T G: the order of the factors matters, dL/dA = G B^T (M, N)(N, K) -> (M, K)"}});
  }
  const Tensor expected = product(A, G, true);  // A^T G
  if (grading::close(mine, expected, 1e-12)) return "";
  return "dL/dB: " + grading::compare(mine, expected) +
         grading::diagnose(mine, {{zeros, "yours is 0: dL/dB_kj = sum_i A_ik G_ij, a matrix product of A and G"},
                                  {product(G, A, true), "this is (dL/dB)^T = G^T A: dL/dB = A^T G"},
                                  {product(A, G), "dL/dB = A^T G: A must be transposed (sum over i of A_ik G_ij)"}});
}

// (3, 4) @ (4, 2), and the product used twice in a chain, against tg::matmul's gradients.
std::string check_rectangular(tg::Generator& gen) {
  const Tensor A = tg::randn({3, 4}, gen, tg::f64), B = tg::randn({4, 2}, gen, tg::f64);
  const Tensor C = tg::randn({2, 5}, gen, tg::f64), W = tg::randn({3, 5}, gen, tg::f64);
  std::vector<Tensor> mine;
  try {
    mine = grading::gradients(
        [](const auto& in) { return assignment::my_matmul(assignment::my_matmul(in[0], in[1]), in[2]); }, {A, B, C}, W);
  } catch (const std::exception& e) {
    return std::string("your backward threw: ") + e.what() +
           "\nhint: check the shapes: dL/dA has A's shape (M, K) = G (M, N) times B^T (N, K); dL/dB has B's shape (K, "
           "N) = A^T (K, M) times G (M, N)";
  }
  const auto expected =
      grading::gradients([](const auto& in) { return tg::matmul(tg::matmul(in[0], in[1]), in[2]); }, {A, B, C}, W);
  const char* names[] = {"A (3, 4)", "B (4, 2)", "C (2, 5)"};
  for (int i = 0; i < 3; ++i)
    if (!grading::close(mine[i], expected[i], 1e-12))
      return std::string("dL/d") + names[i] + ": " + grading::compare(mine[i], expected[i]);
  return "";
}

}  // namespace

int main(int argc, char** argv) {
  grading::Grader grader("matmul_backward: the backward rule of Y = A B", argc, argv);
  tg::Generator gen(13);
  grader.check("dL/dA = G B^T on 3 x 3 matrices (the closed form, summed by loops)", 3,
               [&] { return check_square(0, gen); });
  grader.check("dL/dB = A^T G on 3 x 3 matrices (the closed form, summed by loops)", 3,
               [&] { return check_square(1, gen); });
  grader.check("(3, 4) @ (4, 2) @ (2, 5): the gradients of A, B and C equal tg::matmul's", 2,
               [&] { return check_rectangular(gen); });
  return grader.finish();
}
