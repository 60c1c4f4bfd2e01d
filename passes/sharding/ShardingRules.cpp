//===- ShardingRules.cpp - The mesh ShardingInterface of Loom ops ---------===//
//
// Part of Loom. This file implements the sharding rules of the Loom ops, as
// external models of MLIR's mesh ShardingInterface (LLVM 19), so that
// upstream `--sharding-propagation` carries the shardings of annotated
// parameters through a forward and `--mesh-spmdization` turns it into the
// program of one rank. Each rule describes an op as a loop nest: one
// iterator per loop (parallel, or reduction with how partial results
// combine), an affine map from the loops to each operand's and result's
// dimensions, and the loops that must stay whole (a softmax's dimension,
// attention's sequence and feature dimensions, a cross-entropy's classes):
// an op whose operands ask to split one of those gets no sharding option
// (propagation then drops the operand's sharding, which
// --loom-check-shardings reports at the op). Because no rule splits a loop
// an op cannot compute on slices, every op's SPMD form is the op itself on
// its operands' slices, with the slices' types
// (spmdizeTriviallyShardableOperation; a split contraction leaves a partial
// sum, which the spmdization's resharding all-reduces where a consumer
// needs it whole). docs/sharding.md lists the rules.
//
//===----------------------------------------------------------------------===//

#include "passes/sharding/ShardingRules.h"
#include "passes/sharding/LoopNestRule.h"

#include "ir/LoomDialect.h"
#include "ir/LoomOps.h"

#include "mlir/Dialect/Mesh/IR/MeshDialect.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/IR/IRMapping.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::sharding;

namespace mlir::loom::sharding {

int64_t rankOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getRank();
}

AffineMap broadcastMap(Value operand, ArrayRef<int64_t> loopSizes,
                       int64_t firstLoop, int64_t numLoops) {
  auto type = cast<RankedTensorType>(operand.getType());
  MLIRContext *ctx = operand.getContext();
  SmallVector<AffineExpr> exprs;
  int64_t offset = firstLoop + int64_t(loopSizes.size()) - type.getRank();
  for (int64_t i = 0; i < type.getRank(); ++i) {
    int64_t loop = offset + i;
    if (type.getDimSize(i) == 1 && loopSizes[loop - firstLoop] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(loop, ctx));
  }
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

AffineMap dims(MLIRContext *ctx, int64_t numLoops, ArrayRef<int64_t> loops) {
  SmallVector<AffineExpr> exprs;
  for (int64_t l : loops)
    exprs.push_back(getAffineDimExpr(l, ctx));
  return AffineMap::get(numLoops, 0, exprs, ctx);
}

/// Upstream's default accepts only dimensions and their sums in an
/// operand's map, not the constant index of a broadcast dimension or a
/// gathered row: each constant becomes a loop of its own, parallel, whole
/// and absent from the results (it has size 1, or it is data-dependent).
/// The maps' dimension counts are the loops' (they may have more loops
/// than dimensions).
Rule withConstantLoops(Rule r) {
  // Upstream's interface needs at least one loop: a scalar op (the
  // optimizer's step size, a gradient norm) gets one of size 1, whole.
  if (r.loops.empty()) {
    r.loops.push_back(IteratorType::parallel);
    r.whole.push_back(true);
  }
  int64_t numLoops = r.loops.size();
  for (AffineMap &map : r.maps) {
    SmallVector<AffineExpr> exprs;
    for (AffineExpr e : map.getResults()) {
      if (isa<AffineConstantExpr>(e)) {
        e = getAffineDimExpr(numLoops++, map.getContext());
        r.loops.push_back(IteratorType::parallel);
        r.whole.push_back(true);
      }
      exprs.push_back(e);
    }
    map = AffineMap::get(map.getNumDims(), 0, exprs, map.getContext());
  }
  for (AffineMap &map : r.maps)
    map = AffineMap::get(numLoops, 0, map.getResults(), map.getContext());
  return r;
}

/// Whether `sharding` splits a loop that `rule` keeps whole, through `map`.
bool splitsWholeLoop(MeshShardingAttr sharding, AffineMap map,
                     const Rule &rule) {
  if (!sharding)
    return false;
  for (auto [expr, axes] :
       llvm::zip(map.getResults(), sharding.getSplitAxes())) {
    if (axes.empty())
      continue;
    // A constant index (a broadcast dimension, a gathered row) cannot be
    // split: the rule has nothing to give it.
    auto dim = dyn_cast<AffineDimExpr>(expr);
    if (!dim || rule.whole[dim.getPosition()])
      return true;
  }
  return false;
}

} // namespace mlir::loom::sharding

namespace {

/// Elementwise ops, unary or broadcasting: one parallel loop per result
/// dimension.
Rule elementwiseRule(Operation *op) {
  auto type = cast<RankedTensorType>(op->getResult(0).getType());
  int64_t rank = type.getRank();
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  for (Value operand : op->getOperands())
    r.maps.push_back(broadcastMap(operand, type.getShape(), 0, rank));
  r.maps.push_back(AffineMap::getMultiDimIdentityMap(rank, op->getContext()));
  return r;
}

/// `[..., M, K] x [..., K, N]`: loops batch..., m, n (parallel), k (a sum).
Rule matmulRule(Operation *op) {
  auto mm = cast<MatmulOp>(op);
  MLIRContext *ctx = op->getContext();
  auto type = cast<RankedTensorType>(mm.getType());
  int64_t rank = type.getRank(), batch = rank - 2;
  int64_t m = batch, n = batch + 1, k = batch + 2, numLoops = rank + 1;
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.loops.push_back(IteratorType::reduction);
  r.kinds = {ReductionKind::Sum};
  r.whole.assign(numLoops, false);
  auto operandMap = [&](Value v, int64_t rows, int64_t cols, bool swap) {
    auto t = cast<RankedTensorType>(v.getType());
    SmallVector<AffineExpr> exprs;
    int64_t vb = t.getRank() - 2;
    for (int64_t i = 0; i < vb; ++i) {
      int64_t loop = batch - vb + i;
      exprs.push_back(t.getDimSize(i) == 1 && type.getDimSize(loop) != 1
                          ? getAffineConstantExpr(0, ctx)
                          : getAffineDimExpr(loop, ctx));
    }
    exprs.push_back(getAffineDimExpr(swap ? cols : rows, ctx));
    exprs.push_back(getAffineDimExpr(swap ? rows : cols, ctx));
    return AffineMap::get(numLoops, 0, exprs, ctx);
  };
  r.maps.push_back(operandMap(mm.getLhs(), m, k, bool(mm.getTransposeLhs())));
  r.maps.push_back(operandMap(mm.getRhs(), k, n, bool(mm.getTransposeRhs())));
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i)
    out.push_back(i);
  r.maps.push_back(dims(ctx, numLoops, out));
  return r;
}

/// Result dimension `i` is input dimension `perm[i]`: loops are the
/// result's dimensions.
Rule transposeRule(Operation *op) {
  auto t = cast<TransposeOp>(op);
  MLIRContext *ctx = op->getContext();
  int64_t rank = rankOf(t.getResult());
  SmallVector<int64_t> inputLoops(rank);
  for (auto [i, p] : llvm::enumerate(t.getPerm()))
    inputLoops[p] = i;
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  r.maps = {dims(ctx, rank, inputLoops),
            AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return r;
}

/// Loops are the input's dimensions; the reduced ones combine with the
/// op's kind (`mean` as an average of equal shards). With `keep_dims` the
/// reduced dimensions stay whole (their size-1 result dimension cannot
/// hold a split).
Rule reduceRule(Operation *op) {
  auto red = cast<ReduceOp>(op);
  MLIRContext *ctx = op->getContext();
  int64_t rank = rankOf(red.getInput());
  ReductionKind kind = ReductionKind::Sum;
  switch (red.getKind()) {
  case ReduceKind::sum:
    kind = ReductionKind::Sum;
    break;
  case ReduceKind::max:
    kind = ReductionKind::Max;
    break;
  case ReduceKind::min:
    kind = ReductionKind::Min;
    break;
  case ReduceKind::mean:
    kind = ReductionKind::Average;
    break;
  }
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  SmallVector<int64_t> out;
  for (int64_t i = 0; i < rank; ++i) {
    if (llvm::is_contained(red.getDims(), i)) {
      r.loops[i] = IteratorType::reduction;
      r.kinds.push_back(kind);
      if (red.getKeepDims()) {
        r.whole[i] = true;
        out.push_back(i);
      }
    } else {
      out.push_back(i);
    }
  }
  r.maps = {AffineMap::getMultiDimIdentityMap(rank, ctx), dims(ctx, rank, out)};
  return r;
}

/// Softmax and log-softmax: parallel over every dimension but `dim`, which
/// stays whole.
template <typename Op> Rule softmaxRule(Operation *op) {
  int64_t rank = rankOf(op->getResult(0));
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  r.whole[cast<Op>(op).getDim()] = true;
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, op->getContext());
  r.maps = {id, id};
  return r;
}

/// Normalizes over the trailing dimensions of `scale`'s rank, which stay
/// whole; scale and bias are indexed by them.
Rule layerNormRule(Operation *op) {
  auto ln = cast<LayerNormOp>(op);
  MLIRContext *ctx = op->getContext();
  int64_t rank = rankOf(ln.getInput()), norm = rankOf(ln.getScale());
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  SmallVector<int64_t> trailing;
  for (int64_t i = rank - norm; i < rank; ++i) {
    r.whole[i] = true;
    trailing.push_back(i);
  }
  AffineMap id = AffineMap::getMultiDimIdentityMap(rank, ctx);
  r.maps = {id, dims(ctx, rank, trailing), dims(ctx, rank, trailing), id};
  return r;
}

/// `table[p, indices[i], q]`: loops are the result's dimensions; the
/// table's `axis` dimension is read at data-dependent rows (the constant 0
/// in its map), so a table split along it has no rule (the
/// vocabulary-parallel embedding is planned).
Rule gatherRule(Operation *op) {
  auto g = cast<GatherOp>(op);
  MLIRContext *ctx = op->getContext();
  int64_t rank = rankOf(g.getResult()), tableRank = rankOf(g.getTable());
  int64_t idxRank = rankOf(g.getIndices()), axis = g.getAxis();
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  SmallVector<AffineExpr> table;
  for (int64_t i = 0; i < tableRank; ++i)
    table.push_back(i < axis    ? getAffineDimExpr(i, ctx)
                    : i == axis ? getAffineConstantExpr(0, ctx)
                                : getAffineDimExpr(i - 1 + idxRank, ctx));
  SmallVector<int64_t> idx;
  for (int64_t i = 0; i < idxRank; ++i)
    idx.push_back(axis + i);
  r.maps = {AffineMap::get(rank, 0, table, ctx), dims(ctx, rank, idx),
            AffineMap::getMultiDimIdentityMap(rank, ctx)};
  return r;
}

/// logits `[N..., C]`, labels `[N...]`: loops N... (parallel with
/// `none`, else reductions: `sum` a sum, `mean` an average of equal shards)
/// and c, whole (the vocabulary-parallel cross-entropy is planned).
Rule crossEntropyRule(Operation *op) {
  auto ce = cast<CrossEntropyOp>(op);
  MLIRContext *ctx = op->getContext();
  int64_t rank = rankOf(ce.getLogits()), lead = rank - 1;
  bool reduced = ce.getReduction() != LossReduction::none;
  Rule r;
  r.loops.assign(lead,
                 reduced ? IteratorType::reduction : IteratorType::parallel);
  if (reduced)
    r.kinds.assign(lead, ce.getReduction() == LossReduction::sum
                             ? ReductionKind::Sum
                             : ReductionKind::Average);
  r.loops.push_back(IteratorType::reduction);
  r.kinds.push_back(ReductionKind::Generic);
  r.whole.assign(rank, false);
  r.whole[lead] = true;
  SmallVector<int64_t> n;
  for (int64_t i = 0; i < lead; ++i)
    n.push_back(i);
  r.maps = {AffineMap::getMultiDimIdentityMap(rank, ctx), dims(ctx, rank, n),
            reduced ? AffineMap::get(rank, 0, {}, ctx) : dims(ctx, rank, n)};
  return r;
}

/// A constant: one loop per dimension, whole (its clone on a slice would
/// need its value sliced), except for a splat (the zeros of a slice's
/// gradient), which is the same splat on any slice; a scalar has no loops,
/// the same on every rank.
Rule constantRule(Operation *op) {
  int64_t rank = rankOf(op->getResult(0));
  auto splat = dyn_cast<SplatElementsAttr>(cast<ConstantOp>(op).getValue());
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, !splat);
  r.maps = {AffineMap::getMultiDimIdentityMap(rank, op->getContext())};
  return r;
}

/// A constant on a slice: the splat at the slice's type.
LogicalResult spmdizeConstant(Operation *op, ArrayRef<Value> spmdizedOperands,
                              ArrayRef<MeshShardingAttr> operandShardings,
                              ArrayRef<MeshShardingAttr> resultShardings,
                              IRMapping &spmdizationMap,
                              SymbolTableCollection &symbolTable,
                              OpBuilder &builder) {
  mesh::spmdizeTriviallyShardableOperation(
      *op, spmdizedOperands, operandShardings, resultShardings, spmdizationMap,
      symbolTable, builder);
  auto local =
      spmdizationMap.lookup(op->getResult(0)).getDefiningOp<ConstantOp>();
  auto type = cast<ShapedType>(local.getType());
  if (auto splat = dyn_cast<SplatElementsAttr>(local.getValue());
      splat && splat.getType() != type)
    local.setValueAttr(splat.resizeSplat(type));
  return success();
}

/// `iota dim d`: the index along `d`, which stays whole; the other
/// dimensions repeat it and split freely.
Rule iotaRule(Operation *op) {
  int64_t rank = rankOf(op->getResult(0));
  Rule r;
  r.loops.assign(rank, IteratorType::parallel);
  r.whole.assign(rank, false);
  r.whole[cast<IotaOp>(op).getDim()] = true;
  r.maps = {AffineMap::getMultiDimIdentityMap(rank, op->getContext())};
  return r;
}

template <typename... Ops> void attachElementwise(MLIRContext *ctx) {
  (Ops::template attachInterface<LoomShardingModel<Ops, elementwiseRule>>(*ctx),
   ...);
}

/// Attaches the elementwise rule to every Loom op with MLIR's Elementwise
/// trait (the unary ops, gelu, cast).
template <typename... Ops> void attachTraitElementwise(MLIRContext *ctx) {
  (
      [&] {
        if constexpr (Ops::template hasTrait<OpTrait::Elementwise>())
          Ops::template attachInterface<
              LoomShardingModel<Ops, elementwiseRule>>(*ctx);
      }(),
      ...);
}

} // namespace

void mlir::loom::registerShardingRules(DialectRegistry &registry) {
  registry.insert<mesh::MeshDialect>();
  registry.addExtension(+[](MLIRContext *ctx, LoomDialect *) {
    attachTraitElementwise<
#define GET_OP_LIST
#include "ir/LoomOps.cpp.inc"
        >(ctx);
    // The broadcasting binary ops (no Elementwise trait: their operands
    // may differ in shape), and the explicit broadcast (a reduction's
    // gradient).
    attachElementwise<AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp,
                      CompareOp, SelectOp, BroadcastOp>(ctx);
    MatmulOp::attachInterface<LoomShardingModel<MatmulOp, matmulRule>>(*ctx);
    attachReshapeRule(ctx);
    TransposeOp::attachInterface<LoomShardingModel<TransposeOp, transposeRule>>(
        *ctx);
    ReduceOp::attachInterface<LoomShardingModel<ReduceOp, reduceRule>>(*ctx);
    SoftmaxOp::attachInterface<
        LoomShardingModel<SoftmaxOp, softmaxRule<SoftmaxOp>>>(*ctx);
    LogSoftmaxOp::attachInterface<
        LoomShardingModel<LogSoftmaxOp, softmaxRule<LogSoftmaxOp>>>(*ctx);
    LayerNormOp::attachInterface<LoomShardingModel<LayerNormOp, layerNormRule>>(
        *ctx);
    attachAttentionRules(ctx);
    attachIndexingRules(ctx);
    GatherOp::attachInterface<LoomShardingModel<GatherOp, gatherRule>>(*ctx);
    CrossEntropyOp::attachInterface<
        LoomShardingModel<CrossEntropyOp, crossEntropyRule>>(*ctx);
    // The step's constants and indices (scalars of the optimizer, a
    // cross-entropy gradient's one-hot classes).
    ConstantOp::attachInterface<
        LoomShardingModel<ConstantOp, constantRule, spmdizeConstant>>(*ctx);
    IotaOp::attachInterface<LoomShardingModel<IotaOp, iotaRule>>(*ctx);
  });
}
