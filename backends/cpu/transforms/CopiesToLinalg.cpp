//===- CopiesToLinalg.cpp - The --loom-copies-to-linalg pass --------------===//
//
// Part of Loom. This file implements the rewrite of bufferization's
// `memref.copy` ops as `linalg.copy`, which the CPU pipeline lowers to loops
// (see Passes.td: the LLVM lowering would call a runtime helper the kernels'
// shared object lacks).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMCOPIESTOLINALG
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

struct LoomCopiesToLinalgPass
    : public loom::cpu::impl::LoomCopiesToLinalgBase<LoomCopiesToLinalgPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<memref::CopyOp> copies;
    getOperation()->walk([&](memref::CopyOp copy) { copies.push_back(copy); });
    for (memref::CopyOp copy : copies) {
      OpBuilder b(copy);
      b.create<linalg::CopyOp>(copy.getLoc(), copy.getSource(),
                               copy.getTarget());
      copy.erase();
    }
    if (copies.empty())
      markAllAnalysesPreserved();
  }
};

} // namespace
