// Value tests of the small dense linear algebra behind the exact linear-Gaussian model (vae/exact/dense.hpp), on
// matrices small enough to check by hand.
#include <catch2/catch.hpp>
#include <cmath>

#include "vae/exact/dense.hpp"

using namespace tg::vae::exact;

namespace {
Matrix make(std::size_t r, std::size_t c, const std::vector<double>& v) {
  Matrix m(r, c);
  m.data = v;
  return m;
}
}  // namespace

TEST_CASE("dense: products, transpose, trace and trace of a product", "[linear_gaussian][dense]") {
  const Matrix a = make(2, 3, {1, 2, 3, 4, 5, 6}), b = make(3, 2, {7, 8, 9, 10, 11, 12});
  CHECK(matmul(a, b).data == std::vector<double>{58, 64, 139, 154});
  CHECK(transpose(a).data == std::vector<double>{1, 4, 2, 5, 3, 6});
  CHECK(add(a, a).data == scale(a, 2.0).data);
  CHECK(sub(a, a).data == std::vector<double>(6, 0.0));
  CHECK(matvec(a, {1, 0, -1}) == Vector{-2, -2});
  CHECK(trace(matmul(a, b)) == 58 + 154);
  CHECK(trace_of_product(a, b) == 58 + 154);
  CHECK(dot({1, 2, 3}, {4, 5, 6}) == 32);
  CHECK(Matrix::identity(2).data == std::vector<double>{1, 0, 0, 1});
  CHECK(Matrix::diagonal({2, 3}).data == std::vector<double>{2, 0, 0, 3});
}

TEST_CASE("dense: Cholesky, triangular solves, log-determinant and inverse of an SPD matrix",
          "[linear_gaussian][dense]") {
  const Matrix a = make(2, 2, {4, 2, 2, 3});  // = L L^T with L = (2, 0; 1, sqrt 2)
  const Matrix L = cholesky(a);
  CHECK(L(0, 0) == 2.0);
  CHECK(L(0, 1) == 0.0);
  CHECK(L(1, 0) == 1.0);
  CHECK(L(1, 1) == Approx(std::sqrt(2.0)).epsilon(1e-15));
  const Vector x = solve_lower(L, {4, 5});  // 2 x0 = 4, x0 + sqrt2 x1 = 5
  CHECK(x[0] == 2.0);
  CHECK(x[1] == Approx(3 / std::sqrt(2.0)).epsilon(1e-15));
  const Vector y = solve_lower_transposed(L, {4, 2});  // 2 y0 + y1 = 4, sqrt2 y1 = 2
  CHECK(y[1] == Approx(std::sqrt(2.0)).epsilon(1e-15));
  CHECK(y[0] == Approx((4 - std::sqrt(2.0)) / 2).epsilon(1e-15));
  CHECK(log_det_from_cholesky(L) == Approx(std::log(8.0)).epsilon(1e-15));
  CHECK(log_det_spd(a) == Approx(std::log(8.0)).epsilon(1e-15));
  const Matrix inv = inverse_spd(a);  // (3, -2; -2, 4) / 8
  CHECK(inv(0, 0) == Approx(3.0 / 8).epsilon(1e-15));
  CHECK(inv(0, 1) == Approx(-2.0 / 8).epsilon(1e-15));
  CHECK(inv(1, 1) == Approx(4.0 / 8).epsilon(1e-15));
}

TEST_CASE("dense: asymmetry, symmetrize and require_symmetric", "[linear_gaussian][dense][errors]") {
  const Matrix s = make(3, 3, {1, 2, 3, 2, 5, 6, 3.5, 6, 9});
  CHECK(max_asymmetry(s) == 0.5);
  const Matrix t = symmetrize(s);
  CHECK(t(2, 0) == 3.25);
  CHECK(t(0, 2) == 3.25);
  CHECK(max_asymmetry(t) == 0.0);
  CHECK_NOTHROW(require_symmetric("test", "T", t));
  CHECK_THROWS_WITH(require_symmetric("test", "S", s), "test: S is not symmetric (|S(2, 0) - S(0, 2)| is 0.5)");
}
