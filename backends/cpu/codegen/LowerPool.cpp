//===- LowerPool.cpp - Pooling loom ops to linalg -------------------------===//
//
// Part of Loom. This file implements the lowering of loom.pool2d and
// loom.pool2d_backward, following backends/reference/KernelsContract.cpp:
// padded positions never win a max and count in an average's divisor only
// under count_include_pad; the adjoint of max goes to each window's first
// maximum in row-major window order (a NaN wins), overlapping windows add
// up. The forward uses linalg's named pooling ops; the adjoints are
// linalg.generic ops written as gathers over a spread gradient (see
// spreadForAdjoint). Arithmetic is in the compute type (f32 for bf16/f16).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"

#include <limits>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

/// The attributes every pooling op has, read once.
struct PoolParams {
  int64_t kh, kw, sh, sw, pt, pb, pl, pr;
  bool countIncludePad;
};

template <typename OpTy> PoolParams poolParams(OpTy op) {
  ArrayRef<int64_t> w = op.getWindow(), s = op.getStrides(),
                    p = op.getPadding();
  return {
      w[0], w[1], s[0], s[1], p[0], p[1], p[2], p[3], op.getCountIncludePad()};
}

/// The in-bounds length of the window starting at `start` (an index) over
/// an input of `size` positions: min(start + window, size) - max(start, 0).
Value inBoundsLength(OpBuilder &b, Location loc, Value start, int64_t window,
                     int64_t size) {
  Value end =
      b.create<arith::AddIOp>(loc, start, indexConstant(b, loc, window));
  end = b.create<arith::MinSIOp>(loc, end, indexConstant(b, loc, size));
  Value begin = b.create<arith::MaxSIOp>(loc, start, indexConstant(b, loc, 0));
  return b.create<arith::SubIOp>(loc, end, begin);
}

/// Inside a linalg.generic whose dims 2 and 3 are (oy, ox): the divisor of
/// an average window, as a `ct` scalar. Under count_include_pad every
/// window lies inside the padded input (by the output size rule), so it is
/// KH * KW; otherwise the window's in-bounds count.
Value averageDivisor(OpBuilder &b, Location loc, const PoolParams &p, int64_t h,
                     int64_t w, Type ct) {
  if (p.countIncludePad)
    return scalarConstant(b, loc, ct, static_cast<double>(p.kh * p.kw));
  auto start = [&](unsigned dim, int64_t stride, int64_t pad) -> Value {
    Value i = b.create<linalg::IndexOp>(loc, dim);
    Value s = b.create<arith::MulIOp>(loc, i, indexConstant(b, loc, stride));
    return b.create<arith::SubIOp>(loc, s, indexConstant(b, loc, pad));
  };
  Value rows = inBoundsLength(b, loc, start(2, p.sh, p.pt), p.kh, h);
  Value cols = inBoundsLength(b, loc, start(3, p.sw, p.pl), p.kw, w);
  Value count = b.create<arith::MulIOp>(loc, rows, cols);
  count = b.create<arith::IndexCastOp>(loc, b.getI64Type(), count);
  return b.create<arith::SIToFPOp>(loc, ct, count);
}

/// Inside a linalg.generic whose dims `ky` and `kx` walk a window of width
/// `kw`: the row-major window position ky * kw + kx as an i32.
Value windowPosition(OpBuilder &b, Location loc, unsigned ky, unsigned kx,
                     int64_t kw) {
  // One op per statement: argument evaluation order would order the IR.
  Value row = b.create<linalg::IndexOp>(loc, ky);
  Value width = indexConstant(b, loc, kw);
  Value col = b.create<linalg::IndexOp>(loc, kx);
  Value k = b.create<arith::MulIOp>(loc, row, width);
  k = b.create<arith::AddIOp>(loc, k, col);
  return b.create<arith::IndexCastOp>(loc, b.getI32Type(), k);
}

/// A tensor.empty of the window's shape: the operand that gives named
/// pooling ops and the adjoint generics their (ky, kx) loop ranges.
Value windowShape(OpBuilder &b, Location loc, const PoolParams &p, Type t) {
  return emptyTensor(b, loc, RankedTensorType::get({p.kh, p.kw}, t));
}

//===----------------------------------------------------------------------===//
// loom.pool2d
//===----------------------------------------------------------------------===//

// max: x padded with -inf, linalg.pooling_nchw_max from -inf;
// avg: x padded with 0, linalg.pooling_nchw_sum from 0, then / divisor.
struct Pool2dLowering : public OpConversionPattern<Pool2dOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Pool2dOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    auto type = cast<RankedTensorType>(op.getType());
    Value x = adaptor.getInput();
    auto xType = cast<RankedTensorType>(x.getType());
    Type element = type.getElementType();
    Type ct = computeType(element);
    PoolParams p = poolParams(op);
    bool isMax = op.getKind() == PoolKind::max;
    double padValue = isMax ? -std::numeric_limits<double>::infinity() : 0.0;
    x = padTensor(rewriter, loc, x, {0, 0, p.pt, p.pl}, {0, 0, p.pb, p.pr},
                  padValue);
    Value init = filledTensor(rewriter, loc, withElementType(type, ct),
                              isMax ? lowestValue(rewriter, loc, ct)
                                    : scalarConstant(rewriter, loc, ct, 0));
    auto strides = rewriter.getI64TensorAttr({p.sh, p.sw});
    auto dilations = rewriter.getI64TensorAttr({1, 1});
    SmallVector<Value> ins = {x, windowShape(rewriter, loc, p, ct)};
    SmallVector<Type> results = {init.getType()};
    Value result;
    if (isMax)
      result = rewriter
                   .create<linalg::PoolingNchwMaxOp>(
                       loc, results, ins, ValueRange{init}, strides, dilations)
                   ->getResult(0);
    else
      result = rewriter
                   .create<linalg::PoolingNchwSumOp>(
                       loc, results, ins, ValueRange{init}, strides, dilations)
                   ->getResult(0);
    // avg: divide by the divisor; both: round bf16/f16 once.
    if (!isMax || ct != element) {
      int64_t h = xType.getDimSize(2), w = xType.getDimSize(3);
      result = buildElementwise(
          rewriter, loc, type, result,
          [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
            Value v = args[0];
            if (!isMax)
              v = b.create<arith::DivFOp>(nl, v,
                                          averageDivisor(b, nl, p, h, w, ct));
            return fromCompute(b, nl, v, element);
          });
    }
    rewriter.replaceOp(op, result);
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.pool2d_backward
//===----------------------------------------------------------------------===//

// avg: g = dy / divisor; dx[n, c, iy, ix] = sum over (ky, kx) of
//   Z[n, c, iy + KH-1 - ky, ix + KW-1 - kx], Z = spreadForAdjoint(g).
// max: first (best, at) = the window's first maximum and its row-major
// window position k = ky*KW + kx over in-bounds elements (a reduction whose
// order-free combiner prefers NaN, then larger values, then smaller k);
// then dx[n, c, iy, ix] = sum over (ky, kx) of Zdy[...] where Zat[...] == k,
// with Zdy, Zat = spreadForAdjoint(dy, at) (Zat -1 where no window starts).
struct Pool2dBackwardLowering : public OpConversionPattern<Pool2dBackwardOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(Pool2dBackwardOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Type ct = computeType(element);
    PoolParams p = poolParams(op);
    int64_t h = type.getDimSize(2), w = type.getDimSize(3);
    Value dy = adaptor.getGradOut();
    auto dyType = cast<RankedTensorType>(dy.getType());
    bool isMax = op.getKind() == PoolKind::max;
    WindowGeometry geometry = {
        {h, w}, {p.kh, p.kw}, {p.sh, p.sw}, {p.pt, p.pl}, {1, 1}};
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    Value zero = scalarConstant(rewriter, loc, ct, 0);

    // Loops (n, c, iy, ix, ky, kx) over the spread tensors.
    AffineExpr n = dim(0), c = dim(1), iy = dim(2), ix = dim(3), ky = dim(4),
               kx = dim(5);
    AffineMap zMap = AffineMap::get(
        6, 0, {n, c, iy + (p.kh - 1) - ky, ix + (p.kw - 1) - kx}, ctx);
    AffineMap windowMap = AffineMap::get(6, 0, {ky, kx}, ctx);
    AffineMap outMap = AffineMap::get(6, 0, {n, c, iy, ix}, ctx);
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    Value init = filledTensor(rewriter, loc, withElementType(type, ct), zero);
    Value window = windowShape(rewriter, loc, p, ct);

    Value result;
    if (!isMax) {
      Value g = buildElementwise(
          rewriter, loc, withElementType(dyType, ct), dy,
          [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
            return b.create<arith::DivFOp>(nl, toCompute(b, nl, args[0]),
                                           averageDivisor(b, nl, p, h, w, ct));
          });
      Value z = spreadForAdjoint(rewriter, loc, g, zero, geometry);
      result = buildGeneric(
          rewriter, loc, init, ValueRange{z, window}, {zMap, windowMap}, outMap,
          iterators, [](OpBuilder &b, Location nl, ValueRange args) -> Value {
            return b.create<arith::AddFOp>(nl, args[2], args[0]);
          });
    } else {
      Value at = windowArgmax(rewriter, loc, adaptor.getInput(), dyType, p, ct);
      Value zdy = spreadForAdjoint(
          rewriter, loc, tensorToCompute(rewriter, loc, dy), zero, geometry);
      Value zat = spreadForAdjoint(
          rewriter, loc, at,
          scalarConstant(rewriter, loc, rewriter.getI32Type(), -1), geometry);
      result = buildGeneric(
          rewriter, loc, init, ValueRange{zdy, zat, window},
          {zMap, zMap, windowMap}, outMap, iterators,
          [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
            Value k = windowPosition(b, nl, 4, 5, p.kw);
            Value hit = b.create<arith::CmpIOp>(nl, arith::CmpIPredicate::eq,
                                                args[1], k);
            Value sum = b.create<arith::AddFOp>(nl, args[3], args[0]);
            return b.create<arith::SelectOp>(nl, hit, sum, args[3]);
          });
    }
    rewriter.replaceOp(op, convertFloatTensor(rewriter, loc, result, element));
    return success();
  }

private:
  /// (N, C, HO, WO) of i32: the row-major window position of each window's
  /// first in-bounds maximum of x (KH*KW for a window with none).
  static Value windowArgmax(OpBuilder &b, Location loc, Value x,
                            RankedTensorType outType, const PoolParams &p,
                            Type ct) {
    MLIRContext *ctx = b.getContext();
    auto xType = cast<RankedTensorType>(x.getType());
    int64_t h = xType.getDimSize(2), w = xType.getDimSize(3);
    Value xp = padTensor(b, loc, x, {0, 0, p.pt, p.pl}, {0, 0, p.pb, p.pr}, 0);
    auto dim = [&](unsigned i) { return getAffineDimExpr(i, ctx); };
    // Loops (n, c, oy, ox, ky, kx).
    AffineExpr n = dim(0), c = dim(1), oy = dim(2), ox = dim(3), ky = dim(4),
               kx = dim(5);
    SmallVector<AffineMap> maps = {
        AffineMap::get(6, 0, {n, c, oy * p.sh + ky, ox * p.sw + kx}, ctx),
        AffineMap::get(6, 0, {ky, kx}, ctx),
        AffineMap::get(6, 0, {n, c, oy, ox}, ctx),
        AffineMap::get(6, 0, {n, c, oy, ox}, ctx)};
    SmallVector<utils::IteratorType> iterators(4,
                                               utils::IteratorType::parallel);
    iterators.append(2, utils::IteratorType::reduction);
    Type i32 = b.getI32Type();
    int64_t none = p.kh * p.kw;
    Value bestInit = filledTensor(b, loc, withElementType(outType, ct),
                                  lowestValue(b, loc, ct));
    Value atInit = filledTensor(b, loc, withElementType(outType, i32),
                                scalarConstant(b, loc, i32, none));
    auto generic = b.create<linalg::GenericOp>(
        loc, TypeRange{bestInit.getType(), atInit.getType()},
        ValueRange{xp, windowShape(b, loc, p, ct)},
        ValueRange{bestInit, atInit}, maps, iterators,
        [&](OpBuilder &nb, Location nl, ValueRange args) {
          Value v = toCompute(nb, nl, args[0]);
          Value best = args[2], bestAt = args[3];
          auto idx = [&](unsigned d) -> Value {
            return nb.create<linalg::IndexOp>(nl, d);
          };
          auto inRange = [&](Value pos, int64_t size) -> Value {
            Value ge = nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sge,
                                                pos, indexConstant(nb, nl, 0));
            Value lt =
                nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::slt, pos,
                                         indexConstant(nb, nl, size));
            return nb.create<arith::AndIOp>(nl, ge, lt);
          };
          auto position = [&](unsigned out, unsigned win, int64_t stride,
                              int64_t pad) -> Value {
            Value o = idx(out);
            Value st = indexConstant(nb, nl, stride);
            Value s = nb.create<arith::MulIOp>(nl, o, st);
            Value wi = idx(win);
            s = nb.create<arith::AddIOp>(nl, s, wi);
            Value pd = indexConstant(nb, nl, pad);
            return nb.create<arith::SubIOp>(nl, s, pd);
          };
          Value rowIn = inRange(position(2, 4, p.sh, p.pt), h);
          Value colIn = inRange(position(3, 5, p.sw, p.pl), w);
          Value inBounds = nb.create<arith::AndIOp>(nl, rowIn, colIn);
          Value k = windowPosition(nb, nl, 4, 5, p.kw);
          // Order-free: NaN beats numbers, then larger beats smaller, then
          // the smaller window position wins; anything beats "none".
          Value earlier = nb.create<arith::CmpIOp>(
              nl, arith::CmpIPredicate::slt, k, bestAt);
          Value vNan =
              nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::UNO, v, v);
          Value bestNan = nb.create<arith::CmpFOp>(
              nl, arith::CmpFPredicate::UNO, best, best);
          Value greater =
              nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OGT, v, best);
          Value equal =
              nb.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OEQ, v, best);
          Value bothNan = nb.create<arith::AndIOp>(nl, vNan, bestNan);
          Value tie = nb.create<arith::OrIOp>(nl, equal, bothNan);
          Value notBestNan = nb.create<arith::XOrIOp>(
              nl, bestNan, scalarConstant(nb, nl, nb.getI1Type(), 1));
          Value nanOverNumber = nb.create<arith::AndIOp>(nl, vNan, notBestNan);
          Value noneYet =
              nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::eq, bestAt,
                                       scalarConstant(nb, nl, i32, none));
          Value better = nb.create<arith::OrIOp>(nl, greater, nanOverNumber);
          better = nb.create<arith::OrIOp>(
              nl, better, nb.create<arith::AndIOp>(nl, tie, earlier));
          better = nb.create<arith::OrIOp>(nl, better, noneYet);
          better = nb.create<arith::AndIOp>(nl, better, inBounds);
          Value newBest = nb.create<arith::SelectOp>(nl, better, v, best);
          Value newAt = nb.create<arith::SelectOp>(nl, better, k, bestAt);
          nb.create<linalg::YieldOp>(nl, ValueRange{newBest, newAt});
        });
    return generic.getResult(1);
  }
};

} // namespace

void mlir::loom::cpu::populateLowerPoolPatterns(RewritePatternSet &patterns,
                                                const LoweringOptions &) {
  patterns.add<Pool2dLowering, Pool2dBackwardLowering>(patterns.getContext());
}
