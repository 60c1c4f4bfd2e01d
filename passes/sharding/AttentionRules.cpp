//===- AttentionRules.cpp - The sharding rules of the attention ops -------===//
//
// Part of Loom. This file implements the loop-nest sharding rules
// (LoopNestRule.h) of `loom.attention`, `loom.attention_with_lse` (the
// forward that the gradient recomputes from) and `loom.attention_backward`:
// only the leading dimensions (batch, heads) may be split, so that
// head-sharded attention computes whole heads on every rank and needs no
// communication; the sequences and features stay whole.
//
//===----------------------------------------------------------------------===//

#include "passes/sharding/LoopNestRule.h"
#include "passes/sharding/ShardingRules.h"

#include "ir/LoomOps.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::sharding;

namespace {

/// The loops of the attention ops: L... (batch, heads), then t, dv
/// (parallel: the output's rows and features), s, d (the contractions);
/// all but L... whole.
struct AttentionLoops {
  int64_t lead, t, dv, s, d, numLoops;
  SmallVector<int64_t> l;

  explicit AttentionLoops(Value query) {
    lead = rankOf(query) - 2;
    t = lead;
    dv = lead + 1;
    s = lead + 2;
    d = lead + 3;
    numLoops = lead + 4;
    for (int64_t i = 0; i < lead; ++i)
      l.push_back(i);
  }
  Rule rule() const {
    Rule r;
    r.loops.assign(lead + 2, IteratorType::parallel);
    r.loops.append(2, IteratorType::reduction);
    r.kinds = {ReductionKind::Generic, ReductionKind::Generic};
    r.whole.assign(numLoops, true);
    for (int64_t i = 0; i < lead; ++i)
      r.whole[i] = false;
    return r;
  }
  /// The map to `[L..., loops...]`.
  AffineMap map(MLIRContext *ctx, ArrayRef<int64_t> loops) const {
    SmallVector<int64_t> v = l;
    v.append(loops.begin(), loops.end());
    return dims(ctx, numLoops, v);
  }
};

/// query `[L..., T, D]`, key `[L..., S, D]`, value `[L..., S, DV]` give
/// `[L..., T, DV]`.
Rule attentionRule(Operation *op) {
  AttentionLoops a(op->getOperand(0));
  MLIRContext *ctx = op->getContext();
  Rule r = a.rule();
  r.maps = {a.map(ctx, {a.t, a.d}), a.map(ctx, {a.s, a.d}),
            a.map(ctx, {a.s, a.dv}), a.map(ctx, {a.t, a.dv})};
  return r;
}

/// attention's rule, and the row log-sum-exp `[L..., T]`.
Rule attentionWithLseRule(Operation *op) {
  AttentionLoops a(op->getOperand(0));
  Rule r = attentionRule(op);
  r.maps.push_back(a.map(op->getContext(), {a.t}));
  return r;
}

/// query, key, value, output `[L..., T, DV]`, grad_out (as output) and lse
/// `[L..., T]` give the gradients of query, key and value.
Rule attentionBackwardRule(Operation *op) {
  AttentionLoops a(op->getOperand(0));
  MLIRContext *ctx = op->getContext();
  Rule r = a.rule();
  AffineMap q = a.map(ctx, {a.t, a.d}), k = a.map(ctx, {a.s, a.d}),
            v = a.map(ctx, {a.s, a.dv}), o = a.map(ctx, {a.t, a.dv});
  r.maps = {q, k, v, o, o, a.map(ctx, {a.t}), q, k, v};
  return r;
}

} // namespace

void mlir::loom::attachAttentionRules(MLIRContext *ctx) {
  AttentionOp::attachInterface<LoomShardingModel<AttentionOp, attentionRule>>(
      *ctx);
  AttentionWithLseOp::attachInterface<
      LoomShardingModel<AttentionWithLseOp, attentionWithLseRule>>(*ctx);
  AttentionBackwardOp::attachInterface<
      LoomShardingModel<AttentionBackwardOp, attentionBackwardRule>>(*ctx);
}
