//===- Autodiff.cpp - Reverse-mode differentiation ------------------------===//
//
// Part of Loom. This file implements --loom-autodiff (see Passes.td): it
// clones `@loss` into `@loss_grad`, finds the values that depend on a
// trainable parameter (or, with `wrt`, on an input: what `loom explain`'s
// attributions need), and walks the ops backwards asking each one's
// GradientOpInterface rule for the adjoints of its operands, summing the
// adjoints of values used more than once.
//
//===----------------------------------------------------------------------===//

#include "passes/autodiff/Autodiff.h"
#include "passes/Passes.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Location.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "mlir/Transforms/RegionUtils.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/DenseSet.h"

#define DEBUG_TYPE "loom-autodiff"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMAUTODIFF
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

bool isFloatTensor(Value v) {
  auto t = dyn_cast<RankedTensorType>(v.getType());
  return t && isa<FloatType>(t.getElementType());
}

/// The location of an op built for the gradient of an op at `forward`.
Location gradLocation(Location forward) {
  MLIRContext *ctx = forward.getContext();
  return FusedLoc::get({forward}, StringAttr::get(ctx, "grad"), ctx);
}

/// A zero tensor of `type` (floating-point).
Value zerosLike(OpBuilder &b, Location loc, RankedTensorType type) {
  return b.create<ConstantOp>(
      loc,
      DenseElementsAttr::get(type, FloatAttr::get(type.getElementType(), 0.0)));
}

struct AutodiffPass : mlir::loom::impl::LoomAutodiffBase<AutodiffPass> {
  using LoomAutodiffBase::LoomAutodiffBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto loss = module.lookupSymbol<func::FuncOp>(funcName);
    if (!loss) {
      module.emitError("--loom-autodiff: no function @") << funcName;
      return signalPassFailure();
    }
    if (failed(differentiate(module, loss, wrt)))
      signalPassFailure();
  }
};

} // namespace

FailureOr<func::FuncOp>
mlir::loom::differentiate(ModuleOp module, func::FuncOp loss, StringRef wrt) {
  FunctionType type = loss.getFunctionType();
  if (type.getNumResults() != 1 || !isa<RankedTensorType>(type.getResult(0)) ||
      cast<RankedTensorType>(type.getResult(0)).getRank() != 0 ||
      !isFloatTensor(loss.getBody().front().getTerminator()->getOperand(0)))
    return loss.emitError("can only differentiate a function that returns "
                          "one floating-point scalar, not ")
           << type.getResults();

  OpBuilder b(module.getContext());
  b.setInsertionPointAfter(loss);
  auto grad = cast<func::FuncOp>(b.clone(*loss));
  grad.setSymName((loss.getSymName() + "_grad").str());
  Block &body = grad.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());

  // Trainable parameters (or, with `wrt`, the inputs of that role), and
  // the values that depend on them.
  SmallVector<BlockArgument> trainable;
  DenseSet<Value> active;
  for (BlockArgument arg : body.getArguments()) {
    unsigned i = arg.getArgNumber();
    if (!wrt.empty()) {
      auto role = grad.getArgAttrOfType<StringAttr>(i, "loom.input");
      if (!role || role.getValue() != wrt)
        continue;
      if (!isFloatTensor(arg))
        return grad.emitError("input '")
               << wrt << "' (argument #" << i
               << ") must be floating-point to be differentiated";
    } else {
      if (!grad.getArgAttr(i, "loom.param") ||
          grad.getArgAttr(i, "loom.frozen"))
        continue;
      if (!isFloatTensor(arg))
        return grad.emitError("trainable parameter #")
               << i << " must be floating-point";
    }
    trainable.push_back(arg);
    active.insert(arg);
  }
  if (!wrt.empty() && trainable.empty())
    return grad.emitError("no argument has loom.input = \"")
           << wrt << "\" to differentiate with respect to";
  for (Operation &op : body.without_terminator())
    if (llvm::any_of(op.getOperands(),
                     [&](Value v) { return active.contains(v); }))
      for (Value r : op.getResults())
        if (isFloatTensor(r))
          active.insert(r);

  // Backward, in reverse, appended before the return.
  SmallVector<Operation *> forward;
  for (Operation &op : body.without_terminator())
    forward.push_back(&op);
  b.setInsertionPoint(ret);
  Value lossValue = ret.getOperand(0);
  DenseMap<Value, Value> adjoint;
  auto lossType = cast<RankedTensorType>(lossValue.getType());
  adjoint[lossValue] = b.create<ConstantOp>(
      gradLocation(lossValue.getLoc()),
      DenseElementsAttr::get(lossType,
                             FloatAttr::get(lossType.getElementType(), 1.0)));
  for (Operation *op : llvm::reverse(forward)) {
    SmallVector<Value> dys;
    bool any = false;
    for (Value r : op->getResults()) {
      Value a = adjoint.lookup(r);
      any |= bool(a);
      dys.push_back(a);
    }
    if (!any || llvm::none_of(op->getOperands(),
                              [&](Value v) { return active.contains(v); }))
      continue;
    auto rule = dyn_cast<GradientOpInterface>(op);
    if (!rule)
      return op->emitOpError("cannot be differentiated: it has no gradient "
                             "rule (the loss depends on a ")
             << (wrt.empty() ? std::string("trainable parameter")
                             : "input '" + wrt.str() + "'")
             << " through it)";
    Operation *before = ret->getPrevNode();
    // Unused results contribute a zero adjoint.
    for (auto [r, dy] : llvm::zip(op->getResults(), dys))
      if (!dy)
        dy = zerosLike(b, op->getLoc(), cast<RankedTensorType>(r.getType()));
    SmallVector<Value> operandGrads;
    b.setInsertionPoint(ret);
    if (failed(rule.buildGradient(b, dys, operandGrads)))
      return failure();
    if (operandGrads.size() != op->getNumOperands())
      return op->emitOpError("gradient rule returned ")
             << operandGrads.size() << " adjoints for " << op->getNumOperands()
             << " operands";
    for (auto [operand, g] : llvm::zip(op->getOperands(), operandGrads)) {
      if (!g || !active.contains(operand))
        continue;
      if (g.getType() != operand.getType())
        return op->emitOpError("gradient rule produced ")
               << g.getType() << " for an operand of type "
               << operand.getType();
      Value &slot = adjoint[operand];
      slot = slot ? b.create<AddOp>(op->getLoc(), slot, g).getResult() : g;
    }
    // Everything built for this op gets the location
    // `fused<"grad">[forward op's location]`: diagnostics, profiles and
    // dumps of the backward pass point at the forward op's .loom line.
    Location gradLoc = gradLocation(op->getLoc());
    for (Operation *o = before ? before->getNextNode() : &body.front();
         o != ret.getOperation(); o = o->getNextNode())
      o->setLoc(gradLoc);
  }

  // Results: the loss, then one gradient per trainable parameter.
  SmallVector<Value> results = {lossValue};
  SmallVector<Type> types = {lossValue.getType()};
  for (BlockArgument arg : trainable) {
    Value g = adjoint.lookup(arg);
    if (!g)
      g = zerosLike(b, grad.getLoc(), cast<RankedTensorType>(arg.getType()));
    results.push_back(g);
    types.push_back(g.getType());
  }
  b.create<func::ReturnOp>(ret.getLoc(), results);
  ret.erase();
  // Rules build every operand's adjoint; those of inactive operands (the
  // batch, frozen parameters) are dead: no wasted work remains.
  for (Operation &op :
       llvm::make_early_inc_range(llvm::reverse(body.getOperations())))
    if (isOpTriviallyDead(&op))
      op.erase();
  grad.setType(b.getFunctionType(body.getArgumentTypes(), types));
  for (auto [i, arg] : llvm::enumerate(trainable))
    grad.setResultAttr(i + 1, "loom.grad",
                       wrt.empty()
                           ? grad.getArgAttr(arg.getArgNumber(), "loom.param")
                           : StringAttr::get(grad.getContext(), wrt));
  return grad;
}
