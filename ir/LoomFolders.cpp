//===- LoomFolders.cpp - Folders of the loom ops --------------------------===//
//
// Part of Loom. This file implements the folders that are obviously right,
// which --canonicalize applies:
//
//   neg(neg(x))              -> x
//   x + 0, 0 + x, x - 0      -> x        (when the result type is x's)
//   x * 1, 1 * x, x / 1      -> x        (likewise)
//   cast(x : T to T)         -> x
//   broadcast(x : T to T)    -> x;  broadcast(splat c) -> splat c
//   broadcast(broadcast(x))  -> broadcast(x)
//   reshape(x : T to T)      -> x;  reshape(splat c)   -> splat c
//   reshape(reshape(x))      -> reshape(x)
//   transpose(x, identity)   -> x
//   transpose(transpose(x))  -> transpose(x, composed perm)
//   slice of the whole input -> x
//   concat of one input      -> x
//
// Float `x + 0` folds for either sign of zero, as XLA's simplifier does: the
// only difference is the sign of a zero result (-0 + +0 = +0), which no
// training computation observes. Sections follow LoomOps.td.
//
//===----------------------------------------------------------------------===//

#include "ir/LoomOps.h"

#include "mlir/IR/Matchers.h"

using namespace mlir;
using namespace mlir::loom;

/// Whether `attr` is a splat tensor whose every element equals `value`
/// (either sign of zero counts as zero).
static bool isSplatOf(Attribute attr, int64_t value) {
  auto splat = dyn_cast_or_null<SplatElementsAttr>(attr);
  if (!splat)
    return false;
  Type elementType = splat.getElementType();
  if (isa<FloatType>(elementType)) {
    APFloat v = splat.getSplatValue<APFloat>();
    if (value == 0)
      return v.isZero();
    bool lost = false;
    APFloat expected(static_cast<double>(value));
    expected.convert(v.getSemantics(), APFloat::rmNearestTiesToEven, &lost);
    return v.compare(expected) == APFloat::cmpEqual;
  }
  if (isa<IntegerType>(elementType))
    return splat.getSplatValue<APInt>().getSExtValue() == value;
  return false;
}

/// Folds a binary op to `keep` when `other` is the splat identity `unit` and
/// the result type equals `keep`'s (so no broadcast is lost).
static OpFoldResult foldIdentityOperand(Operation *op, Value keep,
                                        Attribute other, int64_t unit) {
  if (isSplatOf(other, unit) && keep.getType() == op->getResult(0).getType())
    return keep;
  return {};
}

//===----------------------------------------------------------------------===//
// loom.neg
//===----------------------------------------------------------------------===//

OpFoldResult NegOp::fold(FoldAdaptor) {
  if (auto inner = getOperand().getDefiningOp<NegOp>())
    return inner.getOperand();
  return {};
}

//===----------------------------------------------------------------------===//
// loom.add, loom.sub, loom.mul, loom.div
//===----------------------------------------------------------------------===//

OpFoldResult AddOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r =
          foldIdentityOperand(*this, getLhs(), adaptor.getRhs(), 0))
    return r;
  return foldIdentityOperand(*this, getRhs(), adaptor.getLhs(), 0);
}

OpFoldResult SubOp::fold(FoldAdaptor adaptor) {
  return foldIdentityOperand(*this, getLhs(), adaptor.getRhs(), 0);
}

OpFoldResult MulOp::fold(FoldAdaptor adaptor) {
  if (OpFoldResult r =
          foldIdentityOperand(*this, getLhs(), adaptor.getRhs(), 1))
    return r;
  return foldIdentityOperand(*this, getRhs(), adaptor.getLhs(), 1);
}

OpFoldResult DivOp::fold(FoldAdaptor adaptor) {
  return foldIdentityOperand(*this, getLhs(), adaptor.getRhs(), 1);
}

//===----------------------------------------------------------------------===//
// loom.cast
//===----------------------------------------------------------------------===//

OpFoldResult CastOp::fold(FoldAdaptor) {
  if (getInput().getType() == getType())
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// loom.broadcast
//===----------------------------------------------------------------------===//

OpFoldResult BroadcastOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  // Broadcasting is transitive: x -> y -> z is x -> z.
  if (auto inner = getInput().getDefiningOp<BroadcastOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// loom.reshape
//===----------------------------------------------------------------------===//

OpFoldResult ReshapeOp::fold(FoldAdaptor adaptor) {
  if (getInput().getType() == getType())
    return getInput();
  if (auto splat = dyn_cast_or_null<SplatElementsAttr>(adaptor.getInput()))
    return SplatElementsAttr::get(getType(), splat.getSplatValue<Attribute>());
  if (auto inner = getInput().getDefiningOp<ReshapeOp>()) {
    getInputMutable().assign(inner.getInput());
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// loom.transpose
//===----------------------------------------------------------------------===//

OpFoldResult TransposeOp::fold(FoldAdaptor) {
  ArrayRef<int64_t> perm = getPerm();
  bool identity = true;
  for (auto [i, p] : llvm::enumerate(perm))
    identity &= p == static_cast<int64_t>(i);
  if (identity)
    return getInput();
  // result[i] = inner[perm[i]] = x[innerPerm[perm[i]]].
  if (auto inner = getInput().getDefiningOp<TransposeOp>()) {
    ArrayRef<int64_t> innerPerm = inner.getPerm();
    SmallVector<int64_t> composed;
    for (int64_t p : perm)
      composed.push_back(innerPerm[p]);
    getInputMutable().assign(inner.getInput());
    setPerm(composed);
    return getResult();
  }
  return {};
}

//===----------------------------------------------------------------------===//
// loom.slice
//===----------------------------------------------------------------------===//

OpFoldResult SliceOp::fold(FoldAdaptor) {
  if (getInput().getType() != getType())
    return {};
  // Same shape: the slice is the whole input exactly when it starts at 0
  // with unit strides.
  if (llvm::all_of(getStart(), [](int64_t s) { return s == 0; }) &&
      llvm::all_of(getStride(), [](int64_t s) { return s == 1; }))
    return getInput();
  return {};
}

//===----------------------------------------------------------------------===//
// loom.concat
//===----------------------------------------------------------------------===//

OpFoldResult ConcatOp::fold(FoldAdaptor) {
  if (getInputs().size() == 1 && getInputs().front().getType() == getType())
    return getInputs().front();
  return {};
}

//===----------------------------------------------------------------------===//
// loom.constant
//===----------------------------------------------------------------------===//

OpFoldResult ConstantOp::fold(FoldAdaptor) { return getValueAttr(); }
