//===- LowerIndexing.cpp - Indexing loom ops to linalg, tensor and scf ----===//
//
// Part of Loom. This file implements the lowering of loom.gather,
// loom.scatter_add (LoomOps.td's data-movement section), loom.constant and
// loom.iota, following backends/reference/KernelsData.cpp and KernelsNN.cpp.
// Indices read from tensors are clamped into their dimension, so no access
// leaves a tensor; with the pass's check-indices (the default) an index out
// of range also fails a cf.assert at run time, as the reference reports it.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Matchers.h"

#include <string>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

std::string rangeMessage(StringRef what, int64_t bound, int64_t axis) {
  return (what + " index out of range [0, " + std::to_string(bound) +
          ") along axis " + std::to_string(axis))
      .str();
}

//===----------------------------------------------------------------------===//
// loom.gather
//===----------------------------------------------------------------------===//

// table (P..., N, Q...) [indices (I...)] -> y (P..., I..., Q...):
// a linalg.generic over y reading indices[i] through its indexing map and
// y[p, i, q] = tensor.extract table[p, indices[i], q].
struct GatherLowering : public OptionsPattern<GatherOp> {
  using OptionsPattern::OptionsPattern;

  LogicalResult
  matchAndRewrite(GatherOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value table = adaptor.getTable(), indices = adaptor.getIndices();
    auto tableType = cast<RankedTensorType>(table.getType());
    int64_t axis = op.getAxis();
    int64_t bound = tableType.getDimSize(axis);
    int64_t indexRank = cast<RankedTensorType>(indices.getType()).getRank();
    if (options.checkIndices)
      emitIndexCheck(rewriter, loc, indices, bound,
                     rangeMessage("loom.gather", bound, axis));

    MLIRContext *ctx = rewriter.getContext();
    SmallVector<AffineExpr> indexExprs;
    for (int64_t d = 0; d < indexRank; ++d)
      indexExprs.push_back(getAffineDimExpr(axis + d, ctx));
    AffineMap indexMap = AffineMap::get(type.getRank(), 0, indexExprs, ctx);
    SmallVector<utils::IteratorType> iterators(type.getRank(),
                                               utils::IteratorType::parallel);
    Value result = buildGeneric(
        rewriter, loc, emptyTensor(rewriter, loc, type), indices, indexMap,
        AffineMap::getMultiDimIdentityMap(type.getRank(), ctx), iterators,
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < axis; ++d)
            at.push_back(b.create<linalg::IndexOp>(nl, d));
          at.push_back(clampedIndex(b, nl, args[0], bound));
          for (int64_t d = axis + 1; d < tableType.getRank(); ++d)
            at.push_back(b.create<linalg::IndexOp>(nl, d - 1 + indexRank));
          return b.create<tensor::ExtractOp>(nl, table, at);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.scatter_add
//===----------------------------------------------------------------------===//

// dest (P..., N, Q...) [indices (I...)] += updates (P..., I..., Q...):
// repeated indices accumulate, so this is a loop nest over the updates (in
// the reference's row-major order) carrying the result tensor: extract,
// add, tensor.insert. bf16/f16 accumulate in f32 and round once.
//
// The loop carries a fresh tensor that starts as a copy of `dest`, or is
// filled with its value when `dest` is a splat constant (a gather's
// gradient starts from zeros): bufferization then writes the kernel's
// result buffer in place, with no temporary of the result's size and no
// read of a constant of that size. Since the copy reads each element of
// `dest` before writing the same element, the memory plan may give the
// result `dest`'s bytes (MemoryPlan.h's canOverwriteOperand).
struct ScatterAddLowering : public OptionsPattern<ScatterAddOp> {
  using OptionsPattern::OptionsPattern;

  LogicalResult
  matchAndRewrite(ScatterAddOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value indices = adaptor.getIndices(), updates = adaptor.getUpdates();
    auto updatesType = cast<RankedTensorType>(updates.getType());
    int64_t axis = op.getAxis();
    int64_t bound = type.getDimSize(axis);
    int64_t indexRank = cast<RankedTensorType>(indices.getType()).getRank();
    if (options.checkIndices)
      emitIndexCheck(rewriter, loc, indices, bound,
                     rangeMessage("loom.scatter_add", bound, axis));

    auto computeTensor =
        withElementType(type, computeType(type.getElementType()));
    Value acc;
    SplatElementsAttr splat;
    if (matchPattern(op.getDest(), m_Constant(&splat))) {
      Type element = computeTensor.getElementType();
      TypedAttr value;
      if (auto floatType = dyn_cast<FloatType>(element)) {
        // bf16/f16 widen to f32 exactly.
        APFloat v = splat.getSplatValue<APFloat>();
        bool lost = false;
        v.convert(floatType.getFloatSemantics(), APFloat::rmNearestTiesToEven,
                  &lost);
        value = rewriter.getFloatAttr(element, v);
      } else {
        value = rewriter.getIntegerAttr(element, splat.getSplatValue<APInt>());
      }
      acc = filledTensor(rewriter, loc, computeTensor,
                         rewriter.create<arith::ConstantOp>(loc, value));
    } else {
      acc = tensorToCompute(rewriter, loc, adaptor.getDest());
      if (acc == adaptor.getDest())
        acc = rewriter
                  .create<linalg::CopyOp>(
                      loc, acc, emptyTensor(rewriter, loc, computeTensor))
                  .getResult(0);
    }
    // The loops over the updates' dimensions that no index selects (those
    // before `axis`, and the row's after the index dimensions) come first:
    // two of their iterations never write the same element, so the
    // outermost is marked `loom.independent_iterations` and runs on the
    // threads (--loom-kernel-ranges). Each element still receives its
    // updates in the order of the index dimensions, as before. The last
    // dimension, when no index selects it and it is long enough, is split
    // into chunks (outside) of a few contiguous elements (innermost), so
    // that the innermost loop still runs along a row (LLVM vectorizes it).
    int64_t rank = updatesType.getRank();
    int64_t last = rank - 1;
    int64_t inner = 1;
    if (last >= axis + indexRank)
      for (int64_t width : {64, 32, 16, 8})
        if (updatesType.getDimSize(last) % width == 0 &&
            updatesType.getDimSize(last) > width) {
          inner = width;
          break;
        }
    // Each loop: the dimension it runs over and its trip count; with
    // `inner` > 1, the last dimension has a chunk loop and an inner loop.
    SmallVector<std::pair<int64_t, int64_t>> loops;
    size_t chunkLoop = 0;
    for (int64_t d = 0; d < rank; ++d)
      if (d < axis || d >= axis + indexRank) {
        if (d == last)
          chunkLoop = loops.size();
        loops.push_back(
            {d, updatesType.getDimSize(d) / (d == last ? inner : 1)});
      }
    bool independentFirst = !loops.empty();
    for (int64_t d = axis; d < axis + indexRank; ++d)
      loops.push_back({d, updatesType.getDimSize(d)});
    if (inner > 1)
      loops.push_back({last, inner});
    SmallVector<Value> lbs, ubs, steps;
    for (auto [d, trips] : loops) {
      lbs.push_back(indexConstant(rewriter, loc, 0));
      ubs.push_back(indexConstant(rewriter, loc, trips));
      steps.push_back(indexConstant(rewriter, loc, 1));
    }
    scf::LoopNest nest = scf::buildLoopNest(
        rewriter, loc, lbs, ubs, steps, acc,
        [&](OpBuilder &b, Location nl, ValueRange loopIvs,
            ValueRange iterArgs) -> scf::ValueVector {
          SmallVector<Value> ivs(rank);
          for (auto [loop, iv] : llvm::zip(loops, loopIvs))
            ivs[loop.first] = iv;
          if (inner > 1) { // chunk * inner + the inner loop's index
            Value chunk = b.create<arith::MulIOp>(nl, loopIvs[chunkLoop],
                                                  indexConstant(b, nl, inner));
            ivs[last] = b.create<arith::AddIOp>(nl, chunk, loopIvs.back());
          }
          Value index = b.create<tensor::ExtractOp>(
              nl, indices, ArrayRef<Value>(ivs).slice(axis, indexRank));
          SmallVector<Value> at(ivs.begin(), ivs.begin() + axis);
          at.push_back(clampedIndex(b, nl, index, bound));
          for (Value iv : ArrayRef<Value>(ivs).drop_front(axis + indexRank))
            at.push_back(iv);
          Value current = b.create<tensor::ExtractOp>(nl, iterArgs[0], at);
          Value update =
              toCompute(b, nl, b.create<tensor::ExtractOp>(nl, updates, ivs));
          Value sum =
              isa<FloatType>(current.getType())
                  ? b.create<arith::AddFOp>(nl, current, update).getResult()
                  : b.create<arith::AddIOp>(nl, current, update).getResult();
          return {b.create<tensor::InsertOp>(nl, sum, iterArgs[0], at)};
        });
    if (independentFirst && !nest.loops.empty())
      nest.loops.front()->setAttr("loom.independent_iterations",
                                  rewriter.getUnitAttr());
    Value result = nest.results.empty() ? acc : nest.results[0];
    rewriter.replaceOp(
        op, convertFloatTensor(rewriter, loc, result, type.getElementType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.constant
//===----------------------------------------------------------------------===//

// loom.constant -> arith.constant of the same elements attribute (it
// bufferizes to a read-only global).
struct ConstantLowering : public OpConversionPattern<ConstantOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConstantOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto value = dyn_cast<TypedAttr>(op.getValue());
    if (!value)
      return rewriter.notifyMatchFailure(op, "value is not a typed attribute");
    rewriter.replaceOpWithNewOp<arith::ConstantOp>(op, value);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.iota
//===----------------------------------------------------------------------===//

// y[i0, ..., in] = i_dim: a linalg.generic with no input, from linalg.index.
struct IotaLowering : public OpConversionPattern<IotaOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(IotaOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    int64_t dim = op.getDim();
    Value result = buildElementwise(
        rewriter, op.getLoc(), type, ValueRange{},
        [&](OpBuilder &b, Location loc, ValueRange) -> Value {
          Value i = b.create<linalg::IndexOp>(loc, dim);
          if (!isa<FloatType>(element))
            return b.create<arith::IndexCastOp>(loc, element, i);
          Value i64 = b.create<arith::IndexCastOp>(loc, b.getI64Type(), i);
          Value f = b.create<arith::SIToFPOp>(loc, computeType(element), i64);
          return fromCompute(b, loc, f, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::cpu::populateLowerIndexingPatterns(
    RewritePatternSet &patterns, const LoweringOptions &options) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<GatherLowering, ScatterAddLowering>(ctx, options);
  patterns.add<ConstantLowering, IotaLowering>(ctx);
}
