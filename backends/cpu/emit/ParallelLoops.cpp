//===- ParallelLoops.cpp - Parallel-access metadata for marked loops ------===//
//
// Part of Loom. See ParallelLoops.h.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/ParallelLoops.h"

#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/SmallPtrSet.h"
#include "llvm/ADT/SmallVector.h"
#include "llvm/Analysis/LoopInfo.h"
#include "llvm/IR/Dominators.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Metadata.h"
#include "llvm/IR/Module.h"

#include <memory>

namespace mlir::loom::cpu {

namespace {

/// The analyses of one function, built once for all its markers.
struct FunctionLoops {
  llvm::DominatorTree dominators;
  llvm::LoopInfo loops;
  explicit FunctionLoops(llvm::Function &f)
      : dominators(f), loops(dominators) {}
};

/// Puts `inst` in the access group `group`. Each marked loop is innermost,
/// so no instruction is in two of them; one already in a group (of some
/// other origin) is left as it is, and the vectorizer checks it as before.
void addAccessGroup(llvm::Instruction &inst, llvm::MDNode *group) {
  if (!inst.getMetadata(llvm::LLVMContext::MD_access_group))
    inst.setMetadata(llvm::LLVMContext::MD_access_group, group);
}

/// Adds `llvm.loop.parallel_accesses` of `group` to `loop`'s loop ID (a new
/// distinct node that keeps the properties it had).
void addParallelAccesses(llvm::Loop &loop, llvm::MDNode *group) {
  llvm::LLVMContext &ctx = group->getContext();
  llvm::SmallVector<llvm::Metadata *> ops;
  ops.push_back(nullptr); // the self reference
  if (llvm::MDNode *id = loop.getLoopID())
    for (unsigned i = 1, e = id->getNumOperands(); i < e; ++i)
      ops.push_back(id->getOperand(i));
  ops.push_back(llvm::MDNode::get(
      ctx, {llvm::MDString::get(ctx, "llvm.loop.parallel_accesses"), group}));
  llvm::MDNode *id = llvm::MDNode::getDistinct(ctx, ops);
  id->replaceOperandWith(0, id);
  loop.setLoopID(id);
}

} // namespace

unsigned annotateParallelLoops(llvm::Module &m, llvm::StringRef marker) {
  llvm::Function *markerFn = m.getFunction(marker);
  if (!markerFn)
    return 0;
  llvm::SmallVector<llvm::CallInst *> calls;
  for (llvm::User *user : markerFn->users())
    if (auto *call = llvm::dyn_cast<llvm::CallInst>(user))
      calls.push_back(call);

  llvm::DenseMap<llvm::Function *, std::unique_ptr<FunctionLoops>> analyses;
  llvm::SmallPtrSet<llvm::Loop *, 16> done;
  unsigned marked = 0;
  for (llvm::CallInst *call : calls) {
    llvm::Function *f = call->getFunction();
    std::unique_ptr<FunctionLoops> &a = analyses[f];
    if (!a)
      a = std::make_unique<FunctionLoops>(*f);
    llvm::Loop *loop = a->loops.getLoopFor(call->getParent());
    call->eraseFromParent();
    if (!loop || !done.insert(loop).second)
      continue;
    llvm::MDNode *group = llvm::MDNode::getDistinct(m.getContext(), {});
    for (llvm::BasicBlock *block : loop->blocks())
      for (llvm::Instruction &inst : *block)
        if (llvm::isa<llvm::LoadInst, llvm::StoreInst>(inst))
          addAccessGroup(inst, group);
    addParallelAccesses(*loop, group);
    ++marked;
  }
  if (markerFn->use_empty())
    markerFn->eraseFromParent();
  return marked;
}

} // namespace mlir::loom::cpu
