//===- KernelsContract.cpp - Reference reductions and contractions --------===//
//
// Part of Loom. This file implements the reference kernels of loom.reduce,
// loom.matmul, loom.conv2d and loom.pool2d and of their backward ops: plain
// loops over double, in LoomOps.td order. Each backward kernel walks the
// same loops as its forward and sends every term back where it came from.
// The interpreter rounds each result to its element type.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Kernels.h"

#include <algorithm>
#include <cmath>
#include <limits>

using namespace mlir::loom::reference;

//===----------------------------------------------------------------------===//
// loom.reduce
//===----------------------------------------------------------------------===//

/// max/min that propagate NaN, as NumPy's amax and PyTorch's amax do: an
/// oracle must not hide a NaN that a backend produced or swallowed.
static double maxNaN(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  return a > b ? a : b;
}
static double minNaN(double a, double b) {
  if (std::isnan(a) || std::isnan(b))
    return std::numeric_limits<double>::quiet_NaN();
  return a < b ? a : b;
}

// (D0, ..., Dn) reduced over `dims` -> the shape without them (or with size 1
// in their place under keepDims).
Tensor mlir::loom::reference::reduce(ReduceKind kind, const Tensor &x,
                                     const std::vector<int64_t> &dims,
                                     bool keepDims) {
  if (dims.empty())
    return x;
  std::vector<bool> reduced(x.rank(), false);
  for (int64_t d : dims)
    reduced[d] = true;
  std::vector<int64_t> keptShape(x.shape); // reduced dims set to 1
  std::vector<int64_t> outShape;
  int64_t count = 1;
  for (int64_t i = 0; i < x.rank(); ++i) {
    if (reduced[i]) {
      keptShape[i] = 1;
      count *= x.shape[i];
      if (keepDims)
        outShape.push_back(1);
    } else {
      outShape.push_back(x.shape[i]);
    }
  }

  double init = 0.0;
  if (kind == ReduceKind::Max)
    init = -std::numeric_limits<double>::infinity();
  else if (kind == ReduceKind::Min)
    init = std::numeric_limits<double>::infinity();
  // Accumulate into an array laid out like keptShape, which has the same
  // row-major order as outShape with or without the size-1 dims.
  Tensor result(x.dtype, outShape);
  std::fill(result.data.begin(), result.data.end(), init);
  if (x.numElements() > 0) {
    std::vector<int64_t> idx(x.rank(), 0);
    int64_t flat = 0;
    do {
      int64_t out = 0;
      for (int64_t i = 0; i < x.rank(); ++i)
        out = out * keptShape[i] + (reduced[i] ? 0 : idx[i]);
      double v = x.data[flat++];
      double &acc = result.data[out];
      switch (kind) {
      case ReduceKind::Sum:
      case ReduceKind::Mean:
        acc += v;
        break;
      case ReduceKind::Max:
        acc = maxNaN(acc, v);
        break;
      case ReduceKind::Min:
        acc = minNaN(acc, v);
        break;
      }
    } while (nextIndex(idx, x.shape));
  }
  if (kind == ReduceKind::Mean)
    for (double &v : result.data)
      v /= static_cast<double>(count); // 0/0 = NaN over an empty dim
  return result;
}

//===----------------------------------------------------------------------===//
// loom.matmul
//===----------------------------------------------------------------------===//

/// The offset, in matrices, of batch index `idx` (over the broadcast batch
/// shape) in an operand whose batch dims are `batch` (right-aligned; size-1
/// dims broadcast).
static int64_t batchOffset(const std::vector<int64_t> &idx,
                           const std::vector<int64_t> &batch) {
  int64_t lead = static_cast<int64_t>(idx.size() - batch.size());
  int64_t offset = 0;
  for (size_t i = 0; i < batch.size(); ++i)
    offset = offset * batch[i] + (batch[i] == 1 ? 0 : idx[lead + i]);
  return offset;
}

// (..., M, K) @ (..., K, N) -> (..., M, N); transposeLhs reads lhs as
// (..., K, M) and transposeRhs reads rhs as (..., N, K).
Tensor mlir::loom::reference::matmul(const Tensor &lhs, const Tensor &rhs,
                                     bool transposeLhs, bool transposeRhs) {
  int64_t lr = lhs.rank(), rr = rhs.rank();
  int64_t lRows = lhs.shape[lr - 2], lCols = lhs.shape[lr - 1];
  int64_t rRows = rhs.shape[rr - 2], rCols = rhs.shape[rr - 1];
  int64_t m = transposeLhs ? lCols : lRows;
  int64_t k = transposeLhs ? lRows : lCols;
  int64_t n = transposeRhs ? rRows : rCols;

  // NumPy broadcast of the batch dims, right-aligned.
  std::vector<int64_t> lb(lhs.shape.begin(), lhs.shape.end() - 2);
  std::vector<int64_t> rb(rhs.shape.begin(), rhs.shape.end() - 2);
  size_t nb = std::max(lb.size(), rb.size());
  std::vector<int64_t> batch(nb, 1);
  for (size_t i = 0; i < nb; ++i) {
    int64_t a = i < nb - lb.size() ? 1 : lb[i - (nb - lb.size())];
    int64_t b = i < nb - rb.size() ? 1 : rb[i - (nb - rb.size())];
    batch[i] = a == 1 ? b : a;
  }

  std::vector<int64_t> outShape(batch);
  outShape.push_back(m);
  outShape.push_back(n);
  Tensor result(lhs.dtype, outShape);
  if (result.numElements() == 0)
    return result;

  // Each output element is one dot product summed in order p = 0..k-1. The
  // operands are first copied as rows of A (m x k) and of B^T (n x k), so the
  // dot products read memory in order; the sums are the same either way.
  // (With GCC, on OpenMP: libgomp, oneDNN's pool.)
  std::vector<double> aRows(m * k), bCols(n * k);
  std::vector<int64_t> idx(nb, 0);
  int64_t outMatrix = 0;
  do {
    const double *a = lhs.data.data() + batchOffset(idx, lb) * lRows * lCols;
    const double *b = rhs.data.data() + batchOffset(idx, rb) * rRows * rCols;
    double *c = result.data.data() + outMatrix * m * n;
    for (int64_t i = 0; i < m; ++i)
      for (int64_t p = 0; p < k; ++p)
        aRows[i * k + p] = transposeLhs ? a[p * lCols + i] : a[i * lCols + p];
    for (int64_t j = 0; j < n; ++j)
      for (int64_t p = 0; p < k; ++p)
        bCols[j * k + p] = transposeRhs ? b[j * rCols + p] : b[p * rCols + j];
        // Rows are independent: each thread computes whole dot products, in the
        // same order as one thread would (results do not depend on the count).
#ifdef _OPENMP
#pragma omp parallel for schedule(static) if (m * n * k >= (1 << 16))
#endif
    for (int64_t i = 0; i < m; ++i) {
      const double *ar = aRows.data() + i * k;
      for (int64_t j = 0; j < n; ++j) {
        const double *bc = bCols.data() + j * k;
        double acc = 0.0;
        for (int64_t p = 0; p < k; ++p)
          acc += ar[p] * bc[p];
        c[i * n + j] = acc;
      }
    }
    ++outMatrix;
  } while (nextIndex(idx, batch));
  return result;
}

//===----------------------------------------------------------------------===//
// loom.conv2d
//===----------------------------------------------------------------------===//

// x (N, C, H, W) * w (O, C/g, KH, KW) -> (N, O, HO, WO), where
// HO = (H + top + bottom - dh * (KH - 1) - 1) / sh + 1 (likewise WO).
Tensor mlir::loom::reference::conv2d(const Tensor &x, const Tensor &w,
                                     std::array<int64_t, 2> strides,
                                     std::array<int64_t, 4> padding,
                                     std::array<int64_t, 2> dilations,
                                     int64_t groups) {
  int64_t n = x.shape[0], h = x.shape[2], wd = x.shape[3];
  int64_t o = w.shape[0], cg = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  int64_t sh = strides[0], sw = strides[1];
  int64_t pt = padding[0], pb = padding[1], pl = padding[2], pr = padding[3];
  int64_t dh = dilations[0], dw = dilations[1];
  int64_t ho = (h + pt + pb - dh * (kh - 1) - 1) / sh + 1;
  int64_t wo = (wd + pl + pr - dw * (kw - 1) - 1) / sw + 1;
  int64_t og = o / groups; // output channels per group

  Tensor result(x.dtype, {n, o, ho, wo});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t g = oc / og;
      for (int64_t oy = 0; oy < ho; ++oy)
        for (int64_t ox = 0; ox < wo; ++ox) {
          double acc = 0.0;
          for (int64_t ic = 0; ic < cg; ++ic) {
            int64_t xc = g * cg + ic; // input channel
            for (int64_t ky = 0; ky < kh; ++ky) {
              int64_t iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h)
                continue; // zero padding
              for (int64_t kx = 0; kx < kw; ++kx) {
                int64_t ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= wd)
                  continue;
                acc += x.at({b, xc, iy, ix}) * w.at({oc, ic, ky, kx});
              }
            }
          }
          result.at({b, oc, oy, ox}) = acc;
        }
    }
  return result;
}

//===----------------------------------------------------------------------===//
// loom.conv2d_backward_input, loom.conv2d_backward_filter
//===----------------------------------------------------------------------===//

// dy (N, O, HO, WO), w (O, C/g, KH, KW) -> dx (N, C, H, W): each term
// x[b, xc, iy, ix] * w[oc, ic, ky, kx] the forward added into
// y[b, oc, oy, ox] sends dy[b, oc, oy, ox] * w[oc, ic, ky, kx] back to
// dx[b, xc, iy, ix]. Input positions no window reads stay zero.
Tensor mlir::loom::reference::conv2dBackwardInput(
    const Tensor &dy, const Tensor &w, const std::vector<int64_t> &inputShape,
    std::array<int64_t, 2> strides, std::array<int64_t, 4> padding,
    std::array<int64_t, 2> dilations, int64_t groups) {
  int64_t n = inputShape[0], h = inputShape[2], wd = inputShape[3];
  int64_t o = w.shape[0], cg = w.shape[1], kh = w.shape[2], kw = w.shape[3];
  int64_t ho = dy.shape[2], wo = dy.shape[3];
  int64_t sh = strides[0], sw = strides[1], pt = padding[0], pl = padding[2];
  int64_t dh = dilations[0], dw = dilations[1];
  int64_t og = o / groups; // output channels per group

  Tensor result(dy.dtype, inputShape);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t oc = 0; oc < o; ++oc) {
      int64_t g = oc / og;
      for (int64_t oy = 0; oy < ho; ++oy)
        for (int64_t ox = 0; ox < wo; ++ox) {
          double grad = dy.at({b, oc, oy, ox});
          for (int64_t ic = 0; ic < cg; ++ic) {
            int64_t xc = g * cg + ic; // input channel
            for (int64_t ky = 0; ky < kh; ++ky) {
              int64_t iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h)
                continue; // padding: no input element
              for (int64_t kx = 0; kx < kw; ++kx) {
                int64_t ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= wd)
                  continue;
                result.at({b, xc, iy, ix}) += grad * w.at({oc, ic, ky, kx});
              }
            }
          }
        }
    }
  return result;
}

// x (N, C, H, W), dy (N, O, HO, WO) -> dw (O, C/g, KH, KW):
// dw[oc, ic, ky, kx] = sum over (b, oy, ox) of x[b, xc, iy, ix] *
// dy[b, oc, oy, ox], the in-bounds terms of the forward's sum.
Tensor mlir::loom::reference::conv2dBackwardFilter(
    const Tensor &x, const Tensor &dy, const std::vector<int64_t> &filterShape,
    std::array<int64_t, 2> strides, std::array<int64_t, 4> padding,
    std::array<int64_t, 2> dilations, int64_t groups) {
  int64_t n = x.shape[0], h = x.shape[2], wd = x.shape[3];
  int64_t o = filterShape[0], cg = filterShape[1];
  int64_t kh = filterShape[2], kw = filterShape[3];
  int64_t ho = dy.shape[2], wo = dy.shape[3];
  int64_t sh = strides[0], sw = strides[1], pt = padding[0], pl = padding[2];
  int64_t dh = dilations[0], dw = dilations[1];
  int64_t og = o / groups; // output channels per group

  Tensor result(x.dtype, filterShape);
  for (int64_t oc = 0; oc < o; ++oc) {
    int64_t g = oc / og;
    for (int64_t ic = 0; ic < cg; ++ic) {
      int64_t xc = g * cg + ic; // input channel
      for (int64_t ky = 0; ky < kh; ++ky)
        for (int64_t kx = 0; kx < kw; ++kx) {
          double acc = 0.0;
          for (int64_t b = 0; b < n; ++b)
            for (int64_t oy = 0; oy < ho; ++oy) {
              int64_t iy = oy * sh - pt + ky * dh;
              if (iy < 0 || iy >= h)
                continue; // zero padding
              for (int64_t ox = 0; ox < wo; ++ox) {
                int64_t ix = ox * sw - pl + kx * dw;
                if (ix < 0 || ix >= wd)
                  continue;
                acc += x.at({b, xc, iy, ix}) * dy.at({b, oc, oy, ox});
              }
            }
          result.at({oc, ic, ky, kx}) = acc;
        }
    }
  }
  return result;
}

//===----------------------------------------------------------------------===//
// loom.pool2d
//===----------------------------------------------------------------------===//

// (N, C, H, W) -> (N, C, HO, WO), HO = (H + top + bottom - KH) / sh + 1.
// Max ignores padded positions; avg divides by the in-bounds count, or by the
// count of window positions inside the padded input under countIncludePad
// (PyTorch's rule; with this HO every window lies inside it, so KH * KW).
Tensor mlir::loom::reference::pool2d(bool isMax, const Tensor &x,
                                     std::array<int64_t, 2> window,
                                     std::array<int64_t, 2> strides,
                                     std::array<int64_t, 4> padding,
                                     bool countIncludePad) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t kh = window[0], kw = window[1];
  int64_t sh = strides[0], sw = strides[1];
  int64_t pt = padding[0], pb = padding[1], pl = padding[2], pr = padding[3];
  int64_t ho = (h + pt + pb - kh) / sh + 1;
  int64_t wo = (wd + pl + pr - kw) / sw + 1;

  Tensor result(x.dtype, {n, c, ho, wo});
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t oy = 0; oy < ho; ++oy)
        for (int64_t ox = 0; ox < wo; ++ox) {
          double acc = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
          int64_t inBounds = 0, inPadded = 0;
          for (int64_t ky = 0; ky < kh; ++ky) {
            int64_t iy = oy * sh - pt + ky;
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t ix = ox * sw - pl + kx;
              if (iy < h + pb && ix < wd + pr)
                ++inPadded;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                continue;
              ++inBounds;
              double v = x.at({b, ch, iy, ix});
              acc = isMax ? maxNaN(acc, v) : acc + v;
            }
          }
          if (!isMax) {
            int64_t divisor = countIncludePad ? inPadded : inBounds;
            // A window with no element cannot occur in verified IR (padding
            // is smaller than the window); give 0 rather than 0/0.
            acc = divisor == 0 ? 0.0 : acc / static_cast<double>(divisor);
          }
          result.at({b, ch, oy, ox}) = acc;
        }
  return result;
}

//===----------------------------------------------------------------------===//
// loom.pool2d_backward
//===----------------------------------------------------------------------===//

// dy (N, C, HO, WO) -> dx (N, C, H, W), walking the forward's windows.
// Max: dy[b, ch, oy, ox] goes whole to the window's first in-bounds maximum
// of x in row-major window order (a NaN wins, as it wins the forward);
// avg: it is shared by the window's in-bounds elements, each getting
// dy / divisor with the forward's divisor. Overlapping windows add up.
Tensor mlir::loom::reference::pool2dBackward(
    bool isMax, const Tensor &dy, const Tensor *x,
    const std::vector<int64_t> &inputShape, std::array<int64_t, 2> window,
    std::array<int64_t, 2> strides, std::array<int64_t, 4> padding,
    bool countIncludePad) {
  int64_t n = inputShape[0], c = inputShape[1];
  int64_t h = inputShape[2], wd = inputShape[3];
  int64_t ho = dy.shape[2], wo = dy.shape[3];
  int64_t kh = window[0], kw = window[1];
  int64_t sh = strides[0], sw = strides[1];
  int64_t pt = padding[0], pb = padding[1], pl = padding[2], pr = padding[3];

  Tensor result(dy.dtype, inputShape);
  for (int64_t b = 0; b < n; ++b)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t oy = 0; oy < ho; ++oy)
        for (int64_t ox = 0; ox < wo; ++ox) {
          double grad = dy.at({b, ch, oy, ox});
          int64_t inBounds = 0, inPadded = 0;
          int64_t bestY = -1, bestX = -1;
          double best = 0.0;
          for (int64_t ky = 0; ky < kh; ++ky) {
            int64_t iy = oy * sh - pt + ky;
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t ix = ox * sw - pl + kx;
              if (iy < h + pb && ix < wd + pr)
                ++inPadded;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                continue;
              ++inBounds;
              if (!isMax)
                continue;
              double v = x->at({b, ch, iy, ix});
              bool better =
                  bestY < 0 || v > best || (std::isnan(v) && !std::isnan(best));
              if (better) {
                best = v;
                bestY = iy;
                bestX = ix;
              }
            }
          }
          if (isMax) {
            if (bestY >= 0)
              result.at({b, ch, bestY, bestX}) += grad;
            continue;
          }
          int64_t divisor = countIncludePad ? inPadded : inBounds;
          if (divisor == 0)
            continue; // no element (unreachable in verified IR, see pool2d)
          for (int64_t ky = 0; ky < kh; ++ky) {
            int64_t iy = oy * sh - pt + ky;
            for (int64_t kx = 0; kx < kw; ++kx) {
              int64_t ix = ox * sw - pl + kx;
              if (iy < 0 || iy >= h || ix < 0 || ix >= wd)
                continue;
              result.at({b, ch, iy, ix}) += grad / static_cast<double>(divisor);
            }
          }
        }
  return result;
}
