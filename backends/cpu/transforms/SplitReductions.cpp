//===- SplitReductions.cpp - The --loom-split-reductions pass -------------===//
//
// Part of Loom. This file implements the rewrite of a large reduction whose
// outer loop is sequential into one whose outer loop is parallel: its large
// parallel dimension moved first, or its reduced dimension split into
// partial results and a combine (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Analysis/SliceAnalysis.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/PatternMatch.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMSPLITREDUCTIONS
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

/// A parallel dimension at least this long gives every thread work.
constexpr int64_t kEnoughRows = 8;
/// The most partial results a split makes.
constexpr int64_t kMaxParts = 16;

/// The bytes of the statically shaped tensors `op` reads and writes: its
/// operands, and those its body reads from outside (a gather's table).
int64_t operandBytes(Operation *op) {
  llvm::SmallPtrSet<Value, 8> seen;
  int64_t bytes = 0;
  op->walk([&](Operation *inner) {
    for (Value v : inner->getOperands())
      if (auto t = dyn_cast<RankedTensorType>(v.getType());
          t && t.hasStaticShape() && t.getElementType().isIntOrFloat() &&
          !op->isAncestor(v.getParentBlock()->getParentOp()) &&
          seen.insert(v).second)
        bytes += t.getNumElements() *
                 std::max<int64_t>(1, t.getElementTypeBitWidth() / 8);
  });
  return bytes;
}

/// For each result of `op`: the one op that combines the value computed
/// from the inputs with the result's running value, whose neutral element
/// is known (arith.addf, arith.maximumf, ...); empty if a result is not
/// such a reduction.
SmallVector<Operation *> combiners(linalg::GenericOp op) {
  SmallVector<Operation *> found;
  SmallVector<BlockArgument> outs(op.getRegionOutputArgs());
  for (unsigned i = 0; i < outs.size(); ++i) {
    SmallVector<Operation *> ops;
    if (!matchReduction(outs, i, ops) || ops.size() != 1 ||
        ops[0]->getNumOperands() != 2 || !arith::getNeutralElement(ops[0]))
      return {};
    found.push_back(ops[0]);
  }
  return found;
}

/// The largest divisor of `n` in [2, kMaxParts], or 0.
int64_t parts(int64_t n) {
  for (int64_t p = kMaxParts; p >= 2; --p)
    if (n % p == 0)
      return p;
  return 0;
}

/// Splits reduction dimension `dim` (of length `parts` * C) of `op`: a
/// generic of one more outer parallel dimension k computes `parts` partial
/// results over the slices [k*C, (k+1)*C) into tensors filled with the
/// combiner's neutral element, and one generic per result combines the
/// partials into the original init, k = 0, 1, ... in order.
LogicalResult splitReduction(RewriterBase &rw, linalg::GenericOp op,
                             unsigned dim, int64_t parts,
                             ArrayRef<Operation *> combine) {
  MLIRContext *ctx = op.getContext();
  Location loc = op.getLoc();
  SmallVector<int64_t, 4> ranges = op.getStaticLoopRanges();
  unsigned n = ranges.size();
  int64_t chunk = ranges[dim] / parts;
  AffineExpr split = getAffineDimExpr(dim, ctx);
  // Each input reads `dim` as one whole dimension (or not at all), which
  // becomes two, [parts, chunk]; no result depends on it.
  SmallVector<std::optional<unsigned>> position;
  for (OpOperand *in : op.getDpsInputOperands()) {
    AffineMap map = op.getMatchingIndexingMap(in);
    std::optional<unsigned> at;
    for (auto [j, e] : llvm::enumerate(map.getResults())) {
      if (e == split && !at)
        at = j;
      else if (e.isFunctionOfDim(dim))
        return failure();
    }
    position.push_back(at);
  }
  for (OpOperand &init : op.getDpsInitsMutable())
    if (op.getMatchingIndexingMap(&init).isFunctionOfDim(dim))
      return failure();

  // Old dimension d is new dimension d + 1, k is new dimension 0.
  auto shifted = [&](AffineMap map) {
    SmallVector<AffineExpr> results;
    for (AffineExpr e : map.getResults())
      results.push_back(e.shiftDims(n, 1));
    return results;
  };
  SmallVector<AffineMap> maps;
  SmallVector<Value> inputs;
  for (auto [i, in] : llvm::enumerate(op.getDpsInputOperands())) {
    SmallVector<AffineExpr> results = shifted(op.getMatchingIndexingMap(in));
    Value value = in->get();
    if (std::optional<unsigned> j = position[i]) {
      auto type = cast<RankedTensorType>(value.getType());
      SmallVector<int64_t> shape(type.getShape());
      shape[*j] = chunk;
      shape.insert(shape.begin() + *j, parts);
      SmallVector<ReassociationIndices> groups;
      for (unsigned d = 0, e = 0; d < type.getRank(); ++d) {
        groups.push_back({int64_t(e++)});
        if (d == *j)
          groups.back().push_back(int64_t(e++));
      }
      value = rw.create<tensor::ExpandShapeOp>(
          loc, RankedTensorType::get(shape, type.getElementType()), value,
          groups);
      results.insert(results.begin() + *j, getAffineDimExpr(0, ctx));
    }
    maps.push_back(AffineMap::get(n + 1, 0, results, ctx));
    inputs.push_back(value);
  }
  SmallVector<Value> partialInits;
  for (auto [i, init] : llvm::enumerate(op.getDpsInitsMutable())) {
    SmallVector<AffineExpr> results = {getAffineDimExpr(0, ctx)};
    llvm::append_range(results, shifted(op.getMatchingIndexingMap(&init)));
    maps.push_back(AffineMap::get(n + 1, 0, results, ctx));
    auto type = cast<RankedTensorType>(init.get().getType());
    SmallVector<int64_t> shape = {parts};
    shape.append(type.getShape().begin(), type.getShape().end());
    Value empty = rw.create<tensor::EmptyOp>(loc, shape, type.getElementType());
    Value neutral = rw.create<arith::ConstantOp>(
        loc, *arith::getNeutralElement(combine[i]));
    partialInits.push_back(
        rw.create<linalg::FillOp>(loc, neutral, empty).getResult(0));
  }
  SmallVector<utils::IteratorType> iterators = {utils::IteratorType::parallel};
  llvm::append_range(iterators, op.getIteratorTypesArray());
  SmallVector<Type> partialTypes;
  for (Value v : partialInits)
    partialTypes.push_back(v.getType());
  auto partial = rw.create<linalg::GenericOp>(loc, partialTypes, inputs,
                                              partialInits, maps, iterators);
  rw.cloneRegionBefore(op.getRegion(), partial.getRegion(),
                       partial.getRegion().begin());
  // linalg.index of old dimension d is new dimension d + 1, of `dim`
  // k * chunk + its new self.
  SmallVector<linalg::IndexOp> indices;
  partial.getRegion().walk([&](linalg::IndexOp i) { indices.push_back(i); });
  for (linalg::IndexOp i : indices) {
    rw.setInsertionPoint(i);
    uint64_t d = i.getDim();
    Value moved = rw.create<linalg::IndexOp>(i.getLoc(), d + 1);
    if (d == dim) {
      Value k = rw.create<linalg::IndexOp>(i.getLoc(), 0);
      Value c = rw.create<arith::ConstantIndexOp>(i.getLoc(), chunk);
      moved = rw.create<arith::AddIOp>(
          i.getLoc(), rw.create<arith::MulIOp>(i.getLoc(), k, c), moved);
    }
    rw.replaceOp(i, moved);
  }

  // The combines: result[o] = init[o] (+) partial[0, o] (+) partial[1, o]
  // ..., the parts innermost so that each thread takes results.
  rw.setInsertionPointAfter(partial);
  SmallVector<Value> results;
  for (auto [i, init] : llvm::enumerate(op.getDpsInits())) {
    auto type = cast<RankedTensorType>(init.getType());
    unsigned rank = type.getRank();
    SmallVector<AffineExpr> resultIndex;
    for (unsigned d = 0; d < rank; ++d)
      resultIndex.push_back(getAffineDimExpr(d, ctx));
    SmallVector<AffineExpr> partialIndex = {getAffineDimExpr(rank, ctx)};
    llvm::append_range(partialIndex, resultIndex);
    SmallVector<AffineMap> combineMaps = {
        AffineMap::get(rank + 1, 0, partialIndex, ctx),
        AffineMap::get(rank + 1, 0, resultIndex, ctx)};
    SmallVector<utils::IteratorType> combineIterators(
        rank, utils::IteratorType::parallel);
    combineIterators.push_back(utils::IteratorType::reduction);
    Operation *combiner = combine[i];
    BlockArgument running = op.getRegionOutputArgs()[i];
    auto result = rw.create<linalg::GenericOp>(
        loc, TypeRange{type}, ValueRange{partial.getResult(i)},
        ValueRange{init}, combineMaps, combineIterators,
        [&](OpBuilder &b, Location l, ValueRange args) {
          IRMapping map;
          for (Value operand : combiner->getOperands())
            map.map(operand, operand == running ? args[1] : args[0]);
          Operation *c = b.clone(*combiner, map);
          b.create<linalg::YieldOp>(l, c->getResult(0));
        });
    results.push_back(result.getResult(0));
  }
  rw.replaceOp(op, results);
  return success();
}

/// Merges the reduced dimensions d, d + 1, ..., e of `op` into one
/// (`linalg::collapseOpIterationDims`), for the first e whose lengths'
/// product has a divisor in [2, kMaxParts] and that every operand reads as
/// adjacent dimensions in that order: a sum of squares over [50257, 768]
/// (50257 = 29 * 1733) becomes a sum over 38598144. Returns the merged op
/// (which replaces `op`) and the merged length; null if no run fits.
std::pair<linalg::GenericOp, int64_t>
mergeReduced(RewriterBase &rw, linalg::GenericOp op, unsigned d) {
  SmallVector<int64_t, 4> ranges = op.getStaticLoopRanges();
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  int64_t length = ranges[d];
  ReassociationIndices run = {int64_t(d)};
  for (unsigned e = d + 1;
       e < ranges.size() && iterators[e] == utils::IteratorType::reduction;
       ++e) {
    length *= ranges[e];
    run.push_back(e);
    if (!parts(length) ||
        !linalg::areDimSequencesPreserved(op.getIndexingMapsArray(), {run}))
      continue;
    rw.setInsertionPoint(op);
    FailureOr<linalg::CollapseResult> merged =
        linalg::collapseOpIterationDims(op, {run}, rw);
    if (failed(merged))
      return {};
    rw.replaceOp(op, merged->results);
    return {cast<linalg::GenericOp>(merged->collapsedOp.getOperation()),
            length};
  }
  return {};
}

/// Makes the outer loop of reduction `op` parallel, if it is large and its
/// outer loop is not already a parallel dimension long enough.
void threadReduction(RewriterBase &rw, linalg::GenericOp op) {
  if (!op.hasPureTensorSemantics() || op.getNumReductionLoops() == 0)
    return;
  SmallVector<int64_t, 4> ranges = op.getStaticLoopRanges();
  if (llvm::any_of(ranges, ShapedType::isDynamic))
    return;
  SmallVector<utils::IteratorType> iterators = op.getIteratorTypesArray();
  unsigned n = ranges.size();
  auto parallel = [&](unsigned d) {
    return iterators[d] == utils::IteratorType::parallel;
  };
  if (parallel(0) && ranges[0] >= kEnoughRows)
    return;
  // A long parallel dimension that is not the innermost (which the
  // vectorizer wants) becomes the outer loop: the same arithmetic in the
  // same order for each result.
  for (unsigned d = 1; d + 1 < n; ++d)
    if (parallel(d) && ranges[d] >= kEnoughRows) {
      SmallVector<unsigned> order = {d};
      for (unsigned e = 0; e < n; ++e)
        if (e != d)
          order.push_back(e);
      rw.setInsertionPoint(op);
      (void)linalg::interchangeGenericOp(rw, op, order);
      return;
    }
  SmallVector<Operation *> combine = combiners(op);
  if (combine.empty())
    return;
  for (unsigned d = 0; d < n; ++d) {
    if (parallel(d))
      continue;
    if (parts(ranges[d])) {
      rw.setInsertionPoint(op);
      (void)splitReduction(rw, op, d, parts(ranges[d]), combine);
      return;
    }
    // A split of a later, inner dimension would have each part read a few
    // elements of every row; a run of reduced dimensions merged into one
    // that divides keeps each part one contiguous range.
    if (auto [merged, length] = mergeReduced(rw, op, d); merged) {
      rw.setInsertionPoint(merged);
      (void)splitReduction(rw, merged, d, parts(length), combiners(merged));
      return;
    }
  }
}

struct LoomSplitReductionsPass
    : public loom::cpu::impl::LoomSplitReductionsBase<LoomSplitReductionsPass> {
  using Base::Base;

  void runOnOperation() override {
    IRRewriter rw(&getContext());
    SmallVector<linalg::ReduceOp> named;
    getOperation().walk([&](linalg::ReduceOp op) { named.push_back(op); });
    for (linalg::ReduceOp op : named) {
      if (operandBytes(op) < minBytes)
        continue;
      rw.setInsertionPoint(op);
      (void)linalg::generalizeNamedOp(rw, op);
    }
    SmallVector<linalg::GenericOp> ops;
    getOperation().walk([&](linalg::GenericOp op) {
      if (op.getNumReductionLoops() != 0 && operandBytes(op) >= minBytes)
        ops.push_back(op);
    });
    for (linalg::GenericOp op : ops)
      threadReduction(rw, op);
  }
};

} // namespace
