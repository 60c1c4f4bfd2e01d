//===- Decompose.h - Whole ops written as smaller loom ops ------*- C++ -*-===//
//
// Part of Loom. Some ops stay whole in the IR so that a fused kernel can
// replace them (loom.attention, loom.attention_with_lse,
// loom.attention_backward). The backends that have no fused kernel for them
// spell them out in primitive loom ops; this is the one place that spelling
// lives, so the forward and the gradient's recomputation are the same ops
// (and CSE can share them).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_DECOMPOSE_H
#define LOOM_IR_DECOMPOSE_H

#include "ir/LoomOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::loom {

/// The scale of an attention op: its `scale` attribute, or 1/sqrt(D) with D
/// the last dim of `query`.
double attentionScale(std::optional<APFloat> scale, Value query);
template <typename AttentionLikeOp> double attentionScale(AttentionLikeOp op) {
  return attentionScale(op.getScale(), op.getQuery());
}

/// The masked scores q k^T scale, with -inf where `causal` and key > query:
/// matmul, mul, (iota, compare, select).
Value attentionScores(OpBuilder &b, Location loc, Value q, Value k,
                      double scale, bool causal);

/// P = softmax(attentionScores(...)) over the last dim.
Value attentionProbabilities(OpBuilder &b, Location loc, Value q, Value k,
                             double scale, bool causal);

/// `op` as P @ v, built at the builder's insertion point; the caller
/// replaces `op` with the result.
Value decomposeAttention(OpBuilder &b, AttentionOp op);

/// `op`'s results: P @ v, and, when `withLse`, the row log-sum-exp of the
/// scores, max + log(sum(exp(scores - max))) (null otherwise).
std::pair<Value, Value>
decomposeAttentionWithLse(OpBuilder &b, AttentionWithLseOp op, bool withLse);

/// `op`'s results (dq, dk, dv) from the probabilities recomputed as
/// attentionProbabilities does (so that CSE shares them with a decomposed
/// forward), not from `lse`: dv = P^T dO; dP = dO v^T;
/// dS = P * (dP - rowsum(dP * P)); dq = dS k s; dk = dS^T q s.
SmallVector<Value, 3> decomposeAttentionBackward(OpBuilder &b,
                                                 AttentionBackwardOp op);

} // namespace mlir::loom

#endif // LOOM_IR_DECOMPOSE_H
