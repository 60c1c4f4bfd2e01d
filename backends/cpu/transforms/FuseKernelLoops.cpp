//===- FuseKernelLoops.cpp - The --loom-fuse-kernel-loops pass ------------===//
//
// Part of Loom. This file implements the fusion of a generated kernel's
// linalg.generic ops into one loop nest where nothing is recomputed (see
// Passes.td), and the check that an elementwise group's kernel is one nest.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Transforms/Transforms.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMFUSEKERNELLOOPS
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

/// Fuses into a linalg.generic the producer of one of its inputs that it
/// reads at the same index. Unlike upstream's pattern, the producer's other
/// readers take the fused op's copy of its value, so that the producer goes.
struct FuseProducer : public OpRewritePattern<linalg::GenericOp> {
  using OpRewritePattern::OpRewritePattern;

  LogicalResult matchAndRewrite(linalg::GenericOp consumer,
                                PatternRewriter &rewriter) const override {
    for (OpOperand *operand : consumer.getDpsInputOperands()) {
      auto producer = operand->get().getDefiningOp<linalg::GenericOp>();
      if (!producer || !linalg::areElementwiseOpsFusable(operand) ||
          !consumer.getMatchingIndexingMap(operand).isPermutation())
        continue;
      // The fused op stands where the consumer does: every other reader of
      // the producer must come after it.
      if (llvm::any_of(producer->getUsers(), [&](Operation *user) {
            return user != consumer &&
                   (user->getBlock() != consumer->getBlock() ||
                    user->isBeforeInBlock(consumer));
          }))
        continue;
      FailureOr<linalg::ElementwiseOpFusionResult> fused =
          linalg::fuseElementwiseOps(rewriter, operand);
      if (failed(fused))
        continue;
      // The fused op may still read the producer (an operand it takes
      // twice): that use stays.
      Operation *fusedOp = fused->fusedOp;
      for (auto [original, replacement] : fused->replacements)
        rewriter.replaceUsesWithIf(original, replacement, [&](OpOperand &use) {
          return use.getOwner() != fusedOp;
        });
      rewriter.eraseOp(consumer);
      if (producer->use_empty())
        rewriter.eraseOp(producer);
      return success();
    }
    return failure();
  }
};

struct LoomFuseKernelLoopsPass
    : public loom::cpu::impl::LoomFuseKernelLoopsBase<LoomFuseKernelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    RewritePatternSet patterns(&getContext());
    patterns.add<FuseProducer>(&getContext());
    // Among them: an input read twice becomes one (x * x).
    linalg::GenericOp::getCanonicalizationPatterns(patterns, &getContext());
    // A producer of no inputs (an iota) keeps its result in the fused op,
    // which nothing reads: the fused op drops it rather than write it.
    linalg::populateEraseUnusedOperandsAndResultsPatterns(patterns);
    if (failed(applyPatternsAndFoldGreedily(fn, std::move(patterns))))
      return signalPassFailure();

    auto kind = fn->getAttrOfType<StringAttr>("loom.fusion_group");
    if (!kind ||
        (kind.getValue() != "elementwise" && kind.getValue() != "multi_tensor"))
      return;
    // A multi_tensor group's kernel is one nest per member.
    int64_t most = 1;
    if (kind.getValue() == "multi_tensor") {
      auto members = fn->getAttrOfType<IntegerAttr>("loom.fusion_members");
      most = members ? members.getInt() : 0;
    }
    // Nests over constants alone (a scalar computed from literals) read no
    // input, so they cannot see an input overwritten.
    unsigned nests = 0;
    fn.walk([&](linalg::LinalgOp op) {
      if (llvm::any_of(op->getOperands(),
                       [](Value v) { return isa<BlockArgument>(v); }))
        ++nests;
    });
    if (nests > most) {
      fn.emitError("internal error: the kernel of an ")
          << kind.getValue() << " fusion group is " << nests
          << " loop nests that read its inputs, not " << most;
      return signalPassFailure();
    }
  }
};

} // namespace
