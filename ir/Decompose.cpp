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

double mlir::loom::attentionScale(AttentionOp op) {
  if (std::optional<APFloat> s = op.getScale())
    return s->convertToDouble();
  return 1.0 / std::sqrt(double(tensorType(op.getQuery()).getShape().back()));
}

Value mlir::loom::attentionProbabilities(OpBuilder &b, Location loc, Value q,
                                         Value k, double scale, bool causal) {
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
  return b.create<SoftmaxOp>(loc, scores, rank - 1);
}

Value mlir::loom::decomposeAttention(OpBuilder &b, AttentionOp op) {
  Location loc = op.getLoc();
  Value p = attentionProbabilities(b, loc, op.getQuery(), op.getKey(),
                                   attentionScale(op), op.getCausal());
  return b.create<MatmulOp>(loc, p, op.getValue(), false, false);
}
