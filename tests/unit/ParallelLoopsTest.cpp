//===- ParallelLoopsTest.cpp - Parallel-access metadata for marked loops --===//
//
// Part of Loom. Checks backends/cpu/emit/ParallelLoops.h on LLVM IR: the
// marked loop's loads and stores join one access group that the loop's
// metadata declares parallel, the markers and their declaration are gone,
// an unmarked loop is left alone, and LLVM's -O3 then vectorizes the marked
// loop over two buffers that may be one (an in-place update) without the
// run-time overlap check that a plain loop needs.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/ParallelLoops.h"

#include "llvm/AsmParser/Parser.h"
#include "llvm/IR/Instructions.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "llvm/IR/Verifier.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/SourceMgr.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

#include <gtest/gtest.h>

#include <memory>

namespace {

// Two copies of `b[i] = a[i] * 2` over 1024 elements: @marked calls the
// marker in its body, @plain does not.
const char *const kLoops = R"ll(
declare void @loom_parallel_loop()

define void @marked(ptr %a, ptr %b) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  call void @loom_parallel_loop()
  %pa = getelementptr float, ptr %a, i64 %i
  %x = load float, ptr %pa
  %y = fmul float %x, 2.0
  %pb = getelementptr float, ptr %b, i64 %i
  store float %y, ptr %pb
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, 1024
  br i1 %done, label %exit, label %loop
exit:
  ret void
}

define void @plain(ptr %a, ptr %b) {
entry:
  br label %loop
loop:
  %i = phi i64 [ 0, %entry ], [ %next, %loop ]
  %pa = getelementptr float, ptr %a, i64 %i
  %x = load float, ptr %pa
  %y = fmul float %x, 2.0
  %pb = getelementptr float, ptr %b, i64 %i
  store float %y, ptr %pb
  %next = add i64 %i, 1
  %done = icmp eq i64 %next, 1024
  br i1 %done, label %exit, label %loop
exit:
  ret void
}
)ll";

std::unique_ptr<llvm::Module> parse(llvm::LLVMContext &ctx) {
  llvm::SMDiagnostic diag;
  std::unique_ptr<llvm::Module> m =
      llvm::parseAssemblyString(kLoops, diag, ctx);
  EXPECT_TRUE(m) << diag.getMessage().str();
  return m;
}

/// The loop metadata on the back edge of `f`'s loop, or null.
llvm::MDNode *loopID(llvm::Function &f) {
  for (llvm::BasicBlock &block : f)
    if (auto *br = llvm::dyn_cast<llvm::BranchInst>(block.getTerminator()))
      if (llvm::MDNode *id = br->getMetadata(llvm::LLVMContext::MD_loop))
        return id;
  return nullptr;
}

/// Whether `f` computes on vectors.
bool hasVectorCode(llvm::Function &f) {
  for (llvm::BasicBlock &block : f)
    for (llvm::Instruction &inst : block)
      if (inst.getType()->isVectorTy())
        return true;
  return false;
}

/// Whether `f` computes with addresses as integers or compares them (the
/// vectorizer's run-time overlap check: the distance between the buffers,
/// or their bounds).
bool hasPointerCheck(llvm::Function &f) {
  for (llvm::BasicBlock &block : f)
    for (llvm::Instruction &inst : block)
      if (llvm::isa<llvm::PtrToIntInst>(inst) ||
          (llvm::isa<llvm::ICmpInst>(inst) &&
           inst.getOperand(0)->getType()->isPointerTy()))
        return true;
  return false;
}

TEST(ParallelLoops, MarkedLoopGetsOneParallelAccessGroup) {
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> m = parse(ctx);
  ASSERT_TRUE(m);
  EXPECT_EQ(mlir::loom::cpu::annotateParallelLoops(*m, "loom_parallel_loop"),
            1u);
  EXPECT_FALSE(m->getFunction("loom_parallel_loop"));
  EXPECT_FALSE(llvm::verifyModule(*m, &llvm::errs()));

  llvm::Function &marked = *m->getFunction("marked");
  llvm::MDNode *group = nullptr;
  unsigned accesses = 0;
  for (llvm::BasicBlock &block : marked)
    for (llvm::Instruction &inst : block) {
      EXPECT_FALSE(llvm::isa<llvm::CallInst>(inst));
      if (!llvm::isa<llvm::LoadInst, llvm::StoreInst>(inst))
        continue;
      ++accesses;
      llvm::MDNode *g = inst.getMetadata(llvm::LLVMContext::MD_access_group);
      ASSERT_TRUE(g);
      EXPECT_TRUE(!group || g == group);
      group = g;
    }
  EXPECT_EQ(accesses, 2u);
  llvm::MDNode *id = loopID(marked);
  ASSERT_TRUE(id);
  EXPECT_EQ(id->getOperand(0), id);
  ASSERT_EQ(id->getNumOperands(), 2u);
  auto *property = llvm::cast<llvm::MDNode>(id->getOperand(1));
  EXPECT_EQ(llvm::cast<llvm::MDString>(property->getOperand(0))->getString(),
            "llvm.loop.parallel_accesses");
  EXPECT_EQ(property->getOperand(1), group);

  llvm::Function &plain = *m->getFunction("plain");
  EXPECT_FALSE(loopID(plain));
  for (llvm::BasicBlock &block : plain)
    for (llvm::Instruction &inst : block)
      EXPECT_FALSE(inst.getMetadata(llvm::LLVMContext::MD_access_group));
}

TEST(ParallelLoops, MarkedLoopVectorizesWithoutOverlapCheck) {
  llvm::InitializeNativeTarget();
  llvm::LLVMContext ctx;
  std::unique_ptr<llvm::Module> m = parse(ctx);
  ASSERT_TRUE(m);
  mlir::loom::cpu::annotateParallelLoops(*m, "loom_parallel_loop");

  std::string triple = llvm::sys::getProcessTriple(), error;
  const llvm::Target *target =
      llvm::TargetRegistry::lookupTarget(triple, error);
  ASSERT_TRUE(target) << error;
  std::unique_ptr<llvm::TargetMachine> tm(
      target->createTargetMachine(triple, llvm::sys::getHostCPUName(), "",
                                  llvm::TargetOptions(), std::nullopt));
  m->setDataLayout(tm->createDataLayout());
  m->setTargetTriple(triple);
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(tm.get());
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(*m, mam);

  llvm::Function &marked = *m->getFunction("marked");
  EXPECT_TRUE(hasVectorCode(marked));
  EXPECT_FALSE(hasPointerCheck(marked));
  // Without the metadata LLVM vectorizes behind the overlap check, whose
  // scalar fallback an in-place update takes.
  llvm::Function &plain = *m->getFunction("plain");
  EXPECT_TRUE(hasVectorCode(plain));
  EXPECT_TRUE(hasPointerCheck(plain));
}

} // namespace
