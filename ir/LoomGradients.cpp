//===- LoomGradients.cpp - Gradient rules of the loom ops -----------------===//
//
// Part of Loom. Every differentiable op's vector-Jacobian product, written in
// loom ops, one short section per op in LoomOps.td order (tinygrad's "all
// rules at a glance"). Each rule reads the adjoint `dy` of its result and
// fills one adjoint per operand (null where an operand has none: indices,
// labels, conditions, RNG keys). Broadcasting operands get their adjoint
// summed back to their own shape (sumToShape).
//
// Ops without a rule (the collectives; pool2d_backward, as training needs no
// second order through pooling; compare, constant and iota take no
// differentiable input) are reported by --loom-autodiff at the op.
//
//===----------------------------------------------------------------------===//

#include "ir/GradientHelpers.h"

#include "llvm/ADT/STLExtras.h"

#include <cmath>

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::grad;

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

// d(-x) = -dy
LogicalResult NegOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  grads.push_back(b.create<NegOp>(getLoc(), dys[0]));
  return success();
}

// d|x| = dy * sign(x)
LogicalResult AbsOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  grads.push_back(
      times(b, getLoc(), dys[0], b.create<SignOp>(getLoc(), getOperand())));
  return success();
}

// d sign(x) = 0 (almost everywhere)
LogicalResult SignOp::buildGradient(OpBuilder &b, ValueRange dys,
                                    SmallVectorImpl<Value> &grads) {
  grads.push_back(zeros(b, getLoc(), getType()));
  return success();
}

// d e^x = dy * e^x
LogicalResult ExpOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  grads.push_back(times(b, getLoc(), dys[0], getResult()));
  return success();
}

// d ln x = dy / x
LogicalResult LogOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  grads.push_back(b.create<DivOp>(getLoc(), dys[0], getOperand()));
  return success();
}

// d sqrt(x) = dy * 0.5 / sqrt(x)
LogicalResult SqrtOp::buildGradient(OpBuilder &b, ValueRange dys,
                                    SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value half = b.create<MulOp>(loc, dys[0], scalar(b, loc, dys[0], 0.5));
  grads.push_back(b.create<DivOp>(loc, half, getResult()));
  return success();
}

// d x^-1/2 = dy * -0.5 * y^3
LogicalResult RsqrtOp::buildGradient(OpBuilder &b, ValueRange dys,
                                     SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value y3 = b.create<MulOp>(loc, b.create<MulOp>(loc, y, y), y);
  Value d = b.create<MulOp>(loc, y3, scalar(b, loc, y, -0.5));
  grads.push_back(times(b, loc, dys[0], d));
  return success();
}

// d tanh(x) = dy * (1 - y^2)
LogicalResult TanhOp::buildGradient(OpBuilder &b, ValueRange dys,
                                    SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value d =
      b.create<SubOp>(loc, scalar(b, loc, y, 1.0), b.create<MulOp>(loc, y, y));
  grads.push_back(times(b, loc, dys[0], d));
  return success();
}

// d cos(x) = -dy * sin(x)
LogicalResult CosOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value s = b.create<SinOp>(loc, getOperand());
  grads.push_back(b.create<NegOp>(loc, times(b, loc, dys[0], s)));
  return success();
}

// d sin(x) = dy * cos(x)
LogicalResult SinOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  grads.push_back(times(b, loc, dys[0], b.create<CosOp>(loc, getOperand())));
  return success();
}

// d sigmoid(x) = dy * y * (1 - y)
LogicalResult SigmoidOp::buildGradient(OpBuilder &b, ValueRange dys,
                                       SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value d =
      b.create<MulOp>(loc, y, b.create<SubOp>(loc, scalar(b, loc, y, 1.0), y));
  grads.push_back(times(b, loc, dys[0], d));
  return success();
}

// d relu(x) = x > 0 ? dy : 0 = y > 0 ? dy : 0
// Read from the result y (as PyTorch's threshold_backward does): the input
// need not be kept for the backward, so a matmul's epilogue can end in the
// ReLU (passes/fusion/Epilogue.cpp).
LogicalResult ReluOp::buildGradient(OpBuilder &b, ValueRange dys,
                                    SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value y = getResult();
  Value positive =
      b.create<CompareOp>(loc, ComparePredicate::gt, y, scalar(b, loc, y, 0.0));
  grads.push_back(where(b, loc, positive, dys[0]));
  return success();
}

// d erf(x) = dy * 2/sqrt(pi) * e^(-x^2)
LogicalResult ErfOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value x = getOperand();
  Value e =
      b.create<ExpOp>(loc, b.create<NegOp>(loc, b.create<MulOp>(loc, x, x)));
  Value d = b.create<MulOp>(loc, e, scalar(b, loc, x, 2.0 / std::sqrt(M_PI)));
  grads.push_back(times(b, loc, dys[0], d));
  return success();
}

// exact:  d gelu(x) = Phi(x) + x * phi(x)
// tanh:   d = 0.5 (1 + t) + 0.5 x (1 - t^2) sqrt(2/pi) (1 + 3 * 0.044715 x^2),
//         t = tanh(sqrt(2/pi) (x + 0.044715 x^3))
LogicalResult GeluOp::buildGradient(OpBuilder &b, ValueRange dys,
                                    SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value x = getOperand();
  auto c = [&](double v) { return scalar(b, loc, x, v); };
  Value x2 = b.create<MulOp>(loc, x, x);
  Value d;
  if (!getApproximate()) {
    Value cdf = b.create<MulOp>(
        loc, c(0.5),
        b.create<AddOp>(
            loc, c(1.0),
            b.create<ErfOp>(loc, b.create<MulOp>(loc, x, c(M_SQRT1_2)))));
    Value pdf = b.create<MulOp>(
        loc, c(1.0 / std::sqrt(2.0 * M_PI)),
        b.create<ExpOp>(loc, b.create<MulOp>(loc, x2, c(-0.5))));
    d = b.create<AddOp>(loc, cdf, b.create<MulOp>(loc, x, pdf));
  } else {
    const double k = std::sqrt(2.0 / M_PI), a = 0.044715;
    Value inner = b.create<MulOp>(
        loc, c(k),
        b.create<AddOp>(
            loc, x, b.create<MulOp>(loc, c(a), b.create<MulOp>(loc, x2, x))));
    Value t = b.create<TanhOp>(loc, inner);
    Value left = b.create<MulOp>(loc, c(0.5), b.create<AddOp>(loc, c(1.0), t));
    Value sech2 = b.create<SubOp>(loc, c(1.0), b.create<MulOp>(loc, t, t));
    Value dinner = b.create<MulOp>(
        loc, c(k),
        b.create<AddOp>(loc, c(1.0), b.create<MulOp>(loc, c(3 * a), x2)));
    Value right = b.create<MulOp>(loc, b.create<MulOp>(loc, c(0.5), x),
                                  b.create<MulOp>(loc, sech2, dinner));
    d = b.create<AddOp>(loc, left, right);
  }
  grads.push_back(times(b, loc, dys[0], d));
  return success();
}

//===----------------------------------------------------------------------===//
// Elementwise binary (operands broadcast: adjoints are summed back)
//===----------------------------------------------------------------------===//

// d(a + b) = (dy, dy)
LogicalResult AddOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  grads.push_back(sumToShape(b, loc, dys[0], getLhs().getType()));
  grads.push_back(sumToShape(b, loc, dys[0], getRhs().getType()));
  return success();
}

// d(a - b) = (dy, -dy)
LogicalResult SubOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  grads.push_back(sumToShape(b, loc, dys[0], getLhs().getType()));
  grads.push_back(
      sumToShape(b, loc, b.create<NegOp>(loc, dys[0]), getRhs().getType()));
  return success();
}

// d(a * b) = (dy * b, dy * a)
LogicalResult MulOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  grads.push_back(sumToShape(b, loc, b.create<MulOp>(loc, dys[0], getRhs()),
                             getLhs().getType()));
  grads.push_back(sumToShape(b, loc, b.create<MulOp>(loc, dys[0], getLhs()),
                             getRhs().getType()));
  return success();
}

// d(a / b) = (dy / b, -dy * a / b^2)
LogicalResult DivOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value da = b.create<DivOp>(loc, dys[0], getRhs());
  Value db = b.create<NegOp>(
      loc, b.create<DivOp>(loc, b.create<MulOp>(loc, da, getLhs()), getRhs()));
  grads.push_back(sumToShape(b, loc, da, getLhs().getType()));
  grads.push_back(sumToShape(b, loc, db, getRhs().getType()));
  return success();
}

/// max/min: the adjoint goes to the operand that was chosen (ties: lhs).
static void chooseGradient(OpBuilder &b, Location loc, ComparePredicate pred,
                           Value lhs, Value rhs, Value dy,
                           SmallVectorImpl<Value> &grads) {
  Value pickLhs = b.create<CompareOp>(loc, pred, lhs, rhs);
  Value zero = scalar(b, loc, dy, 0.0);
  grads.push_back(sumToShape(b, loc, b.create<SelectOp>(loc, pickLhs, dy, zero),
                             tensorType(lhs)));
  grads.push_back(sumToShape(b, loc, b.create<SelectOp>(loc, pickLhs, zero, dy),
                             tensorType(rhs)));
}

// d max(a, b) = (a >= b ? dy : 0, a >= b ? 0 : dy)
LogicalResult MaxOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  chooseGradient(b, getLoc(), ComparePredicate::ge, getLhs(), getRhs(), dys[0],
                 grads);
  return success();
}

// d min(a, b) = (a <= b ? dy : 0, a <= b ? 0 : dy)
LogicalResult MinOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  chooseGradient(b, getLoc(), ComparePredicate::le, getLhs(), getRhs(), dys[0],
                 grads);
  return success();
}

// d a^b = (dy * b * a^(b-1), dy * a^b * ln a)
LogicalResult PowOp::buildGradient(OpBuilder &b, ValueRange dys,
                                   SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value a = getLhs(), e = getRhs();
  Value em1 = b.create<SubOp>(loc, e, scalar(b, loc, e, 1.0));
  Value da = b.create<MulOp>(
      loc, dys[0], b.create<MulOp>(loc, e, b.create<PowOp>(loc, a, em1)));
  Value db = b.create<MulOp>(
      loc, dys[0], b.create<MulOp>(loc, getResult(), b.create<LogOp>(loc, a)));
  grads.push_back(sumToShape(b, loc, da, tensorType(a)));
  grads.push_back(sumToShape(b, loc, db, tensorType(e)));
  return success();
}

//===----------------------------------------------------------------------===//
// Select, cast
//===----------------------------------------------------------------------===//

// d select(c, a, b) = (none, c ? dy : 0, c ? 0 : dy)
LogicalResult SelectOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value zero = scalar(b, loc, dys[0], 0.0);
  grads.push_back(nullptr);
  grads.push_back(
      sumToShape(b, loc, b.create<SelectOp>(loc, getCondition(), dys[0], zero),
                 getOnTrue().getType()));
  grads.push_back(
      sumToShape(b, loc, b.create<SelectOp>(loc, getCondition(), zero, dys[0]),
                 getOnFalse().getType()));
  return success();
}

// d cast(x) = cast(dy) back to x's type (nothing flows into integers)
LogicalResult CastOp::buildGradient(OpBuilder &b, ValueRange dys,
                                    SmallVectorImpl<Value> &grads) {
  if (!isa<FloatType>(getInput().getType().getElementType()) ||
      !isa<FloatType>(getType().getElementType())) {
    grads.push_back(nullptr);
    return success();
  }
  grads.push_back(b.create<CastOp>(getLoc(), getInput().getType(), dys[0]));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

// d broadcast(x) = dy summed back to x's shape
LogicalResult BroadcastOp::buildGradient(OpBuilder &b, ValueRange dys,
                                         SmallVectorImpl<Value> &grads) {
  grads.push_back(sumToShape(b, getLoc(), dys[0], getInput().getType()));
  return success();
}

// d reshape(x) = reshape(dy) to x's shape
LogicalResult ReshapeOp::buildGradient(OpBuilder &b, ValueRange dys,
                                       SmallVectorImpl<Value> &grads) {
  grads.push_back(b.create<ReshapeOp>(getLoc(), getInput().getType(), dys[0]));
  return success();
}

// d transpose(x, p) = transpose(dy, p^-1)
LogicalResult TransposeOp::buildGradient(OpBuilder &b, ValueRange dys,
                                         SmallVectorImpl<Value> &grads) {
  ArrayRef<int64_t> perm = getPerm();
  SmallVector<int64_t> inverse(perm.size());
  for (auto [i, p] : llvm::enumerate(perm))
    inverse[p] = i;
  grads.push_back(b.create<TransposeOp>(getLoc(), dys[0], inverse));
  return success();
}

// d slice(x) = dy spread back to x's positions, zeros elsewhere
LogicalResult SliceOp::buildGradient(OpBuilder &b, ValueRange dys,
                                     SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  RankedTensorType input = getInput().getType();
  Type et = input.getElementType();
  Value g = dys[0];
  auto zeroBlock = [&](int64_t d, int64_t size) {
    SmallVector<int64_t> shape(tensorType(g).getShape());
    shape[d] = size;
    return zeros(b, loc, RankedTensorType::get(shape, et));
  };
  // One dimension at a time: spread a strided dimension out by interleaving
  // s-1 zeros after each element ([n] -> [n,1] ++ [n,s-1] -> [n*s], dropping
  // the trailing s-1), then pad it back to the input's extent by
  // concatenating zero blocks before and after.
  for (int64_t d = 0; d < input.getRank(); ++d) {
    int64_t s = getStride()[d], n = tensorType(g).getDimSize(d);
    if (s != 1 && n > 1) {
      SmallVector<int64_t> shape(tensorType(g).getShape());
      shape.insert(shape.begin() + d + 1, 1);
      g = b.create<ReshapeOp>(loc, RankedTensorType::get(shape, et), g);
      shape[d + 1] = s - 1;
      g = b.create<ConcatOp>(
          loc, ValueRange{g, zeros(b, loc, RankedTensorType::get(shape, et))},
          d + 1);
      shape.erase(shape.begin() + d + 1);
      shape[d] = n * s;
      g = b.create<ReshapeOp>(loc, RankedTensorType::get(shape, et), g);
      SmallVector<int64_t> start(shape.size(), 0), limit(shape),
          stride(shape.size(), 1);
      limit[d] = (n - 1) * s + 1;
      g = b.create<SliceOp>(loc, g, start, limit, stride);
    }
    int64_t extent = n == 0 ? 0 : (n - 1) * s + 1;
    int64_t before = n == 0 ? 0 : getStart()[d];
    int64_t after = input.getDimSize(d) - before - extent;
    if (before == 0 && after == 0)
      continue;
    SmallVector<Value> parts;
    if (before)
      parts.push_back(zeroBlock(d, before));
    parts.push_back(g);
    if (after)
      parts.push_back(zeroBlock(d, after));
    g = b.create<ConcatOp>(loc, parts, d);
  }
  grads.push_back(g);
  return success();
}

// d concat(x0, x1, ...) = the matching slices of dy
LogicalResult ConcatOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  int64_t dim = getDim(), offset = 0;
  RankedTensorType type = getType();
  for (Value input : getInputs()) {
    SmallVector<int64_t> start(type.getRank(), 0), limit(type.getShape()),
        stride(type.getRank(), 1);
    start[dim] = offset;
    offset += tensorType(input).getDimSize(dim);
    limit[dim] = offset;
    grads.push_back(b.create<SliceOp>(loc, dys[0], start, limit, stride));
  }
  return success();
}

// d gather(t, i) = (scatter_add(zeros(t), i, dy), none)
LogicalResult GatherOp::buildGradient(OpBuilder &b, ValueRange dys,
                                      SmallVectorImpl<Value> &grads) {
  Location loc = getLoc();
  Value zero = zeros(b, loc, getTable().getType());
  grads.push_back(
      b.create<ScatterAddOp>(loc, zero, getIndices(), dys[0], getAxis()));
  grads.push_back(nullptr);
  return success();
}

// d scatter_add(d, i, u) = (dy, none, gather(dy, i))
LogicalResult ScatterAddOp::buildGradient(OpBuilder &b, ValueRange dys,
                                          SmallVectorImpl<Value> &grads) {
  grads.push_back(dys[0]);
  grads.push_back(nullptr);
  grads.push_back(
      b.create<GatherOp>(getLoc(), dys[0], getIndices(), getAxis()));
  return success();
}
