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
      Value source = copy.getSource(), target = copy.getTarget();
      // Between buffers of the identity layout, the copy runs over the
      // elements as one dimension: LLVM vectorizes that loop, where it
      // unrolls a nest of short constant loops (1x12x1x64) into one scalar
      // move per element.
      auto sourceType = cast<MemRefType>(source.getType());
      auto targetType = cast<MemRefType>(target.getType());
      if (sourceType.getRank() > 1 && sourceType.hasStaticShape() &&
          sourceType.getLayout().isIdentity() &&
          targetType.getLayout().isIdentity()) {
        SmallVector<ReassociationIndices> all(1);
        for (int64_t d = 0; d < sourceType.getRank(); ++d)
          all.front().push_back(d);
        source = b.create<memref::CollapseShapeOp>(copy.getLoc(), source, all);
        target = b.create<memref::CollapseShapeOp>(copy.getLoc(), target, all);
      }
      b.create<linalg::CopyOp>(copy.getLoc(), source, target);
      copy.erase();
    }
    if (copies.empty())
      markAllAnalysesPreserved();
  }
};

} // namespace
