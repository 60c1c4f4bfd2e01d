//===- DecomposeAttention.cpp - The --loom-decompose-attention pass -------===//
//
// Part of Loom. This file implements the CPU backend's choice for the
// attention ops (see Passes.td): f32 attention goes to the flash kernels
// whole, as loom.attention_with_lse and loom.attention_backward; what they
// do not run is spelled out in the ops oneDNN runs, by ir/Decompose.h.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "ir/Decompose.h"
#include "ir/LoomOps.h"

#include "mlir/IR/Builders.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMDECOMPOSEATTENTION
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

bool isF32(Value v) {
  return cast<RankedTensorType>(v.getType()).getElementType().isF32();
}

bool allF32(ValueRange values) { return llvm::all_of(values, isF32); }

/// A constant has no bytes in the arena for a runtime kernel to read.
bool isConstant(Value v) {
  return static_cast<bool>(v.getDefiningOp<loom::ConstantOp>());
}

struct LoomDecomposeAttentionPass
    : public loom::cpu::impl::LoomDecomposeAttentionBase<
          LoomDecomposeAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    // The backward ops apart: the first loop erases some of them, which the
    // second must not look at.
    SmallVector<Operation *> backwards, ops;
    getOperation().walk([&](Operation *op) {
      if (isa<loom::AttentionBackwardOp>(op))
        backwards.push_back(op);
      else if (isa<loom::AttentionOp, loom::AttentionWithLseOp>(op))
        ops.push_back(op);
    });
    bool changed = false;
    // The backward ops first: spelled out, they no longer read the lse, and
    // an attention_with_lse that only the gradient used is then dead.
    for (Operation *op : backwards) {
      auto backward = cast<loom::AttentionBackwardOp>(op);
      if (keepForFlash(op))
        continue;
      OpBuilder b(op);
      SmallVector<Value, 3> grads =
          loom::decomposeAttentionBackward(b, backward);
      op->replaceAllUsesWith(grads);
      op->erase();
      changed = true;
    }
    for (Operation *op : ops) {
      if (keepForFlash(op))
        continue;
      if (auto attention = dyn_cast<loom::AttentionOp>(op)) {
        OpBuilder b(op);
        if (flash && allF32(op->getOperands()) &&
            llvm::none_of(op->getOperands(), isConstant)) {
          auto whole = b.create<loom::AttentionWithLseOp>(
              op->getLoc(), attention.getQuery(), attention.getKey(),
              attention.getValue(), attention.getCausalAttr(),
              attention.getScaleAttr());
          attention.getResult().replaceAllUsesWith(whole.getOutput());
        } else if (allF32(op->getOperands())) {
          attention.getResult().replaceAllUsesWith(
              loom::decomposeAttention(b, attention));
        } else {
          continue; // a generated kernel runs it whole
        }
        op->erase();
        changed = true;
        continue;
      }
      auto withLse = cast<loom::AttentionWithLseOp>(op);
      if (!op->use_empty()) {
        OpBuilder b(op);
        auto [out, lse] = loom::decomposeAttentionWithLse(
            b, withLse, !withLse.getLse().use_empty());
        withLse.getOutput().replaceAllUsesWith(out);
        if (lse)
          withLse.getLse().replaceAllUsesWith(lse);
      }
      op->erase();
      changed = true;
    }
    if (!changed)
      markAllAnalysesPreserved();
  }

  /// Whether the flash kernels run `op` (an attention_with_lse or an
  /// attention_backward): f32 operands and results, with `flash`.
  bool keepForFlash(Operation *op) const {
    return flash && !isa<loom::AttentionOp>(op) && allF32(op->getOperands()) &&
           allF32(op->getResults()) &&
           llvm::none_of(op->getOperands(), isConstant);
  }
};

} // namespace
