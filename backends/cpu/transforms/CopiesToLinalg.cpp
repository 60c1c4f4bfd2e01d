//===- CopiesToLinalg.cpp - The --loom-copies-to-linalg pass --------------===//
//
// Part of Loom. This file implements the rewrite of bufferization's
// `memref.copy` ops as `linalg.copy`, which the CPU pipeline lowers to loops
// (see Passes.td: the LLVM lowering would call a runtime helper the kernels'
// shared object lacks), and the guard that skips a copy between two of a
// kernel's operands that the memory plan placed at the same bytes.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/FunctionInterfaces.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMCOPIESTOLINALG
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

/// The argument of the enclosing function that `v` is, or a collapse of;
/// null otherwise.
Value functionArgument(Value v) {
  if (auto collapse = v.getDefiningOp<memref::CollapseShapeOp>())
    v = collapse.getSrc();
  auto arg = dyn_cast<BlockArgument>(v);
  if (!arg || !isa<FunctionOpInterface>(arg.getOwner()->getParentOp()))
    return nullptr;
  return arg;
}

/// Runs `copy`, from one argument of its function into another, only when
/// their addresses differ. The memory plan gives an op that adds into an
/// operand the operand's bytes (a scatter_add into its destination:
/// GPT-2's 147 MiB embedding gradient), so the kernel's copy of the
/// destination into its result would read and write them all for nothing.
/// Two buffers of the plan either are the same bytes or do not overlap.
void skipWhenSameBytes(linalg::CopyOp copy) {
  if (!copy.hasPureBufferSemantics())
    return;
  Value source = functionArgument(copy.getDpsInputs()[0]);
  Value target = functionArgument(copy.getDpsInits()[0]);
  // Of the identity layout, the aligned pointer is the first element's.
  if (!source || !target || source == target ||
      source.getType() != target.getType() ||
      !cast<MemRefType>(source.getType()).getLayout().isIdentity())
    return;
  OpBuilder b(copy);
  Location loc = copy.getLoc();
  Value from = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, source);
  Value to = b.create<memref::ExtractAlignedPointerAsIndexOp>(loc, target);
  Value differ =
      b.create<arith::CmpIOp>(loc, arith::CmpIPredicate::ne, from, to);
  auto guard = b.create<scf::IfOp>(loc, differ, /*withElseRegion=*/false);
  copy->moveBefore(guard.thenBlock()->getTerminator());
}

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
    SmallVector<linalg::CopyOp> between;
    getOperation()->walk([&](linalg::CopyOp copy) { between.push_back(copy); });
    for (linalg::CopyOp copy : between)
      skipWhenSameBytes(copy);
  }
};

} // namespace
