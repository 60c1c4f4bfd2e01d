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
// and one canonicalization pattern, gradient accumulation in place:
//
//   add(g, scatter_add(splat 0, i, u)) -> scatter_add(g, i, u)
//
// A parameter used twice, such as GPT-2's tied embedding (a gather and the
// output head), gets the sum of two gradients; the gather's starts from
// zeros. Scattering into the other gradient instead needs neither the zeros
// nor the sum: with the memory plan writing the scatter's result over `g`
// (MemoryPlan.h's canOverwriteOperand), the 147 MiB gradient is one buffer,
// not three. It applies when the scatter has no other use (else the scatter
// would run twice) and `g` has the sum's type (no broadcast). The sum is
// reassociated, g + (0 + u1 + u2) becoming (g + u1) + u2: the same
// rounding class as XLA's and PyTorch's gradient accumulation.
//
// Float `x + 0` folds for either sign of zero, as XLA's simplifier does: the
// only difference is the sign of a zero result (-0 + +0 = +0), which no
// training computation observes. Sections follow LoomOps.td.
//
//===----------------------------------------------------------------------===//

#include "ir/LoomOps.h"

#include "mlir/IR/Matchers.h"
#include "mlir/IR/PatternMatch.h"

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

namespace {
// add(g, scatter_add(splat 0, i, u)) -> scatter_add(g, i, u), either order
// of the add's operands (see the file comment).
struct AccumulateIntoScatterAdd : public OpRewritePattern<AddOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(AddOp op,
                                PatternRewriter &rewriter) const override {
    for (auto [g, other] : {std::pair(op.getLhs(), op.getRhs()),
                            std::pair(op.getRhs(), op.getLhs())}) {
      auto scatter = other.getDefiningOp<ScatterAddOp>();
      if (!scatter || !scatter->hasOneUse() || g.getType() != op.getType() ||
          scatter.getType() != op.getType())
        continue;
      Attribute dest;
      if (!matchPattern(scatter.getDest(), m_Constant(&dest)) ||
          !isSplatOf(dest, 0))
        continue;
      // The scatter's location first: an index out of range is reported
      // at the gather the scatter is the gradient of.
      Location loc = rewriter.getFusedLoc({scatter.getLoc(), op.getLoc()});
      rewriter.replaceOp(op, rewriter.create<ScatterAddOp>(
                                 loc, g, scatter.getIndices(),
                                 scatter.getUpdates(), scatter.getAxis()));
      return success();
    }
    return rewriter.notifyMatchFailure(
        op, "no operand is a scatter_add into zeros, used once, that the "
            "other operand can start from");
  }
};
} // namespace

void AddOp::getCanonicalizationPatterns(RewritePatternSet &patterns,
                                        MLIRContext *ctx) {
  patterns.add<AccumulateIntoScatterAdd>(ctx);
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
