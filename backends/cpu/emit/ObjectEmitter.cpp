//===- ObjectEmitter.cpp - Generated kernels to host object code ----------===//
//
// Part of Loom. See ObjectEmitter.h for the pipeline.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/ObjectEmitter.h"

#include "backends/cpu/Passes.h"
#include "backends/cpu/Pipelines.h"
#include "backends/cpu/emit/ParallelLoops.h"
#include "passes/IrPrinting.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Target/LLVMIR/Dialect/Builtin/BuiltinToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Dialect/LLVMIR/LLVMToLLVMIRTranslation.h"
#include "mlir/Target/LLVMIR/Export.h"

#include "llvm/ADT/StringExtras.h"
#include "llvm/IR/Constants.h"
#include "llvm/IR/GlobalVariable.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/IR/Module.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/MemoryBuffer.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/Program.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"
#include "llvm/TargetParser/Host.h"

using namespace mlir;

namespace mlir::loom::cpu {

std::string HostTarget::name() const {
  llvm::StringRef arch = llvm::StringRef(triple).split('-').first;
  if (arch == "x86_64")
    return features.find("+avx512f") != std::string::npos ? "cpu-x86_64-avx512"
           : features.find("+avx2") != std::string::npos  ? "cpu-x86_64-avx2"
                                                          : "cpu-x86_64";
  return "cpu-" + arch.str();
}

HostTarget hostTarget() {
  HostTarget t;
  t.triple = llvm::sys::getProcessTriple();
  t.cpu = llvm::sys::getHostCPUName().str();
  std::vector<std::string> on;
  for (const auto &f : llvm::sys::getHostCPUFeatures())
    if (f.second)
      on.push_back("+" + f.first().str());
  std::sort(on.begin(), on.end());
  t.features = llvm::join(on, ",");
  return t;
}

std::string entrySymbol(const std::string &name) { return name + "_entry"; }

} // namespace mlir::loom::cpu

namespace {

/// Adds `void <name>_entry(void **operands)` for each kernel and makes the
/// kernels themselves internal, so that only the entries are exported.
bool addEntries(llvm::Module &m, const std::vector<std::string> &kernels,
                std::string &error) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  for (const std::string &name : kernels) {
    llvm::Function *kernel = m.getFunction(name);
    if (!kernel) {
      error = "internal error: kernel '" + name + "' vanished during lowering";
      return false;
    }
    auto *entry = llvm::Function::Create(
        llvm::FunctionType::get(llvm::Type::getVoidTy(ctx), {ptr}, false),
        llvm::GlobalValue::ExternalLinkage, mlir::loom::cpu::entrySymbol(name),
        m);
    llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", entry));
    std::vector<llvm::Value *> args;
    for (llvm::Argument &a : kernel->args()) {
      if (!a.getType()->isPointerTy()) {
        error = "internal error: kernel '" + name +
                "' takes a non-pointer argument; only "
                "statically shaped buffers are supported";
        return false;
      }
      llvm::Value *slot = b.CreateConstInBoundsGEP1_64(
          ptr, entry->getArg(0), static_cast<uint64_t>(a.getArgNo()));
      args.push_back(b.CreateLoad(ptr, slot));
    }
    b.CreateCall(kernel, args);
    b.CreateRetVoid();
    kernel->setLinkage(llvm::GlobalValue::InternalLinkage);
  }
  return true;
}

/// Turns every call of an outlined loop nest `f(args..., begin, end)` (the
/// functions in `extents`, with the length of their split dimension) from a
/// kernel into
/// `loom.parallel_for(f.range, context, extent)`: `context` is a struct of
/// the arguments on the caller's stack, `f.range(context, begin, end)` calls
/// `f` with them, and `loom.parallel_for` calls the exported hook
/// `loom_parallel_hook` when the runtime has set it, `f.range(context, 0,
/// extent)` otherwise.
bool addParallelCalls(llvm::Module &m,
                      const std::map<std::string, int64_t> &extents,
                      std::string &error) {
  if (extents.empty())
    return true;
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Type *voidTy = llvm::Type::getVoidTy(ctx);
  auto *rangeType = llvm::FunctionType::get(voidTy, {ptr, i64, i64}, false);
  auto *forType = llvm::FunctionType::get(voidTy, {ptr, ptr, i64}, false);

  auto *hook = new llvm::GlobalVariable(
      m, ptr, /*isConstant=*/false, llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx)),
      "loom_parallel_hook");
  auto *parallelFor = llvm::Function::Create(
      forType, llvm::GlobalValue::InternalLinkage, "loom.parallel_for", m);
  {
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", parallelFor);
    auto *viaHook = llvm::BasicBlock::Create(ctx, "hook", parallelFor);
    auto *direct = llvm::BasicBlock::Create(ctx, "direct", parallelFor);
    llvm::IRBuilder<> b(entry);
    llvm::Value *fn = b.CreateLoad(ptr, hook);
    b.CreateCondBr(b.CreateIsNull(fn), direct, viaHook);
    b.SetInsertPoint(viaHook);
    b.CreateCall(forType, fn,
                 {parallelFor->getArg(0), parallelFor->getArg(1),
                  parallelFor->getArg(2)});
    b.CreateRetVoid();
    b.SetInsertPoint(direct);
    b.CreateCall(
        rangeType, parallelFor->getArg(0),
        {parallelFor->getArg(1), b.getInt64(0), parallelFor->getArg(2)});
    b.CreateRetVoid();
  }

  for (const auto &[name, extent] : extents) {
    llvm::Function *nest = m.getFunction(name);
    if (!nest || nest->arg_size() < 2) {
      error = "internal error: loop nest '" + name +
              "' vanished or lost its range during lowering";
      return false;
    }
    unsigned n = nest->arg_size() - 2;
    std::vector<llvm::Type *> fields;
    for (unsigned i = 0; i < n; ++i)
      fields.push_back(nest->getArg(i)->getType());
    llvm::StructType *context = llvm::StructType::get(ctx, fields);

    auto *range = llvm::Function::Create(
        rangeType, llvm::GlobalValue::InternalLinkage, name + ".range", m);
    {
      llvm::IRBuilder<> b(llvm::BasicBlock::Create(ctx, "entry", range));
      std::vector<llvm::Value *> args;
      for (unsigned i = 0; i < n; ++i)
        args.push_back(b.CreateLoad(
            fields[i], b.CreateStructGEP(context, range->getArg(0), i)));
      args.push_back(range->getArg(1));
      args.push_back(range->getArg(2));
      b.CreateCall(nest, args);
      b.CreateRetVoid();
    }

    // A call from another outlined nest (a shared range of a multi-tensor
    // kernel calling its members' nests) runs that nest's range of `f` on
    // its own thread, as it is.
    std::vector<llvm::CallInst *> calls;
    for (llvm::User *u : nest->users())
      if (auto *call = llvm::dyn_cast<llvm::CallInst>(u);
          call && call->getFunction() != range &&
          !extents.count(call->getFunction()->getName().str()))
        calls.push_back(call);
    for (llvm::CallInst *call : calls) {
      llvm::Function *caller = call->getFunction();
      llvm::IRBuilder<> b(&*caller->getEntryBlock().getFirstInsertionPt());
      llvm::Value *slot = b.CreateAlloca(context);
      b.SetInsertPoint(call);
      for (unsigned i = 0; i < n; ++i)
        b.CreateStore(call->getArgOperand(i),
                      b.CreateStructGEP(context, slot, i));
      b.CreateCall(parallelFor, {range, slot, b.getInt64(extent)});
      call->eraseFromParent();
    }
  }
  return true;
}

/// Routes the kernels' temporary buffers (what bufferization could not put
/// on the stack) through the runtime: every call to malloc or free goes to
/// an internal wrapper that calls the exported hook `loom_alloc_hook` /
/// `loom_free_hook` when the runtime has set it (its scratch arena, sized
/// once, so that a step allocates nothing), and malloc or free otherwise.
void routeAllocations(llvm::Module &m) {
  llvm::LLVMContext &ctx = m.getContext();
  llvm::Type *ptr = llvm::PointerType::getUnqual(ctx);
  llvm::Type *i64 = llvm::Type::getInt64Ty(ctx);
  llvm::Type *voidTy = llvm::Type::getVoidTy(ctx);
  struct Route {
    const char *callee, *hook, *wrapper;
    llvm::FunctionType *type;
  } routes[] = {
      {"malloc", "loom_alloc_hook", "loom.alloc",
       llvm::FunctionType::get(ptr, {i64}, false)},
      {"free", "loom_free_hook", "loom.free",
       llvm::FunctionType::get(voidTy, {ptr}, false)},
  };
  for (const Route &r : routes) {
    llvm::Function *callee = m.getFunction(r.callee);
    if (!callee || callee->use_empty())
      continue;
    auto *hook = new llvm::GlobalVariable(
        m, ptr, /*isConstant=*/false, llvm::GlobalValue::ExternalLinkage,
        llvm::ConstantPointerNull::get(llvm::PointerType::getUnqual(ctx)),
        r.hook);
    auto *wrapper = llvm::Function::Create(
        r.type, llvm::GlobalValue::InternalLinkage, r.wrapper, m);
    auto *entry = llvm::BasicBlock::Create(ctx, "entry", wrapper);
    auto *viaHook = llvm::BasicBlock::Create(ctx, "hook", wrapper);
    auto *direct = llvm::BasicBlock::Create(ctx, "direct", wrapper);
    llvm::IRBuilder<> b(entry);
    llvm::Value *fn = b.CreateLoad(ptr, hook);
    b.CreateCondBr(b.CreateIsNull(fn), direct, viaHook);
    llvm::Value *arg = wrapper->getArg(0);
    b.SetInsertPoint(viaHook);
    llvm::CallInst *hooked = b.CreateCall(r.type, fn, {arg});
    if (r.type->getReturnType()->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(hooked);
    b.SetInsertPoint(direct);
    llvm::CallInst *plain = b.CreateCall(r.type, callee, {arg});
    if (r.type->getReturnType()->isVoidTy())
      b.CreateRetVoid();
    else
      b.CreateRet(plain);
    callee->replaceUsesWithIf(wrapper, [&](llvm::Use &u) {
      auto *call = llvm::dyn_cast<llvm::CallInst>(u.getUser());
      return call && call->getFunction() != wrapper;
    });
  }
}

/// Runs LLVM's -O3 pipeline for `tm` and emits object code.
bool optimizeAndEmit(llvm::Module &m, llvm::TargetMachine &tm,
                     llvm::SmallVectorImpl<char> &object, std::string &error) {
  for (llvm::Function &f : m)
    if (!f.isDeclaration()) {
      f.addFnAttr("target-cpu", tm.getTargetCPU());
      f.addFnAttr("target-features", tm.getTargetFeatureString());
    }
  llvm::LoopAnalysisManager lam;
  llvm::FunctionAnalysisManager fam;
  llvm::CGSCCAnalysisManager cgam;
  llvm::ModuleAnalysisManager mam;
  llvm::PassBuilder pb(&tm);
  pb.registerModuleAnalyses(mam);
  pb.registerCGSCCAnalyses(cgam);
  pb.registerFunctionAnalyses(fam);
  pb.registerLoopAnalyses(lam);
  pb.crossRegisterProxies(lam, fam, cgam, mam);
  pb.buildPerModuleDefaultPipeline(llvm::OptimizationLevel::O3).run(m, mam);

  llvm::raw_svector_ostream os(object);
  llvm::legacy::PassManager codegen;
  if (tm.addPassesToEmitFile(codegen, os, nullptr,
                             llvm::CodeGenFileType::ObjectFile)) {
    error = "internal error: the target cannot emit object files";
    return false;
  }
  codegen.run(m);
  return true;
}

/// Links `object` into a shared object with the system C compiler.
bool linkShared(llvm::ArrayRef<char> object, std::vector<uint8_t> &library,
                std::string &error) {
  llvm::SmallString<128> dir;
  if (std::error_code ec =
          llvm::sys::fs::createUniqueDirectory("loom-kernels", dir)) {
    error = "cannot create a temporary directory: " + ec.message();
    return false;
  }
  llvm::SmallString<128> obj(dir), so(dir), log(dir);
  llvm::sys::path::append(obj, "kernels.o");
  llvm::sys::path::append(so, "kernels.so");
  llvm::sys::path::append(log, "link.log");
  auto cleanup = [&] {
    llvm::sys::fs::remove(obj);
    llvm::sys::fs::remove(so);
    llvm::sys::fs::remove(log);
    llvm::sys::fs::remove(dir);
  };
  {
    std::error_code ec;
    llvm::raw_fd_ostream out(obj, ec);
    if (ec) {
      error = "cannot write " + obj.str().str() + ": " + ec.message();
      cleanup();
      return false;
    }
    out.write(object.data(), object.size());
  }
  llvm::ErrorOr<std::string> cc = llvm::sys::findProgramByName("cc");
  if (!cc)
    cc = llvm::sys::findProgramByName("gcc");
  if (!cc) {
    error = "linking generated kernels needs a C compiler ('cc' or 'gcc') "
            "on PATH";
    cleanup();
    return false;
  }
  llvm::SmallVector<llvm::StringRef> args = {
      *cc, "-shared", "-o", so, obj, "-lm", "-Wl,--gc-sections", "-s"};
  std::optional<llvm::StringRef> redirects[] = {std::nullopt, log.str(),
                                                log.str()};
  std::string execError;
  int rc = llvm::sys::ExecuteAndWait(*cc, args, std::nullopt, redirects, 0, 0,
                                     &execError);
  if (rc != 0) {
    auto text = llvm::MemoryBuffer::getFile(log);
    error =
        "linking generated kernels failed (" + *cc + "): " +
        (execError.empty() && text ? (*text)->getBuffer().str() : execError);
    cleanup();
    return false;
  }
  auto bytes = llvm::MemoryBuffer::getFile(so, /*IsText=*/false,
                                           /*RequiresNullTerminator=*/false);
  if (!bytes) {
    error = "cannot read the linked kernels: " + bytes.getError().message();
    cleanup();
    return false;
  }
  library.assign((*bytes)->getBufferStart(), (*bytes)->getBufferEnd());
  cleanup();
  return true;
}

} // namespace

namespace mlir::loom::cpu {

bool emitKernelLibrary(ModuleOp module, const HostTarget &target,
                       std::vector<uint8_t> &library, std::string &error,
                       bool checkIndices, mlir::loom::IrPrinter *printer,
                       std::map<std::string, KernelThreading> *threading) {
  std::vector<std::string> kernels;
  for (auto fn : module.getOps<func::FuncOp>())
    if (fn.isPublic() && !fn.isDeclaration())
      kernels.push_back(fn.getSymName().str());
  MLIRContext *ctx = module.getContext();
  DialectRegistry registry;
  mlir::loom::cpu::registerCpuCodegenDialects(registry);
  ctx->appendDialectRegistry(registry);
  PassManager pm(ctx);
  mlir::loom::cpu::CpuPipelineOptions options;
  options.checkIndices = checkIndices;
  mlir::loom::cpu::buildCpuPipeline(pm, options);
  if (printer)
    printer->instrument(pm);
  if (failed(printer ? printer->run(pm, module) : pm.run(module))) {
    error = "internal error: lowering the generated kernels to LLVM failed";
    return false;
  }

  // What --loom-kernel-ranges recorded, before translation drops it.
  std::map<std::string, int64_t> extents;
  std::map<std::string, KernelThreading> kernelThreading;
  for (auto fn : module.getOps<LLVM::LLVMFuncOp>()) {
    if (auto extent = fn->getAttrOfType<IntegerAttr>("loom.parallel_extent"))
      extents[fn.getSymName().str()] = extent.getInt();
    KernelThreading &t = kernelThreading[fn.getSymName().str()];
    if (auto n = fn->getAttrOfType<IntegerAttr>("loom.parallel_loops"))
      t.parallelLoops = n.getInt();
    if (auto n = fn->getAttrOfType<IntegerAttr>("loom.serial_loops"))
      t.serialLoops = n.getInt();
  }

  registerBuiltinDialectTranslation(*module.getContext());
  registerLLVMDialectTranslation(*module.getContext());
  llvm::LLVMContext llvmContext;
  std::unique_ptr<llvm::Module> llvmModule =
      translateModuleToLLVMIR(module, llvmContext, "loom-kernels");
  if (!llvmModule) {
    error = "internal error: translating the generated kernels to LLVM IR "
            "failed";
    return false;
  }
  annotateParallelLoops(*llvmModule, kParallelLoopMarker);

  llvm::InitializeNativeTarget();
  llvm::InitializeNativeTargetAsmPrinter();
  std::string lookupError;
  const llvm::Target *t =
      llvm::TargetRegistry::lookupTarget(target.triple, lookupError);
  if (!t) {
    error = "no code generator for " + target.triple + ": " + lookupError;
    return false;
  }
  std::unique_ptr<llvm::TargetMachine> tm(t->createTargetMachine(
      target.triple, target.cpu, target.features, llvm::TargetOptions(),
      llvm::Reloc::PIC_, std::nullopt, llvm::CodeGenOptLevel::Aggressive));
  llvmModule->setDataLayout(tm->createDataLayout());
  llvmModule->setTargetTriple(target.triple);

  if (!addEntries(*llvmModule, kernels, error) ||
      !addParallelCalls(*llvmModule, extents, error))
    return false;
  // The calling convention of the entries, which the runtime checks.
  new llvm::GlobalVariable(
      *llvmModule, llvm::Type::getInt32Ty(llvmContext), /*isConstant=*/true,
      llvm::GlobalValue::ExternalLinkage,
      llvm::ConstantInt::get(llvm::Type::getInt32Ty(llvmContext),
                             kKernelAbiVersion),
      "loom_kernel_abi");
  routeAllocations(*llvmModule);
  llvm::SmallVector<char, 0> object;
  if (!optimizeAndEmit(*llvmModule, *tm, object, error))
    return false;
  if (threading)
    for (const std::string &name : kernels)
      (*threading)[name] = kernelThreading[name];
  return linkShared(object, library, error);
}

} // namespace mlir::loom::cpu
