//===- Compile.cpp - loom compile -----------------------------------------===//
//
// Part of Loom. `loom compile FILE.loom [--emit=ir|train-ir|ast|plan]
// [--train NAME] [--locs] [--dump-ir DIR] [-o OUT]`; with `-o FILE.loomx`
// the compiled artifact (`--target cpu`), and the pipeline every subcommand
// that compiles shares (buildModule).
//
//===----------------------------------------------------------------------===//

#include "tools/loom/Commands.h"
#include "tools/loom/Exit.h"

#include "backends/cpu/emit/EmitArtifact.h"
#include "backends/cpu/emit/Recipe.h"
#include "runtime/artifact/Artifact.h"

#include "frontend/AST.h"
#include "frontend/Diagnostics.h"
#include "frontend/Elaborator.h"
#include "frontend/Program.h"
#include "ir/LoomDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OperationSupport.h"
#include "mlir/Pass/PassManager.h"

#include "llvm/Support/FileSystem.h"
#include "llvm/Support/FormatVariadic.h"
#include "llvm/Support/Path.h"
#include "llvm/Support/ToolOutputFile.h"
#include "llvm/Support/WithColor.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

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
                          "loom IR: @forward, @loss and the recipe"),
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
                                 "op"),
                        cl::sub(compileCmd));
cl::opt<std::string> outputFile("o",
                                cl::desc("Output file ('-' for stdout); a "
                                         "name ending in .loomx gets the "
                                         "compiled artifact"),
                                cl::value_desc("file"), cl::init("-"),
                                cl::sub(compileCmd));
enum class Target { Cpu };
cl::opt<Target> target("target", cl::desc("What the artifact runs on"),
                       cl::init(Target::Cpu),
                       cl::values(clEnumValN(Target::Cpu, "cpu",
                                             "this machine's CPU (oneDNN and "
                                             "generated kernels)")),
                       cl::sub(compileCmd));
cl::opt<std::string> dumpIrDir("dump-ir",
                               cl::desc("Write the IR after every stage the "
                                        "command runs into this directory "
                                        "(NN-<stage>.mlir)"),
                               cl::value_desc("dir"), cl::sub(compileCmd));

std::string printed(mlir::Operation *op) {
  std::string text;
  llvm::raw_string_ostream os(text);
  mlir::OpPrintingFlags flags;
  flags.enableDebugInfo(/*enable=*/true, /*prettyForm=*/false);
  op->print(os, flags);
  return os.str();
}

std::string mib(uint64_t bytes) {
  if (bytes >= (1u << 20))
    return llvm::formatv("{0:f1} MiB", bytes / 1048576.0).str();
  if (bytes >= 1024)
    return llvm::formatv("{0:f1} KiB", bytes / 1024.0).str();
  return std::to_string(bytes) + " B";
}

std::string stepsText(int64_t n) {
  return std::to_string(n) + (n == 1 ? " step" : " steps");
}

/// Fits a warmup_cosine schedule of `recipe` to a run of `steps` (loom
/// train --steps): a warm-up that fits is kept (the cosine decays over the
/// rest), a longer one is shortened to the fraction of the run the recipe
/// gives it (at least 1 step, and less than `steps`), with a note.
mlir::loom::ScheduleAttr fitWarmup(mlir::loom::RecipeAttr recipe,
                                   int64_t steps) {
  mlir::loom::ScheduleAttr schedule = recipe.getSchedule();
  if (!schedule || schedule.getKind() != "warmup_cosine" ||
      *schedule.getWarmup() < steps)
    return schedule;
  int64_t warmup = *schedule.getWarmup();
  std::optional<int64_t> total = recipe.getSteps();
  int64_t fitted = steps - 1;
  std::string why = "the longest that leaves a step to decay";
  if (total && *total > warmup) {
    fitted = std::clamp<int64_t>(
        std::llround(static_cast<double>(warmup) * steps / *total),
        std::min<int64_t>(1, steps - 1), steps - 1);
    char percent[32];
    std::snprintf(percent, sizeof percent, "%.3g",
                  100.0 * warmup / static_cast<double>(*total));
    why = "the recipe warms up for " + std::string(percent) + "% of its " +
          stepsText(*total);
  }
  WithColor::note(errs(), "loom train")
      << "warm-up shortened from " << stepsText(warmup) << " to "
      << (fitted ? stepsText(fitted) : std::string("none"))
      << " to fit --steps " << steps << " (" << why << ")\n";
  return schedule.withWarmup(fitted);
}

/// `loom compile FILE.loom -o FILE.loomx`, or with `planOnly` the plan of
/// `--emit=plan`, checked and described on `os`.
int compileArtifact(loom::Program &program, loom::DiagnosticEngine &diags,
                    SourceMgr &sourceMgr, raw_ostream *planOnly = nullptr) {
  mlir::MLIRContext ctx;
  loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
  ctx.printOpOnDiagnostic(false);
  loom::Artifact artifact;
  loom::tool::ArtifactOptions options;
  options.trainName = trainName;
  options.sourceName = sys::path::filename(inputFile).str();
  options.dumpDir = dumpIrDir;
  options.objectCode = !planOnly;
  if (!loom::tool::compileCpuArtifact(ctx, program, diags, options, artifact))
    return 1;
  if (planOnly) {
    if (loom::Status s = loom::validateArtifact(artifact, inputFile); !s) {
      WithColor::error(errs(), "loom") << s.message() << "\n";
      return 1;
    }
    *planOnly << "plan of " << inputFile << ": "
              << loom::tool::describeArtifact(artifact) << "\n";
    return 0;
  }
  if (loom::Status s = loom::writeArtifact(outputFile, artifact); !s) {
    WithColor::error(errs(), "loom") << s.message() << "\n";
    return 1;
  }
  outs() << "wrote " << outputFile << ": "
         << loom::tool::describeArtifact(artifact) << "\n";
  return 0;
}

} // namespace

cl::SubCommand &loom::tool::compileCommand() { return compileCmd; }

mlir::OwningOpRef<mlir::ModuleOp>
loom::tool::buildModule(mlir::MLIRContext &ctx, const Program &program,
                        DiagnosticEngine &diags, StringRef trainName,
                        bool trainStep, std::optional<int64_t> batch,
                        std::vector<loom::IrText> *stages) {
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loom::lowerProgram(ctx, program, diags, trainName, batch);
  if (module && stages)
    stages->push_back({"frontend", printed(*module)});
  if (!module || !trainStep)
    return module;
  mlir::PassManager pm(&ctx);
  pm.addPass(mlir::loom::createLoomAutodiff());
  if (mlir::failed(pm.run(*module)))
    return nullptr;
  if (stages)
    stages->push_back({"autodiff", printed(*module)});
  mlir::PassManager pm2(&ctx);
  pm2.addPass(mlir::loom::createLoomBuildTrainStep());
  if (mlir::failed(pm2.run(*module)))
    return nullptr;
  if (stages)
    stages->push_back({"train-step", printed(*module)});
  return module;
}

std::string loom::tool::describeArtifact(const loom::Artifact &artifact) {
  uint64_t params = 0, state = 0;
  for (const loom::ParamRecord &p : artifact.params)
    params += p.size;
  for (const loom::OptStateRecord &o : artifact.optState)
    state += o.size;
  size_t generated = 0, library = 0;
  for (const loom::KernelRecord &k : artifact.kernels)
    (k.kind == "codegen" ? generated
     : k.kind == "copy"  ? generated
                         : library)++;
  std::string programs;
  for (const loom::ProgramRecord &p : artifact.programs)
    programs +=
        ", " + p.name + " " + std::to_string(p.endKernel - p.firstKernel);
  return std::to_string(artifact.kernels.size()) + " kernels (" +
         std::to_string(library) + " oneDNN, " + std::to_string(generated) +
         " generated or copies; step " +
         std::to_string(artifact.trainKernelEnd()) + programs +
         "), peak memory " + mib(artifact.memory.arenaSize) + " (parameters " +
         mib(params) + ", optimizer state " + mib(state) + ")";
}

bool loom::tool::compileCpuArtifact(mlir::MLIRContext &ctx,
                                    const Program &program,
                                    DiagnosticEngine &diags,
                                    const ArtifactOptions &options,
                                    loom::Artifact &artifact) {
  ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  loom::cpu::EmitOptions emit;
  emit.sourceName = options.sourceName;
  emit.target = loom::cpu::hostTarget();
  emit.dumpDir = options.dumpDir;
  emit.objectCode = options.objectCode;
  mlir::OwningOpRef<mlir::ModuleOp> module =
      loom::lowerProgram(ctx, program, diags, options.trainName, options.batch);
  if (!module)
    return false;
  // The flags of loom train override the recipe before anything reads it.
  auto recipe = (*module)->getAttrOfType<mlir::loom::RecipeAttr>("loom.train");
  if (options.steps) {
    mlir::loom::ScheduleAttr schedule = fitWarmup(recipe, *options.steps);
    recipe = recipe.withOptimizer(recipe.getOptimizer(), schedule)
                 .withSteps(*options.steps);
  }
  if (options.seed)
    recipe = recipe.withSeed(static_cast<int64_t>(*options.seed));
  if (options.lr)
    recipe = recipe.withOptimizer(recipe.getOptimizer().withLr(*options.lr),
                                  recipe.getSchedule());
  (*module)->setAttr("loom.train", recipe);
  if (options.checkRecipe &&
      !options.checkRecipe(loom::cpu::recipeJson(recipe)))
    return false;
  emit.stages.push_back({"frontend", printed(*module)});
  if (options.eval) {
    // Evaluation at the training batch size, and at batch 1 for the last
    // partial batch of a split and for generation.
    mlir::PassManager pm(&ctx);
    pm.addPass(mlir::loom::createLoomBuildEvalStep());
    if (mlir::failed(pm.run(*module)))
      return false;
    emit.programs.push_back({"eval", "eval_step", {"loss", "output"}});
    auto x = module->lookupSymbol<mlir::func::FuncOp>("forward");
    auto xType =
        mlir::cast<mlir::RankedTensorType>(x.getArgumentTypes().back());
    mlir::OwningOpRef<mlir::ModuleOp> one;
    if (xType.getRank() > 0 && xType.getDimSize(0) != 1) {
      one = loom::lowerProgram(ctx, program, diags, options.trainName, 1);
      if (!one)
        return false;
      mlir::PassManager pm1(&ctx);
      pm1.addPass(mlir::loom::createLoomBuildEvalStep());
      if (mlir::failed(pm1.run(*one)))
        return false;
      auto eval1 = one->lookupSymbol<mlir::func::FuncOp>("eval_step");
      auto copy = mlir::cast<mlir::func::FuncOp>(eval1->clone());
      copy.setSymName("eval_step_1");
      module->push_back(copy);
      emit.programs.push_back({"eval1", "eval_step_1", {"loss", "output"}});
    }
    // A language model also gets "decode": one token at a time with KV
    // caches, for loom generate (a remark says why a model has none).
    if (recipe.getData().getKind() == "tokens") {
      mlir::ModuleOp batch1 = one ? *one : *module;
      mlir::PassManager pmd(&ctx);
      mlir::loom::LoomBuildDecodeStepOptions decodeOptions;
      decodeOptions.optional = true;
      pmd.addPass(mlir::loom::createLoomBuildDecodeStep(decodeOptions));
      if (mlir::failed(pmd.run(batch1)))
        return false;
      if (auto decode =
              batch1.lookupSymbol<mlir::func::FuncOp>("decode_step")) {
        std::vector<std::string> roles;
        for (unsigned i = 0; i < decode.getNumResults(); ++i) {
          auto role =
              decode.getResultAttrOfType<mlir::StringAttr>(i, "loom.output");
          if (!role)
            role =
                decode.getResultAttrOfType<mlir::StringAttr>(i, "loom.state");
          roles.push_back(role ? role.str() : "out");
        }
        if (one)
          module->push_back(decode->clone());
        emit.programs.push_back({"decode", "decode_step", roles});
      }
    }
  }
  mlir::PassManager pm(&ctx);
  pm.addPass(mlir::loom::createLoomAutodiff());
  if (mlir::failed(pm.run(*module)))
    return false;
  emit.stages.push_back({"autodiff", printed(*module)});
  mlir::PassManager pm2(&ctx);
  pm2.addPass(mlir::loom::createLoomBuildTrainStep());
  if (mlir::failed(pm2.run(*module)))
    return false;
  emit.stages.push_back({"train-step", printed(*module)});

  for (auto [i, stage] : llvm::enumerate(emit.stages)) {
    std::string error;
    if (!options.dumpDir.empty() &&
        !loom::cpu::writeStage(options.dumpDir, i, stage, error)) {
      WithColor::error(errs(), "loom") << error << "\n";
      return false;
    }
  }
  return mlir::succeeded(loom::cpu::emitCpuArtifact(*module, emit, artifact));
}

int loom::tool::runCompile() {
  SourceMgr sourceMgr;
  loom::DiagnosticEngine diags(sourceMgr, errs());
  loom::tool::InternalErrorWatch watch(diags);
  loom::Program program;
  if (!loom::loadProgram(inputFile, loom::defaultStdDir(), diags, program))
    return 1;

  if (StringRef(outputFile).ends_with(".loomx"))
    return compileArtifact(program, diags, sourceMgr);
  if (!dumpIrDir.empty() && emitKind == EmitKind::Ast) {
    WithColor::error(errs(), "loom")
        << "--dump-ir writes the IR after each stage the command runs; "
           "--emit=ast runs none\n";
    return loom::tool::ExitUsage;
  }

  std::error_code ec;
  ToolOutputFile output(outputFile, ec, sys::fs::OF_Text);
  if (ec) {
    WithColor::error(errs(), "loom")
        << "cannot write '" << outputFile << "': " << ec.message() << "\n";
    return 1;
  }
  switch (emitKind) {
  case EmitKind::Plan:
    if (int rc = compileArtifact(program, diags, sourceMgr, &output.os()))
      return rc;
    break;
  case EmitKind::Ast:
    loom::ast::print(program.main(), sourceMgr, output.os());
    break;
  case EmitKind::Ir:
  case EmitKind::TrainIr: {
    mlir::MLIRContext ctx;
    ctx.loadDialect<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
    // Diagnostics from passes show the .loom line and the call chain.
    loom::tool::DiagnosticHandler mlirDiags(sourceMgr, &ctx, errs());
    ctx.printOpOnDiagnostic(false);
    // --dump-ir: the stages that ran, even when a later one failed.
    std::vector<loom::IrText> stages;
    mlir::OwningOpRef<mlir::ModuleOp> module =
        buildModule(ctx, program, diags, trainName,
                    emitKind == EmitKind::TrainIr, std::nullopt, &stages);
    for (auto [i, stage] : llvm::enumerate(stages)) {
      std::string error;
      if (!dumpIrDir.empty() &&
          !loom::cpu::writeStage(dumpIrDir, i, stage, error)) {
        WithColor::error(errs(), "loom") << error << "\n";
        return 1;
      }
    }
    if (!module)
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
