//===- MarkParallelLoops.cpp - The --loom-mark-parallel-loops pass --------===//
//
// Part of Loom. This file implements the marking of innermost parallel
// loops with a call that the object emitter turns into LLVM's
// parallel-access loop metadata (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/SymbolTable.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMMARKPARALLELLOOPS
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

/// Whether `loop`'s body holds another loop.
bool holdsLoop(scf::ParallelOp loop) {
  bool found = false;
  loop.getBody()->walk([&](Operation *op) {
    if (isa<scf::ForOp, scf::ParallelOp, scf::WhileOp>(op))
      found = true;
  });
  return found;
}

struct LoomMarkParallelLoopsPass
    : public loom::cpu::impl::LoomMarkParallelLoopsBase<
          LoomMarkParallelLoopsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SmallVector<scf::ParallelOp> innermost;
    module.walk([&](scf::ParallelOp loop) {
      if (loop.getNumResults() == 0 && !holdsLoop(loop))
        innermost.push_back(loop);
    });
    if (innermost.empty())
      return;

    MLIRContext *ctx = &getContext();
    auto type = FunctionType::get(ctx, {}, {});
    auto marker =
        module.lookupSymbol<func::FuncOp>(loom::cpu::kParallelLoopMarker);
    if (!marker) {
      OpBuilder b = OpBuilder::atBlockEnd(module.getBody());
      marker = b.create<func::FuncOp>(module.getLoc(),
                                      loom::cpu::kParallelLoopMarker, type);
      marker.setPrivate();
    } else if (!marker.isDeclaration() || marker.getFunctionType() != type) {
      module.emitError() << "'" << loom::cpu::kParallelLoopMarker
                         << "' is taken by another function";
      return signalPassFailure();
    }
    for (scf::ParallelOp loop : innermost) {
      OpBuilder b = OpBuilder::atBlockBegin(loop.getBody());
      b.create<func::CallOp>(loop.getLoc(), marker);
    }
  }
};

} // namespace
