//===- Epilogue.cpp - Contraction epilogue groups -------------------------===//
//
// Part of Loom. This file implements the contraction-epilogue rule of
// --loom-fuse: a contraction that accepts post-ops (loom.matmul) takes the
// elementwise consumers that follow it, one by one, while each
//
//   - is the one reader of the value before it (a value another op reads,
//     such as the pre-activation that GELU's backward keeps, ends the chain:
//     a post-op's input is never stored);
//   - has a post-op (FusionOpInterface::getPostOp), the result's shape and
//     f32 elements;
//   - if binary, reads the value before it as its lhs (either side when
//     commutative) and, as its other operand, a value with storage (not a
//     constant) that is the result's shape, a row broadcast along every dim
//     but the last ([N], [1, N], a bias), or one element.
//
// The contraction and its chain become one `loom.fusion_group contraction`
// at the chain's last member, which the CPU backend runs as one oneDNN
// matmul with post-ops. Decisions come from the ops' FusionOpInterface.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Epilogue.h"
#include "passes/fusion/Fusion.h"

#include "ir/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringSet.h"

#define DEBUG_TYPE "loom-fuse"

using namespace mlir;
using namespace mlir::loom;

namespace {

bool isF32Tensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && t.getElementType().isF32();
}

/// Whether `op` starts a contraction group: a side-effect-free contraction
/// that accepts post-ops, of f32 tensors with storage.
bool isHead(Operation *op) {
  auto iface = dyn_cast<FusionOpInterface>(op);
  if (!iface || iface.getFusionKind() != FusionKind::contraction ||
      !iface.acceptsPostOps() || op->getNumResults() != 1 ||
      op->getNumRegions() != 0 || !isMemoryEffectFree(op) ||
      !isF32Tensor(op->getResult(0)))
    return false;
  return llvm::all_of(op->getOperands(), [](Value v) {
    return isF32Tensor(v) && !isConstantChain(v);
  });
}

/// Whether `other` may be the operand of a binary post-op applied to a
/// value of shape `domain`: the same shape, a row broadcast along every dim
/// but the last, or one element.
bool isPostOpOperand(Value other, ArrayRef<int64_t> domain) {
  auto t = dyn_cast<RankedTensorType>(other.getType());
  if (!t || !t.getElementType().isF32() || isConstantChain(other) ||
      t.getRank() > static_cast<int64_t>(domain.size()))
    return false;
  ArrayRef<int64_t> s = t.getShape();
  if (s == domain || t.getNumElements() == 1)
    return true;
  return !s.empty() && s.back() == domain.back() &&
         llvm::all_of(s.drop_back(), [](int64_t d) { return d == 1; });
}

/// The member that extends a chain ending in `cur`, or null.
Operation *nextMember(Value cur) {
  if (!cur.hasOneUse())
    return nullptr;
  Operation *op = *cur.user_begin();
  auto iface = dyn_cast<FusionOpInterface>(op);
  if (!iface || iface.getFusionKind() != FusionKind::elementwise ||
      iface.getPostOp().empty() || op->getBlock() != cur.getParentBlock() ||
      op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      !isMemoryEffectFree(op) || op->getResult(0).getType() != cur.getType())
    return nullptr;
  if (op->getNumOperands() == 1)
    return op;
  if (op->getNumOperands() != 2)
    return nullptr;
  Value lhs = op->getOperand(0), rhs = op->getOperand(1);
  if (rhs == cur && !op->hasTrait<OpTrait::IsCommutative>())
    return nullptr;
  Value other = lhs == cur ? rhs : lhs;
  if (!isPostOpOperand(other, cast<RankedTensorType>(cur.getType()).getShape()))
    return nullptr;
  return op;
}

void materialize(ArrayRef<Operation *> members) {
  SmallVector<Value> inputs;
  SmallVector<Location> locs;
  llvm::StringSet<> seen;
  for (Operation *m : members) {
    // Each location once as it prints (as Fuse.cpp's groups do).
    std::string text;
    llvm::raw_string_ostream os(text);
    m->getLoc().print(os);
    if (seen.insert(os.str()).second)
      locs.push_back(m->getLoc());
    for (Value v : m->getOperands())
      if (!llvm::is_contained(members, v.getDefiningOp()) &&
          !llvm::is_contained(inputs, v))
        inputs.push_back(v);
  }
  Operation *last = members.back();
  Value result = last->getResult(0);
  MLIRContext *ctx = last->getContext();
  OpBuilder b(last);
  // Named "contraction_group": a kernel is named by its contraction (the
  // first member, the Linear that holds the weights), not its last member.
  Location loc =
      FusedLoc::get(ctx, locs, StringAttr::get(ctx, "contraction_group"));
  auto group = b.create<FusionGroupOp>(loc, TypeRange{result.getType()},
                                       FusionKind::contraction, inputs);
  Block *body = b.createBlock(&group.getBody());
  IRMapping map;
  for (Value v : inputs)
    map.map(v, body->addArgument(v.getType(), v.getLoc()));
  OpBuilder inner = OpBuilder::atBlockBegin(body);
  for (Operation *m : members)
    inner.clone(*m, map);
  inner.create<YieldOp>(last->getLoc(), ValueRange{map.lookup(result)});
  result.replaceAllUsesWith(group.getResult(0));
  for (Operation *m : llvm::reverse(members))
    m->erase();
}

} // namespace

void mlir::loom::formContractionGroups(Block &block) {
  SmallVector<Operation *> heads;
  for (Operation &op : block.without_terminator())
    if (isHead(&op))
      heads.push_back(&op);
  for (Operation *head : heads) {
    SmallVector<Operation *> members = {head};
    while (Operation *next = nextMember(members.back()->getResult(0)))
      members.push_back(next);
    if (members.size() >= 2)
      materialize(members);
  }
}
