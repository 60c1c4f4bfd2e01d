//===- Compile.cpp - loom compile -----------------------------------------===//
//
// Part of Loom. `loom compile FILE.loom [--emit=ir|train-ir|ast|plan]
// [--train NAME] [--locs] [--dump-ir DIR] [--print-ir-before=PASS]
// [--print-ir-after=PASS] [--print-ir-after-all] [--print-ir-filter=FUNC]
// [--set NAME=VALUE]... [--mesh data=D,model=M] [-o OUT]`; with `-o FILE.loomx`
// the compiled artifact
// (`--target cpu`), and the compile every subcommand shares (buildModule,
// compileCpuArtifact): the registered pipelines of passes/Pipelines.h and
// backends/cpu/Pipelines.h, reported by passes/IrPrinting.h.
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"
#include "tools/loom/Flags.h"
#include "tools/loom/IrFlags.h"

#include "backends/cpu/emit/EmitArtifact.h"
#include "backends/cpu/emit/Recipe.h"
#include "runtime/artifact/Artifact.h"

#include "backends/cpu/Pipelines.h"
#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Elaborator.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"
#include "passes/IrPrinting.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

using namespace llvm;

namespace {

cl::SubCommand compileCmd("compile",
                          "Compile a .loom program\n\n"
                          "EXAMPLES:\n"
                          "  loom compile examples/mlp.loom --emit=train-ir\n"
                          "  loom compile examples/gpt2.loom -o gpt2.loomx "
                          "--dump-ir ir/");

enum class EmitKind { Ir, TrainIr, Ast, Plan };

cl::opt<std::string> inputFile(cl::Positional, cl::desc("<file.loom>"),
                               cl::Required, cl::sub(compileCmd));
cl::opt<EmitKind> emitKind(
    "emit", cl::desc("What to produce"), cl::init(EmitKind::Ir),
    cl::values(clEnumValN(EmitKind::Ir, "ir",
                          "loom IR: @forward, @loss and the recipe, with the "
                          "mesh and the parameters' shardings"),
               clEnumValN(EmitKind::TrainIr, "train-ir",
                          "the whole training step: @loss_grad (autodiff) "
                          "and @train_step (optimizer, schedule, clipping)"),
               clEnumValN(EmitKind::Ast, "ast",
                          "the syntax tree, one node per line with line:col"),
               clEnumValN(EmitKind::Plan, "plan",
                          "the artifact's kernels and memory plan, checked as "
                          "the loader checks them (no kernel code is "
                          "compiled)")),
    cl::sub(compileCmd));
cl::opt<std::string> trainName("train",
                               cl::desc("The train block to compile (needed "
                                        "when the file has several)"),
                               cl::value_desc("name"), cl::sub(compileCmd));
cl::opt<bool> printLocs("locs",
                        cl::desc("Print the .loom source location of every "
                                 "op (also with --print-ir-*)"),
                        cl::sub(compileCmd));
cl::opt<std::string> outputFile("o",
                                cl::desc("Output file ('-' for stdout); a "
                                         "name ending in .loomx gets the "
                                         "compiled artifact"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(compileCmd));
cl::list<std::string>
    setFlags("set",
             cl::desc("Give hyper-parameter NAME of the train block's model "
                      "(`model = Model(NAME = ...)`) the value VALUE, "
                      "before shapes are inferred (repeatable)"),
             cl::value_desc("NAME=VALUE"), cl::sub(compileCmd));
std::vector<std::pair<std::string, std::string>> setPairs;
cl::opt<std::string>
    meshFlag("mesh",
             cl::desc("Compile for this mesh instead of the train block's "
                      "`mesh` (or for one where it has none); an axis left "
                      "out is as if `mesh = (...)` left it out "
                      "(docs/sharding.md)"),
             cl::value_desc("data=D,model=M"), cl::sub(compileCmd));
std::optional<loom::tool::MeshFlag> mesh;
enum class Target { Cpu };
cl::opt<Target> target("target", cl::desc("What the artifact runs on"),
                       cl::init(Target::Cpu),
                       cl::values(clEnumValN(Target::Cpu, "cpu",
                                             "this machine's CPU (oneDNN and "
                                             "generated kernels)")),
                       cl::sub(compileCmd));
// --dump-ir and --print-ir-* (passes/IrPrinting.h).
loom::tool::IrFlags irFlags(compileCmd);

/// The `--set`s for the frontend.
std::vector<mlir::loom::HParamOverride>
overrides(const std::vector<std::pair<std::string, std::string>> &set) {
  std::vector<mlir::loom::HParamOverride> out;
  for (const auto &[name, value] : set)
    out.push_back({name, value});
  return out;
}

/// The `--mesh` for the frontend.
std::optional<mlir::loom::MeshOverride>
meshOverride(const std::optional<loom::tool::MeshFlag> &flag) {
  if (!flag)
    return std::nullopt;
  return mlir::loom::MeshOverride{flag->data, flag->model, flag->text};
}

/// Prints the first dump file that could not be written; false if one.
bool reportDumpError(const mlir::loom::IrPrinter &printer) {
  if (printer.error().empty())
    return true;
  WithColor::error(errs(), "loom") << printer.error() << "\n";
  return false;
}

/// `loom compile FILE.loom -o FILE.loomx`, or with `planOnly` the plan of
/// `--emit=plan`, checked and described on `os`.
int compileArtifact(mlir::loom::Program &program,
                    mlir::loom::DiagnosticEngine &diags, SourceMgr &sourceMgr,
                    mlir::loom::IrPrinter &printer,
                    raw_ostream *planOnly = nullptr) {
  mlir::MLIRContext ctx;
  // Printing from several threads would interleave.
  if (irFlags.printing())
    ctx.disableMultithreading();
  loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
  ctx.printOpOnDiagnostic(false);
  loom::Artifact artifact;
  loom::tool::ArtifactOptions options;
  options.trainName = trainName;
  options.sourceName = sys::path::filename(inputFile).str();
  options.printer = &printer;
  options.objectCode = !planOnly;
  options.fuse = !irFlags.noFusion;
  options.set = setPairs;
  options.mesh = mesh;
  mlir::loom::cpu::RematSummary remat;
  options.remat = &remat;
  loom::tool::PartitionSummary partition;
  options.partition = &partition;
  if (!loom::tool::compileCpuArtifact(ctx, program, diags, options, artifact))
    return 1;
  std::string rematLine =
      remat.policy.empty() ? "" : loom::tool::describeRemat(remat) + "\n";
  if (planOnly) {
    if (loom::Status s = loom::validateArtifact(artifact, inputFile); !s) {
      WithColor::error(errs(), "loom") << s.message() << "\n";
      return 1;
    }
    *planOnly << "plan of " << inputFile << ": "
              << loom::tool::describeArtifact(artifact, &partition) << "\n"
              << rematLine;
    return 0;
  }
  if (loom::Status s = loom::writeArtifact(outputFile, artifact); !s) {
    WithColor::error(errs(), "loom") << s.message() << "\n";
    return 1;
  }
  outs() << "wrote " << outputFile << ": "
         << loom::tool::describeArtifact(artifact, &partition) << "\n"
         << rematLine;
  return 0;
}

/// What one process would hold of the step `options` compiles, split over
/// a model axis, into `out`: the plan of the same train block with the
/// mesh's model axis at 1 rank and its data axis at `dataRanks` (the same
/// batch per process), quietly (its diagnostics, the first compile's
/// again, are dropped). Left as it is if that compile fails.
void summarizePartition(const mlir::loom::Program &program,
                        mlir::loom::DiagnosticEngine &diags,
                        const loom::tool::ArtifactOptions &options,
                        int64_t dataRanks, loom::tool::PartitionSummary &out) {
  mlir::MLIRContext ctx;
  mlir::ScopedDiagnosticHandler drop(
      &ctx, [](mlir::Diagnostic &) { return mlir::success(); });
  mlir::loom::DiagnosticEngine quiet(diags.getSourceMgr(), nulls());
  loom::tool::ArtifactOptions one = options;
  one.mesh = loom::tool::MeshFlag{dataRanks, 1, ""};
  one.ranks.reset();
  one.printer = nullptr;
  one.objectCode = false;
  // The split step has no input_grad program (compileCpuArtifact).
  one.inputGrad = false;
  one.checkRecipe = nullptr;
  one.remat = nullptr;
  one.partition = nullptr;
  loom::Artifact artifact;
  if (!loom::tool::compileCpuArtifact(ctx, program, quiet, one, artifact))
    return;
  uint64_t held = 0;
  for (const loom::ParamRecord &p : artifact.params)
    held += p.size;
  for (const loom::OptStateRecord &o : artifact.optState)
    held += o.size;
  out.oneProcessRest =
      artifact.memory.arenaSize > held ? artifact.memory.arenaSize - held : 0;
}

} // namespace

cl::SubCommand &loom::tool::compileCommand() { return compileCmd; }

bool loom::tool::modelParallel(mlir::ModuleOp module) {
  // The frontend builds the mesh for a model axis or a sharded parameter.
  return module.lookupSymbol("mesh") != nullptr;
}

bool loom::tool::dataParallel(mlir::ModuleOp module) {
  auto recipe = module->getAttrOfType<mlir::loom::RecipeAttr>("loom.train");
  return recipe && recipe.getDataRanks() > 1;
}

mlir::OwningOpRef<mlir::ModuleOp> loom::tool::buildModule(
    mlir::MLIRContext &ctx, const mlir::loom::Program &program,
    mlir::loom::DiagnosticEngine &diags, StringRef trainName, bool trainStep,
    std::optional<int64_t> batch, mlir::loom::IrPrinter *printer,
    const std::vector<std::pair<std::string, std::string>> &set,
    const std::optional<MeshFlag> &mesh) {
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::loom::lowerProgram(
      ctx, program, diags, trainName, batch, std::nullopt, overrides(set),
      trainStep ? mlir::loom::ShardingLowering::ArgAttrs
                : mlir::loom::ShardingLowering::Ops,
      meshOverride(mesh));
  if (!module)
    return nullptr;
  mlir::loom::IrPrinter ownPrinter{mlir::loom::IrPrintingOptions()};
  if (!printer)
    printer = &ownPrinter;
  printer->stage(*module, "frontend");
  mlir::PassManager pm(&ctx);
  mlir::loom::buildFrontendCleanupPipeline(pm);
  if (trainStep) {
    mlir::loom::TrainStepPipelineOptions pipeline;
    pipeline.dataParallel = dataParallel(*module);
    pipeline.modelParallel = modelParallel(*module);
    mlir::loom::buildTrainStepPipeline(pm, pipeline);
  }
  printer->instrument(pm);
  if (mlir::failed(printer->run(pm, *module)))
    return nullptr;
  return module;
}

bool loom::tool::compileCpuArtifact(mlir::MLIRContext &ctx,
                                    const mlir::loom::Program &program,
                                    mlir::loom::DiagnosticEngine &diags,
                                    const ArtifactOptions &options,
                                    loom::Artifact &artifact) {
  ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  mlir::loom::cpu::EmitOptions emit;
  emit.sourceName = options.sourceName;
  emit.target = mlir::loom::cpu::hostTarget();
  emit.objectCode = options.objectCode;
  emit.fuse = options.fuse;
  emit.remat = options.remat;
  mlir::OwningOpRef<mlir::ModuleOp> module = mlir::loom::lowerProgram(
      ctx, program, diags, options.trainName, options.batch, options.ranks,
      overrides(options.set), mlir::loom::ShardingLowering::ArgAttrs,
      meshOverride(options.mesh));
  if (!module)
    return false;
  mlir::loom::IrPrinter ownPrinter{mlir::loom::IrPrintingOptions()};
  mlir::loom::IrPrinter &printer =
      options.printer ? *options.printer : ownPrinter;
  // The stages the artifact keeps for `loom inspect --ir`.
  printer.stage(*module, "frontend");
  printer.keep(*module, "frontend");
  printer.keepAfter("loom-autodiff", "autodiff");
  // The flags of loom train override the recipe before anything reads it.
  if (options.steps || options.lr || options.seed) {
    mlir::PassManager pm(&ctx);
    pm.addPass(mlir::loom::createLoomOverrideRecipe(
        {options.steps, options.lr, options.seed}));
    printer.instrument(pm);
    if (mlir::failed(printer.run(pm, *module)))
      return reportDumpError(printer), false;
  }
  auto recipe = (*module)->getAttrOfType<mlir::loom::RecipeAttr>("loom.train");
  // The mesh's shape is (data, model) (docs/sharding.md).
  if (options.modelRanks) {
    mlir::Operation *mesh = module->lookupSymbol("mesh");
    auto shape =
        mesh ? mesh->getAttrOfType<mlir::DenseI64ArrayAttr>("shape") : nullptr;
    *options.modelRanks = shape && shape.size() == 2 ? shape[1] : 1;
  }
  if (options.checkRecipe &&
      !options.checkRecipe(mlir::loom::cpu::recipeJson(recipe)))
    return false;

  // A step split over a model axis (--loom-partition-step removes the
  // mesh).
  bool split = modelParallel(*module);
  // The step and, with `eval`, evaluation at the training batch size; a
  // language model also gets "decode", one token at a time with KV caches,
  // for loom generate (a remark says why a model has none). Not for a
  // model split over a `model` axis: its KV caches would be whole inputs
  // that each rank slices (a collective the runtime does not have);
  // generation runs a checkpoint compiled for one process.
  bool decode = options.eval && recipe.getData().getKind() == "tokens" &&
                !modelParallel(*module);
  auto x = module->lookupSymbol<mlir::func::FuncOp>("forward");
  auto xType =
      x ? mlir::dyn_cast<mlir::RankedTensorType>(x.getArgumentTypes().back())
        : nullptr;
  // The gradient of the output w.r.t. a float input, for loom explain's
  // integrated gradients, at the training batch up to kInputGradBatch:
  // lowered again at that batch when the training batch is larger, so that
  // its activations (its own region of the arena) stay small.
  constexpr int64_t kInputGradBatch = 16;
  // Not for a model split over a `model` axis: the program would read whole
  // parameters where the step's arena holds each rank's slice.
  bool inputGrad = options.eval && options.inputGrad && xType &&
                   xType.getRank() > 0 && !decode &&
                   mlir::isa<mlir::FloatType>(xType.getElementType()) && !split;
  bool inputGradApart = inputGrad && (xType.isDynamicDim(0) ||
                                      xType.getDimSize(0) > kInputGradBatch);
  // Evaluation at batch 1 too, for the last partial batch of a split and
  // for generation: the program lowered again at batch 1.
  bool batch1 =
      options.eval && xType && xType.getRank() > 0 && xType.getDimSize(0) != 1;
  {
    mlir::PassManager pm(&ctx);
    mlir::loom::buildFrontendCleanupPipeline(pm);
    mlir::loom::TrainStepPipelineOptions pipeline;
    pipeline.eval = options.eval;
    pipeline.decode = decode && !batch1;
    pipeline.inputGrad = inputGrad && !inputGradApart;
    pipeline.dataParallel = dataParallel(*module);
    pipeline.modelParallel = split;
    mlir::loom::buildTrainStepPipeline(pm, pipeline);
    printer.instrument(pm);
    if (mlir::failed(printer.run(pm, *module)))
      return reportDumpError(printer), false;
    printer.keep(*module, "train-step");
  }
  if (batch1) {
    mlir::OwningOpRef<mlir::ModuleOp> one = mlir::loom::lowerProgram(
        ctx, program, diags, options.trainName, 1, std::nullopt,
        overrides(options.set), mlir::loom::ShardingLowering::ArgAttrs,
        meshOverride(options.mesh));
    if (!one)
      return false;
    mlir::PassManager pm(&ctx);
    mlir::loom::buildFrontendCleanupPipeline(pm);
    mlir::loom::TrainStepPipelineOptions pipeline;
    pipeline.step = false;
    pipeline.eval = true;
    pipeline.decode = decode;
    pipeline.modelParallel = modelParallel(*one);
    mlir::loom::buildTrainStepPipeline(pm, pipeline);
    printer.instrument(pm, "batch1");
    if (mlir::failed(printer.run(pm, *one)))
      return reportDumpError(printer), false;
    auto eval1 = one->lookupSymbol<mlir::func::FuncOp>("eval_step");
    auto copy = mlir::cast<mlir::func::FuncOp>(eval1->clone());
    copy.setSymName("eval_step_1");
    module->push_back(copy);
    if (auto decodeStep = one->lookupSymbol<mlir::func::FuncOp>("decode_step"))
      module->push_back(decodeStep->clone());
    // The step's module with the batch-1 programs: what the backend gets.
    printer.stage(*module, "merge-batch1");
  }
  if (inputGradApart) {
    mlir::OwningOpRef<mlir::ModuleOp> small = mlir::loom::lowerProgram(
        ctx, program, diags, options.trainName, kInputGradBatch, std::nullopt,
        overrides(options.set), mlir::loom::ShardingLowering::ArgAttrs,
        meshOverride(options.mesh));
    if (!small)
      return false;
    mlir::PassManager pm(&ctx);
    mlir::loom::buildFrontendCleanupPipeline(pm);
    mlir::loom::TrainStepPipelineOptions pipeline;
    pipeline.step = false;
    pipeline.inputGrad = true;
    mlir::loom::buildTrainStepPipeline(pm, pipeline);
    printer.instrument(pm, "input-grad");
    if (mlir::failed(printer.run(pm, *small)))
      return reportDumpError(printer), false;
    if (auto grad = small->lookupSymbol<mlir::func::FuncOp>("input_grad_step"))
      module->push_back(grad->clone());
    printer.stage(*module, "merge-input-grad");
  }
  if (options.eval) {
    emit.programs.push_back({"eval", "eval_step", {"loss", "output"}});
    if (batch1)
      emit.programs.push_back({"eval1", "eval_step_1", {"loss", "output"}});
  }
  if (module->lookupSymbol<mlir::func::FuncOp>("input_grad_step"))
    emit.programs.push_back(
        {"input_grad", "input_grad_step", {"target", "grad"}});
  if (auto decodeStep =
          module->lookupSymbol<mlir::func::FuncOp>("decode_step")) {
    std::vector<std::string> roles;
    for (unsigned i = 0; i < decodeStep.getNumResults(); ++i) {
      auto role =
          decodeStep.getResultAttrOfType<mlir::StringAttr>(i, "loom.output");
      if (!role)
        role =
            decodeStep.getResultAttrOfType<mlir::StringAttr>(i, "loom.state");
      roles.push_back(role ? role.str() : "out");
    }
    emit.programs.push_back({"decode", "decode_step", roles});
  }
  emit.printer = &printer;
  bool ok = mlir::succeeded(
      mlir::loom::cpu::emitCpuArtifact(*module, emit, artifact));
  if (!reportDumpError(printer) || !ok)
    return false;
  if (options.partition && split)
    summarizePartition(program, diags, options, recipe.getDataRanks(),
                       *options.partition);
  return true;
}

int loom::tool::runCompile() {
  SourceMgr sourceMgr;
  mlir::loom::DiagnosticEngine diags(sourceMgr, errs());
  loom::tool::InternalErrorWatch watch(diags);
  mlir::loom::Program program;
  if (!mlir::loom::loadProgram(inputFile, mlir::loom::defaultStdDir(), diags,
                               program))
    return 1;

  bool printing = irFlags.printing();
  if (irFlags.any() && emitKind == EmitKind::Ast &&
      !StringRef(outputFile).ends_with(".loomx")) {
    WithColor::error(errs(), "loom")
        << (printing ? "--print-ir-* prints" : "--dump-ir writes")
        << " the IR after each stage the command runs; --emit=ast runs "
           "none\n";
    return loom::tool::ExitUsage;
  }
  if (setFlags.getNumOccurrences() && emitKind == EmitKind::Ast &&
      !StringRef(outputFile).ends_with(".loomx"))
    return loom::tool::usageError(
        "loom compile", "--set gives the model's hyper-parameters to the "
                        "compile; --emit=ast prints the file as written");
  if (meshFlag.getNumOccurrences() && emitKind == EmitKind::Ast &&
      !StringRef(outputFile).ends_with(".loomx"))
    return loom::tool::usageError(
        "loom compile", "--mesh gives the mesh to the compile; --emit=ast "
                        "prints the file as written");
  if (!irFlags.checkPassNames("loom", "loom compile", /*overrides=*/false) ||
      !loom::tool::parseSetFlags("loom compile", setFlags, setPairs) ||
      !loom::tool::parseMeshFlag("loom compile", meshFlag, mesh))
    return loom::tool::ExitUsage;
  mlir::loom::IrPrinter printer(irFlags.options(printLocs));

  if (StringRef(outputFile).ends_with(".loomx"))
    return compileArtifact(program, diags, sourceMgr, printer);

  std::error_code ec;
  ToolOutputFile output(outputFile, ec, sys::fs::OF_Text);
  if (ec) {
    WithColor::error(errs(), "loom")
        << "cannot write '" << outputFile << "': " << ec.message() << "\n";
    return 1;
  }
  switch (emitKind) {
  case EmitKind::Plan:
    if (int rc =
            compileArtifact(program, diags, sourceMgr, printer, &output.os()))
      return rc;
    break;
  case EmitKind::Ast:
    mlir::loom::ast::print(program.main(), sourceMgr, output.os());
    break;
  case EmitKind::Ir:
  case EmitKind::TrainIr: {
    mlir::MLIRContext ctx;
    ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
    if (printing)
      ctx.disableMultithreading();
    // Diagnostics from passes show the .loom line and the call chain.
    loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
    ctx.printOpOnDiagnostic(false);
    // --dump-ir writes the passes that ran, even when a later one failed.
    mlir::OwningOpRef<mlir::ModuleOp> module = buildModule(
        ctx, program, diags, trainName, emitKind == EmitKind::TrainIr,
        std::nullopt, &printer, setPairs, mesh);
    if (!reportDumpError(printer) || !module)
      return 1;
    mlir::OpPrintingFlags flags;
    if (printLocs)
      flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
    module->print(output.os(), flags);
    output.os() << "\n";
    break;
  }
  }
  output.keep();
  return 0;
}
