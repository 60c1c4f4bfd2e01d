//===- KernelRanges.cpp - The --loom-kernel-ranges pass -------------------===//
//
// Part of Loom. This file implements the split of a kernel's one outer
// parallel loop into the ranges the runtime's threads run (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Matchers.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMKERNELRANGES
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

std::optional<int64_t> constantIndex(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

/// Whether `op`, at the top of the kernel's body, writes one of its
/// arguments (each thread would write it again) or is itself a loop.
bool writesArgumentsOrLoops(Operation *op) {
  if (op->getNumRegions() != 0)
    return true;
  if (auto store = dyn_cast<memref::StoreOp>(op))
    return isa<BlockArgument>(store.getMemRef());
  return false;
}

/// The one outer parallel loop of `fn` that threads may split, if any.
scf::ParallelOp splittableLoop(func::FuncOp fn) {
  if (fn.isExternal() || !fn.getBody().hasOneBlock())
    return nullptr;
  // A buffer from the heap goes through the runtime's scratch arena, which
  // one thread owns.
  if (fn.walk([](memref::AllocOp) {
          return WalkResult::interrupt();
        }).wasInterrupted())
    return nullptr;
  scf::ParallelOp loop;
  for (Operation &op : fn.getBody().front().without_terminator()) {
    if (auto parallel = dyn_cast<scf::ParallelOp>(op)) {
      if (loop)
        return nullptr;
      loop = parallel;
      continue;
    }
    if (writesArgumentsOrLoops(&op))
      return nullptr;
  }
  if (!loop || !loop.getInitVals().empty())
    return nullptr;
  std::optional<int64_t> lb = constantIndex(loop.getLowerBound()[0]);
  std::optional<int64_t> ub = constantIndex(loop.getUpperBound()[0]);
  std::optional<int64_t> step = constantIndex(loop.getStep()[0]);
  if (lb != 0 || step != 1 || !ub || *ub < 2)
    return nullptr;
  return loop;
}

struct LoomKernelRangesPass
    : public loom::cpu::impl::LoomKernelRangesBase<LoomKernelRangesPass> {
  using Base::Base;

  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    scf::ParallelOp loop = splittableLoop(fn);
    if (!loop) {
      markAllAnalysesPreserved();
      return;
    }
    int64_t extent = *constantIndex(loop.getUpperBound()[0]);
    OpBuilder b(loop);
    Location loc = loop.getLoc();
    Type index = b.getIndexType();
    unsigned n = fn.getNumArguments();
    fn.insertArgument(n, index, DictionaryAttr(), loc);
    fn.insertArgument(n + 1, index, DictionaryAttr(), loc);
    Value begin = fn.getArgument(n), end = fn.getArgument(n + 1);
    Value lo = b.create<arith::MaxSIOp>(loc, loop.getLowerBound()[0], begin);
    Value hi = b.create<arith::MinSIOp>(loc, loop.getUpperBound()[0], end);
    loop.getLowerBoundMutable()[0].set(lo);
    loop.getUpperBoundMutable()[0].set(hi);
    fn->setAttr("loom.parallel_extent", b.getI64IntegerAttr(extent));
  }
};

} // namespace
