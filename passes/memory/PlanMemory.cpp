//===- PlanMemory.cpp - Records the memory plan as attributes -------------===//
//
// Part of Loom. This file implements --loom-plan-memory (see Passes.td): it
// plans the function's arena (MemoryPlan.h), checks the plan's invariant and
// writes the offsets, the arena size and the end-of-step copies as
// attributes for kernel emission, `loom inspect` and `loom compile`.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/memory/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "loom-plan-memory"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMPLANMEMORY
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

struct PlanMemoryPass : mlir::loom::impl::LoomPlanMemoryBase<PlanMemoryPass> {
  using LoomPlanMemoryBase::LoomPlanMemoryBase;

  void runOnOperation() override {
    func::FuncOp func = getOperation();
    if (func.isExternal())
      return;
    FailureOr<ArenaPlan> plan = planArena(func, alignment);
    if (failed(plan))
      return signalPassFailure();
    if (std::string why = checkArenaPlan(*plan); !why.empty()) {
      func.emitError("memory plan breaks its invariant: ") << why;
      return signalPassFailure();
    }
    record(func, *plan);
  }

  static void record(func::FuncOp func, const ArenaPlan &plan) {
    Builder b(func.getContext());
    auto i64 = [&](uint64_t v) { return b.getI64IntegerAttr(int64_t(v)); };
    const std::vector<PlannedBuffer> &bs = plan.buffers;
    func->setAttr("loom.arena_size", i64(plan.arenaSize));
    func->setAttr("loom.persistent_size", i64(plan.persistentSize));
    SmallVector<int64_t> copies;
    for (unsigned i : plan.copies) {
      const StateUpdate &u = plan.updates[i];
      copies.append({int64_t(bs[u.from].offset), int64_t(bs[u.to].offset),
                     int64_t(bs[u.to].size)});
    }
    func->setAttr("loom.copies", b.getDenseI64ArrayAttr(copies));

    Block &block = func.getBody().front();
    for (BlockArgument arg : block.getArguments())
      func.setArgAttr(arg.getArgNumber(), "loom.offset",
                      i64(bs[arg.getArgNumber()].offset));
    // Buffers are numbered arguments first, then results in op order.
    size_t id = block.getNumArguments();
    SmallVector<int64_t> offsets;
    for (Operation &op : block.without_terminator()) {
      if (!op.getNumResults())
        continue;
      offsets.clear();
      for (unsigned r = 0; r < op.getNumResults(); ++r)
        offsets.push_back(int64_t(bs[id++].offset));
      op.setAttr("loom.offsets", b.getDenseI64ArrayAttr(offsets));
    }
    Operation *ret = block.getTerminator();
    for (OpOperand &result : ret->getOpOperands()) {
      uint64_t offset = 0;
      if (auto arg = dyn_cast<BlockArgument>(result.get()))
        offset = bs[arg.getArgNumber()].offset;
      else
        offset = cast<DenseI64ArrayAttr>(result.get().getDefiningOp()->getAttr(
            "loom.offsets"))[cast<OpResult>(result.get()).getResultNumber()];
      func.setResultAttr(result.getOperandNumber(), "loom.offset", i64(offset));
    }
  }
};

} // namespace
