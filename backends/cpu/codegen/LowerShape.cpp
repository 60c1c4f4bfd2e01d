//===- LowerShape.cpp - Data-movement loom ops to linalg and tensor -------===//
//
// Part of Loom. This file implements the lowering of loom.broadcast,
// loom.reshape, loom.transpose, loom.slice and loom.concat (LoomOps.td
// order), following backends/reference/KernelsData.cpp. Reshapes and slices
// become tensor ops that bufferize to views; broadcast and transpose write a
// new tensor.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

//===----------------------------------------------------------------------===//
// loom.broadcast
//===----------------------------------------------------------------------===//

// y[i] = x[broadcastMap(i)]: a copy through a broadcasting indexing map.
struct BroadcastLowering : public OpConversionPattern<BroadcastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(BroadcastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    if (adaptor.getInput().getType() == type) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    rewriter.replaceOp(
        op, buildElementwise(rewriter, op.getLoc(), type, adaptor.getInput(),
                             [](OpBuilder &, Location, ValueRange args) {
                               return args[0];
                             }));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.reshape
//===----------------------------------------------------------------------===//

// reshape(x) -> tensor.collapse_shape / tensor.expand_shape (row-major).
struct ReshapeLowering : public OpConversionPattern<ReshapeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ReshapeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    rewriter.replaceOp(op,
                       reshapeTensor(rewriter, op.getLoc(), adaptor.getInput(),
                                     cast<RankedTensorType>(op.getType())));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.transpose
//===----------------------------------------------------------------------===//

// transpose(x, perm) -> linalg.transpose with the same permutation
// (result dim i is input dim perm[i] in both); a reshape where perm moves
// only dimensions of size 1.
struct TransposeLowering : public OpConversionPattern<TransposeOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(TransposeOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    ArrayRef<int64_t> perm = op.getPerm();
    bool identity = true;
    for (auto [i, p] : llvm::enumerate(perm))
      identity &= static_cast<int64_t>(i) == p;
    if (identity) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    // A permutation that moves only dimensions of size 1 keeps the elements
    // in order: a reshape, which the kernel copies out as one dimension
    // (--loom-copies-to-linalg) where LLVM would unroll a nest of short
    // constant loops such as 1x12x1x64 into one scalar move per element.
    auto type = cast<RankedTensorType>(op.getType());
    auto inputType = cast<RankedTensorType>(adaptor.getInput().getType());
    int64_t last = -1;
    bool inOrder = true;
    for (int64_t p : perm) {
      if (inputType.getDimSize(p) == 1)
        continue;
      inOrder &= p > last;
      last = p;
    }
    if (inOrder) {
      rewriter.replaceOp(
          op, reshapeTensor(rewriter, op.getLoc(), adaptor.getInput(), type));
      return success();
    }
    Value init = emptyTensor(rewriter, op.getLoc(), type);
    auto transpose = rewriter.create<linalg::TransposeOp>(
        op.getLoc(), adaptor.getInput(), init, perm);
    rewriter.replaceOp(op, transpose->getResults());
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.slice
//===----------------------------------------------------------------------===//

// y[j] = x[start + j * stride] -> tensor.extract_slice (a strided view).
struct SliceLowering : public OpConversionPattern<SliceOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(SliceOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    SmallVector<OpFoldResult> offsets, sizes, strides;
    for (auto [start, size, stride] :
         llvm::zip(op.getStart(), type.getShape(), op.getStride())) {
      offsets.push_back(rewriter.getIndexAttr(start));
      sizes.push_back(rewriter.getIndexAttr(size));
      strides.push_back(rewriter.getIndexAttr(stride));
    }
    rewriter.replaceOpWithNewOp<tensor::ExtractSliceOp>(
        op, type, adaptor.getInput(), offsets, sizes, strides);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.concat
//===----------------------------------------------------------------------===//

// concat(x_0, ..., x_n) along dim -> tensor.insert_slice of each x_k into a
// tensor.empty at its running offset along dim.
struct ConcatLowering : public OpConversionPattern<ConcatOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(ConcatOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto type = cast<RankedTensorType>(op.getType());
    int64_t dim = op.getDim();
    if (adaptor.getInputs().size() == 1) {
      rewriter.replaceOp(op, adaptor.getInputs()[0]);
      return success();
    }
    Value result = emptyTensor(rewriter, op.getLoc(), type);
    SmallVector<int64_t> offsets(type.getRank(), 0);
    SmallVector<int64_t> ones(type.getRank(), 1);
    for (Value input : adaptor.getInputs()) {
      result =
          insertStrided(rewriter, op.getLoc(), input, result, offsets, ones);
      offsets[dim] += cast<RankedTensorType>(input.getType()).getDimSize(dim);
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::cpu::populateLowerShapePatterns(RewritePatternSet &patterns,
                                                 const LoweringOptions &) {
  patterns.add<BroadcastLowering, ReshapeLowering, TransposeLowering,
               SliceLowering, ConcatLowering>(patterns.getContext());
}
