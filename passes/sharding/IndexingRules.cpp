//===- IndexingRules.cpp - The sharding rules of slice, concat, scatter ---===//
//
// Part of Loom. This file implements the loop-nest sharding rules
// (LoopNestRule.h) of the ops that move elements by index: `loom.slice`
// (the fused q, k, v projection's split, a position table's first rows),
// `loom.concat` (the split's gradient) and `loom.scatter_add` (an
// embedding's gradient). A dimension an op indexes into stays whole; the
// others split freely, so each op's SPMD form is the op on its operands'
// slices with no communication.
//
//===----------------------------------------------------------------------===//

#include "passes/sharding/LoopNestRule.h"
#include "passes/sharding/ShardingRules.h"

#include "ir/LoomOps.h"

#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::sharding;

namespace {

/// Whether slice dimension `d` takes all of it (start 0, stride 1, to the
/// end): only such a dimension may be split.
bool takesAll(SliceOp s, int64_t d) {
  return s.getStart()[d] == 0 && s.getStride()[d] == 1 &&
         s.getLimit()[d] == s.getInput().getType().getDimSize(d);
}

/// One parallel loop per dimension; a dimension the slice narrows or
/// strides stays whole.
Rule sliceRule(Operation *op) {
  auto s = cast<SliceOp>(op);
  int64_t rank = rankOf(s.getResult());
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  for (int64_t d = 0; d < rank; ++d)
    r.whole[d] = !takesAll(s, d);
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, op->getContext());
  r.maps = {id, id};
  return r;
}

/// The slice on the operand's slice: a split dimension is taken whole, to
/// its local size.
LogicalResult spmdizeSlice(Operation *op, ArrayRef<Value> spmdizedOperands,
                           ArrayRef<MeshShardingAttr>,
                           ArrayRef<MeshShardingAttr>,
                           IRMapping &spmdizationMap, SymbolTableCollection &,
                           OpBuilder &builder) {
  auto s = cast<SliceOp>(op);
  Value input = spmdizedOperands[0];
  auto local = cast<RankedTensorType>(input.getType());
  SmallVector<int64_t> limit(s.getLimit());
  for (int64_t d = 0, e = limit.size(); d < e; ++d)
    if (takesAll(s, d))
      limit[d] = local.getDimSize(d);
  auto sliced = builder.create<SliceOp>(op->getLoc(), input, s.getStart(),
                                        limit, s.getStride());
  sliced->setDiscardableAttrs(op->getDiscardableAttrDictionary());
  spmdizationMap.map(s.getResult(), sliced.getResult());
  return success();
}

/// One parallel loop per dimension; the joined dimension stays whole.
Rule concatRule(Operation *op) {
  auto c = cast<ConcatOp>(op);
  int64_t rank = rankOf(c.getResult());
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  r.whole[c.getDim()] = true;
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, op->getContext());
  r.maps.assign(op->getNumOperands() + 1, id);
  return r;
}

/// `dest[p, indices[i], q] += updates[p, i, q]`: loops are the updates'
/// dimensions. The index loops are sums into data-dependent rows of
/// `dest` (the constant 0 in its map), and stay whole: a rank adding its
/// share of the updates to the whole of `dest` would count `dest` once per
/// rank in the all-reduce. `p` and `q` split freely.
Rule scatterAddRule(Operation *op) {
  auto sc = cast<ScatterAddOp>(op);
  MLIRContext *ctx = op->getContext();
  int64_t rank = rankOf(sc.getUpdates()), destRank = rankOf(sc.getDest());
  int64_t idxRank = rankOf(sc.getIndices()), axis = sc.getAxis();
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  SmallVector<int64_t> idx;
  for (int64_t i = 0; i < idxRank; ++i) {
    r.loops[axis + i] = IteratorType::reduction;
    r.kinds.push_back(ReductionKind::Sum);
    r.whole[axis + i] = true;
    idx.push_back(axis + i);
  }
  SmallVector<AffineExpr> dest;
  for (int64_t i = 0; i < destRank; ++i)
    dest.push_back(i < axis    ? getAffineDimExpr(i, ctx)
                   : i == axis ? getAffineConstantExpr(0, ctx)
                               : getAffineDimExpr(i - 1 + idxRank, ctx));
  AffineMap destMap = AffineMap::get(rank, 0, dest, ctx);
  r.maps = {destMap, dims(ctx, rank, idx),
            AffineMap::getMultiDimIdentityMap(rank, ctx), destMap};
  return r;
}

} // namespace

void mlir::loom::attachIndexingRules(MLIRContext *ctx) {
  SliceOp::attachInterface<LoomShardingModel<SliceOp, sliceRule, spmdizeSlice>>(
      *ctx);
  ConcatOp::attachInterface<LoomShardingModel<ConcatOp, concatRule>>(*ctx);
  ScatterAddOp::attachInterface<
      LoomShardingModel<ScatterAddOp, scatterAddRule>>(*ctx);
}
