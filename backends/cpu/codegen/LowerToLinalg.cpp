//===- LowerToLinalg.cpp - The --loom-lower-to-linalg pass ----------------===//
//
// Part of Loom. This file implements the pass that lowers loom ops to
// linalg/tensor/arith/math/scf on tensors with the dialect conversion
// framework: every loom op is illegal (the collectives too, unless
// keep-collectives), each family's patterns convert their ops one by one,
// and an op that no pattern converts is an error at the op.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"
#include "backends/cpu/codegen/Patterns.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMLOWERTOLINALG
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;
using namespace mlir::loom;
using namespace mlir::loom::cpu;

namespace {

/// Collectives are run by the runtime (MPI/NCCL), never generated.
bool isCollective(Operation *op) {
  return isa<AllReduceOp, AllGatherOp, ReduceScatterOp>(op);
}

struct LoomLowerToLinalgPass
    : public cpu::impl::LoomLowerToLinalgBase<LoomLowerToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    Operation *root = getOperation();
    MLIRContext *ctx = &getContext();

    if (!keepCollectives) {
      bool found = false;
      root->walk([&](Operation *op) {
        if (!isCollective(op))
          return;
        op->emitOpError("is a collective, which the runtime runs: it has no "
                        "linalg lowering (keep-collectives leaves it in "
                        "place)");
        found = true;
      });
      if (found)
        return signalPassFailure();
    }

    ConversionTarget target(*ctx);
    target.addIllegalDialect<LoomDialect>();
    if (keepCollectives)
      target.addLegalOp<AllReduceOp, AllGatherOp, ReduceScatterOp>();
    target.addLegalDialect<arith::ArithDialect, cf::ControlFlowDialect,
                           linalg::LinalgDialect, math::MathDialect,
                           scf::SCFDialect, tensor::TensorDialect>();
    // Whatever holds the ops (functions, fusion groups) stays as it is.
    target.markUnknownOpDynamicallyLegal([](Operation *) { return true; });

    LoweringOptions options;
    options.checkIndices = checkIndices;
    RewritePatternSet patterns(ctx);
    populateLowerElementwisePatterns(patterns, options);
    populateLowerShapePatterns(patterns, options);
    populateLowerIndexingPatterns(patterns, options);
    populateLowerReducePatterns(patterns, options);
    populateLowerContractPatterns(patterns, options);
    populateLowerPoolPatterns(patterns, options);
    populateLowerNNPatterns(patterns, options);
    if (failed(applyPartialConversion(root, target, std::move(patterns))))
      signalPassFailure();
  }
};

} // namespace
