//===- BuildEvalStep.cpp - The evaluation step as IR ----------------------===//
//
// Part of Loom. --loom-build-eval-step: @eval_step, the loss and the model's
// output with dropout off, from @loss and @forward. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/Passes.h"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMBUILDEVALSTEP
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// The argument of `fn` with `loom.input = role`, or null.
BlockArgument inputArg(func::FuncOp fn, StringRef role) {
  for (BlockArgument arg : fn.getArguments())
    if (auto r =
            fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), "loom.input");
        r && r.getValue() == role)
      return arg;
  return nullptr;
}

struct BuildEvalStepPass
    : mlir::loom::impl::LoomBuildEvalStepBase<BuildEvalStepPass> {
  using LoomBuildEvalStepBase::LoomBuildEvalStepBase;

  void runOnOperation() override {
    FailureOr<func::FuncOp> eval = build(getOperation());
    if (failed(eval))
      return signalPassFailure();
    // The loss and the output share the forward pass: run it once.
    OpPassManager pm(func::FuncOp::getOperationName());
    pm.addPass(createCSEPass());
    if (failed(runPipeline(pm, *eval)))
      signalPassFailure();
  }

  FailureOr<func::FuncOp> build(ModuleOp module) {
    auto loss = module.lookupSymbol<func::FuncOp>("loss");
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!loss || !forward)
      return module.emitError("--loom-build-eval-step needs @loss and "
                              "@forward (lower a train block first)");
    if (module.lookupSymbol("eval_step"))
      return module.emitError("the module already has @eval_step");
    BlockArgument lossX = inputArg(loss, "x");
    unsigned numParams = forward.getNumArguments() - 1;
    if (!lossX || forward.getNumArguments() == 0 ||
        loss.getNumArguments() < numParams ||
        forward.getFunctionType().getNumResults() != 1 ||
        lossX.getType() != forward.getArgument(numParams).getType())
      return loss.emitError("@forward must take @loss's parameters and its "
                            "input x, and return one value");
    for (unsigned i = 0; i < numParams; ++i)
      if (loss.getArgAttr(i, "loom.param") !=
              forward.getArgAttr(i, "loom.param") ||
          !loss.getArgAttr(i, "loom.param") ||
          loss.getArgument(i).getType() != forward.getArgument(i).getType())
        return forward.emitError("argument ")
               << i << " of @forward is not parameter " << i << " of @loss";

    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(loss);
    auto eval = cast<func::FuncOp>(b.clone(*loss));
    eval.setSymName("eval_step");
    Block &body = eval.getBody().front();

    // Dropout is the identity at inference.
    SmallVector<DropoutOp> dropouts;
    eval.walk([&](DropoutOp op) { dropouts.push_back(op); });
    for (DropoutOp op : dropouts) {
      op.getResult().replaceAllUsesWith(op.getInput());
      op.erase();
    }

    // The model's output, from @forward's body on the same arguments.
    auto lossRet = cast<func::ReturnOp>(body.getTerminator());
    IRMapping map;
    Block &fwd = forward.getBody().front();
    for (unsigned i = 0; i < numParams; ++i)
      map.map(fwd.getArgument(i), body.getArgument(i));
    map.map(fwd.getArgument(numParams), body.getArgument(lossX.getArgNumber()));
    b.setInsertionPoint(lossRet);
    for (Operation &op : fwd.without_terminator())
      b.clone(op, map);
    Value output = map.lookup(fwd.getTerminator()->getOperand(0));
    SmallVector<Value> results = {lossRet.getOperand(0), output};
    b.create<func::ReturnOp>(lossRet.getLoc(), results);
    lossRet.erase();

    // The random key feeds dropout only.
    if (BlockArgument rng = inputArg(eval, "rng"); rng && rng.use_empty())
      eval.eraseArgument(rng.getArgNumber());
    eval.setType(b.getFunctionType(body.getArgumentTypes(),
                                   ValueRange(results).getTypes()));
    return eval;
  }
};

} // namespace
