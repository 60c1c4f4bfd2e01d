//===- LoweringUtils.cpp - Helpers shared by the linalg lowerings ---------===//
//
// Part of Loom. This file implements the builders of LoweringUtils.h.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/codegen/LoweringUtils.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlowOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Utils/ReshapeOpsUtils.h"

#include <algorithm>
#include <limits>

using namespace mlir;
using namespace mlir::loom::cpu;

//===----------------------------------------------------------------------===//
// Element types and scalars
//===----------------------------------------------------------------------===//

static bool isHalfFloat(Type t) { return t.isBF16() || t.isF16(); }

Type mlir::loom::cpu::computeType(Type elementType) {
  if (isHalfFloat(elementType))
    return Float32Type::get(elementType.getContext());
  return elementType;
}

Value mlir::loom::cpu::toCompute(OpBuilder &b, Location loc, Value v) {
  if (!isHalfFloat(v.getType()))
    return v;
  return b.create<arith::ExtFOp>(loc, b.getF32Type(), v);
}

Value mlir::loom::cpu::fromCompute(OpBuilder &b, Location loc, Value v,
                                   Type elementType) {
  if (!isHalfFloat(elementType) || v.getType() == elementType)
    return v;
  return b.create<arith::TruncFOp>(loc, elementType, v);
}

Value mlir::loom::cpu::scalarConstant(OpBuilder &b, Location loc, Type type,
                                      double value) {
  if (isa<FloatType>(type))
    return b.create<arith::ConstantOp>(loc, b.getFloatAttr(type, value));
  if (type.isIndex())
    return b.create<arith::ConstantIndexOp>(loc, static_cast<int64_t>(value));
  if (type.isInteger(1))
    return b.create<arith::ConstantOp>(loc, b.getBoolAttr(value != 0));
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, static_cast<int64_t>(value)));
}

Value mlir::loom::cpu::indexConstant(OpBuilder &b, Location loc,
                                     int64_t value) {
  return b.create<arith::ConstantIndexOp>(loc, value);
}

Value mlir::loom::cpu::lowestValue(OpBuilder &b, Location loc, Type type) {
  if (isa<FloatType>(type))
    return scalarConstant(b, loc, type,
                          -std::numeric_limits<double>::infinity());
  unsigned width = type.getIntOrFloatBitWidth();
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, APInt::getSignedMinValue(width)));
}

Value mlir::loom::cpu::highestValue(OpBuilder &b, Location loc, Type type) {
  if (isa<FloatType>(type))
    return scalarConstant(b, loc, type,
                          std::numeric_limits<double>::infinity());
  unsigned width = type.getIntOrFloatBitWidth();
  return b.create<arith::ConstantOp>(
      loc, b.getIntegerAttr(type, APInt::getSignedMaxValue(width)));
}

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

RankedTensorType mlir::loom::cpu::withElementType(RankedTensorType type,
                                                  Type elementType) {
  return RankedTensorType::get(type.getShape(), elementType);
}

Value mlir::loom::cpu::emptyTensor(OpBuilder &b, Location loc,
                                   RankedTensorType type) {
  return b.create<tensor::EmptyOp>(loc, type.getShape(), type.getElementType());
}

Value mlir::loom::cpu::filledTensor(OpBuilder &b, Location loc,
                                    RankedTensorType type, Value value) {
  Value empty = emptyTensor(b, loc, type);
  return b.create<linalg::FillOp>(loc, ValueRange{value}, ValueRange{empty})
      .getResult(0);
}

Value mlir::loom::cpu::reshapeTensor(OpBuilder &b, Location loc, Value value,
                                     RankedTensorType type) {
  auto from = cast<RankedTensorType>(value.getType());
  if (from == type)
    return value;
  // Rank 0 holds one element: every dim of the other side is 1.
  if (type.getRank() == 0)
    return b.create<tensor::CollapseShapeOp>(loc, type, value,
                                             ArrayRef<ReassociationIndices>{});
  if (from.getRank() == 0)
    return b.create<tensor::ExpandShapeOp>(loc, type, value,
                                           ArrayRef<ReassociationIndices>{});
  if (from.getRank() != type.getRank()) {
    if (std::optional<SmallVector<ReassociationIndices>> groups =
            getReassociationIndicesForReshape(from, type)) {
      if (from.getRank() > type.getRank())
        return b.create<tensor::CollapseShapeOp>(loc, type, value, *groups);
      return b.create<tensor::ExpandShapeOp>(loc, type, value, *groups);
    }
  }
  // No single collapse or expand: go through rank 1.
  auto flat =
      RankedTensorType::get({from.getNumElements()}, from.getElementType());
  Value v = value;
  if (from.getRank() != 1) {
    ReassociationIndices all;
    for (int64_t i = 0; i < from.getRank(); ++i)
      all.push_back(i);
    v = b.create<tensor::CollapseShapeOp>(loc, flat, v,
                                          ArrayRef<ReassociationIndices>{all});
  }
  if (type.getRank() == 1)
    return v;
  ReassociationIndices all;
  for (int64_t i = 0; i < type.getRank(); ++i)
    all.push_back(i);
  return b.create<tensor::ExpandShapeOp>(loc, type, v,
                                         ArrayRef<ReassociationIndices>{all});
}

static SmallVector<OpFoldResult> indexAttrs(OpBuilder &b,
                                            ArrayRef<int64_t> values) {
  SmallVector<OpFoldResult> attrs;
  for (int64_t v : values)
    attrs.push_back(b.getIndexAttr(v));
  return attrs;
}

Value mlir::loom::cpu::insertStrided(OpBuilder &b, Location loc, Value source,
                                     Value dest, ArrayRef<int64_t> offsets,
                                     ArrayRef<int64_t> strides) {
  auto type = cast<RankedTensorType>(source.getType());
  return b.create<tensor::InsertSliceOp>(
      loc, source, dest, indexAttrs(b, offsets), indexAttrs(b, type.getShape()),
      indexAttrs(b, strides));
}

Value mlir::loom::cpu::padTensor(OpBuilder &b, Location loc, Value value,
                                 ArrayRef<int64_t> low, ArrayRef<int64_t> high,
                                 double padValue) {
  auto type = cast<RankedTensorType>(value.getType());
  if (llvm::all_of(low, [](int64_t p) { return p == 0; }) &&
      llvm::all_of(high, [](int64_t p) { return p == 0; }))
    return value;
  SmallVector<int64_t> shape(type.getShape());
  for (size_t d = 0; d < shape.size(); ++d)
    shape[d] += low[d] + high[d];
  Type element = type.getElementType();
  Value padded = filledTensor(b, loc, RankedTensorType::get(shape, element),
                              scalarConstant(b, loc, element, padValue));
  SmallVector<int64_t> ones(shape.size(), 1);
  return insertStrided(b, loc, value, padded, low, ones);
}

Value mlir::loom::cpu::convertFloatTensor(OpBuilder &b, Location loc,
                                          Value value, Type elementType) {
  auto type = cast<RankedTensorType>(value.getType());
  Type from = type.getElementType();
  if (from == elementType)
    return value;
  return buildElementwise(
      b, loc, withElementType(type, elementType), value,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value x = args[0];
        unsigned fromWidth = from.getIntOrFloatBitWidth();
        unsigned toWidth = elementType.getIntOrFloatBitWidth();
        if (fromWidth == toWidth) { // bf16 <-> f16, exactly through f32
          x = nb.create<arith::ExtFOp>(nl, nb.getF32Type(), x);
          return nb.create<arith::TruncFOp>(nl, elementType, x);
        }
        if (fromWidth < toWidth)
          return nb.create<arith::ExtFOp>(nl, elementType, x);
        return nb.create<arith::TruncFOp>(nl, elementType, x);
      });
}

Value mlir::loom::cpu::tensorToCompute(OpBuilder &b, Location loc,
                                       Value value) {
  Type element = cast<RankedTensorType>(value.getType()).getElementType();
  return convertFloatTensor(b, loc, value, computeType(element));
}

//===----------------------------------------------------------------------===//
// Indexing maps and linalg.generic
//===----------------------------------------------------------------------===//

AffineMap mlir::loom::cpu::broadcastMap(ArrayRef<int64_t> operandShape,
                                        ArrayRef<int64_t> resultShape,
                                        MLIRContext *ctx) {
  int64_t lead = static_cast<int64_t>(resultShape.size() - operandShape.size());
  SmallVector<AffineExpr> exprs;
  for (auto [i, size] : llvm::enumerate(operandShape)) {
    int64_t d = lead + static_cast<int64_t>(i);
    if (size == 1 && resultShape[d] != 1)
      exprs.push_back(getAffineConstantExpr(0, ctx));
    else
      exprs.push_back(getAffineDimExpr(d, ctx));
  }
  return AffineMap::get(resultShape.size(), 0, exprs, ctx);
}

AffineMap mlir::loom::cpu::dropDimsMap(int64_t rank, ArrayRef<int64_t> dims,
                                       MLIRContext *ctx) {
  SmallVector<AffineExpr> exprs;
  for (int64_t d = 0; d < rank; ++d)
    if (!llvm::is_contained(dims, d))
      exprs.push_back(getAffineDimExpr(d, ctx));
  return AffineMap::get(rank, 0, exprs, ctx);
}

SmallVector<int64_t> mlir::loom::cpu::dropDims(ArrayRef<int64_t> shape,
                                               ArrayRef<int64_t> dims) {
  SmallVector<int64_t> kept;
  for (auto [d, size] : llvm::enumerate(shape))
    if (!llvm::is_contained(dims, static_cast<int64_t>(d)))
      kept.push_back(size);
  return kept;
}

Value mlir::loom::cpu::buildGeneric(OpBuilder &b, Location loc, Value init,
                                    ValueRange inputs,
                                    ArrayRef<AffineMap> inputMaps,
                                    AffineMap outputMap,
                                    ArrayRef<utils::IteratorType> iterators,
                                    BodyFn body) {
  SmallVector<AffineMap> maps(inputMaps.begin(), inputMaps.end());
  maps.push_back(outputMap);
  auto generic = b.create<linalg::GenericOp>(
      loc, TypeRange{init.getType()}, inputs, ValueRange{init}, maps, iterators,
      [&](OpBuilder &nb, Location nl, ValueRange args) {
        nb.create<linalg::YieldOp>(nl, body(nb, nl, args));
      });
  return generic.getResult(0);
}

Value mlir::loom::cpu::buildElementwise(OpBuilder &b, Location loc,
                                        RankedTensorType resultType,
                                        ValueRange inputs, BodyFn body) {
  MLIRContext *ctx = b.getContext();
  SmallVector<AffineMap> maps;
  for (Value in : inputs)
    maps.push_back(broadcastMap(cast<RankedTensorType>(in.getType()).getShape(),
                                resultType.getShape(), ctx));
  SmallVector<utils::IteratorType> iterators(resultType.getRank(),
                                             utils::IteratorType::parallel);
  return buildGeneric(
      b, loc, emptyTensor(b, loc, resultType), inputs, maps,
      AffineMap::getMultiDimIdentityMap(resultType.getRank(), ctx), iterators,
      body);
}

Value mlir::loom::cpu::buildReduction(OpBuilder &b, Location loc,
                                      ArrayRef<int64_t> loopShape,
                                      ArrayRef<int64_t> dims, ValueRange inputs,
                                      ArrayRef<AffineMap> inputMaps, Value init,
                                      BodyFn combine) {
  int64_t rank = static_cast<int64_t>(loopShape.size());
  auto outType =
      RankedTensorType::get(dropDims(loopShape, dims), init.getType());
  SmallVector<utils::IteratorType> iterators;
  for (int64_t d = 0; d < rank; ++d)
    iterators.push_back(llvm::is_contained(dims, d)
                            ? utils::IteratorType::reduction
                            : utils::IteratorType::parallel);
  return buildGeneric(b, loc, filledTensor(b, loc, outType, init), inputs,
                      inputMaps, dropDimsMap(rank, dims, b.getContext()),
                      iterators, combine);
}

//===----------------------------------------------------------------------===//
// Softmax pieces
//===----------------------------------------------------------------------===//

Value mlir::loom::cpu::maxOver(OpBuilder &b, Location loc, Value x,
                               ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(x.getType());
  Type ct = computeType(type.getElementType());
  return buildReduction(
      b, loc, type.getShape(), dims, x,
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext()),
      lowestValue(b, loc, ct), [](OpBuilder &nb, Location nl, ValueRange args) {
        return nb.create<arith::MaximumFOp>(nl, toCompute(nb, nl, args[0]),
                                            args[1]);
      });
}

Value mlir::loom::cpu::sumExpOver(OpBuilder &b, Location loc, Value x, Value m,
                                  ArrayRef<int64_t> dims) {
  auto type = cast<RankedTensorType>(x.getType());
  MLIRContext *ctx = b.getContext();
  Type ct = computeType(type.getElementType());
  AffineMap id = AffineMap::getMultiDimIdentityMap(type.getRank(), ctx);
  AffineMap rows = dropDimsMap(type.getRank(), dims, ctx);
  return buildReduction(
      b, loc, type.getShape(), dims, ValueRange{x, m}, {id, rows},
      scalarConstant(b, loc, ct, 0),
      [](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value shifted =
            nb.create<arith::SubFOp>(nl, toCompute(nb, nl, args[0]), args[1]);
        Value e = nb.create<math::ExpOp>(nl, shifted);
        return nb.create<arith::AddFOp>(nl, args[2], e);
      });
}

//===----------------------------------------------------------------------===//
// Windows
//===----------------------------------------------------------------------===//

static int64_t floorDiv(int64_t a, int64_t b) {
  return a / b - ((a % b != 0) && ((a < 0) != (b < 0)));
}
static int64_t ceilDiv(int64_t a, int64_t b) { return -floorDiv(-a, b); }

Value mlir::loom::cpu::spreadForAdjoint(OpBuilder &b, Location loc, Value grad,
                                        Value fill, const WindowGeometry &g) {
  auto type = cast<RankedTensorType>(grad.getType());
  SmallVector<int64_t> zShape = {type.getDimSize(0), type.getDimSize(1), 0, 0};
  SmallVector<int64_t> first(4, 0), count(type.getShape()), at(4, 0),
      strides = {1, 1, g.stride[0], g.stride[1]};
  for (int s = 0; s < 2; ++s) {
    int64_t reach = g.dilation[s] * (g.window[s] - 1);
    int64_t outSize = type.getDimSize(2 + s);
    zShape[2 + s] = g.input[s] + reach;
    // Output rows oy with 0 <= oy*stride - pad + reach <= input - 1 + reach.
    int64_t lo = std::max<int64_t>(0, ceilDiv(g.pad[s] - reach, g.stride[s]));
    int64_t hi = std::min<int64_t>(
        outSize - 1, floorDiv(g.input[s] - 1 + g.pad[s], g.stride[s]));
    first[2 + s] = lo;
    count[2 + s] = std::max<int64_t>(0, hi - lo + 1);
    at[2 + s] = lo * g.stride[s] - g.pad[s] + reach;
  }
  Value z = filledTensor(
      b, loc, RankedTensorType::get(zShape, type.getElementType()), fill);
  if (count[2] == 0 || count[3] == 0 || count[0] == 0 || count[1] == 0)
    return z;
  SmallVector<OpFoldResult> offsets, sizes, ones;
  for (int d = 0; d < 4; ++d) {
    offsets.push_back(b.getIndexAttr(first[d]));
    sizes.push_back(b.getIndexAttr(count[d]));
    ones.push_back(b.getIndexAttr(1));
  }
  Value rows = grad;
  if (ArrayRef<int64_t>(count) != type.getShape())
    rows = b.create<tensor::ExtractSliceOp>(loc, grad, offsets, sizes, ones);
  return insertStrided(b, loc, rows, z, at, strides);
}

//===----------------------------------------------------------------------===//
// Indices
//===----------------------------------------------------------------------===//

Value mlir::loom::cpu::flatIterationIndex(OpBuilder &b, Location loc,
                                          ArrayRef<int64_t> shape) {
  if (shape.empty())
    return scalarConstant(b, loc, b.getI64Type(), 0);
  Value flat = b.create<linalg::IndexOp>(loc, 0);
  for (size_t d = 1; d < shape.size(); ++d) {
    flat = b.create<arith::MulIOp>(loc, flat, indexConstant(b, loc, shape[d]));
    flat =
        b.create<arith::AddIOp>(loc, flat, b.create<linalg::IndexOp>(loc, d));
  }
  return b.create<arith::IndexCastUIOp>(loc, b.getI64Type(), flat);
}

Value mlir::loom::cpu::clampedIndex(OpBuilder &b, Location loc, Value v,
                                    int64_t bound) {
  Value i = b.create<arith::IndexCastOp>(loc, b.getIndexType(), v);
  i = b.create<arith::MaxSIOp>(loc, i, indexConstant(b, loc, 0));
  return b.create<arith::MinSIOp>(
      loc, i, indexConstant(b, loc, std::max<int64_t>(bound - 1, 0)));
}

void mlir::loom::cpu::emitIndexCheck(OpBuilder &b, Location loc, Value indices,
                                     int64_t bound, StringRef message) {
  auto type = cast<RankedTensorType>(indices.getType());
  Type element = type.getElementType();
  SmallVector<int64_t> all;
  for (int64_t d = 0; d < type.getRank(); ++d)
    all.push_back(d);
  Value init = scalarConstant(b, loc, b.getI1Type(), 1);
  Value ok = buildReduction(
      b, loc, type.getShape(), all, indices,
      AffineMap::getMultiDimIdentityMap(type.getRank(), b.getContext()), init,
      [&](OpBuilder &nb, Location nl, ValueRange args) -> Value {
        Value x = args[0];
        Value geZero =
            nb.create<arith::CmpIOp>(nl, arith::CmpIPredicate::sge, x,
                                     scalarConstant(nb, nl, element, 0));
        Value ltBound = nb.create<arith::CmpIOp>(
            nl, arith::CmpIPredicate::slt, x,
            scalarConstant(nb, nl, element, static_cast<double>(bound)));
        Value inRange = nb.create<arith::AndIOp>(nl, geZero, ltBound);
        return nb.create<arith::AndIOp>(nl, args[1], inRange);
      });
  Value flag = b.create<tensor::ExtractOp>(loc, ok, ValueRange{});
  b.create<cf::AssertOp>(loc, flag, message);
}
