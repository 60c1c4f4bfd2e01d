//===- Decompose.cpp - Ops kept whole, written as smaller loom ops --------===//
//
// Part of Loom. See Decompose.h.
//
//===----------------------------------------------------------------------===//

#include "ir/Decompose.h"

#include "ir/GradientHelpers.h"

#include <cmath>
#include <limits>

using namespace mlir;
using namespace mlir::loom;
using grad::scalar;
using grad::tensorType;

double mlir::loom::attentionScale(std::optional<APFloat> scale, Value query) {
  if (scale)
    return scale->convertToDouble();
  return 1.0 / std::sqrt(double(tensorType(query).getShape().back()));
}

Value mlir::loom::attentionScores(OpBuilder &b, Location loc, Value q, Value k,
                                  double scale, bool causal) {
  RankedTensorType qt = tensorType(q), kt = tensorType(k);
  int64_t rank = qt.getRank();
  // One statement per op: the order of the IR must not depend on the
  // compiler's order of evaluating arguments.
  Value factor = scalar(b, loc, q, scale);
  Value raw = b.create<MatmulOp>(loc, q, k, false, true);
  Value scores = b.create<MulOp>(loc, raw, factor);
  if (causal) {
    int64_t t = qt.getDimSize(rank - 2), n = kt.getDimSize(rank - 2);
    auto idx = RankedTensorType::get({t, n}, b.getI64Type());
    Value row = b.create<IotaOp>(loc, idx, 0);
    Value col = b.create<IotaOp>(loc, idx, 1);
    Value allowed = b.create<CompareOp>(loc, ComparePredicate::le, col, row);
    scores = b.create<SelectOp>(
        loc, allowed, scores,
        scalar(b, loc, q, -std::numeric_limits<double>::infinity()));
  }
  return scores;
}

Value mlir::loom::attentionProbabilities(OpBuilder &b, Location loc, Value q,
                                         Value k, double scale, bool causal) {
  Value scores = attentionScores(b, loc, q, k, scale, causal);
  return b.create<SoftmaxOp>(loc, scores, tensorType(q).getRank() - 1);
}

Value mlir::loom::decomposeAttention(OpBuilder &b, AttentionOp op) {
  Location loc = op.getLoc();
  Value p = attentionProbabilities(b, loc, op.getQuery(), op.getKey(),
                                   attentionScale(op), op.getCausal());
  return b.create<MatmulOp>(loc, p, op.getValue(), false, false);
}

std::pair<Value, Value>
mlir::loom::decomposeAttentionWithLse(OpBuilder &b, AttentionWithLseOp op,
                                      bool withLse) {
  Location loc = op.getLoc();
  Value q = op.getQuery();
  int64_t last = tensorType(q).getRank() - 1;
  Value scores = attentionScores(b, loc, q, op.getKey(), attentionScale(op),
                                 op.getCausal());
  Value p = b.create<SoftmaxOp>(loc, scores, last);
  Value out = b.create<MatmulOp>(loc, p, op.getValue(), false, false);
  if (!withLse)
    return {out, Value()};
  // Every row has a finite maximum: causal rows keep their diagonal.
  Value max = b.create<ReduceOp>(loc, ReduceKind::max, scores,
                                 ArrayRef<int64_t>{last}, true);
  Value shifted = b.create<SubOp>(loc, scores, max);
  Value e = b.create<ExpOp>(loc, shifted);
  Value sum = b.create<ReduceOp>(loc, ReduceKind::sum, e,
                                 ArrayRef<int64_t>{last}, true);
  Value logSum = b.create<LogOp>(loc, sum);
  Value lse = b.create<AddOp>(loc, logSum, max);
  lse = b.create<ReshapeOp>(loc, op.getLse().getType(), lse);
  return {out, lse};
}

SmallVector<Value, 3>
mlir::loom::decomposeAttentionBackward(OpBuilder &b, AttentionBackwardOp op) {
  Location loc = op.getLoc();
  Value q = op.getQuery(), k = op.getKey(), v = op.getValue();
  Value dout = op.getGradOut();
  int64_t rank = tensorType(q).getRank();
  double s = attentionScale(op);
  Value p = attentionProbabilities(b, loc, q, k, s, op.getCausal());
  Value dv = b.create<MatmulOp>(loc, p, dout, true, false);
  Value dp = b.create<MatmulOp>(loc, dout, v, false, true);
  Value prod = b.create<MulOp>(loc, dp, p);
  Value rowSum = b.create<ReduceOp>(loc, ReduceKind::sum, prod,
                                    ArrayRef<int64_t>{rank - 1}, true);
  Value centered = b.create<SubOp>(loc, dp, rowSum);
  Value ds = b.create<MulOp>(loc, p, centered);
  Value factor = scalar(b, loc, q, s);
  Value dsk = b.create<MatmulOp>(loc, ds, k, false, false);
  Value dq = b.create<MulOp>(loc, dsk, factor);
  Value dsq = b.create<MatmulOp>(loc, ds, q, true, false);
  Value dk = b.create<MulOp>(loc, dsq, factor);
  return {dq, dk, dv};
}
