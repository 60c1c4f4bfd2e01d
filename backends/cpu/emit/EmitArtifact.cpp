//===- EmitArtifact.cpp - The training step as a CPU artifact -------------===//
//
// Part of Loom. See EmitArtifact.h. The order of work: partition the step
// into kernels, place every value the kernels touch in the arena, compile
// the generated kernels, then write the tables.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/EmitArtifact.h"

#include "backends/cpu/Passes.h"
#include "backends/cpu/emit/Partition.h"
#include "backends/cpu/emit/Recipe.h"
#include "ir/LoomOps.h"
#include "passes/memory/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"

using namespace mlir;

namespace {

RankedTensorType tt(Value v) { return cast<RankedTensorType>(v.getType()); }

constexpr uint64_t kAlignment = 64;

} // namespace

namespace loom::cpu {

bool writeStage(const std::string &dir, size_t index, const ::loom::IrText &ir,
                std::string &error) {
  if (std::error_code ec = llvm::sys::fs::create_directories(dir)) {
    error = "cannot create '" + dir + "': " + ec.message();
    return false;
  }
  llvm::SmallString<128> path(dir);
  llvm::sys::path::append(path, llvm::Twine(index < 10 ? "0" : "") +
                                    llvm::Twine(index) + "-" + ir.stage +
                                    ".mlir");
  std::error_code ec;
  llvm::raw_fd_ostream os(path, ec, llvm::sys::fs::OF_Text);
  if (ec) {
    error = "cannot write '" + path.str().str() + "': " + ec.message();
    return false;
  }
  os << ir.text << "\n";
  return true;
}

LogicalResult emitCpuArtifact(ModuleOp module, const EmitOptions &options,
                              ::loom::Artifact &artifact) {
  auto step = module.lookupSymbol<func::FuncOp>("train_step");
  if (!step)
    return module.emitError("the CPU backend compiles @train_step, which "
                            "this module lacks (run --loom-autodiff and "
                            "--loom-build-train-step first)");
  FailureOr<StepPartition> partition = partitionStep(step);
  if (failed(partition))
    return failure();
  std::vector<PlannedKernel> &kernels = partition->kernels;
  artifact.ir = options.stages;
  auto snapshot = [&](const char *stage, Operation *op) {
    std::string text;
    llvm::raw_string_ostream os(text);
    OpPrintingFlags flags;
    flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
    op->print(os, flags);
    artifact.ir.push_back({stage, os.str()});
    std::string error;
    if (!options.dumpDir.empty() &&
        !writeStage(options.dumpDir, artifact.ir.size() - 1, artifact.ir.back(),
                    error))
      step.emitWarning(error);
  };
  snapshot("kernels", *partition->codegen);
  Block &body = step.getBody().front();
  auto ret = cast<func::ReturnOp>(body.getTerminator());

  // The step's state: results 0..n-1 are the new parameters and optimizer
  // state, in the order of the first n arguments; then the loss, the lr and
  // the gradient norm.
  unsigned numCarried = 0;
  for (BlockArgument arg : body.getArguments())
    if (step.getArgAttr(arg.getArgNumber(), "loom.param") ||
        step.getArgAttr(arg.getArgNumber(), "loom.opt_state"))
      ++numCarried;
  if (ret.getNumOperands() != numCarried + 3)
    return step.emitError("@train_step returns ")
           << ret.getNumOperands() << " values; the CPU backend expects the "
           << numCarried << " parameters and optimizer states, the loss, "
           << "the learning rate and the gradient norm";

  // The memory plan: every value's bytes in one arena, new parameters and
  // state in place where that is safe, copies after the step otherwise.
  FailureOr<mlir::loom::ArenaPlan> plan =
      mlir::loom::planArena(step, kAlignment);
  if (failed(plan))
    return failure();
  if (std::string bad = mlir::loom::checkArenaPlan(*plan); !bad.empty())
    return step.emitError("internal error: the memory plan is inconsistent: ")
           << bad;
  llvm::DenseMap<Value, uint32_t> bufferOf;
  for (auto [i, b] : llvm::enumerate(plan->buffers))
    bufferOf[b.value] = static_cast<uint32_t>(b.aliasOf >= 0 ? b.aliasOf : i);
  for (unsigned c : plan->copies) {
    const mlir::loom::StateUpdate &u = plan->updates[c];
    Value from = plan->buffers[u.from].value, to = plan->buffers[u.to].value;
    PlannedKernel copy;
    copy.kind = "copy";
    copy.operands = {from, to};
    copy.numInputs = 1;
    addOperandTypes(copy);
    kernels.push_back(std::move(copy));
  }

  // Live ranges move from op positions (what the plan counts) to kernel
  // indices: a buffer is live over the kernels that run inside its range.
  // Constants and views launch nothing; the materialized constants and the
  // copies run after the last op.
  uint32_t numKernels = static_cast<uint32_t>(kernels.size());
  llvm::DenseMap<Operation *, uint32_t> positionOf;
  for (auto [i, op] : llvm::enumerate(body.without_terminator()))
    positionOf[&op] = static_cast<uint32_t>(i);
  std::vector<uint32_t> firstAtOrAfter(plan->numOps + 2, numKernels);
  std::vector<int64_t> lastAtOrBefore(plan->numOps + 1, -1);
  for (auto [k, kernel] : llvm::enumerate(kernels)) {
    uint32_t pos = plan->numOps; // after the last op
    if (kernel.kind != "copy" && !kernel.ops.empty() &&
        !isa<mlir::loom::ConstantOp>(kernel.ops.front()))
      pos = positionOf.lookup(kernel.ops.front());
    firstAtOrAfter[pos] = std::min<uint32_t>(firstAtOrAfter[pos], k);
    lastAtOrBefore[pos] = static_cast<int64_t>(k);
  }
  for (int64_t p = plan->numOps; p >= 0; --p)
    firstAtOrAfter[p] = std::min(firstAtOrAfter[p], firstAtOrAfter[p + 1]);
  for (uint32_t p = 1; p <= plan->numOps; ++p)
    lastAtOrBefore[p] = std::max(lastAtOrBefore[p], lastAtOrBefore[p - 1]);

  artifact.memory.arenaSize = plan->arenaSize;
  artifact.memory.alignment = plan->alignment;
  for (auto [i, b] : llvm::enumerate(plan->buffers)) {
    if (b.kind == mlir::loom::BufferKind::View)
      continue;
    ::loom::BufferRecord r;
    r.id = static_cast<uint32_t>(i);
    r.name = b.name;
    r.offset = b.offset;
    r.size = bytesOf(b.value);
    r.firstUse =
        b.firstUse >= plan->numOps ? numKernels : firstAtOrAfter[b.firstUse];
    int64_t last =
        b.lastUse >= plan->numOps ? numKernels : lastAtOrBefore[b.lastUse];
    r.lastUse = static_cast<uint32_t>(std::max<int64_t>(last, r.firstUse));
    artifact.memory.buffers.push_back(std::move(r));
  }
  auto idOf = [&](Value v) { return bufferOf.lookup(v); };

  // Kernels.
  for (PlannedKernel &k : kernels) {
    ::loom::KernelRecord r;
    r.kind = k.kind;
    r.symbol = k.symbol;
    for (Value v : k.operands)
      r.operands.push_back(idOf(v));
    r.attrs = k.attrs;
    r.flops = k.flops;
    r.bytesMoved = k.bytesMoved;
    artifact.kernels.push_back(std::move(r));
  }

  // The generated kernels.
  if (!partition->codegen->getBody()->empty()) {
    PassManager pm(module.getContext());
    // Indices are clamped, not asserted: a kernel never aborts the process
    // (the data loaders have already checked labels and token ids).
    mlir::loom::cpu::LoomLowerToLinalgOptions lowering;
    lowering.checkIndices = false;
    pm.addPass(mlir::loom::cpu::createLoomLowerToLinalg(lowering));
    if (failed(pm.run(*partition->codegen)))
      return failure();
    snapshot("linalg", *partition->codegen);
    ::loom::ObjectBlob blob;
    blob.name = "kernels";
    std::string error;
    if (!emitKernelLibrary(*partition->codegen, options.target, blob.bytes,
                           error))
      return step.emitError("cannot compile the generated kernels: ") << error;
    artifact.objects.push_back(std::move(blob));
  }

  // Tables.
  for (BlockArgument arg : body.getArguments()) {
    unsigned i = arg.getArgNumber();
    const mlir::loom::PlannedBuffer &b = plan->buffers[i];
    if (auto name = step.getArgAttrOfType<StringAttr>(i, "loom.param")) {
      ::loom::ParamRecord p;
      p.name = name.str();
      p.dtype = dtypeOf(tt(arg).getElementType());
      p.shape = shapeOf(arg);
      p.init =
          initSpecOf(step.getArgAttrOfType<DictionaryAttr>(i, "loom.init"));
      p.frozen = bool(step.getArgAttr(i, "loom.frozen"));
      if (Attribute shard = step.getArgAttr(i, "loom.shard"))
        p.sharding = toJson(shard);
      p.offset = b.offset;
      p.size = bytesOf(arg);
      artifact.params.push_back(std::move(p));
    } else if (auto name =
                   step.getArgAttrOfType<StringAttr>(i, "loom.opt_state")) {
      ::loom::OptStateRecord s;
      s.name = name.str();
      s.dtype = dtypeOf(tt(arg).getElementType());
      s.shape = shapeOf(arg);
      s.param = llvm::StringRef(s.name).rsplit('.').first.str();
      s.offset = b.offset;
      s.size = bytesOf(arg);
      artifact.optState.push_back(std::move(s));
    } else if (auto role = step.getArgAttrOfType<StringAttr>(i, "loom.input")) {
      ::loom::IoRecord io;
      io.name = io.role = role.str();
      io.dtype = dtypeOf(tt(arg).getElementType());
      io.shape = shapeOf(arg);
      io.buffer = idOf(arg);
      artifact.inputs.push_back(std::move(io));
    }
  }
  const char *outputRoles[] = {"loss", "lr", "grad_norm"};
  for (unsigned j = 0; j < 3; ++j) {
    Value v = ret.getOperand(numCarried + j);
    ::loom::IoRecord io;
    io.name = io.role = outputRoles[j];
    io.dtype = dtypeOf(tt(v).getElementType());
    io.shape = shapeOf(v);
    io.buffer = idOf(v);
    artifact.outputs.push_back(std::move(io));
  }

  artifact.meta.producer = "loom 0.1.0";
  artifact.meta.target = options.target.name();
  artifact.meta.source = options.sourceName;
  if (Attribute recipe = module->getAttr("loom.train"))
    artifact.recipe = toJson(recipe);
  return success();
}

} // namespace loom::cpu
