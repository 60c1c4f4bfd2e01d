//===- OrderConstantGlobals.cpp - The --loom-order-constant-globals pass --===//
//
// Part of Loom. This file implements the renaming of one-shot
// bufferization's constant globals in the order of first use, which makes
// the CPU pipeline's output the same from run to run (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/IR/SymbolTable.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringMap.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMORDERCONSTANTGLOBALS
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

constexpr llvm::StringLiteral kPrefix = "__constant_";

/// `__constant_xf32_7` -> `__constant_xf32`: bufferization's name for the
/// global's type, before its uniquing suffix.
StringRef baseName(StringRef name) {
  auto [head, tail] = name.rsplit('_');
  if (!tail.empty() && head.size() > kPrefix.size() &&
      llvm::all_of(tail, [](char c) { return c >= '0' && c <= '9'; }))
    return head;
  return name;
}

struct LoomOrderConstantGlobalsPass
    : public loom::cpu::impl::LoomOrderConstantGlobalsBase<
          LoomOrderConstantGlobalsPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable table(module);
    auto isConstant = [](memref::GlobalOp g) {
      return g.getSymName().starts_with(kPrefix);
    };
    // A global several kernels share has the location of whichever
    // constant bufferization met first; it gets its first user's instead.
    llvm::SetVector<memref::GlobalOp> order;
    module.walk([&](memref::GetGlobalOp get) {
      auto global = table.lookup<memref::GlobalOp>(get.getName());
      if (global && isConstant(global) && order.insert(global))
        global->setLoc(get.getLoc());
    });
    for (auto global : module.getOps<memref::GlobalOp>())
      if (isConstant(global) && order.insert(global))
        global->setLoc(UnknownLoc::get(&getContext()));
    if (order.empty())
      return markAllAnalysesPreserved();

    // Through temporary names, so that no new name meets an old one.
    std::vector<std::string> bases;
    for (auto [i, constGlobal] : llvm::enumerate(order)) {
      memref::GlobalOp global = constGlobal;
      bases.push_back(baseName(global.getSymName()).str());
      if (failed(table.rename(global, "__loom_constant_" + std::to_string(i))))
        return signalPassFailure();
    }
    llvm::StringMap<unsigned> uses;
    for (auto [i, constGlobal] : llvm::enumerate(order)) {
      memref::GlobalOp global = constGlobal;
      unsigned n = uses[bases[i]]++;
      std::string name =
          n == 0 ? bases[i] : bases[i] + "_" + std::to_string(n - 1);
      if (failed(table.rename(global, name)))
        return signalPassFailure();
    }
    Block *body = module.getBody();
    for (memref::GlobalOp global : llvm::reverse(order))
      global->moveBefore(body, body->begin());
  }
};

} // namespace
