//===- Recompute.cpp - Which producers a group recomputes -----------------===//
//
// Part of Loom. This file implements the cost rule of --loom-fuse's
// recomputation (see Fusion.h): which elementwise ops are so cheap that
// each fusion group reading one computes it again rather than reading its
// value from memory.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Fusion.h"

#include "ir/LoomOps.h"

using namespace mlir;
using namespace mlir::loom;

bool mlir::loom::isCheapToRecompute(Operation *op) {
  // One arithmetic instruction per element: the commutative binary ops
  // (add, mul, max, min). Transcendentals (exp, erf, tanh), division and
  // powers cost more than the load they would save.
  auto iface = dyn_cast<FusionOpInterface>(op);
  return iface && iface.getFusionKind() == FusionKind::elementwise &&
         op->hasTrait<OpTrait::IsCommutative>() && op->getNumResults() == 1 &&
         op->getNumRegions() == 0 && isMemoryEffectFree(op) &&
         llvm::all_of(op->getOperandTypes(),
                      [](Type t) { return isa<RankedTensorType>(t); }) &&
         isa<RankedTensorType>(op->getResult(0).getType());
}
