//===- DecomposeAttention.cpp - The --loom-decompose-attention pass -------===//
//
// Part of Loom. This file implements the CPU backend's decomposition of f32
// `loom.attention` into the ops oneDNN runs (see Passes.td); the spelling
// is ir/Decompose.h's, which the gradient rule shares.
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

struct LoomDecomposeAttentionPass
    : public loom::cpu::impl::LoomDecomposeAttentionBase<
          LoomDecomposeAttentionPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<loom::AttentionOp> ops;
    getOperation().walk([&](loom::AttentionOp op) {
      if (isF32(op.getQuery()) && isF32(op.getKey()) && isF32(op.getValue()))
        ops.push_back(op);
    });
    for (loom::AttentionOp op : ops) {
      OpBuilder b(op);
      Value out = loom::decomposeAttention(b, op);
      op.getResult().replaceAllUsesWith(out);
      op.erase();
    }
    if (ops.empty())
      markAllAnalysesPreserved();
  }
};

} // namespace
