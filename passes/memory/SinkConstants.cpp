//===- SinkConstants.cpp - The --loom-sink-constants pass -----------------===//
//
// Part of Loom. This file implements the move of each constant to just
// before its first user, which keeps canonicalization's hoisted constants
// from being live over the whole step in the memory plan (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMSINKCONSTANTS
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;

namespace {

struct LoomSinkConstantsPass
    : public loom::impl::LoomSinkConstantsBase<LoomSinkConstantsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isDeclaration())
      return markAllAnalysesPreserved();
    Block &body = fn.getBody().front();
    SmallVector<Operation *> constants;
    for (Operation &op : body)
      if (op.hasTrait<OpTrait::ConstantLike>())
        constants.push_back(&op);
    for (Operation *c : constants) {
      // The first user in the block (a user nested in a region counts at
      // the op of this block that holds it).
      Operation *first = nullptr;
      for (Operation *user : c->getUsers()) {
        Operation *at = body.findAncestorOpInBlock(*user);
        if (at && (!first || at->isBeforeInBlock(first)))
          first = at;
      }
      if (first && first != c->getNextNode())
        c->moveBefore(first);
    }
  }
};

} // namespace
