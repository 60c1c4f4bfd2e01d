//===- LowerContract.cpp - Contractions of loom to linalg -----------------===//
//
// Part of Loom. This file implements the lowering of loom.matmul,
// loom.conv2d, loom.conv2d_backward_input and loom.conv2d_backward_filter,
// following backends/reference/KernelsContract.cpp. Matmul and conv2d become
// linalg's named ops where one fits (so that later passes can match them)
// and a linalg.generic otherwise; the conv2d adjoints are linalg.generic ops
// over the reference's sums, written as gathers. Products accumulate in the
// result's compute type (f32 for bf16/f16) from a zero-filled tensor.empty.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

/// acc + x * y in acc's type (x and y converted to it).
Value multiplyAdd(OpBuilder &b, Location loc, Value x, Value y, Value acc) {
  x = toCompute(b, loc, x);
  y = toCompute(b, loc, y);
  if (isa<FloatType>(acc.getType()))
    return b.create<arith::AddFOp>(loc, acc,
                                   b.create<arith::MulFOp>(loc, x, y));
  return b.create<arith::AddIOp>(loc, acc, b.create<arith::MulIOp>(loc, x, y));
}

/// A zero-filled accumulator of `type`'s shape in its compute type.
Value zeroAccumulator(OpBuilder &b, Location loc, RankedTensorType type) {
  Type ct = computeType(type.getElementType());
  return filledTensor(b, loc, withElementType(type, ct),
                      scalarConstant(b, loc, ct, 0));
}

/// `value` (rank >= 2) with its last two dims swapped (linalg.transpose).
Value swapLastTwo(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  int64_t rank = type.getRank();
  SmallVector<int64_t> perm, shape(type.getShape());
  for (int64_t d = 0; d < rank; ++d)
    perm.push_back(d);
  std::swap(perm[rank - 1], perm[rank - 2]);
  std::swap(shape[rank - 1], shape[rank - 2]);
  Value init =
      emptyTensor(b, loc, RankedTensorType::get(shape, type.getElementType()));
  return b.create<linalg::TransposeOp>(loc, value, init, perm)->getResult(0);
}

/// `value` with its leading dims before `keep` trailing ones merged into one
/// (or a size-1 dim added at rank `keep`).
Value mergeLeading(OpBuilder &b, Location loc, Value value, int64_t keep) {
  auto type = cast<RankedTensorType>(value.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t lead = 1;
  for (int64_t d = 0; d + keep < type.getRank(); ++d)
    lead *= shape[d];
  SmallVector<int64_t> merged = {lead};
  merged.append(shape.end() - keep, shape.end());
  return reshapeTensor(b, loc, value,
                       RankedTensorType::get(merged, type.getElementType()));
}

//===----------------------------------------------------------------------===//
// loom.matmul
//===----------------------------------------------------------------------===//

// (..., M, K) @ (..., K, N) -> (..., M, N):
//   2-D @ 2-D                 -> linalg.matmul (_transpose_a/_b)
//   N-D @ 2-D (no transpose_lhs) -> rows merged, linalg.matmul, split again
//   equal batch dims          -> batch merged, linalg.batch_matmul (_a/_b)
//   broadcast batch dims      -> one linalg.generic with broadcasting maps
// Both transposed: rhs is transposed explicitly and the op reads lhs
// transposed.
struct MatmulLowering : public OpConversionPattern<MatmulOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(MatmulOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value lhs = adaptor.getLhs(), rhs = adaptor.getRhs();
    auto lhsType = cast<RankedTensorType>(lhs.getType());
    auto rhsType = cast<RankedTensorType>(rhs.getType());
    bool tl = op.getTransposeLhs(), tr = op.getTransposeRhs();
    int64_t lr = lhsType.getRank(), rr = rhsType.getRank();
    ArrayRef<int64_t> lBatch = lhsType.getShape().drop_back(2);
    ArrayRef<int64_t> rBatch = rhsType.getShape().drop_back(2);
    Value result;
    if (lr == 2 && rr == 2) {
      result = namedMatmul(rewriter, loc, lhs, rhs, tl, tr,
                           zeroAccumulator(rewriter, loc, type),
                           /*batched=*/false);
    } else if (rr == 2 && !tl) {
      int64_t n = type.getDimSize(lr - 1);
      Value rows = mergeLeading(rewriter, loc, lhs, 1);
      int64_t count = cast<RankedTensorType>(rows.getType()).getDimSize(0);
      auto flatType = RankedTensorType::get({count, n}, type.getElementType());
      result = namedMatmul(rewriter, loc, rows, rhs, false, tr,
                           zeroAccumulator(rewriter, loc, flatType), false);
      result = reshapeTensor(
          rewriter, loc, result,
          withElementType(type, computeType(type.getElementType())));
    } else if (lBatch == rBatch) {
      Value l3 = mergeLeading(rewriter, loc, lhs, 2);
      Value r3 = mergeLeading(rewriter, loc, rhs, 2);
      ArrayRef<int64_t> shape = type.getShape();
      int64_t batch = cast<RankedTensorType>(l3.getType()).getDimSize(0);
      auto flatType =
          RankedTensorType::get({batch, shape[shape.size() - 2], shape.back()},
                                type.getElementType());
      result = namedMatmul(rewriter, loc, l3, r3, tl, tr,
                           zeroAccumulator(rewriter, loc, flatType), true);
      result = reshapeTensor(
          rewriter, loc, result,
          withElementType(type, computeType(type.getElementType())));
    } else {
      result = genericMatmul(rewriter, loc, lhs, rhs, tl, tr, type);
    }
    rewriter.replaceOp(
        op, convertFloatTensor(rewriter, loc, result, type.getElementType()));
    return success();
  }

private:
  /// The named op for rank-2 (or, `batched`, rank-3) operands.
  static Value namedMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                           bool tl, bool tr, Value init, bool batched) {
    if (tl && tr) { // A^T B^T: transpose B, read A transposed
      rhs = swapLastTwo(b, loc, rhs);
      tr = false;
    }
    SmallVector<Value> ins = {lhs, rhs}, outs = {init};
    SmallVector<Type> results = {init.getType()};
    Operation *op;
    if (batched) {
      if (tl)
        op = b.create<linalg::BatchMatmulTransposeAOp>(loc, results, ins, outs);
      else if (tr)
        op = b.create<linalg::BatchMatmulTransposeBOp>(loc, results, ins, outs);
      else
        op = b.create<linalg::BatchMatmulOp>(loc, results, ins, outs);
    } else {
      if (tl)
        op = b.create<linalg::MatmulTransposeAOp>(loc, results, ins, outs);
      else if (tr)
        op = b.create<linalg::MatmulTransposeBOp>(loc, results, ins, outs);
      else
        op = b.create<linalg::MatmulOp>(loc, results, ins, outs);
    }
    return op->getResult(0);
  }

  /// Loops (batch..., m, n, k); each operand's batch dims broadcast.
  static Value genericMatmul(OpBuilder &b, Location loc, Value lhs, Value rhs,
                             bool tl, bool tr, RankedTensorType type) {
    MLIRContext *ctx = b.getContext();
    int64_t rank = type.getRank(), loops = rank + 1;
    ArrayRef<int64_t> batch = type.getShape().drop_back(2);
    AffineExpr m = getAffineDimExpr(rank - 2, ctx);
    AffineExpr n = getAffineDimExpr(rank - 1, ctx);
    AffineExpr k = getAffineDimExpr(rank, ctx);
    auto operandMap = [&](Value v, AffineExpr row, AffineExpr col) {
      auto t = cast<RankedTensorType>(v.getType());
      AffineMap batchMap = broadcastMap(t.getShape().drop_back(2), batch, ctx);
      SmallVector<AffineExpr> exprs(batchMap.getResults());
      exprs.push_back(row);
      exprs.push_back(col);
      return AffineMap::get(loops, 0, exprs, ctx);
    };
    AffineMap lhsMap = tl ? operandMap(lhs, k, m) : operandMap(lhs, m, k);
    AffineMap rhsMap = tr ? operandMap(rhs, n, k) : operandMap(rhs, k, n);
    SmallVector<AffineExpr> outExprs;
    for (int64_t d = 0; d < rank; ++d)
      outExprs.push_back(getAffineDimExpr(d, ctx));
    SmallVector<utils::IteratorType> iterators(rank,
                                               utils::IteratorType::parallel);
    iterators.push_back(utils::IteratorType::reduction);
    return buildGeneric(b, loc, zeroAccumulator(b, loc, type),
                        ValueRange{lhs, rhs}, {lhsMap, rhsMap},
                        AffineMap::get(loops, 0, outExprs, ctx), iterators,
                        [](OpBuilder &nb, Location nl, ValueRange args) {
                          return multiplyAdd(nb, nl, args[0], args[1], args[2]);
                        });
  }
};

//===----------------------------------------------------------------------===//
// loom.conv2d
//===----------------------------------------------------------------------===//

/// `value` (d0, d1, rest...) with d`dim` split into (groups, d / groups).
Value splitGroups(OpBuilder &b, Location loc, Value value, int64_t dim,
                  int64_t groups) {
  auto type = cast<RankedTensorType>(value.getType());
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < type.getRank(); ++d) {
    if (d == dim) {
      shape.push_back(groups);
      shape.push_back(type.getDimSize(d) / groups);
    } else {
      shape.push_back(type.getDimSize(d));
    }
  }
  return reshapeTensor(b, loc, value,
                       RankedTensorType::get(shape, type.getElementType()));
}

// x (N, C, H, W) * w (O, C/G, KH, KW): x zero-padded, then
// linalg.conv_2d_nchw_fchw, or with groups linalg.conv_2d_ngchw_gfchw on
// x as (N, G, C/G, H, W) and w as (G, O/G, C/G, KH, KW).
struct Conv2dLowering : public OpConversionPattern<Conv2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> pad = op.getPadding();
    Value x = padTensor(rewriter, loc, adaptor.getInput(),
                        {0, 0, pad[0], pad[2]}, {0, 0, pad[1], pad[3]}, 0);
    Value w = adaptor.getFilter();
    auto strides = rewriter.getI64TensorAttr(op.getStrides());
    auto dilations = rewriter.getI64TensorAttr(op.getDilations());
    int64_t groups = op.getGroups();
    Value result;
    if (groups == 1) {
      Value init = zeroAccumulator(rewriter, loc, type);
      result = rewriter
                   .create<linalg::Conv2DNchwFchwOp>(
                       loc, TypeRange{init.getType()}, ValueRange{x, w},
                       ValueRange{init}, strides, dilations)
                   ->getResult(0);
    } else {
      Value init = splitGroups(rewriter, loc,
                               zeroAccumulator(rewriter, loc, type), 1, groups);
      result = rewriter
                   .create<linalg::Conv2DNgchwGfchwOp>(
                       loc, TypeRange{init.getType()},
                       ValueRange{splitGroups(rewriter, loc, x, 1, groups),
                                  splitGroups(rewriter, loc, w, 0, groups)},
                       ValueRange{init}, strides, dilations)
                   ->getResult(0);
      result = reshapeTensor(
          rewriter, loc, result,
          withElementType(type, computeType(type.getElementType())));
    }
    rewriter.replaceOp(
        op, convertFloatTensor(rewriter, loc, result, type.getElementType()));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.conv2d_backward_input, loom.conv2d_backward_filter
//===----------------------------------------------------------------------===//

// dx[n, g, c, iy, ix] = sum over (f, ky, kx) of
//   Z[n, g, f, iy + dh(KH-1) - dh ky, ix + dw(KW-1) - dw kx] * w[g, f, c, ky,
//   kx]
// with Z = spreadForAdjoint(dy): the reference's scatter of
// dy[oy] * w[ky] into dx[oy*sh - pt + ky*dh], as a gather.
struct Conv2dBackwardInputLowering
    : public OpConversionPattern<Conv2dBackwardInputOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2dBackwardInputOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Value dy = adaptor.getGradOut(), w = adaptor.getFilter();
    auto wType = cast<RankedTensorType>(w.getType());
    ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(),
                      d = op.getDilations();
    int64_t kh = wType.getDimSize(2), kw = wType.getDimSize(3);
    WindowGeometry g = {{type.getDimSize(2), type.getDimSize(3)},
                        {kh, kw},
                        {s[0], s[1]},
                        {p[0], p[2]},
                        {d[0], d[1]}};
    Value zero = scalarConstant(
        rewriter, loc, cast<RankedTensorType>(dy.getType()).getElementType(),
        0);
    int64_t groups = op.getGroups();
    Value z = splitGroups(
        rewriter, loc, spreadForAdjoint(rewriter, loc, dy, zero, g), 1, groups);
    Value wg = splitGroups(rewriter, loc, w, 0, groups);
    Value init = splitGroups(rewriter, loc,
                             zeroAccumulator(rewriter, loc, type), 1, groups);

    // Loops (n, g, c, iy, ix, f, ky, kx).
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineExpr n = dim(0), gr = dim(1), c = dim(2), iy = dim(3), ix = dim(4),
               f = dim(5), ky = dim(6), kx = dim(7);
    AffineMap zMap = AffineMap::get(8, 0,
                                    {n, gr, f, iy + d[0] * (kh - 1) - ky * d[0],
                                     ix + d[1] * (kw - 1) - kx * d[1]},
                                    ctx);
    AffineMap wMap = AffineMap::get(8, 0, {gr, f, c, ky, kx}, ctx);
    AffineMap outMap = AffineMap::get(8, 0, {n, gr, c, iy, ix}, ctx);
    SmallVector<utils::IteratorType> iterators(5,
                                               utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    Value result = buildGeneric(
        rewriter, loc, init, ValueRange{z, wg}, {zMap, wMap}, outMap, iterators,
        [](OpBuilder &b, Location nl, ValueRange args) {
          return multiplyAdd(b, nl, args[0], args[1], args[2]);
        });
    result = reshapeTensor(
        rewriter, loc, result,
        withElementType(type, computeType(type.getElementType())));
    rewriter.replaceOp(
        op, convertFloatTensor(rewriter, loc, result, type.getElementType()));
    return success();
  }
};

// dw[g, f, c, ky, kx] = sum over (n, oy, ox) of
//   xpad[n, g, c, oy*sh + ky*dh, ox*sw + kx*dw] * dy[n, g, f, oy, ox]
// with xpad the zero-padded input: the forward's in-bounds terms.
struct Conv2dBackwardFilterLowering
    : public OpConversionPattern<Conv2dBackwardFilterOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Conv2dBackwardFilterOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    ArrayRef<int64_t> s = op.getStrides(), p = op.getPadding(),
                      d = op.getDilations();
    Value x = padTensor(rewriter, loc, adaptor.getInput(), {0, 0, p[0], p[2]},
                        {0, 0, p[1], p[3]}, 0);
    int64_t groups = op.getGroups();
    Value xg = splitGroups(rewriter, loc, x, 1, groups);
    Value dyg = splitGroups(rewriter, loc, adaptor.getGradOut(), 1, groups);
    Value init = splitGroups(rewriter, loc,
                             zeroAccumulator(rewriter, loc, type), 0, groups);

    // Loops (g, f, c, ky, kx, n, oy, ox).
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    AffineExpr gr = dim(0), f = dim(1), c = dim(2), ky = dim(3), kx = dim(4),
               n = dim(5), oy = dim(6), ox = dim(7);
    AffineMap xMap = AffineMap::get(
        8, 0, {n, gr, c, oy * s[0] + ky * d[0], ox * s[1] + kx * d[1]}, ctx);
    AffineMap dyMap = AffineMap::get(8, 0, {n, gr, f, oy, ox}, ctx);
    AffineMap outMap = AffineMap::get(8, 0, {gr, f, c, ky, kx}, ctx);
    SmallVector<utils::IteratorType> iterators(5,
                                               utils::IteratorType::parallel);
    iterators.append(3, utils::IteratorType::reduction);
    Value result = buildGeneric(
        rewriter, loc, init, ValueRange{xg, dyg}, {xMap, dyMap}, outMap,
        iterators, [](OpBuilder &b, Location nl, ValueRange args) {
          return multiplyAdd(b, nl, args[0], args[1], args[2]);
        });
    result = reshapeTensor(
        rewriter, loc, result,
        withElementType(type, computeType(type.getElementType())));
    rewriter.replaceOp(
        op, convertFloatTensor(rewriter, loc, result, type.getElementType()));
    return success();
  }
};

} // namespace

void mlir::loom::cpu::populateLowerContractPatterns(RewritePatternSet &patterns,
                                                    const LoweringOptions &) {
  patterns.add<MatmulLowering, Conv2dLowering, Conv2dBackwardInputLowering,
               Conv2dBackwardFilterLowering>(patterns.getContext());
}
