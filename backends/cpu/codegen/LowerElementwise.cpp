//===- LowerElementwise.cpp - Elementwise loom ops to linalg --------------===//
//
// Part of Loom. This file implements the lowering of the elementwise ops
// (unary, binary, compare, select, cast) to one linalg.generic each, whose
// indexing maps do NumPy broadcasting (no broadcast is materialized). The
// scalar bodies follow backends/reference/KernelsElementwise.cpp: NaN
// propagation of max/min/relu (arith.maximumf is IEEE 754-2019 maximum, as
// the reference), sign of NaN and zeros, integer division by zero giving 0,
// saturating float-to-integer casts, both GELU forms. bf16/f16 operands are
// extended to f32 and the result rounded once.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Math/IR/Math.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

bool isFloat(Value v) { return isa<FloatType>(v.getType()); }

Value constantLike(OpBuilder &b, Location loc, Value like, double value) {
  return scalarConstant(b, loc, like.getType(), value);
}

//===----------------------------------------------------------------------===//
// Scalar bodies, one per op, on compute-type values
//===----------------------------------------------------------------------===//

// -x; integers as 0 - x (wrapping).
Value scalar(NegOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return b.create<arith::NegFOp>(loc, a[0]);
  return b.create<arith::SubIOp>(loc, constantLike(b, loc, a[0], 0), a[0]);
}

Value scalar(AbsOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return b.create<math::AbsFOp>(loc, a[0]);
  return b.create<math::AbsIOp>(loc, a[0]);
}

// 1 if x > 0, -1 if x < 0, +0 for either zero, NaN for NaN.
Value scalar(SignOp, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0];
  Value zero = constantLike(b, loc, x, 0), one = constantLike(b, loc, x, 1);
  Value minusOne = constantLike(b, loc, x, -1);
  if (!isFloat(x)) {
    Value neg =
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::slt, x, zero);
    Value pos =
        b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::sgt, x, zero);
    Value r = b.create<arith::SelectOp>(loc, neg, minusOne, zero);
    return b.create<arith::SelectOp>(loc, pos, one, r);
  }
  Value neg = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OLT, x, zero);
  Value pos = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::OGT, x, zero);
  Value nan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, x, x);
  Value r = b.create<arith::SelectOp>(loc, neg, minusOne, zero);
  r = b.create<arith::SelectOp>(loc, pos, one, r);
  return b.create<arith::SelectOp>(loc, nan, x, r);
}

Value scalar(ExpOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::ExpOp>(loc, a[0]);
}
Value scalar(LogOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::LogOp>(loc, a[0]);
}
Value scalar(SqrtOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::SqrtOp>(loc, a[0]);
}
// 1 / sqrt(x), as the reference (math.rsqrt lowers to exactly that).
Value scalar(RsqrtOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::RsqrtOp>(loc, a[0]);
}
Value scalar(TanhOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::TanhOp>(loc, a[0]);
}
Value scalar(CosOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::CosOp>(loc, a[0]);
}
Value scalar(SinOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::SinOp>(loc, a[0]);
}

// 1 / (1 + e^-x): e^-x overflows to inf for very negative x, giving 0.
Value scalar(SigmoidOp, OpBuilder &b, Location loc, ValueRange a) {
  Value one = constantLike(b, loc, a[0], 1);
  Value e = b.create<math::ExpOp>(loc, b.create<arith::NegFOp>(loc, a[0]));
  return b.create<arith::DivFOp>(loc, one,
                                 b.create<arith::AddFOp>(loc, one, e));
}

// max(x, 0): NaN stays NaN and -0 gives +0 (IEEE maximum).
Value scalar(ReluOp, OpBuilder &b, Location loc, ValueRange a) {
  Value zero = constantLike(b, loc, a[0], 0);
  if (isFloat(a[0]))
    return b.create<arith::MaximumFOp>(loc, a[0], zero);
  return b.create<arith::MaxSIOp>(loc, a[0], zero);
}

Value scalar(ErfOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::ErfOp>(loc, a[0]);
}

// Exact: 0.5 x (1 + erf(x / sqrt(2))); approximate (GPT-2):
// 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
Value scalar(GeluOp op, OpBuilder &b, Location loc, ValueRange a) {
  const double kPi = 3.14159265358979323846;
  Value x = a[0];
  Value half = constantLike(b, loc, x, 0.5), one = constantLike(b, loc, x, 1);
  Value inner;
  if (op.getApproximate()) {
    Value x3 =
        b.create<arith::MulFOp>(loc, b.create<arith::MulFOp>(loc, x, x), x);
    Value poly = b.create<arith::AddFOp>(
        loc, x,
        b.create<arith::MulFOp>(loc, constantLike(b, loc, x, 0.044715), x3));
    Value arg = b.create<arith::MulFOp>(
        loc, constantLike(b, loc, x, std::sqrt(2.0 / kPi)), poly);
    inner = b.create<math::TanhOp>(loc, arg);
  } else {
    Value arg = b.create<arith::DivFOp>(
        loc, x, constantLike(b, loc, x, std::sqrt(2.0)));
    inner = b.create<math::ErfOp>(loc, arg);
  }
  Value hx = b.create<arith::MulFOp>(loc, half, x);
  return b.create<arith::MulFOp>(loc, hx,
                                 b.create<arith::AddFOp>(loc, one, inner));
}

Value scalar(AddOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return b.create<arith::AddFOp>(loc, a[0], a[1]);
  return b.create<arith::AddIOp>(loc, a[0], a[1]);
}
Value scalar(SubOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return b.create<arith::SubFOp>(loc, a[0], a[1]);
  return b.create<arith::SubIOp>(loc, a[0], a[1]);
}
Value scalar(MulOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return b.create<arith::MulFOp>(loc, a[0], a[1]);
  return b.create<arith::MulIOp>(loc, a[0], a[1]);
}

// Integers round toward zero; x / 0 gives 0 and MIN / -1 wraps to MIN, so
// the divisor reaching arith.divsi is never 0 or -1 (both undefined there).
Value scalar(DivOp, OpBuilder &b, Location loc, ValueRange a) {
  Value x = a[0], y = a[1];
  if (isFloat(x))
    return b.create<arith::DivFOp>(loc, x, y);
  Value zero = constantLike(b, loc, x, 0), one = constantLike(b, loc, x, 1);
  Value minusOne = constantLike(b, loc, x, -1);
  Value byZero =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, zero);
  Value byMinusOne =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::eq, y, minusOne);
  Value unsafe = b.create<arith::OrIOp>(loc, byZero, byMinusOne);
  Value safe = b.create<arith::SelectOp>(loc, unsafe, one, y);
  Value q = b.create<arith::DivSIOp>(loc, x, safe);
  q = b.create<arith::SelectOp>(loc, byMinusOne,
                                b.create<arith::SubIOp>(loc, zero, x), q);
  return b.create<arith::SelectOp>(loc, byZero, zero, q);
}

Value scalar(MaxOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return b.create<arith::MaximumFOp>(loc, a[0], a[1]);
  return b.create<arith::MaxSIOp>(loc, a[0], a[1]);
}
Value scalar(MinOp, OpBuilder &b, Location loc, ValueRange a) {
  if (isFloat(a[0]))
    return b.create<arith::MinimumFOp>(loc, a[0], a[1]);
  return b.create<arith::MinSIOp>(loc, a[0], a[1]);
}
Value scalar(PowOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<math::PowFOp>(loc, a[0], a[1]);
}

// Floats compare ordered (false with NaN) except `ne` (true with NaN); i1
// compares unsigned (false < true), other integers signed.
Value scalar(CompareOp op, OpBuilder &b, Location loc, ValueRange a) {
  ComparePredicate p = op.getPredicate();
  if (isFloat(a[0])) {
    arith::CmpFPredicate f = arith::CmpFPredicate::OEQ;
    switch (p) {
    case ComparePredicate::eq:
      f = arith::CmpFPredicate::OEQ;
      break;
    case ComparePredicate::ne:
      f = arith::CmpFPredicate::UNE;
      break;
    case ComparePredicate::lt:
      f = arith::CmpFPredicate::OLT;
      break;
    case ComparePredicate::le:
      f = arith::CmpFPredicate::OLE;
      break;
    case ComparePredicate::gt:
      f = arith::CmpFPredicate::OGT;
      break;
    case ComparePredicate::ge:
      f = arith::CmpFPredicate::OGE;
      break;
    }
    return b.create<arith::CmpFOp>(loc, f, a[0], a[1]);
  }
  bool isBool = a[0].getType().isInteger(1);
  arith::CmpIPredicate i = arith::CmpIPredicate::eq;
  switch (p) {
  case ComparePredicate::eq:
    i = arith::CmpIPredicate::eq;
    break;
  case ComparePredicate::ne:
    i = arith::CmpIPredicate::ne;
    break;
  case ComparePredicate::lt:
    i = isBool ? arith::CmpIPredicate::ult : arith::CmpIPredicate::slt;
    break;
  case ComparePredicate::le:
    i = isBool ? arith::CmpIPredicate::ule : arith::CmpIPredicate::sle;
    break;
  case ComparePredicate::gt:
    i = isBool ? arith::CmpIPredicate::ugt : arith::CmpIPredicate::sgt;
    break;
  case ComparePredicate::ge:
    i = isBool ? arith::CmpIPredicate::uge : arith::CmpIPredicate::sge;
    break;
  }
  return b.create<arith::CmpIOp>(loc, i, a[0], a[1]);
}

Value scalar(SelectOp, OpBuilder &b, Location loc, ValueRange a) {
  return b.create<arith::SelectOp>(loc, a[0], a[1], a[2]);
}

/// loom.cast of one element from x's type to `to`: float <-> float rounds to
/// nearest even; float -> integer truncates toward zero and saturates (NaN
/// gives 0), done in f64, which holds every bound exactly; integer -> float
/// rounds to nearest (through f32 for bf16/f16); integers extend with sign
/// (i1 without) or keep their low bits; to i1 compares with zero.
Value castScalar(OpBuilder &b, Location loc, Value x, Type to) {
  Type from = x.getType();
  if (from == to)
    return x;
  bool fromFloat = isa<FloatType>(from), toFloat = isa<FloatType>(to);
  if (to.isInteger(1)) {
    if (fromFloat)
      return b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNE, x,
                                     constantLike(b, loc, x, 0));
    return b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, x,
                                   constantLike(b, loc, x, 0));
  }
  if (fromFloat && toFloat) {
    Value v = toCompute(b, loc, x); // bf16 <-> f16 goes through f32
    unsigned fromWidth = v.getType().getIntOrFloatBitWidth();
    unsigned toWidth = to.getIntOrFloatBitWidth();
    if (fromWidth == toWidth)
      return v;
    if (fromWidth < toWidth)
      return b.create<arith::ExtFOp>(loc, to, v);
    return b.create<arith::TruncFOp>(loc, to, v);
  }
  if (fromFloat) {
    Value v = toCompute(b, loc, x);
    if (!v.getType().isF64())
      v = b.create<arith::ExtFOp>(loc, b.getF64Type(), v);
    double lo = -2147483648.0, hi = 2147483647.0;
    if (to.isInteger(64)) {
      lo = -9223372036854775808.0;
      hi = std::nextafter(9223372036854775808.0, 0.0);
    }
    Value isNan = b.create<arith::CmpFOp>(loc, arith::CmpFPredicate::UNO, v, v);
    v = b.create<arith::SelectOp>(loc, isNan, constantLike(b, loc, v, 0), v);
    v = b.create<arith::MaximumFOp>(loc, v, constantLike(b, loc, v, lo));
    v = b.create<arith::MinimumFOp>(loc, v, constantLike(b, loc, v, hi));
    return b.create<arith::FPToSIOp>(loc, to, v);
  }
  if (toFloat) {
    Type direct = computeType(to);
    Value v = from.isInteger(1)
                  ? b.create<arith::UIToFPOp>(loc, direct, x).getResult()
                  : b.create<arith::SIToFPOp>(loc, direct, x).getResult();
    return fromCompute(b, loc, v, to);
  }
  unsigned fromWidth = from.getIntOrFloatBitWidth();
  unsigned toWidth = to.getIntOrFloatBitWidth();
  if (fromWidth > toWidth)
    return b.create<arith::TruncIOp>(loc, to, x);
  if (from.isInteger(1))
    return b.create<arith::ExtUIOp>(loc, to, x);
  return b.create<arith::ExtSIOp>(loc, to, x);
}

//===----------------------------------------------------------------------===//
// Patterns
//===----------------------------------------------------------------------===//

/// Any elementwise op: one broadcasting linalg.generic around scalar().
template <typename OpTy>
struct ElementwiseLowering : public OpConversionPattern<OpTy> {
  using OpConversionPattern<OpTy>::OpConversionPattern;

  LogicalResult
  matchAndRewrite(OpTy op, typename OpTy::Adaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    Type resultElement = resultType.getElementType();
    Value result = buildElementwise(
        rewriter, op.getLoc(), resultType, adaptor.getOperands(),
        [&](OpBuilder &b, Location loc, ValueRange args) {
          SmallVector<Value> in;
          for (Value a : args.drop_back())
            in.push_back(toCompute(b, loc, a));
          return fromCompute(b, loc, scalar(op, b, loc, in), resultElement);
        });
    rewriter.replaceOp(op, result);
    return success();
  }
};

// loom.cast: castScalar() elementwise; a cast to the same type is nothing.
struct CastLowering : public OpConversionPattern<CastOp> {
  using OpConversionPattern::OpConversionPattern;

  LogicalResult
  matchAndRewrite(CastOp op, OpAdaptor adaptor,
                  ConversionPatternRewriter &rewriter) const override {
    auto resultType = cast<RankedTensorType>(op.getType());
    if (adaptor.getInput().getType() == resultType) {
      rewriter.replaceOp(op, adaptor.getInput());
      return success();
    }
    Type to = resultType.getElementType();
    Value result =
        buildElementwise(rewriter, op.getLoc(), resultType, adaptor.getInput(),
                         [&](OpBuilder &b, Location loc, ValueRange args) {
                           return castScalar(b, loc, args[0], to);
                         });
    rewriter.replaceOp(op, result);
    return success();
  }
};

} // namespace

void mlir::loom::cpu::populateLowerElementwisePatterns(
    RewritePatternSet &patterns, const LoweringOptions &) {
  MLIRContext *ctx = patterns.getContext();
  patterns.add<ElementwiseLowering<NegOp>, ElementwiseLowering<AbsOp>,
               ElementwiseLowering<SignOp>, ElementwiseLowering<ExpOp>,
               ElementwiseLowering<LogOp>, ElementwiseLowering<SqrtOp>,
               ElementwiseLowering<RsqrtOp>, ElementwiseLowering<TanhOp>,
               ElementwiseLowering<CosOp>, ElementwiseLowering<SinOp>,
               ElementwiseLowering<SigmoidOp>, ElementwiseLowering<ReluOp>,
               ElementwiseLowering<ErfOp>, ElementwiseLowering<GeluOp>>(ctx);
  patterns.add<ElementwiseLowering<AddOp>, ElementwiseLowering<SubOp>,
               ElementwiseLowering<MulOp>, ElementwiseLowering<DivOp>,
               ElementwiseLowering<MaxOp>, ElementwiseLowering<MinOp>,
               ElementwiseLowering<PowOp>>(ctx);
  patterns.add<ElementwiseLowering<CompareOp>, ElementwiseLowering<SelectOp>,
               CastLowering>(ctx);
}
