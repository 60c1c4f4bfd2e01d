//===- RobustCov.cpp - Robust location and scatter (MCD) ------------------===//
//
// Part of Loom. See RobustCov.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/RobustCov.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <random>

using namespace loom;
using namespace loom::data;

bool loom::data::choleskyInPlace(std::vector<double> &a, size_t p) {
  double scale = 0;
  for (size_t i = 0; i < p; ++i)
    scale = std::max(scale, std::fabs(a[i * p + i]));
  for (size_t j = 0; j < p; ++j) {
    double d = a[j * p + j];
    for (size_t k = 0; k < j; ++k)
      d -= a[j * p + k] * a[j * p + k];
    if (!(d > 1e-12 * scale) || scale == 0)
      return false;
    a[j * p + j] = std::sqrt(d);
    for (size_t i = j + 1; i < p; ++i) {
      double s = a[i * p + j];
      for (size_t k = 0; k < j; ++k)
        s -= a[i * p + k] * a[j * p + k];
      a[i * p + j] = s / a[j * p + j];
    }
    for (size_t k = j + 1; k < p; ++k)
      a[j * p + k] = 0;
  }
  return true;
}

namespace {

/// Squared Mahalanobis distance through the Cholesky factor L: |L^-1 (x-m)|^2.
double distance2(const std::vector<double> &chol,
                 const std::vector<double> &center, const double *row, size_t p,
                 std::vector<double> &tmp) {
  tmp.resize(p);
  double sum = 0;
  for (size_t i = 0; i < p; ++i) {
    double s = row[i] - center[i];
    for (size_t k = 0; k < i; ++k)
      s -= chol[i * p + k] * tmp[k];
    tmp[i] = s / chol[i * p + i];
    sum += tmp[i] * tmp[i];
  }
  return sum;
}

/// Mean and covariance of the rows `idx`; false when singular. `logDet` is
/// the covariance's log determinant.
struct Estimate {
  std::vector<double> center, scatter, chol;
  double logDet = 0;
};

bool estimate(const std::vector<double> &x, size_t p,
              const std::vector<size_t> &idx, Estimate &e) {
  size_t m = idx.size();
  e.center.assign(p, 0);
  for (size_t r : idx)
    for (size_t j = 0; j < p; ++j)
      e.center[j] += x[r * p + j];
  for (double &c : e.center)
    c /= static_cast<double>(m);
  e.scatter.assign(p * p, 0);
  for (size_t r : idx)
    for (size_t i = 0; i < p; ++i) {
      double di = x[r * p + i] - e.center[i];
      for (size_t j = 0; j <= i; ++j)
        e.scatter[i * p + j] += di * (x[r * p + j] - e.center[j]);
    }
  for (size_t i = 0; i < p; ++i)
    for (size_t j = 0; j <= i; ++j) {
      e.scatter[i * p + j] /= static_cast<double>(m);
      e.scatter[j * p + i] = e.scatter[i * p + j];
    }
  e.chol = e.scatter;
  if (!choleskyInPlace(e.chol, p))
    return false;
  e.logDet = 0;
  for (size_t i = 0; i < p; ++i)
    e.logDet += 2 * std::log(e.chol[i * p + i]);
  return true;
}

/// All n squared distances under `e`.
std::vector<double> distances(const std::vector<double> &x, size_t n, size_t p,
                              const Estimate &e) {
  std::vector<double> d(n), tmp;
  for (size_t r = 0; r < n; ++r)
    d[r] = distance2(e.chol, e.center, &x[r * p], p, tmp);
  return d;
}

/// One C-step: the h rows nearest under `e` give the next estimate. False
/// when their covariance is singular.
bool cStep(const std::vector<double> &x, size_t n, size_t p, size_t h,
           Estimate &e) {
  std::vector<double> d = distances(x, n, p, e);
  std::vector<size_t> order(n);
  std::iota(order.begin(), order.end(), 0);
  // Ties broken by row: the same data gives the same estimate everywhere.
  std::sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return d[a] < d[b] || (d[a] == d[b] && a < b);
  });
  order.resize(h);
  Estimate next;
  if (!estimate(x, p, order, next))
    return false;
  e = std::move(next);
  return true;
}

/// The chi2_p quantile at z standard deviations of the normal (z = 0: the
/// median), by Wilson and Hilferty's approximation.
double chi2Quantile(double p, double z) {
  double v = 2 / (9 * p);
  return p * std::pow(1 - v + z * std::sqrt(v), 3);
}

} // namespace

double RobustFit::distance(const double *row) const {
  std::vector<double> tmp;
  return std::sqrt(distance2(chol, center, row, dims, tmp));
}

StatusOr<RobustFit> loom::data::fitMcd(const std::vector<double> &x, size_t n,
                                       size_t p) {
  if (p == 0)
    return Status::error("no columns to estimate a covariance of");
  if (n <= p)
    return Status::error("the robust covariance of " + std::to_string(p) +
                         " columns needs more than " + std::to_string(p) +
                         " complete rows, there are " + std::to_string(n));
  size_t h = (n + p + 1) / 2;
  std::mt19937_64 rng(0x5eed1999);
  // The starts and their first C-steps run on a sample of at most
  // kMcdSample rows (FAST-MCD's answer to large n); the best ten are then
  // iterated on all the rows.
  size_t m = std::min(n, kMcdSample);
  std::vector<double> sample;
  if (m < n) {
    std::vector<size_t> all(n);
    std::iota(all.begin(), all.end(), 0);
    for (size_t i = 0; i < m; ++i) // a partial Fisher-Yates shuffle
      std::swap(all[i], all[i + static_cast<size_t>(rng() % (n - i))]);
    all.resize(m);
    std::sort(all.begin(), all.end());
    for (size_t r : all)
      sample.insert(sample.end(), x.begin() + r * p, x.begin() + (r + 1) * p);
  }
  const std::vector<double> &xs = m < n ? sample : x;
  size_t hs = (m + p + 1) / 2;
  std::vector<Estimate> starts;
  for (int s = 0; s < kMcdStarts; ++s) {
    // p + 1 distinct rows, more while their covariance is singular.
    std::vector<size_t> pick;
    std::vector<bool> used(m, false);
    Estimate e;
    bool ok = false;
    while (pick.size() < hs) {
      size_t r = static_cast<size_t>(rng() % m);
      if (used[r])
        continue;
      used[r] = true;
      pick.push_back(r);
      if (pick.size() > p && estimate(xs, p, pick, e)) {
        ok = true;
        break;
      }
    }
    if (!ok)
      continue;
    if (cStep(xs, m, p, hs, e) && cStep(xs, m, p, hs, e))
      starts.push_back(std::move(e));
  }
  if (starts.empty())
    return Status::error("the covariance of the columns is singular on every "
                         "half of the rows (a column is constant, or one "
                         "column is a combination of others)");
  std::sort(
      starts.begin(), starts.end(),
      [](const Estimate &a, const Estimate &b) { return a.logDet < b.logDet; });
  starts.resize(std::min<size_t>(starts.size(), 10));
  Estimate best;
  best.logDet = INFINITY;
  for (Estimate &e : starts) {
    for (int it = 0; it < 100; ++it) {
      double before = e.logDet;
      if (!cStep(x, n, p, h, e) || !(e.logDet < before - 1e-12))
        break;
    }
    if (e.logDet < best.logDet)
      best = e;
  }
  // Consistency at the normal distribution: the raw estimate's scatter
  // times median(d^2) / the chi2_p median.
  double pp = static_cast<double>(p);
  std::vector<double> d = distances(x, n, p, best);
  std::vector<double> sorted = d;
  std::nth_element(sorted.begin(), sorted.begin() + n / 2, sorted.end());
  double factor = sorted[n / 2] / chi2Quantile(pp, 0.0);
  if (!(factor > 0))
    return Status::error("the covariance of the columns is singular on half "
                         "of the rows (a column is constant on them)");
  // Reweighting: the mean and covariance of the rows whose corrected d^2 is
  // within the chi2_p 97.5% quantile.
  std::vector<size_t> inliers;
  double cut = chi2Quantile(pp, 1.959964) * factor;
  for (size_t r = 0; r < n; ++r)
    if (d[r] <= cut)
      inliers.push_back(r);
  Estimate re;
  if (inliers.size() <= p || !estimate(x, p, inliers, re)) {
    re = best;
    for (double &v : re.scatter)
      v *= factor;
  }
  RobustFit fit;
  fit.dims = p;
  fit.center = re.center;
  fit.scatter = re.scatter;
  fit.chol = fit.scatter;
  if (!choleskyInPlace(fit.chol, p))
    return Status::error("the robust covariance of the columns is singular");
  return fit;
}
