//===- Decompose.h - Whole ops written as smaller loom ops ------*- C++ -*-===//
//
// Part of Loom. Some ops stay whole in the IR so that a fused kernel can
// replace them (loom.attention). Their gradient rules and the backends that
// have no fused kernel for them yet spell them out in primitive loom ops;
// this is the one place that spelling lives, so the forward and the
// gradient's recomputation are the same ops (and CSE can share them).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_DECOMPOSE_H
#define LOOM_IR_DECOMPOSE_H

#include "ir/LoomOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::loom {

/// The scale of `op`: its `scale` attribute, or 1/sqrt(D).
double attentionScale(AttentionOp op);

/// P = softmax(q k^T scale), with -inf where `causal` and key > query:
/// matmul, mul, (iota, compare, select), softmax over the last dim.
Value attentionProbabilities(OpBuilder &b, Location loc, Value q, Value k,
                             double scale, bool causal);

/// `op` as P @ v, built at the builder's insertion point; the caller
/// replaces `op` with the result.
Value decomposeAttention(OpBuilder &b, AttentionOp op);

} // namespace mlir::loom

#endif // LOOM_IR_DECOMPOSE_H
