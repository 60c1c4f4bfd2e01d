//===- RobustCov.h - Robust location and scatter (MCD) ----------*- C++ -*-===//
//
// Part of Loom. Plain C++17. The Minimum Covariance Determinant estimate
// that `outliers(mahalanobis > T, ...)` measures distances with: the mean
// and covariance of the h = (n + p + 1) / 2 rows whose covariance has the
// smallest determinant, found by FAST-MCD's C-steps (Rousseeuw and Van
// Driessen, 1999), so that up to half the rows can be outliers without
// moving the estimate.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_ROBUSTCOV_H
#define LOOM_RUNTIME_DATA_ROBUSTCOV_H

#include "runtime/Status.h"

#include <cstddef>
#include <vector>

namespace loom::data {

/// A location and a scatter matrix, with the scatter's Cholesky factor.
struct RobustFit {
  size_t dims = 0;
  std::vector<double> center;  ///< dims
  std::vector<double> scatter; ///< dims x dims, row-major
  std::vector<double> chol;    ///< lower Cholesky factor of scatter
  /// The Mahalanobis distance of `row` (dims values) from the center.
  double distance(const double *row) const;
};

/// Lower Cholesky factor of the p x p matrix `a` (row-major), in place;
/// false when `a` is not positive definite.
bool choleskyInPlace(std::vector<double> &a, size_t p);

/// The most rows FAST-MCD's starts look at (a random sample of them).
constexpr size_t kMcdSample = 1500;
/// How many random starts FAST-MCD tries.
constexpr int kMcdStarts = 500;

/// FAST-MCD on `x` (n rows of p values, row-major): 50 random starts of
/// p + 1 rows, two C-steps each, on a random sample of at most kMcdSample
/// rows; then the 10 best iterated on all the rows until the determinant
/// stops falling (at most 100 C-steps). The seed is fixed: the same data
/// gives the same estimate. Then, as scikit-learn's MinCovDet does: the
/// scatter is made consistent at the normal distribution (times median(d^2)
/// / the chi2_p median), and the estimate reweighted (the mean and
/// covariance of the rows whose d^2 is within the chi2_p 97.5% quantile).
/// The chi2 quantiles are Wilson and Hilferty's approximation. An error
/// when n <= p or when the h rows' covariance is singular (a column
/// constant on them).
StatusOr<RobustFit> fitMcd(const std::vector<double> &x, size_t n, size_t p);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_ROBUSTCOV_H
