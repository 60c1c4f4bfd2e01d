//===- BuildInputGradStep.cpp - The model's gradient w.r.t. its input -----===//
//
// Part of Loom. --loom-build-input-grad-step: @input_grad_step, the
// gradient of a selected part of @forward's output with respect to the
// model's input, for `loom explain`'s integrated gradients. See Passes.td.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/autodiff/Autodiff.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/Sequence.h"

#include <string>

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMBUILDINPUTGRADSTEP
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

constexpr StringLiteral kTarget = "input_grad_target";

struct BuildInputGradStepPass
    : mlir::loom::impl::LoomBuildInputGradStepBase<BuildInputGradStepPass> {
  using LoomBuildInputGradStepBase::LoomBuildInputGradStepBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string why;
    Operation *at = module;
    if (succeeded(build(module, why, at)))
      return;
    if (auto target = module.lookupSymbol(kTarget))
      target->erase();
    if (auto grad = module.lookupSymbol(std::string(kTarget) + "_grad"))
      grad->erase();
    if (optional) {
      at->emitRemark("no input-gradient program: ") << why;
      return;
    }
    at->emitError("cannot build an input-gradient program: ") << why;
    signalPassFailure();
  }

  LogicalResult build(ModuleOp module, std::string &why, Operation *&at) {
    auto forward = module.lookupSymbol<func::FuncOp>("forward");
    if (!forward) {
      why = "--loom-build-input-grad-step needs @forward (lower a train "
            "block first)";
      return failure();
    }
    at = forward;
    if (module.lookupSymbol("input_grad_step")) {
      why = "the module already has @input_grad_step";
      return failure();
    }
    FunctionType type = forward.getFunctionType();
    auto x = type.getNumInputs()
                 ? dyn_cast<RankedTensorType>(type.getInputs().back())
                 : nullptr;
    auto out = type.getNumResults() == 1
                   ? dyn_cast<RankedTensorType>(type.getResult(0))
                   : nullptr;
    if (!x || !isa<FloatType>(x.getElementType())) {
      why = "the model's input is not a floating-point tensor";
      return failure();
    }
    if (!out || !isa<FloatType>(out.getElementType())) {
      why = "the model's output is not one floating-point tensor";
      return failure();
    }

    // @input_grad_target(params..., x, select) -> sum(forward(x) * select)
    // (the frontend's @forward is the inference pass: no dropout).
    OpBuilder b(module.getContext());
    b.setInsertionPointAfter(forward);
    auto target = cast<func::FuncOp>(b.clone(*forward));
    target.setSymName(kTarget);
    Block &body = target.getBody().front();
    unsigned xArg = body.getNumArguments() - 1;
    target.setArgAttr(xArg, "loom.input", b.getStringAttr("x"));
    BlockArgument select = body.addArgument(out, forward.getLoc());
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    Location loc = ret.getLoc();
    b.setInsertionPoint(ret);
    Value picked = b.create<MulOp>(loc, ret.getOperand(0), select);
    auto dims = llvm::to_vector(llvm::seq<int64_t>(0, out.getRank()));
    Value sum = b.create<ReduceOp>(loc, ReduceKind::sum, picked, dims, false);
    b.create<func::ReturnOp>(loc, sum);
    ret.erase();
    SmallVector<Type> inputs(body.getArgumentTypes());
    target.setType(b.getFunctionType(inputs, sum.getType()));
    target.setArgAttr(xArg + 1, "loom.input", b.getStringAttr("select"));

    // Its gradient with respect to x; a failure's diagnostic becomes `why`.
    FailureOr<func::FuncOp> grad = failure();
    {
      ScopedDiagnosticHandler capture(
          module.getContext(), [&](Diagnostic &d) -> LogicalResult {
            if (d.getSeverity() != DiagnosticSeverity::Error)
              return failure();
            if (why.empty())
              why = d.str();
            return success();
          });
      grad = differentiate(module, target, "x");
    }
    if (failed(grad)) {
      if (why.empty())
        why = "autodiff with respect to the input failed";
      return failure();
    }
    target.erase();
    grad->setSymName("input_grad_step");
    return success();
  }
};

} // namespace
