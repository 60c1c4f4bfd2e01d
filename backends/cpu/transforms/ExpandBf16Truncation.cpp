//===- ExpandBf16Truncation.cpp - The --loom-expand-bf16-truncation pass --===//
//
// Part of Loom. This file implements the rewrite of f32 -> bf16 truncations
// into integer arithmetic with arith's own expansion patterns, applied to
// those ops only (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMEXPANDBF16TRUNCATION
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

struct LoomExpandBf16TruncationPass
    : public loom::cpu::impl::LoomExpandBf16TruncationBase<
          LoomExpandBf16TruncationPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<Operation *> truncations;
    getOperation().walk([&](arith::TruncFOp op) {
      if (op.getType().isBF16())
        truncations.push_back(op);
    });
    if (truncations.empty())
      return markAllAnalysesPreserved();
    RewritePatternSet patterns(&getContext());
    arith::populateExpandBFloat16Patterns(patterns);
    if (failed(applyOpPatternsAndFold(truncations, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
