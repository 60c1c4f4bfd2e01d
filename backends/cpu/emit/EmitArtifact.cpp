//===- EmitArtifact.cpp - The training step as a CPU artifact -------------===//
//
// Part of Loom. See EmitArtifact.h. The order of work: partition the step
// into kernels, place every value the kernels touch in the arena, compile
// the generated kernels, then write the tables.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/EmitArtifact.h"

#include "backends/cpu/Pipelines.h"
#include "backends/cpu/emit/Partition.h"
#include "backends/cpu/emit/Recipe.h"
#include "ir/ElementType.h"
#include "ir/LoomOps.h"
#include "ir/LoomRecipe.h"
#include "passes/IrPrinting.h"
#include "passes/memory/MemoryPlan.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"

using namespace mlir;

namespace {

RankedTensorType tt(Value v) { return cast<RankedTensorType>(v.getType()); }

constexpr uint64_t kAlignment = 64;

using ::loom::KernelAttr;

} // namespace

namespace mlir::loom::cpu {

std::string sourceLocation(Location loc) {
  if (auto fused = dyn_cast<FusedLoc>(loc)) {
    // A fusion group (--loom-fuse) is named by its last member, which makes
    // the value it yields last: the sqrt of add+sqrt; a contraction group
    // ("contraction_group") by its first, the matmul of the Linear.
    auto group = dyn_cast_or_null<StringAttr>(fused.getMetadata());
    bool last = group && group.getValue() == "fusion_group";
    std::string inner = fused.getLocations().empty() ? std::string("?")
                        : last ? sourceLocation(fused.getLocations().back())
                               : sourceLocation(fused.getLocations().front());
    // The frontend's `fused<{instance = "blocks.3.attn"}>[op]`: the op, then
    // the model instance whose forward made it.
    if (auto meta = dyn_cast_or_null<DictionaryAttr>(fused.getMetadata()))
      if (auto instance = meta.getAs<StringAttr>("instance"))
        return inner + " (" + instance.str() + ")";
    auto tag = dyn_cast_or_null<StringAttr>(fused.getMetadata());
    return tag && tag.getValue() == "grad" ? "the gradient of " + inner : inner;
  }
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return sourceLocation(call.getCallee()) + ", called from " +
           sourceLocation(call.getCaller());
  if (auto name = dyn_cast<NameLoc>(loc)) {
    if (isa<UnknownLoc>(name.getChildLoc()))
      return name.getName().str();
    return sourceLocation(name.getChildLoc());
  }
  if (auto file = dyn_cast<FileLineColLoc>(loc))
    return (file.getFilename().getValue() + ":" + Twine(file.getLine()) + ":" +
            Twine(file.getColumn()))
        .str();
  return "?";
}

namespace {

/// "After the program": a live range's end that outlives its program. The
/// number of kernels of the whole artifact replaces it once all are known.
constexpr uint32_t kAfter = UINT32_MAX;

/// What emitting one program leaves for the tables.
struct EmittedProgram {
  mlir::loom::ArenaPlan plan;
  /// Every value's buffer id.
  llvm::DenseMap<Value, uint32_t> bufferOf;
  /// The bytes from `base` the program takes (not the training step's).
  uint64_t regionSize = 0;
};

/// Partitions `fn`, plans its memory and appends its kernels and buffers to
/// `artifact`. The training step (`persistentOffsets` null) owns the arena
/// from offset 0; another program's parameters take the step's bytes for
/// them (by `loom.param` name), and its own region from `base` holds its
/// state (`loom.state` arguments, kept between runs), then its other
/// values.
FailureOr<EmittedProgram>
emitProgram(func::FuncOp fn, GeneratedKernels &generated,
            const llvm::StringMap<uint64_t> *persistentOffsets, uint64_t base,
            ::loom::Artifact &artifact) {
  FailureOr<StepPartition> partition = partitionStep(fn, generated);
  if (failed(partition))
    return failure();
  std::vector<PlannedKernel> &kernels = partition->kernels;

  // The memory plan: every value's bytes in one arena, new parameters and
  // state in place where that is safe, copies after the step otherwise. Its
  // positions are the kernels of the partition (views and constants launch
  // none), so its live ranges are the artifact's.
  EmittedProgram out;
  FailureOr<mlir::loom::ArenaPlan> planned =
      mlir::loom::planArena(fn, kAlignment, launchesKernel);
  if (failed(planned))
    return failure();
  out.plan = std::move(*planned);
  mlir::loom::ArenaPlan &plan = out.plan;
  if (std::string bad = mlir::loom::checkArenaPlan(plan); !bad.empty())
    return fn.emitError("internal error: the memory plan is inconsistent: ")
           << bad;
  // The kernels of the ops come first, one per position; the materialized
  // constants and the copies run after the last op.
  size_t opKernels = llvm::count_if(kernels, [](const PlannedKernel &k) {
    return k.ops.empty() || !isa<mlir::loom::ConstantOp>(k.ops.front());
  });
  if (opKernels != plan.numOps)
    return fn.emitError("internal error: the memory plan counts ")
           << plan.numOps << " kernels, the partition " << opKernels;
  uint32_t idBase = 0;
  for (const ::loom::BufferRecord &b : artifact.memory.buffers)
    idBase = std::max(idBase, b.id + 1);
  for (auto [i, b] : llvm::enumerate(plan.buffers))
    out.bufferOf[b.value] =
        idBase + static_cast<uint32_t>(b.aliasOf >= 0 ? b.aliasOf : i);
  for (unsigned c : plan.copies) {
    const mlir::loom::StateUpdate &u = plan.updates[c];
    Value from = plan.buffers[u.from].value, to = plan.buffers[u.to].value;
    PlannedKernel copy;
    copy.kind = "copy";
    copy.operands = {from, to};
    copy.numInputs = 1;
    addOperandTypes(copy);
    kernels.push_back(std::move(copy));
  }

  // A position is a kernel index; numOps, "after the step", is past the
  // program's last kernel.
  uint32_t first = static_cast<uint32_t>(artifact.kernels.size());
  auto kernelAt = [&](uint32_t pos) {
    return pos >= plan.numOps ? kAfter : first + pos;
  };

  // A program's state comes first in its region, in argument order.
  llvm::DenseMap<int64_t, uint64_t> stateOffset; // buffer -> arena offset
  uint64_t stateSize = 0;
  if (persistentOffsets)
    for (BlockArgument arg : fn.getBody().front().getArguments())
      if (fn.getArgAttr(arg.getArgNumber(), "loom.state")) {
        const mlir::loom::PlannedBuffer &b = plan.buffers[arg.getArgNumber()];
        stateOffset[arg.getArgNumber()] = base + stateSize;
        stateSize += b.size;
      }
  out.regionSize = plan.arenaSize - plan.persistentSize + stateSize;
  for (auto [i, b] : llvm::enumerate(plan.buffers)) {
    if (b.kind == mlir::loom::BufferKind::View)
      continue;
    ::loom::BufferRecord r;
    r.id = idBase + static_cast<uint32_t>(i);
    r.name = b.name;
    r.offset = b.offset;
    if (persistentOffsets) {
      if (auto it = stateOffset.find(i); it != stateOffset.end()) {
        r.offset = it->second;
      } else if (auto it = stateOffset.find(b.inPlaceOf);
                 b.inPlaceOf >= 0 && it != stateOffset.end()) {
        r.offset = it->second; // the state's new value, in place
      } else if (b.kind == mlir::loom::BufferKind::Persistent) {
        auto it = persistentOffsets->find(b.name);
        if (it == persistentOffsets->end())
          return fn.emitError("parameter '")
                 << b.name << "' is not a parameter of @train_step";
        r.offset = it->second;
      } else {
        r.offset = b.offset - plan.persistentSize + base + stateSize;
      }
    }
    r.size = bytesOf(b.value);
    r.firstUse = kernelAt(b.firstUse);
    r.lastUse = kernelAt(b.lastUse);
    artifact.memory.buffers.push_back(std::move(r));
  }

  // Kernels, each with the .loom location of what it runs (for errors such
  // as a NaN) and its number of inputs.
  for (PlannedKernel &k : kernels) {
    ::loom::KernelRecord r;
    r.kind = k.kind;
    r.symbol = k.symbol;
    for (Value v : k.operands)
      r.operands.push_back(out.bufferOf.lookup(v));
    r.attrs = k.attrs;
    r.attrs.push_back(KernelAttr::ofInt("num_inputs", k.numInputs));
    if (!k.ops.empty()) {
      r.attrs.push_back(KernelAttr::ofString(
          "source_op", k.ops.front()->getName().getStringRef().str()));
      r.attrs.push_back(KernelAttr::ofString(
          "source_loc", sourceLocation(k.ops.front()->getLoc())));
    }
    r.flops = k.flops;
    r.bytesMoved = k.bytesMoved;
    artifact.kernels.push_back(std::move(r));
  }
  return out;
}

/// The bytes of @train_step's arena (as emitProgram plans it) when
/// `module`'s step is prepared with recomputation `remat`: a copy of the
/// step in a module of its own through --loom-cpu-step-pipeline.
FailureOr<uint64_t> stepArenaWith(ModuleOp module, StringRef remat, bool fuse) {
  OwningOpRef<ModuleOp> alone = ModuleOp::create(module.getLoc());
  alone->getBody()->push_back(module.lookupSymbol("train_step")->clone());
  PassManager pm(module.getContext());
  mlir::loom::cpu::CpuStepPipelineOptions stepOptions;
  stepOptions.fuse = fuse;
  stepOptions.remat = remat.str();
  mlir::loom::cpu::buildCpuStepPipeline(pm, stepOptions);
  if (failed(pm.run(*alone)))
    return failure();
  FailureOr<mlir::loom::ArenaPlan> plan =
      mlir::loom::planArena(alone->lookupSymbol<func::FuncOp>("train_step"),
                            kAlignment, launchesKernel);
  if (failed(plan))
    return failure();
  return plan->arenaSize;
}

/// The whole, logical shape of argument `i` of `step`: its type's, or for
/// a slice of a tensor split over a mesh axis (--loom-partition-step's
/// `loom.shard`), the whole tensor's.
std::vector<int64_t> wholeShapeOf(func::FuncOp step, unsigned i) {
  if (auto shard = step.getArgAttrOfType<DictionaryAttr>(i, "loom.shard"))
    if (auto whole = shard.getAs<DenseI64ArrayAttr>("shape"))
      return std::vector<int64_t>(whole.asArrayRef().begin(),
                                  whole.asArrayRef().end());
  return shapeOf(step.getArgument(i));
}

/// The I/O record of `v`, with role `role`.
::loom::IoRecord ioRecord(const EmittedProgram &p, Value v, StringRef role) {
  ::loom::IoRecord io;
  io.name = io.role = role.str();
  io.dtype = *mlir::loom::toDType(tt(v).getElementType());
  io.shape = shapeOf(v);
  io.buffer = p.bufferOf.lookup(v);
  return io;
}

} // namespace

LogicalResult emitCpuArtifact(ModuleOp module, const EmitOptions &options,
                              ::loom::Artifact &artifact) {
  auto step = module.lookupSymbol<func::FuncOp>("train_step");
  if (!step)
    return module.emitError("the CPU backend compiles @train_step, which "
                            "this module lacks (run --loom-autodiff and "
                            "--loom-build-train-step first)");
  mlir::loom::IrPrinter ownPrinter{mlir::loom::IrPrintingOptions()};
  mlir::loom::IrPrinter &printer =
      options.printer ? *options.printer : ownPrinter;
  // The step without recomputation, for the summary's comparison.
  auto recipe = module->getAttrOfType<mlir::loom::RecipeAttr>("loom.train");
  std::optional<uint64_t> arenaWithout;
  if (options.remat && recipe && recipe.getRematPolicy() != "none") {
    FailureOr<uint64_t> size = stepArenaWith(module, "none", options.fuse);
    if (failed(size))
      return failure();
    arenaWithout = *size;
  }
  {
    PassManager pm(module.getContext());
    mlir::loom::cpu::CpuStepPipelineOptions stepOptions;
    stepOptions.fuse = options.fuse;
    stepOptions.remat = recipe ? recipe.getRematPolicy().str() : "none";
    mlir::loom::cpu::buildCpuStepPipeline(pm, stepOptions);
    printer.instrument(pm);
    if (failed(printer.run(pm, module)))
      return failure();
  }
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

  GeneratedKernels generated(module.getContext());
  FailureOr<EmittedProgram> train =
      emitProgram(step, generated, nullptr, 0, artifact);
  if (failed(train))
    return failure();
  artifact.memory.arenaSize = train->plan.arenaSize;
  artifact.memory.alignment = train->plan.alignment;
  uint64_t stepArena = train->plan.arenaSize;

  // Tables.
  llvm::StringMap<uint64_t> paramOffsets;
  for (BlockArgument arg : body.getArguments()) {
    unsigned i = arg.getArgNumber();
    const mlir::loom::PlannedBuffer &b = train->plan.buffers[i];
    if (auto name = step.getArgAttrOfType<StringAttr>(i, "loom.param")) {
      ::loom::ParamRecord p;
      p.name = name.str();
      p.dtype = *mlir::loom::toDType(tt(arg).getElementType());
      p.shape = wholeShapeOf(step, i);
      p.init =
          initSpecOf(step.getArgAttrOfType<DictionaryAttr>(i, "loom.init"));
      p.frozen = bool(step.getArgAttr(i, "loom.frozen"));
      if (Attribute shard = step.getArgAttr(i, "loom.shard"))
        p.sharding = toJson(shard);
      p.offset = b.offset;
      p.size = bytesOf(arg);
      paramOffsets[p.name] = p.offset;
      artifact.params.push_back(std::move(p));
    } else if (auto name =
                   step.getArgAttrOfType<StringAttr>(i, "loom.opt_state")) {
      ::loom::OptStateRecord s;
      s.name = name.str();
      s.dtype = *mlir::loom::toDType(tt(arg).getElementType());
      s.shape = wholeShapeOf(step, i);
      s.param = llvm::StringRef(s.name).rsplit('.').first.str();
      s.offset = b.offset;
      s.size = bytesOf(arg);
      artifact.optState.push_back(std::move(s));
    } else if (auto role = step.getArgAttrOfType<StringAttr>(i, "loom.input")) {
      artifact.inputs.push_back(ioRecord(*train, arg, role.getValue()));
    }
  }
  const char *outputRoles[] = {"loss", "lr", "grad_norm"};
  for (unsigned j = 0; j < 3; ++j)
    artifact.outputs.push_back(
        ioRecord(*train, ret.getOperand(numCarried + j), outputRoles[j]));

  // The other programs: their values go above the step's arena, each
  // program's above the one before, since the outputs of each outlive it.
  uint64_t base =
      (artifact.memory.arenaSize + kAlignment - 1) / kAlignment * kAlignment;
  for (const ProgramSpec &spec : options.programs) {
    auto fn = module.lookupSymbol<func::FuncOp>(spec.symbol);
    if (!fn)
      return module.emitError("no function @")
             << spec.symbol << " for program '" << spec.name << "'";
    ::loom::ProgramRecord record;
    record.name = spec.name;
    record.firstKernel = static_cast<uint32_t>(artifact.kernels.size());
    FailureOr<EmittedProgram> p =
        emitProgram(fn, generated, &paramOffsets, base, artifact);
    if (failed(p))
      return failure();
    record.endKernel = static_cast<uint32_t>(artifact.kernels.size());
    base += p->regionSize;
    artifact.memory.arenaSize = base;
    Block &fnBody = fn.getBody().front();
    // The state is listed with the inputs, under its name: the runtime
    // writes it when it starts over (a decoding program's empty caches).
    for (BlockArgument arg : fnBody.getArguments())
      for (StringRef key : {"loom.input", "loom.state"})
        if (auto role =
                fn.getArgAttrOfType<StringAttr>(arg.getArgNumber(), key))
          record.inputs.push_back(ioRecord(*p, arg, role.getValue()));
    Operation *fnRet = fnBody.getTerminator();
    for (auto [j, v] : llvm::enumerate(fnRet->getOperands()))
      record.outputs.push_back(ioRecord(
          *p, v, j < spec.outputRoles.size() ? spec.outputRoles[j] : "out"));
    artifact.programs.push_back(std::move(record));
  }
  if (arenaWithout) {
    // The other programs' regions lie above the step's arena either way.
    auto *summary = options.remat;
    auto done = step->getAttrOfType<DictionaryAttr>("loom.remat");
    auto bytes =
        done ? done.getAs<DenseI64ArrayAttr>("activation_bytes") : nullptr;
    if (!bytes || bytes.size() != 2)
      return step.emitError("internal error: --loom-remat left no summary");
    auto align = [](uint64_t n) {
      return (n + kAlignment - 1) / kAlignment * kAlignment;
    };
    summary->policy = recipe.getRematPolicy().str();
    summary->blocks = done.getAs<IntegerAttr>("blocks").getInt();
    summary->recomputedOps = done.getAs<IntegerAttr>("recomputed_ops").getInt();
    summary->activationsWithout = bytes[0];
    summary->activationsWith = bytes[1];
    summary->peakWith = artifact.memory.arenaSize;
    summary->peakWithout =
        artifact.memory.arenaSize - align(stepArena) + align(*arenaWithout);
  }
  uint32_t total = static_cast<uint32_t>(artifact.kernels.size());
  for (::loom::BufferRecord &b : artifact.memory.buffers) {
    b.firstUse = std::min(b.firstUse, total);
    b.lastUse = std::min(b.lastUse, total);
  }

  // The generated kernels.
  printer.stage(*generated.module, "kernels");
  printer.keep(*generated.module, "kernels");
  if (options.objectCode && !generated.module->getBody()->empty()) {
    printer.keepAfter("loom-lower-to-linalg", "linalg");
    ::loom::ObjectBlob blob;
    blob.name = "kernels";
    std::string error;
    // Indices are clamped, not asserted: a kernel never aborts the process
    // (the data loaders have already checked labels and token ids).
    std::map<std::string, KernelThreading> threading;
    if (!emitKernelLibrary(*generated.module, options.target, blob.bytes, error,
                           /*checkIndices=*/false, &printer, &threading))
      return step.emitError("cannot compile the generated kernels: ") << error;
    // How many of each kernel's loop nests the runtime's threads split, and
    // how many large ones run on one thread (loom train --profile); absent:
    // none.
    for (::loom::KernelRecord &k : artifact.kernels) {
      auto it = threading.find(k.symbol);
      if (k.kind != "codegen" || it == threading.end())
        continue;
      if (it->second.parallelLoops)
        k.attrs.push_back(
            KernelAttr::ofInt("parallel_loops", it->second.parallelLoops));
      if (it->second.serialLoops)
        k.attrs.push_back(
            KernelAttr::ofInt("serial_loops", it->second.serialLoops));
    }
    artifact.objects.push_back(std::move(blob));
  }
  for (const auto &[stage, text] : printer.kept())
    artifact.ir.push_back({stage, text});

  artifact.meta.producer = "loom 0.1.0";
  artifact.meta.target = options.target.name();
  artifact.meta.source = options.sourceName;
  if (recipe)
    artifact.recipe = recipeJson(recipe);
  return success();
}

} // namespace mlir::loom::cpu
