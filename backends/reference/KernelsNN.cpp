//===- KernelsNN.cpp - Reference normalization, attention, losses, RNG ----===//
//
// Part of Loom. This file implements the reference kernels of loom.softmax,
// loom.log_softmax, loom.layer_norm, loom.attention, loom.attention_with_lse,
// loom.attention_backward, loom.cross_entropy, loom.dropout and loom.iota:
// plain loops over double, in LoomOps.td order.
// The interpreter rounds each result to its element type.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Kernels.h"

#include "runtime/Philox.h"

#include <cmath>
#include <limits>

using namespace mlir::loom::reference;

/// Splits `shape` around `dim` into (outer, len, inner) so that element
/// (o, i, n) sits at (o * len + i) * inner + n.
static void splitAround(const std::vector<int64_t> &shape, int64_t dim,
                        int64_t &outer, int64_t &len, int64_t &inner) {
  outer = 1;
  inner = 1;
  for (int64_t i = 0; i < dim; ++i)
    outer *= shape[i];
  len = shape[dim];
  for (size_t i = dim + 1; i < shape.size(); ++i)
    inner *= shape[i];
}

/// The maximum of `n` values `stride` apart (-inf when n == 0); NaN wins.
static double maxOf(const double *p, int64_t n, int64_t stride) {
  double m = -std::numeric_limits<double>::infinity();
  for (int64_t i = 0; i < n; ++i) {
    double v = p[i * stride];
    if (std::isnan(v))
      return v;
    if (v > m)
      m = v;
  }
  return m;
}

//===----------------------------------------------------------------------===//
// loom.softmax, loom.log_softmax
//===----------------------------------------------------------------------===//

/// Shared body: y = exp(x - max) / sum, or x - max - log(sum) when `isLog`.
static Tensor softmaxImpl(const Tensor &x, int64_t dim, bool isLog) {
  int64_t outer, len, inner;
  splitAround(x.shape, dim, outer, len, inner);
  Tensor y(x.dtype, x.shape);
  for (int64_t o = 0; o < outer; ++o)
    for (int64_t n = 0; n < inner; ++n) {
      const double *xp = x.data.data() + o * len * inner + n;
      double *yp = y.data.data() + o * len * inner + n;
      double m = maxOf(xp, len, inner);
      double sum = 0.0;
      for (int64_t i = 0; i < len; ++i)
        sum += std::exp(xp[i * inner] - m);
      for (int64_t i = 0; i < len; ++i)
        yp[i * inner] = isLog ? xp[i * inner] - m - std::log(sum)
                              : std::exp(xp[i * inner] - m) / sum;
    }
  return y;
}

// (..., L, ...) -> (..., L, ...), normalized along dim (of size L).
Tensor mlir::loom::reference::softmax(const Tensor &x, int64_t dim) {
  return softmaxImpl(x, dim, /*isLog=*/false);
}

// (..., L, ...) -> (..., L, ...), log-normalized along dim (of size L).
Tensor mlir::loom::reference::logSoftmax(const Tensor &x, int64_t dim) {
  return softmaxImpl(x, dim, /*isLog=*/true);
}

//===----------------------------------------------------------------------===//
// loom.layer_norm
//===----------------------------------------------------------------------===//

// x (..., *S), scale (*S), bias (*S) -> (..., *S), normalized over the
// trailing dims S (the shape of scale) with the biased variance.
Tensor mlir::loom::reference::layerNorm(const Tensor &x, const Tensor &scale,
                                        const Tensor &bias, double epsilon) {
  int64_t size = scale.numElements();
  int64_t rows = size == 0 ? 0 : x.numElements() / size;
  Tensor y(x.dtype, x.shape);
  for (int64_t r = 0; r < rows; ++r) {
    const double *xp = x.data.data() + r * size;
    double *yp = y.data.data() + r * size;
    double mean = 0.0;
    for (int64_t i = 0; i < size; ++i)
      mean += xp[i];
    mean /= static_cast<double>(size);
    double var = 0.0;
    for (int64_t i = 0; i < size; ++i)
      var += (xp[i] - mean) * (xp[i] - mean);
    var /= static_cast<double>(size);
    double rstd = 1.0 / std::sqrt(var + epsilon);
    for (int64_t i = 0; i < size; ++i)
      yp[i] = (xp[i] - mean) * rstd * scale.data[i] + bias.data[i];
  }
  return y;
}

//===----------------------------------------------------------------------===//
// loom.attention
//===----------------------------------------------------------------------===//

// q (..., T, D), k (..., S, D), v (..., S, DV) -> (..., T, DV):
// softmax_s(q k^T * scale, with s > t masked under causal) @ v.
Tensor mlir::loom::reference::attention(const Tensor &q, const Tensor &k,
                                        const Tensor &v, bool causal,
                                        std::optional<double> scale) {
  int64_t rank = q.rank();
  int64_t t = q.shape[rank - 2], d = q.shape[rank - 1];
  int64_t s = k.shape[rank - 2], dv = v.shape[rank - 1];
  int64_t batch = 1;
  for (int64_t i = 0; i < rank - 2; ++i)
    batch *= q.shape[i];
  double sc = scale ? *scale : 1.0 / std::sqrt(static_cast<double>(d));

  std::vector<int64_t> outShape(q.shape);
  outShape.back() = dv;
  Tensor out(q.dtype, outShape);
  std::vector<double> p(s); // one row of attention weights
  for (int64_t b = 0; b < batch; ++b) {
    const double *qb = q.data.data() + b * t * d;
    const double *kb = k.data.data() + b * s * d;
    const double *vb = v.data.data() + b * s * dv;
    double *ob = out.data.data() + b * t * dv;
    for (int64_t ti = 0; ti < t; ++ti) {
      // (D) . (S, D) -> (S) scores, masked, then a stable softmax.
      for (int64_t si = 0; si < s; ++si) {
        if (causal && si > ti) {
          p[si] = -std::numeric_limits<double>::infinity();
          continue;
        }
        double dot = 0.0;
        for (int64_t di = 0; di < d; ++di)
          dot += qb[ti * d + di] * kb[si * d + di];
        p[si] = dot * sc;
      }
      double m = maxOf(p.data(), s, 1);
      double sum = 0.0;
      for (int64_t si = 0; si < s; ++si) {
        p[si] = std::exp(p[si] - m);
        sum += p[si];
      }
      // (S) @ (S, DV) -> (DV)
      for (int64_t j = 0; j < dv; ++j) {
        double acc = 0.0;
        for (int64_t si = 0; si < s; ++si)
          acc += p[si] / sum * vb[si * dv + j];
        ob[ti * dv + j] = acc;
      }
    }
  }
  return out;
}

//===----------------------------------------------------------------------===//
// loom.attention_with_lse
//===----------------------------------------------------------------------===//

namespace {
/// The dims of an attention: `batch` (the product of the leading dims)
/// problems of T queries and S keys, head sizes D (q, k) and DV (v).
struct AttentionDims {
  int64_t batch = 1, t, s, d, dv;
  double scale;
  AttentionDims(const Tensor &q, const Tensor &k, const Tensor &v,
                std::optional<double> sc) {
    int64_t rank = q.rank();
    t = q.shape[rank - 2];
    d = q.shape[rank - 1];
    s = k.shape[rank - 2];
    dv = v.shape[rank - 1];
    for (int64_t i = 0; i < rank - 2; ++i)
      batch *= q.shape[i];
    scale = sc ? *sc : 1.0 / std::sqrt(static_cast<double>(d));
  }
  /// Query `ti`'s scaled score of key `si` in problem `b` (-inf if masked).
  double score(const Tensor &q, const Tensor &k, bool causal, int64_t b,
               int64_t ti, int64_t si) const {
    if (causal && si > ti)
      return -std::numeric_limits<double>::infinity();
    const double *qr = q.data.data() + (b * t + ti) * d;
    const double *kr = k.data.data() + (b * s + si) * d;
    double dot = 0.0;
    for (int64_t di = 0; di < d; ++di)
      dot += qr[di] * kr[di];
    return dot * scale;
  }
};
} // namespace

// q (..., T, D), k (..., S, D), v (..., S, DV) -> out (..., T, DV),
// lse (..., T) = max + log(sum_s exp(score - max)) per query row.
std::pair<Tensor, Tensor>
mlir::loom::reference::attentionWithLse(const Tensor &q, const Tensor &k,
                                        const Tensor &v, bool causal,
                                        std::optional<double> scale) {
  AttentionDims a(q, k, v, scale);
  Tensor out = attention(q, k, v, causal, scale);
  std::vector<int64_t> lseShape(q.shape.begin(), q.shape.end() - 1);
  Tensor lse(q.dtype, lseShape);
  std::vector<double> row(a.s);
  for (int64_t b = 0; b < a.batch; ++b)
    for (int64_t ti = 0; ti < a.t; ++ti) {
      for (int64_t si = 0; si < a.s; ++si)
        row[si] = a.score(q, k, causal, b, ti, si);
      double m = maxOf(row.data(), a.s, 1);
      double sum = 0.0;
      for (int64_t si = 0; si < a.s; ++si)
        sum += std::exp(row[si] - m);
      lse.data[b * a.t + ti] = m + std::log(sum);
    }
  return {std::move(out), std::move(lse)};
}

//===----------------------------------------------------------------------===//
// loom.attention_backward
//===----------------------------------------------------------------------===//

// Per problem, with P (T, S) = exp(score - lse) (0 where masked):
//   dv (S, DV) = P^T dO;  dP (T, S) = dO (T, DV) v^T;
//   dS = P * (dP - D), D (T) = rowsum(dO * o);
//   dq (T, D) = dS k * scale;  dk (S, D) = dS^T q * scale.
std::vector<Tensor> mlir::loom::reference::attentionBackward(
    const Tensor &q, const Tensor &k, const Tensor &v, const Tensor &o,
    const Tensor &dout, const Tensor &lse, bool causal,
    std::optional<double> scale) {
  AttentionDims a(q, k, v, scale);
  Tensor dq(q.dtype, q.shape), dk(k.dtype, k.shape), dv(v.dtype, v.shape);
  std::vector<double> p(a.s), ds(a.s);
  for (int64_t b = 0; b < a.batch; ++b) {
    const double *qb = q.data.data() + b * a.t * a.d;
    const double *kb = k.data.data() + b * a.s * a.d;
    const double *vb = v.data.data() + b * a.s * a.dv;
    double *dqb = dq.data.data() + b * a.t * a.d;
    double *dkb = dk.data.data() + b * a.s * a.d;
    double *dvb = dv.data.data() + b * a.s * a.dv;
    for (int64_t ti = 0; ti < a.t; ++ti) {
      const double *dor = dout.data.data() + (b * a.t + ti) * a.dv;
      const double *orow = o.data.data() + (b * a.t + ti) * a.dv;
      double rowLse = lse.data[b * a.t + ti];
      double dsum = 0.0;
      for (int64_t j = 0; j < a.dv; ++j)
        dsum += dor[j] * orow[j];
      for (int64_t si = 0; si < a.s; ++si) {
        double sc = a.score(q, k, causal, b, ti, si);
        p[si] = std::isinf(sc) ? 0.0 : std::exp(sc - rowLse);
        double dp = 0.0;
        for (int64_t j = 0; j < a.dv; ++j)
          dp += dor[j] * vb[si * a.dv + j];
        ds[si] = p[si] * (dp - dsum);
      }
      for (int64_t si = 0; si < a.s; ++si) {
        for (int64_t j = 0; j < a.dv; ++j)
          dvb[si * a.dv + j] += p[si] * dor[j];
        for (int64_t di = 0; di < a.d; ++di) {
          dqb[ti * a.d + di] += ds[si] * kb[si * a.d + di] * a.scale;
          dkb[si * a.d + di] += ds[si] * qb[ti * a.d + di] * a.scale;
        }
      }
    }
  }
  return {std::move(dq), std::move(dk), std::move(dv)};
}

//===----------------------------------------------------------------------===//
// loom.cross_entropy
//===----------------------------------------------------------------------===//

/// "[1, 0]": the multi-index of flat element `flat` of `shape`.
static std::string positionString(int64_t flat,
                                  const std::vector<int64_t> &shape) {
  std::vector<int64_t> idx(shape.size(), 0);
  for (int64_t i = static_cast<int64_t>(shape.size()) - 1; i >= 0; --i) {
    idx[i] = flat % shape[i];
    flat /= shape[i];
  }
  std::string s = "[";
  for (size_t i = 0; i < idx.size(); ++i)
    s += (i ? ", " : "") + std::to_string(idx[i]);
  return s + "]";
}

// logits (..., C), labels (...) -> (...) under None, () under Sum and Mean.
bool mlir::loom::reference::crossEntropy(LossReduction reduction,
                                         const Tensor &logits,
                                         const Tensor &labels, Tensor &result,
                                         std::string &error) {
  int64_t c = logits.shape.back();
  int64_t examples = labels.numElements();
  Tensor losses(logits.dtype, labels.shape);
  for (int64_t e = 0; e < examples; ++e) {
    double label = labels.data[e];
    if (!(label >= 0 && label < static_cast<double>(c))) {
      error = "label " + std::to_string(static_cast<int64_t>(label)) +
              " at position " + positionString(e, labels.shape) +
              " is outside [0, C) with C = " + std::to_string(c);
      return false;
    }
    const double *row = logits.data.data() + e * c;
    double m = maxOf(row, c, 1);
    double sum = 0.0;
    for (int64_t i = 0; i < c; ++i)
      sum += std::exp(row[i] - m);
    losses.data[e] = m + std::log(sum) - row[static_cast<int64_t>(label)];
  }
  if (reduction == LossReduction::None) {
    result = std::move(losses);
    return true;
  }
  double total = 0.0;
  for (double l : losses.data)
    total += l;
  if (reduction == LossReduction::Mean)
    total /= static_cast<double>(examples); // 0/0 = NaN with no examples
  result = Tensor(logits.dtype, {}, {total});
  return true;
}

//===----------------------------------------------------------------------===//
// loom.dropout
//===----------------------------------------------------------------------===//

// (...) -> (...): element i is kept, times 1 / (1 - rate), iff its Philox
// draw for (seed, step, stream, i) is >= rate, and zeroed otherwise.
Tensor mlir::loom::reference::dropout(const Tensor &x, uint64_t seed,
                                      uint64_t step, double rate,
                                      uint64_t stream) {
  if (rate == 0.0)
    return x;
  double keepScale = 1.0 / (1.0 - rate);
  Tensor y(x.dtype, x.shape);
  for (int64_t i = 0; i < x.numElements(); ++i) {
    double u = ::loom::dropoutUniform(seed, step, stream, uint64_t(i));
    y.data[i] = u >= rate ? x.data[i] * keepScale : 0.0;
  }
  return y;
}

//===----------------------------------------------------------------------===//
// loom.iota
//===----------------------------------------------------------------------===//

// () -> shape, with result[i0, ..., in] = i_dim.
Tensor mlir::loom::reference::iota(DType dtype,
                                   const std::vector<int64_t> &shape,
                                   int64_t dim) {
  Tensor y(dtype, shape);
  if (y.numElements() == 0)
    return y;
  std::vector<int64_t> idx(shape.size(), 0);
  int64_t flat = 0;
  do {
    y.data[flat++] = static_cast<double>(idx[dim]);
  } while (nextIndex(idx, shape));
  return y;
}
