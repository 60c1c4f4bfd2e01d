//===- LowerNN.cpp - Attention and dropout to linalg ----------------------===//
//
// Part of Loom. This file implements the lowering of loom.attention (its
// decomposition: batch_matmul, scale and causal mask, a stable softmax,
// batch_matmul) and loom.dropout (Philox-4x32-10 in arith, bit for bit the
// stream of runtime/Philox.h), following backends/reference/KernelsNN.cpp.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

/// `value` (L..., A, B) as (prod(L), A, B).
Value asBatched(OpBuilder &b, Location loc, Value value) {
  auto type = cast<RankedTensorType>(value.getType());
  ArrayRef<int64_t> shape = type.getShape();
  int64_t batch = 1;
  for (int64_t d = 0; d + 2 < type.getRank(); ++d)
    batch *= shape[d];
  return reshapeTensor(
      b, loc, value,
      RankedTensorType::get({batch, shape[shape.size() - 2], shape.back()},
                            type.getElementType()));
}

//===----------------------------------------------------------------------===//
// loom.attention
//===----------------------------------------------------------------------===//

// q (..., T, D), k (..., S, D), v (..., S, DV) with the leading dims merged
// into one batch dim B:
//   scores = batch_matmul_transpose_b(q, k)                      (B, T, S)
//   l = scores * scale, -inf where causal and s > t
//   p = exp(l - max_s l) / sum_s exp(l - max_s l)
//   out = batch_matmul(p, v)                                     (B, T, DV)
struct AttentionLowering : public OpConversionPattern<AttentionOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(AttentionOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    MLIRContext *ctx = rewriter.getContext();
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Type ct = computeType(element);
    Value q = asBatched(rewriter, loc, adaptor.getQuery());
    Value k = asBatched(rewriter, loc, adaptor.getKey());
    Value v = asBatched(rewriter, loc, adaptor.getValue());
    auto qType = cast<RankedTensorType>(q.getType());
    auto kType = cast<RankedTensorType>(k.getType());
    auto vType = cast<RankedTensorType>(v.getType());
    int64_t batch = qType.getDimSize(0), t = qType.getDimSize(1),
            d = qType.getDimSize(2), s = kType.getDimSize(1),
            dv = vType.getDimSize(2);
    double scale = 1.0 / std::sqrt(static_cast<double>(d));
    if (std::optional<APFloat> attr = op.getScale())
      scale = attr->convertToDouble();
    bool causal = op.getCausal();
    Value zero = scalarConstant(rewriter, loc, ct, 0);

    auto scoresType = RankedTensorType::get({batch, t, s}, ct);
    Value scores =
        rewriter
            .create<linalg::BatchMatmulTransposeBOp>(
                loc, TypeRange{scoresType}, ValueRange{q, k},
                ValueRange{filledTensor(rewriter, loc, scoresType, zero)})
            ->getResult(0);
    Value logits = buildElementwise(
        rewriter, loc, scoresType, scores,
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value l = b.create<arith::MulFOp>(nl, args[0],
                                            scalarConstant(b, nl, ct, scale));
          if (!causal)
            return l;
          Value query = b.create<linalg::IndexOp>(nl, 1);
          Value key = b.create<linalg::IndexOp>(nl, 2);
          Value future = b.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sgt,
                                                 key, query);
          return b.create<arith::SelectOp>(nl, future, lowestValue(b, nl, ct),
                                           l);
        });
    Value m = maxOver(rewriter, loc, logits, 2);
    Value sum = sumExpOver(rewriter, loc, logits, m, 2);
    AffineMap id = AffineMap::getMultiDimIdentityMap(3, ctx);
    AffineMap rows = dropDimsMap(3, 2, ctx);
    SmallVector<utils::IteratorType> parallel(3, utils::IteratorType::parallel);
    Value probs =
        buildGeneric(rewriter, loc, emptyTensor(rewriter, loc, scoresType),
                     ValueRange{logits, m, sum}, {id, rows, rows}, id, parallel,
                     [](OpBuilder &b, Location nl, ValueRange args) -> Value {
                       Value e = b.create<math::ExpOp>(
                           nl, b.create<arith::SubFOp>(nl, args[0], args[1]));
                       return b.create<arith::DivFOp>(nl, e, args[2]);
                     });
    auto outType = RankedTensorType::get({batch, t, dv}, ct);
    Value out = rewriter
                    .create<linalg::BatchMatmulOp>(
                        loc, TypeRange{outType}, ValueRange{probs, v},
                        ValueRange{filledTensor(rewriter, loc, outType, zero)})
                    ->getResult(0);
    out = reshapeTensor(rewriter, loc, out, withElementType(type, ct));
    rewriter.replaceOp(op, convertFloatTensor(rewriter, loc, out, element));
    return success();
  }
};

//===----------------------------------------------------------------------===//
// loom.dropout
//===----------------------------------------------------------------------===//

/// Philox-4x32-10's multipliers and key increments (runtime/Philox.h).
constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;

Value i32Constant(OpBuilder &b, Location loc, uint32_t value) {
  return b.create<arith::ConstantOp>(
      loc, b.getI32IntegerAttr(static_cast<int32_t>(value)));
}

// y[i] = u_i >= rate ? x[i] * (1 / (1 - rate)) : 0 with u_i the 24-bit
// uniform of lane i % 4 of philox4x32(counter = (i / 4 low, i / 4 high,
// stream, step), key = (seed low, seed high)); (seed, step) = key tensor.
// The round keys are computed once outside the linalg.generic; the 32x32
// -> 64-bit products are arith.mului_extended. The scaling is done in f64,
// as the reference does, so f32 and f64 results are bit-identical to it.
struct DropoutLowering : public OpConversionPattern<DropoutOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(DropoutOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    Location loc = op.getLoc();
    double rate = op.getRate().convertToDouble();
    if (rate == 0.0) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    auto type = cast<RankedTensorType>(op.getType());
    Type element = type.getElementType();
    Type i32 = rewriter.getI32Type();
    Value key = adaptor.getKey();
    auto keyAt = [&](int64_t i) -> Value {
      return rewriter.create<tensor::ExtractOp>(
          loc, key, ValueRange{indexConstant(rewriter, loc, i)});
    };
    Value seed = keyAt(0), step = keyAt(1);
    Value c32 =
        rewriter.create<arith::ConstantOp>(loc, rewriter.getI64IntegerAttr(32));
    auto low = [&](OpBuilder &b, Value v) -> Value {
      return b.create<arith::TruncIOp>(loc, i32, v);
    };
    auto high = [&](OpBuilder &b, Value v) -> Value {
      return b.create<arith::TruncIOp>(loc, i32,
                                       b.create<arith::ShRUIOp>(loc, v, c32));
    };
    // Round r uses key + r * (kWeyl0, kWeyl1), wrapping.
    SmallVector<Value> key0 = {low(rewriter, seed)},
                       key1 = {high(rewriter, seed)};
    for (int r = 1; r < 10; ++r) {
      key0.push_back(rewriter.create<arith::AddIOp>(
          loc, key0.back(), i32Constant(rewriter, loc, kWeyl0)));
      key1.push_back(rewriter.create<arith::AddIOp>(
          loc, key1.back(), i32Constant(rewriter, loc, kWeyl1)));
    }
    Value stepLow = low(rewriter, step);
    uint32_t stream = static_cast<uint32_t>(op.getStream());
    double keepScale = 1.0 / (1.0 - rate);

    Value result = buildElementwise(
        rewriter, loc, type, adaptor.getInput(),
        [&](OpBuilder &b, Location nl, ValueRange args) -> Value {
          Value index = flatIterationIndex(b, nl, type.getShape());
          Value two = b.create<arith::ConstantOp>(nl, b.getI64IntegerAttr(2));
          Value three = b.create<arith::ConstantOp>(nl, b.getI64IntegerAttr(3));
          Value block = b.create<arith::ShRUIOp>(nl, index, two);
          Value lane = b.create<arith::AndIOp>(nl, index, three);
          Value c[4] = {low(b, block), high(b, block),
                        i32Constant(b, nl, stream), stepLow};
          Value mul0 = i32Constant(b, nl, kMul0),
                mul1 = i32Constant(b, nl, kMul1);
          for (int r = 0; r < 10; ++r) {
            auto p0 = b.create<arith::MulUIExtendedOp>(nl, mul0, c[0]);
            auto p1 = b.create<arith::MulUIExtendedOp>(nl, mul1, c[2]);
            Value n0 = b.create<arith::XOrIOp>(
                nl, b.create<arith::XOrIOp>(nl, p1.getHigh(), c[1]), key0[r]);
            Value n2 = b.create<arith::XOrIOp>(
                nl, b.create<arith::XOrIOp>(nl, p0.getHigh(), c[3]), key1[r]);
            c[0] = n0;
            c[1] = p1.getLow();
            c[2] = n2;
            c[3] = p0.getLow();
          }
          // bits = c[lane]
          Value bits = c[3];
          for (int l = 2; l >= 0; --l) {
            Value isLane = b.create<arith::CmpIOp>(
                nl, arith::CmpIPredicate::eq, lane,
                b.create<arith::ConstantOp>(nl, b.getI64IntegerAttr(l)));
            bits = b.create<arith::SelectOp>(nl, isLane, c[l], bits);
          }
          Value top24 =
              b.create<arith::ShRUIOp>(nl, bits, i32Constant(b, nl, 8));
          Type f64 = b.getF64Type();
          Value u = b.create<arith::UIToFPOp>(nl, f64, top24);
          u = b.create<arith::MulFOp>(
              nl, u, scalarConstant(b, nl, f64, 1.0 / 16777216.0));
          Value keep =
              b.create<arith::CmpFOp>(nl, arith::CmpFPredicate::OGE, u,
                                      scalarConstant(b, nl, f64, rate));
          Value x = toCompute(b, nl, args[0]);
          if (!x.getType().isF64())
            x = b.create<arith::ExtFOp>(nl, f64, x);
          Value scaled = b.create<arith::MulFOp>(
              nl, x, scalarConstant(b, nl, f64, keepScale));
          Value y = b.create<arith::SelectOp>(nl, keep, scaled,
                                              scalarConstant(b, nl, f64, 0));
          if (element.isF64())
            return y;
          y = b.create<arith::TruncFOp>(nl, b.getF32Type(), y);
          return fromCompute(b, nl, y, element);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::cpu::populateLowerNNPatterns(RewritePatternSet &patterns,
                                              const LoweringOptions &) {
  patterns.add<AttentionLowering, DropoutLowering>(patterns.getContext());
}
