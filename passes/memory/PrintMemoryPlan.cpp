//===- PrintMemoryPlan.cpp - The memory plan as a table -------------------===//
//
// Part of Loom. This file implements --loom-print-memory-plan (see
// Passes.td), the test view of MemoryPlan.h: every buffer with its value,
// kind, bytes, offset, live range and alias; every new parameter or state
// value, in place or copied and why; and the totals. Where
// --loom-plan-memory ran before, it checks that the attributes agree.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "passes/memory/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/AsmState.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "llvm/Support/raw_ostream.h"

#define DEBUG_TYPE "loom-print-memory-plan"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMPRINTMEMORYPLAN
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

struct PrintMemoryPlanPass
    : mlir::loom::impl::LoomPrintMemoryPlanBase<PrintMemoryPlanPass> {
  using LoomPrintMemoryPlanBase::LoomPrintMemoryPlanBase;

  void runOnOperation() override {
    for (auto func : getOperation().getOps<func::FuncOp>()) {
      if (func.isExternal())
        continue;
      FailureOr<ArenaPlan> plan = planArena(func, alignment);
      if (failed(plan) || failed(checkRecorded(func, *plan)))
        return signalPassFailure();
      print(func, *plan, llvm::outs());
    }
  }

  /// The attributes of --loom-plan-memory, where present, match `plan`.
  static LogicalResult checkRecorded(func::FuncOp func, const ArenaPlan &plan) {
    if (auto size = func->getAttrOfType<IntegerAttr>("loom.arena_size"))
      if (size.getInt() != int64_t(plan.arenaSize))
        return func.emitError("loom.arena_size is ")
               << size.getInt() << " but the plan's arena is " << plan.arenaSize
               << " bytes";
    size_t id = func.getNumArguments();
    for (Operation &op : func.getBody().front().without_terminator()) {
      auto recorded = op.getAttrOfType<DenseI64ArrayAttr>("loom.offsets");
      for (unsigned r = 0; r < op.getNumResults(); ++r, ++id)
        if (recorded && (recorded.size() != op.getNumResults() ||
                         recorded[r] != int64_t(plan.buffers[id].offset)))
          return op.emitOpError("loom.offsets disagrees with the memory plan");
    }
    return success();
  }

  static void print(func::FuncOp func, const ArenaPlan &plan, raw_ostream &os) {
    const std::vector<PlannedBuffer> &bs = plan.buffers;
    AsmState state(func);
    std::vector<std::string> names(bs.size());
    size_t idWidth = 2, nameWidth = 5, sizeWidth = 5, offsetWidth = 6;
    for (size_t i = 0; i < bs.size(); ++i) {
      llvm::raw_string_ostream s(names[i]);
      bs[i].value.printAsOperand(s, state);
      if (!bs[i].name.empty())
        s << " \"" << bs[i].name << "\"";
      idWidth = std::max(idWidth, std::to_string(i).size() + 1);
      nameWidth = std::max(nameWidth, names[i].size());
      sizeWidth = std::max(sizeWidth, std::to_string(bs[i].size).size());
      offsetWidth = std::max(offsetWidth, std::to_string(bs[i].offset).size());
    }
    // Left-aligned columns two spaces apart.
    auto cell = [&](StringRef text, size_t width) {
      os << text;
      os.indent(width + 2 - std::min(width, text.size()));
    };

    os << "memory plan of @" << func.getSymName() << ": " << plan.numOps
       << " ops, alignment " << plan.alignment << "\n  ";
    cell("id", idWidth);
    cell("value", nameWidth);
    cell("kind", 10);
    cell("bytes", sizeWidth);
    cell("offset", offsetWidth);
    os << "live\n";
    for (size_t i = 0; i < bs.size(); ++i) {
      const PlannedBuffer &b = bs[i];
      os << "  ";
      cell("#" + std::to_string(i), idWidth);
      cell(names[i], nameWidth);
      cell(stringifyBufferKind(b.kind), 10);
      cell(std::to_string(b.size), sizeWidth);
      cell(std::to_string(b.offset), offsetWidth);
      std::string live = "[" + std::to_string(b.firstUse) + ", " +
                         std::to_string(b.lastUse) + "]";
      if (b.aliasOf < 0 && b.inPlaceOf < 0 && b.accumulatesInto < 0) {
        os << live << "\n";
        continue;
      }
      cell(live, 10);
      if (b.aliasOf >= 0)
        os << "view of #" << b.aliasOf << "\n";
      else if (b.inPlaceOf >= 0)
        os << "in place of #" << b.inPlaceOf << "\n";
      else
        os << "accumulates into #" << b.accumulatesInto << "\n";
    }
    for (const StateUpdate &u : plan.updates) {
      os << "  update result #" << u.result << ": " << names[u.from] << " -> "
         << names[u.to];
      if (u.inPlace)
        os << " in place\n";
      else
        os << " copied after the step: " << u.reason << "\n";
    }
    for (unsigned i : plan.copies) {
      const StateUpdate &u = plan.updates[i];
      os << "  copy " << bs[u.to].size << " bytes " << bs[u.from].offset
         << " -> " << bs[u.to].offset << " (result #" << u.result << ")\n";
    }
    os << "  persistent: " << plan.persistentSize << " bytes\n"
       << "  all buffers: " << plan.totalBufferBytes() << " bytes\n"
       << "  max live: " << plan.maxLiveBytes << " bytes\n"
       << "  peak: " << plan.arenaSize << " bytes, ";
    // Tenths of a percent of all buffers, in integers for FileCheck.
    uint64_t all = plan.totalBufferBytes();
    uint64_t permille = all ? plan.arenaSize * 1000 / all : 0;
    os << permille / 10 << "." << permille % 10 << "% of all buffers\n";
  }
};

} // namespace
