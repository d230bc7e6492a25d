// Small dense float64 linear algebra (see vae/exact/dense.hpp): plain loops a debugger steps straight into.
// Used by the exact linear-Gaussian model of docs/derivations/linear_gaussian.md.
#include "vae/exact/dense.hpp"

#include <algorithm>
#include <cmath>
#include <sstream>
#include <stdexcept>
#include <string>

namespace tg::vae::exact {

namespace {

std::string shape(const Matrix& a) { return "(" + std::to_string(a.rows) + ", " + std::to_string(a.cols) + ")"; }

std::string num(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

void require_same_shape(const char* who, const Matrix& a, const Matrix& b) {
  if (a.rows != b.rows || a.cols != b.cols) {
    throw std::invalid_argument(std::string(who) + ": a is " + shape(a) + " and b is " + shape(b) +
                                "; shapes must be equal");
  }
}

void require_same_size(const char* who, const Vector& u, const Vector& v) {
  if (u.size() != v.size()) {
    throw std::invalid_argument(std::string(who) + ": u has " + std::to_string(u.size()) + " elements and v has " +
                                std::to_string(v.size()) + "; sizes must be equal");
  }
}

void require_square(const char* who, const Matrix& a) {
  if (a.rows != a.cols) {
    throw std::invalid_argument(std::string(who) + ": matrix is " + shape(a) + ", but must be square");
  }
}

void require_lower_factor(const char* who, const Matrix& L, std::size_t n) {
  require_square(who, L);
  if (L.rows != n) {
    throw std::invalid_argument(std::string(who) + ": L is " + shape(L) + " and y has " + std::to_string(n) +
                                " elements; sizes must match");
  }
}

}  // namespace

Matrix::Matrix(std::size_t rows_, std::size_t cols_, double fill)
    : rows(rows_), cols(cols_), data(rows_ * cols_, fill) {}

Matrix Matrix::identity(std::size_t n) {
  Matrix out(n, n);
  for (std::size_t i = 0; i < n; ++i) out(i, i) = 1.0;
  return out;
}

Matrix Matrix::diagonal(const Vector& diag) {
  Matrix out(diag.size(), diag.size());
  for (std::size_t i = 0; i < diag.size(); ++i) out(i, i) = diag[i];
  return out;
}

// --- matrix algebra -----------------------------------------------------------------------------------------

Matrix matmul(const Matrix& a, const Matrix& b) {
  if (a.cols != b.rows) {
    throw std::invalid_argument("matmul: a is " + shape(a) + " and b is " + shape(b) + "; inner dimensions " +
                                std::to_string(a.cols) + " and " + std::to_string(b.rows) + " must match");
  }
  Matrix out(a.rows, b.cols);
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t k = 0; k < a.cols; ++k) {
      const double a_ik = a(i, k);
      for (std::size_t j = 0; j < b.cols; ++j) out(i, j) += a_ik * b(k, j);
    }
  return out;
}

Matrix transpose(const Matrix& a) {
  Matrix out(a.cols, a.rows);
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) out(j, i) = a(i, j);
  return out;
}

Matrix add(const Matrix& a, const Matrix& b) {
  require_same_shape("add", a, b);
  Matrix out = a;
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] += b.data[i];
  return out;
}

Matrix sub(const Matrix& a, const Matrix& b) {
  require_same_shape("sub", a, b);
  Matrix out = a;
  for (std::size_t i = 0; i < out.data.size(); ++i) out.data[i] -= b.data[i];
  return out;
}

Matrix scale(const Matrix& a, double s) {
  Matrix out = a;
  for (double& v : out.data) v *= s;
  return out;
}

Vector matvec(const Matrix& a, const Vector& v) {
  if (a.cols != v.size()) {
    throw std::invalid_argument("matvec: a is " + shape(a) + " and v has " + std::to_string(v.size()) + " elements; " +
                                std::to_string(a.cols) + " and " + std::to_string(v.size()) + " must match");
  }
  Vector out(a.rows, 0.0);
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) out[i] += a(i, j) * v[j];
  return out;
}

double trace(const Matrix& a) {
  require_square("trace", a);
  double t = 0.0;
  for (std::size_t i = 0; i < a.rows; ++i) t += a(i, i);
  return t;
}

// tr(a b) = sum_ij a_ij b_ji
double trace_of_product(const Matrix& a, const Matrix& b) {
  if (a.cols != b.rows || a.rows != b.cols) {
    throw std::invalid_argument("trace_of_product: a is " + shape(a) + " and b is " + shape(b) +
                                "; a b must be square");
  }
  double t = 0.0;
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < a.cols; ++j) t += a(i, j) * b(j, i);
  return t;
}

// --- vector algebra -----------------------------------------------------------------------------------------

double dot(const Vector& u, const Vector& v) {
  require_same_size("dot", u, v);
  double s = 0.0;
  for (std::size_t i = 0; i < u.size(); ++i) s += u[i] * v[i];
  return s;
}

Vector add(const Vector& u, const Vector& v) {
  require_same_size("add", u, v);
  Vector out = u;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] += v[i];
  return out;
}

Vector sub(const Vector& u, const Vector& v) {
  require_same_size("sub", u, v);
  Vector out = u;
  for (std::size_t i = 0; i < out.size(); ++i) out[i] -= v[i];
  return out;
}

Vector scale(const Vector& v, double s) {
  Vector out = v;
  for (double& x : out) x *= s;
  return out;
}

// --- symmetric positive-definite matrices -------------------------------------------------------------------

// Cholesky-Banachiewicz: L_jj = sqrt(a_jj - sum_k<j L_jk^2),  L_ij = (a_ij - sum_k<j L_ik L_jk) / L_jj  (i > j).
Matrix cholesky(const Matrix& a) {
  require_square("cholesky", a);
  const std::size_t n = a.rows;
  Matrix L(n, n);
  for (std::size_t j = 0; j < n; ++j) {
    double pivot = a(j, j);
    for (std::size_t k = 0; k < j; ++k) pivot -= L(j, k) * L(j, k);
    if (!(pivot > 0.0) || !std::isfinite(pivot)) {  // also catches NaN
      throw std::invalid_argument("cholesky: matrix is not positive definite (pivot " + std::to_string(j) + " is " +
                                  num(pivot) + ")");
    }
    L(j, j) = std::sqrt(pivot);
    for (std::size_t i = j + 1; i < n; ++i) {
      double s = a(i, j);
      for (std::size_t k = 0; k < j; ++k) s -= L(i, k) * L(j, k);
      L(i, j) = s / L(j, j);
    }
  }
  return L;
}

// forward substitution: x_i = (y_i - sum_k<i L_ik x_k) / L_ii
Vector solve_lower(const Matrix& L, const Vector& y) {
  require_lower_factor("solve_lower", L, y.size());
  Vector x(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) {
    double s = y[i];
    for (std::size_t k = 0; k < i; ++k) s -= L(i, k) * x[k];
    x[i] = s / L(i, i);
  }
  return x;
}

// back substitution with L^T (upper-triangular): x_i = (y_i - sum_k>i L_ki x_k) / L_ii
Vector solve_lower_transposed(const Matrix& L, const Vector& y) {
  require_lower_factor("solve_lower_transposed", L, y.size());
  const std::size_t n = y.size();
  Vector x(n);
  for (std::size_t r = 0; r < n; ++r) {
    const std::size_t i = n - 1 - r;
    double s = y[i];
    for (std::size_t k = i + 1; k < n; ++k) s -= L(k, i) * x[k];
    x[i] = s / L(i, i);
  }
  return x;
}

double log_det_from_cholesky(const Matrix& L) {
  require_square("log_det_from_cholesky", L);
  double s = 0.0;
  for (std::size_t i = 0; i < L.rows; ++i) s += std::log(L(i, i));
  return 2.0 * s;
}

double log_det_spd(const Matrix& a) { return log_det_from_cholesky(cholesky(a)); }

// column j of a^{-1} solves L L^T x = e_j
Matrix inverse_spd(const Matrix& a) {
  const Matrix L = cholesky(a);
  const std::size_t n = a.rows;
  Matrix out(n, n);
  for (std::size_t j = 0; j < n; ++j) {
    Vector e(n, 0.0);
    e[j] = 1.0;
    const Vector x = solve_lower_transposed(L, solve_lower(L, e));
    for (std::size_t i = 0; i < n; ++i) out(i, j) = x[i];
  }
  return symmetrize(out);
}

double max_asymmetry(const Matrix& a) {
  require_square("max_asymmetry", a);
  double worst = 0.0;
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < i; ++j) worst = std::max(worst, std::abs(a(i, j) - a(j, i)));
  return worst;
}

Matrix symmetrize(const Matrix& a) {
  require_square("symmetrize", a);
  return scale(add(a, transpose(a)), 0.5);
}

void require_symmetric(const char* who, const char* name, const Matrix& a, double rel_tol) {
  if (a.rows != a.cols) {
    throw std::invalid_argument(std::string(who) + ": " + name + " is " + shape(a) + ", but must be square");
  }
  double largest = 0.0;
  for (double v : a.data) largest = std::max(largest, std::abs(v));
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t j = 0; j < i; ++j) {
      const double gap = std::abs(a(i, j) - a(j, i));
      if (!(gap <= rel_tol * largest)) {
        throw std::invalid_argument(std::string(who) + ": " + name + " is not symmetric (|" + name + "(" +
                                    std::to_string(i) + ", " + std::to_string(j) + ") - " + name + "(" +
                                    std::to_string(j) + ", " + std::to_string(i) + ")| is " + num(gap) + ")");
      }
    }
}

}  // namespace tg::vae::exact
