//===- LowerReduce.cpp - Reducing loom ops to linalg ----------------------===//
//
// Part of Loom. This file implements the lowering of loom.reduce,
// loom.softmax, loom.log_softmax, loom.layer_norm and loom.cross_entropy to
// linalg.generic ops with reduction iterators, each starting from its
// identity (0 for sums, -inf / the lowest integer for max, +inf / the
// highest for min), following backends/reference/KernelsContract.cpp and
// KernelsNN.cpp: max and min propagate NaN, softmax subtracts the maximum,
// layer_norm uses the biased variance. bf16/f16 inputs are read as f32 and
// the intermediates are f32 tensors; each result is rounded once.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <string>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

AffineMap identityMap(int64_t rank, MLIRContext *ctx) {
  return AffineMap::getMultiDimIdentityMap(rank, ctx);
}

SmallVector<int64_t> allDims(int64_t rank) {
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < rank; ++d)
    dims.push_back(d);
  return dims;
}

SmallVector<utils::IteratorType> parallelIterators(int64_t rank) {
  return SmallVector<utils::IteratorType>(rank, utils::IteratorType::parallel);
}

Value maxOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MaximumFOp>(loc, x, y);
  return b.create<arith::MaxSIOp>(loc, x, y);
}

Value minOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::MinimumFOp>(loc, x, y);
  return b.create<arith::MinSIOp>(loc, x, y);
}

Value addOf(OpBuilder &b, Location loc, Value x, Value y) {
  if (isa<FloatType>(x.getType()))
    return b.create<arith::AddFOp>(loc, x, y);
  return b.create<arith::AddIOp>(loc, x, y);
}

//===----------------------------------------------------------------------===//
// loom.reduce
//===----------------------------------------------------------------------===//

// reduce(kind, x, dims) -> one linalg.generic reducing `dims` from the
// kind's identity (mean: the sum, then divided by the count); keep_dims
// reshapes the result to put the size-1 dims back.
struct ReduceLowering : public OpConversionPattern<ReduceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReduceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value input = adaptor.getInput();
    auto type = cast<RankedTensorType>(input.getType());
    auto resultType = cast<RankedTensorType>(op.getType());
    SmallVector<int64_t> dims(op.getDims());
    llvm::sort(dims);
    if (dims.empty()) {
      rewriter.replaceOp(op, input);
      return success();
    }
    Type element = type.getElementType();
    Type ct = computeType(element);
    ReduceKind kind = op.getKind();
    Value init = kind == ReduceKind::max ? lowestValue(rewriter, loc, ct)
                 : kind == ReduceKind::min
                     ? highestValue(rewriter, loc, ct)
                     : scalarConstant(rewriter, loc, ct, 0);
    Value r = buildReduction(
        rewriter, loc, type.getShape(), dims, input,
        identityMap(type.getRank(), rewriter.getContext()), init,
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value x = toCompute(b, nl, args[0]);
          switch (kind) {
          case ReduceKind::max:
            return maxOf(b, nl, x, args[1]);
          case ReduceKind::min:
            return minOf(b, nl, x, args[1]);
          case ReduceKind::sum:
          case ReduceKind::mean:
            break;
          }
          return addOf(b, nl, x, args[1]);
        });
    // mean divides by the count; bf16/f16 round once, in the same generic.
    if (kind == ReduceKind::mean || ct != element) {
      int64_t count = 1;
      for (int64_t d : dims)
        count *= type.getDimSize(d);
      auto rType = cast<RankedTensorType>(r.getType());
      r = buildElementwise(
          rewriter, loc, withElementType(rType, element), r,
          [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
            Value v = args[0];
            if (kind == ReduceKind::mean)
              v = b.create<arith::DivFOp>(
                  nl, v, scalarConstant(b, nl, ct, static_cast<double>(count)));
            return fromCompute(b, nl, v, element);
          });
    }
    rewriter.replaceOp(op, reshapeTensor(rewriter, loc, r, resultType));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.softmax, loom.log_softmax
//===----------------------------------------------------------------------===//

// m = max_dim(x); s = sum_dim(exp(x - m)); softmax: exp(x - m) / s;
// log_softmax: x - m - log(s). Three linalg.generic ops.
template <typename OpTy, bool IsLog>
struct SoftmaxLowering : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    MLIRContext *ctx = rewriter.getContext();
    int64_t dim = op.getDim();
    Value m = maxOver(rewriter, loc, x, dim);
    Value s = sumExpOver(rewriter, loc, x, m, dim);
    AffineMap id = identityMap(type.getRank(), ctx);
    AffineMap rows = dropDimsMap(type.getRank(), dim, ctx);
    Type element = type.getElementType();
    Value result = buildGeneric(
        rewriter, loc, emptyTensor(rewriter, loc, type), ValueRange{x, m, s},
        {id, rows, rows}, id, parallelIterators(type.getRank()),
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value shifted =
              b.create<arith::SubFOp>(nl, toCompute(b, nl, args[0]), args[1]);
          Value y;
          if (IsLog)
            y = b.create<arith::SubFOp>(nl, shifted,
                                        b.create<math::LogOp>(nl, args[2]));
          else
            y = b.create<arith::DivFOp>(nl, b.create<math::ExpOp>(nl, shifted),
                                        args[2]);
          return fromCompute(b, nl, y, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.layer_norm
//===----------------------------------------------------------------------===//

// Over the trailing dims N that scale has: mean = sum_N(x) / |N|;
// rstd = 1 / sqrt(sum_N((x - mean)^2) / |N| + eps);
// y = (x - mean) * rstd * scale + bias.
struct LayerNormLowering : public OpConversionPattern<LayerNormOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(LayerNormOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value x = adaptor.getInput();
    auto type = cast<RankedTensorType>(x.getType());
    auto scaleType = cast<RankedTensorType>(adaptor.getScale().getType());
    int64_t rank = type.getRank();
    int64_t lead = rank - scaleType.getRank();
    SmallVector<int64_t> dims;
    for (int64_t d = lead; d < rank; ++d)
      dims.push_back(d);
    Type element = type.getElementType();
    Type ct = computeType(element);
    double size = static_cast<double>(scaleType.getNumElements());
    AffineMap id = identityMap(rank, ctx);
    AffineMap rows = dropDimsMap(rank, dims, ctx);
    AffineMap trailing =
        broadcastMap(scaleType.getShape(), type.getShape(), ctx);
    Value zero = scalarConstant(rewriter, loc, ct, 0);

    Value sum =
        buildReduction(rewriter, loc, type.getShape(), dims, x, id, zero,
                       [](OpBuilder &b, Location nl, ValueRange args) -> Value {
                         return b.create<arith::AddFOp>(
                             nl, toCompute(b, nl, args[0]), args[1]);
                       });
    auto rowType = cast<RankedTensorType>(sum.getType());
    Value mean = buildElementwise(
        rewriter, loc, rowType, sum,
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          return b.create<arith::DivFOp>(nl, args[0],
                                         scalarConstant(b, nl, ct, size));
        });
    Value squares = buildReduction(
        rewriter, loc, type.getShape(), dims, ValueRange{x, mean}, {id, rows},
        zero, [](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value centered =
              b.create<arith::SubFOp>(nl, toCompute(b, nl, args[0]), args[1]);
          Value sq = b.create<arith::MulFOp>(nl, centered, centered);
          return b.create<arith::AddFOp>(nl, args[2], sq);
        });
    double epsilon = op.getEpsilon().convertToDouble();
    Value rstd = buildElementwise(
        rewriter, loc, rowType, squares,
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value var = b.create<arith::DivFOp>(nl, args[0],
                                              scalarConstant(b, nl, ct, size));
          Value sd = b.create<math::SqrtOp>(
              nl, b.create<arith::AddFOp>(nl, var,
                                          scalarConstant(b, nl, ct, epsilon)));
          return b.create<arith::DivFOp>(nl, scalarConstant(b, nl, ct, 1), sd);
        });
    Value result = buildGeneric(
        rewriter, loc, emptyTensor(rewriter, loc, type),
        ValueRange{x, mean, rstd, adaptor.getScale(), adaptor.getBias()},
        {id, rows, rows, trailing, trailing}, id, parallelIterators(rank),
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value centered =
              b.create<arith::SubFOp>(nl, toCompute(b, nl, args[0]), args[1]);
          Value y = b.create<arith::MulFOp>(nl, centered, args[2]);
          y = b.create<arith::MulFOp>(nl, y, toCompute(b, nl, args[3]));
          y = b.create<arith::AddFOp>(nl, y, toCompute(b, nl, args[4]));
          return fromCompute(b, nl, y, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.cross_entropy
//===----------------------------------------------------------------------===//

// logits (E..., C), labels (E...): loss[e] = m + log(s) - logits[e, label]
// with m, s the max and sum(exp(l - m)) over C (the label read with
// tensor.extract); `sum` and `mean` then reduce every example.
struct CrossEntropyLowering : public OptionsPattern<CrossEntropyOp> {
  using OptionsPattern::OptionsPattern;

  LogicalResult
  matchAndRewrite(CrossEntropyOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    Value logits = adaptor.getLogits(), labels = adaptor.getLabels();
    auto type = cast<RankedTensorType>(logits.getType());
    auto labelsType = cast<RankedTensorType>(labels.getType());
    int64_t rank = type.getRank();
    int64_t classes = type.getDimSize(rank - 1);
    if (options.checkIndices)
      emitIndexCheck(rewriter, loc, labels, classes,
                     "loom.cross_entropy label out of range [0, " +
                         std::to_string(classes) + ")");
    Type element = type.getElementType();
    Type ct = computeType(element);
    LossReduction reduction = op.getReduction();

    Value m = maxOver(rewriter, loc, logits, rank - 1);
    Value s = sumExpOver(rewriter, loc, logits, m, rank - 1);
    int64_t examples = labelsType.getRank();
    AffineMap id = identityMap(examples, ctx);
    Type lossElement = reduction == LossReduction::none ? element : ct;
    Value losses = buildGeneric(
        rewriter, loc,
        emptyTensor(rewriter, loc, withElementType(labelsType, lossElement)),
        ValueRange{m, s, labels}, {id, id, id}, id, parallelIterators(examples),
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          SmallVector<Value> at;
          for (int64_t d = 0; d < examples; ++d)
            at.push_back(b.create<linalg::IndexOp>(nl, d));
          at.push_back(clampedIndex(b, nl, args[2], classes));
          Value picked =
              toCompute(b, nl, b.create<tensor::ExtractOp>(nl, logits, at));
          Value lse = b.create<arith::AddFOp>(
              nl, args[0], b.create<math::LogOp>(nl, args[1]));
          Value loss = b.create<arith::SubFOp>(nl, lse, picked);
          return fromCompute(b, nl, loss, lossElement);
        });
    if (reduction == LossReduction::none) {
      rewriter.replaceOp(op, losses);
      return success();
    }
    Value total =
        buildReduction(rewriter, loc, labelsType.getShape(), allDims(examples),
                       losses, id, scalarConstant(rewriter, loc, ct, 0),
                       [](OpBuilder &b, Location nl, ValueRange args) -> Value {
                         return b.create<arith::AddFOp>(nl, args[0], args[1]);
                       });
    auto scalarType = RankedTensorType::get({}, element);
    double count = static_cast<double>(labelsType.getNumElements());
    Value result = buildElementwise(
        rewriter, loc, scalarType, total,
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value v = args[0];
          if (reduction == LossReduction::mean) // 0/0 = NaN with no examples
            v = b.create<arith::DivFOp>(nl, v,
                                        scalarConstant(b, nl, ct, count));
          return fromCompute(b, nl, v, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::cpu::populateLowerReducePatterns(
    RewritePatternSet &patterns, const LoweringOptions &options) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ReduceLowering, SoftmaxLowering<SoftmaxOp, false>,
               SoftmaxLowering<LogSoftmaxOp, true>, LayerNormLowering>(ctx);
  patterns.add<CrossEntropyLowering>(ctx, options);
}
