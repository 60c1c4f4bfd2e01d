//===- GradientHelpers.h - Building blocks of gradient rules ----*- C++ -*-===//
//
// Part of Loom. Small builders shared by the gradient rules in
// LoomGradients.cpp and LoomGradientsNN.cpp.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_GRADIENTHELPERS_H
#define LOOM_IR_GRADIENTHELPERS_H

#include "ir/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Sequence.h"

#include <cmath>

namespace mlir::loom::grad {

inline RankedTensorType tensorType(Value v) {
  return cast<RankedTensorType>(v.getType());
}

/// A rank-0 constant of `like`'s element type.
inline Value scalar(OpBuilder &b, Location loc, Value like, double value) {
  Type et = tensorType(like).getElementType();
  auto type = RankedTensorType::get({}, et);
  return b.create<ConstantOp>(
      loc, DenseElementsAttr::get(type, FloatAttr::get(et, value)));
}

/// A tensor of `type` filled with zeros.
inline Value zeros(OpBuilder &b, Location loc, RankedTensorType type) {
  Attribute zero = isa<FloatType>(type.getElementType())
                       ? Attribute(FloatAttr::get(type.getElementType(), 0.0))
                       : Attribute(IntegerAttr::get(type.getElementType(), 0));
  return b.create<ConstantOp>(loc, DenseElementsAttr::get(type, zero));
}

/// Sums `grad` (of a broadcast result's shape) back to `target`, the shape
/// of the operand that was broadcast: over the leading dims it lacks and the
/// dims where it has size 1.
inline Value sumToShape(OpBuilder &b, Location loc, Value grad,
                        RankedTensorType target) {
  RankedTensorType type = tensorType(grad);
  if (type.getShape() == target.getShape())
    return grad;
  int64_t offset = type.getRank() - target.getRank();
  SmallVector<int64_t> dims;
  for (int64_t d = 0; d < type.getRank(); ++d)
    if (d < offset ||
        (target.getDimSize(d - offset) == 1 && type.getDimSize(d) != 1))
      dims.push_back(d);
  Value summed = grad;
  if (!dims.empty())
    summed = b.create<ReduceOp>(loc, ReduceKind::sum, grad, dims, false);
  if (tensorType(summed).getShape() != target.getShape())
    summed = b.create<ReshapeOp>(
        loc, RankedTensorType::get(target.getShape(), type.getElementType()),
        summed);
  return summed;
}

/// `dy` times the local derivative `d`, both of the result's shape.
inline Value times(OpBuilder &b, Location loc, Value dy, Value d) {
  return b.create<MulOp>(loc, dy, d);
}

/// `mask ? v : 0`.
inline Value where(OpBuilder &b, Location loc, Value mask, Value v) {
  return b.create<SelectOp>(loc, mask, v, scalar(b, loc, v, 0.0));
}

/// The permutation swapping the last two of `rank` dims.
inline SmallVector<int64_t> swapLastTwo(int64_t rank) {
  SmallVector<int64_t> perm = llvm::to_vector(llvm::seq<int64_t>(0, rank));
  std::swap(perm[rank - 1], perm[rank - 2]);
  return perm;
}

} // namespace mlir::loom::grad

#endif // LOOM_IR_GRADIENTHELPERS_H
