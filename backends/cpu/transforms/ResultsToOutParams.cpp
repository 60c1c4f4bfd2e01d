//===- ResultsToOutParams.cpp - The --loom-results-to-out-params pass -----===//
//
// Part of Loom. This file implements the generated kernels' calling
// convention before bufferization: results become out-parameters, written
// by `bufferization.materialize_in_destination` (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMRESULTSTOOUTPARAMS
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

struct LoomResultsToOutParamsPass
    : public loom::cpu::impl::LoomResultsToOutParamsBase<
          LoomResultsToOutParamsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    // Checked first, so that a failure leaves the module as it was.
    bool valid = true;
    module.walk([&](func::CallOp call) {
      auto callee = module.lookupSymbol<func::FuncOp>(call.getCallee());
      if (callee && !callee.isDeclaration() && callee.getNumResults() != 0) {
        call.emitOpError("calls @")
            << call.getCallee()
            << ", whose results become out-parameters; a kernel calls no "
               "other kernel";
        valid = false;
      }
    });
    for (auto fn : module.getOps<func::FuncOp>())
      for (Type t : fn.getResultTypes())
        if (!fn.isDeclaration() && !isa<RankedTensorType>(t)) {
          fn.emitOpError("returns ")
              << t << "; a kernel returns ranked tensors only";
          valid = false;
        }
    if (!valid)
      return signalPassFailure();

    for (auto fn : module.getOps<func::FuncOp>()) {
      if (fn.isDeclaration())
        continue;
      Block &body = fn.getBody().front();
      auto ret = cast<func::ReturnOp>(body.getTerminator());
      OpBuilder b(ret);
      SmallVector<Type> inputs(fn.getArgumentTypes());
      for (Value v : ret.getOperands()) {
        auto t = cast<RankedTensorType>(v.getType());
        auto out = MemRefType::get(t.getShape(), t.getElementType());
        inputs.push_back(out);
        BlockArgument dest = body.addArgument(out, v.getLoc());
        auto m = b.create<bufferization::MaterializeInDestinationOp>(
            v.getLoc(), TypeRange(), v, dest);
        m.setRestrict(true);
        m.setWritable(true);
      }
      b.create<func::ReturnOp>(ret.getLoc());
      ret.erase();
      fn.setType(b.getFunctionType(inputs, {}));
    }
  }
};

} // namespace
