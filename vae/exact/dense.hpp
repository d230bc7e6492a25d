// Small dense float64 linear algebra for the exact linear-Gaussian model: a row-major Matrix, products,
// Cholesky factorisation, triangular solves, log-determinant and inverse of symmetric positive-definite matrices.
// The math these serve is in docs/derivations/linear_gaussian.md; this file has no dependency on the Tensor class.
#pragma once

#include <cstddef>
#include <vector>

namespace tg::vae::exact {

using Vector = std::vector<double>;

// A (rows, cols) matrix of doubles in row-major order: element (i, j) lives at data[i * cols + j].
struct Matrix {
  std::size_t rows = 0;
  std::size_t cols = 0;
  std::vector<double> data;

  Matrix() = default;
  Matrix(std::size_t rows, std::size_t cols, double fill = 0.0);

  double& operator()(std::size_t i, std::size_t j) { return data[i * cols + j]; }
  double operator()(std::size_t i, std::size_t j) const { return data[i * cols + j]; }

  static Matrix identity(std::size_t n);
  static Matrix diagonal(const Vector& diag);
};

// --- matrix algebra -----------------------------------------------------------------------------------------
Matrix matmul(const Matrix& a, const Matrix& b);            // (n, k) x (k, m) -> (n, m)
Matrix transpose(const Matrix& a);                          // (n, m) -> (m, n)
Matrix add(const Matrix& a, const Matrix& b);               // a + b, same shape
Matrix sub(const Matrix& a, const Matrix& b);               // a - b, same shape
Matrix scale(const Matrix& a, double s);                    // s * a
Vector matvec(const Matrix& a, const Vector& v);            // (n, m) x (m) -> (n)
double trace(const Matrix& a);                              // sum_i a_ii of a square matrix
double trace_of_product(const Matrix& a, const Matrix& b);  // tr(a b) without forming a b

// --- vector algebra -----------------------------------------------------------------------------------------
double dot(const Vector& u, const Vector& v);
Vector add(const Vector& u, const Vector& v);
Vector sub(const Vector& u, const Vector& v);
Vector scale(const Vector& v, double s);

// --- symmetric positive-definite matrices -------------------------------------------------------------------
// Lower-triangular L with a = L L^T. Reads only the lower triangle of a. Throws std::invalid_argument if a is not
// square or not positive definite: "cholesky: matrix is not positive definite (pivot 2 is -0.31)".
Matrix cholesky(const Matrix& a);
Vector solve_lower(const Matrix& L, const Vector& y);             // x with L x = y, L lower-triangular
Vector solve_lower_transposed(const Matrix& L, const Vector& y);  // x with L^T x = y
double log_det_from_cholesky(const Matrix& L);                    // log det(L L^T) = 2 sum_i log L_ii
double log_det_spd(const Matrix& a);                              // log det a, a symmetric positive definite
Matrix inverse_spd(const Matrix& a);                              // a^{-1} through the Cholesky factor
double max_asymmetry(const Matrix& a);                            // max_ij |a_ij - a_ji| of a square matrix
Matrix symmetrize(const Matrix& a);                               // (a + a^T) / 2
// Throws std::invalid_argument if a is not square or not symmetric to a relative tolerance:
// "who: S is not symmetric (|S(2, 0) - S(0, 2)| is 0.5)".
void require_symmetric(const char* who, const char* name, const Matrix& a, double rel_tol = 1e-10);

}  // namespace tg::vae::exact
