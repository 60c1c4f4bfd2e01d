//===- Commands.h - The subcommands of the loom tool ------------*- C++ -*-===//
//
// Part of Loom. Each subcommand of `loom` lives in its own file with its own
// options (Compile.cpp, Run.cpp); loom.cpp dispatches. Also the compile
// pipeline they share.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TOOLS_LOOM_COMMANDS_H
#define LOOM_TOOLS_LOOM_COMMANDS_H

#include "tools/loom/Flags.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/OwningOpRef.h"
#include "llvm/Support/CommandLine.h"

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loom {
struct Artifact;
} // namespace loom

namespace mlir::loom {
class DiagnosticEngine;
struct Program;
class IrPrinter;
namespace cpu {
struct RematSummary;
} // namespace cpu
} // namespace mlir::loom

namespace loom::tool {

/// `loom compile` (Compile.cpp).
llvm::cl::SubCommand &compileCommand();
int runCompile();

/// `loom check` (Check.cpp).
llvm::cl::SubCommand &checkCommand();
int runCheck();

/// `loom bench` (Bench.cpp).
llvm::cl::SubCommand &benchCommand();
int runBench();

/// `loom inspect` (Inspect.cpp).
llvm::cl::SubCommand &inspectCommand();
int runInspect();

/// `loom eval` (Eval.cpp).
llvm::cl::SubCommand &evalCommand();
int runEval();

/// `loom explain` (Explain.cpp).
llvm::cl::SubCommand &explainCommand();
int runExplain();

/// `loom predict` (Predict.cpp).
llvm::cl::SubCommand &predictCommand();
int runPredict();

/// `loom generate` (Generate.cpp).
llvm::cl::SubCommand &generateCommand();
int runGenerate();

/// `loom prep` (Prep.cpp).
llvm::cl::SubCommand &prepCommand();
int runPrep();

/// `loom train` (Train.cpp).
llvm::cl::SubCommand &trainCommand();
int runTrain();

/// `loom sweep` (Sweep.cpp).
llvm::cl::SubCommand &sweepCommand();
int runSweep();

/// `loom run` (Run.cpp).
llvm::cl::SubCommand &runCommand();
int runRun();

/// Lowers train block `trainName` of `program`, runs
/// --loom-frontend-cleanup-pipeline and, when `trainStep`,
/// --loom-train-step-pipeline (autodiff and the optimizer expansion build
/// @train_step). Null, with diagnostics printed, on error. `printer`, when
/// given, gets the frontend's module as stage "frontend" and reports every
/// pass (else the passes are only verified). `set` holds the `--set
/// NAME=VALUE`s of the model's hyper-parameters, `mesh` the `--mesh` that
/// replaces the recipe's mesh. Without `trainStep`, a mesh and `shard`
/// lists lower to the mesh dialect (docs/sharding.md); with it, the step is
/// partitioned over a `model` axis of several ranks.
mlir::OwningOpRef<mlir::ModuleOp>
buildModule(mlir::MLIRContext &ctx, const mlir::loom::Program &program,
            mlir::loom::DiagnosticEngine &diags, llvm::StringRef trainName,
            bool trainStep, std::optional<int64_t> batch = std::nullopt,
            mlir::loom::IrPrinter *printer = nullptr,
            const std::vector<std::pair<std::string, std::string>> &set = {},
            const std::optional<MeshFlag> &mesh = std::nullopt);

/// Whether `module`'s recipe runs on more than one data rank, so that the
/// train-step pipeline averages the gradients (its data-parallel option).
bool dataParallel(mlir::ModuleOp module);
/// Whether `module` has a mesh to partition over (tensor parallelism).
bool modelParallel(mlir::ModuleOp module);

/// For the compile summary of a step partitioned over a model axis: what
/// one process would hold, from the plan (no kernel code) of the same train
/// block compiled with the mesh's model axis at 1 rank, the data axis and
/// the programs unchanged (unset if that compile failed).
struct PartitionSummary {
  /// Its peak memory less its parameters and optimizer state: the
  /// activations and the other values of its programs.
  std::optional<uint64_t> oneProcessRest;
};

/// How compileCpuArtifact compiles.
struct ArtifactOptions {
  std::string trainName;        ///< the train block ("" if only one)
  std::optional<int64_t> batch; ///< overrides the recipe's batch
  /// The ranks of the mesh's data axis (the ranks of mpirun); a `mesh`
  /// that asks for another count is an error. Unset: the mesh's, or 1.
  std::optional<int64_t> ranks;
  bool eval = true; ///< add the programs eval, eval1, decode, input_grad
  /// false: no input_grad program even where `eval` would add one.
  bool inputGrad = true;
  std::string sourceName; ///< for the artifact's meta
  /// Verifies the IR after every pass and reports it (--dump-ir and
  /// --print-ir-*); null: one that only verifies.
  mlir::loom::IrPrinter *printer = nullptr;
  bool objectCode = true; ///< false: no kernel code (EmitOptions)
  bool fuse = true;       ///< false: one kernel per op (--no-fusion)
  /// Recipe overrides (loom train's flags), applied by
  /// --loom-override-recipe when one is set: the length in steps (the
  /// schedule follows it), the learning rate, the seed.
  std::optional<int64_t> steps;
  std::optional<double> lr;
  std::optional<int64_t> seed;
  /// `--set NAME=VALUE`: hyper-parameters of the train block's model,
  /// replaced before shapes are inferred (frontend/Elaborator.h).
  std::vector<std::pair<std::string, std::string>> set;
  /// `--mesh`: replaces the train block's `mesh` (frontend/Elaborator.h).
  std::optional<MeshFlag> mesh;
  /// Called once the program is lowered (fast), before the heavy compile,
  /// with the recipe as the artifact will record it (JSON, after the
  /// overrides): false (after printing why) stops the compile.
  std::function<bool(const std::string &recipeJson)> checkRecipe;
  /// Set before checkRecipe is called: the ranks of the mesh's model axis
  /// (1 without one), which the recipe does not record.
  int64_t *modelRanks = nullptr;
  /// Filled when the recipe recomputes activations (EmitOptions::remat).
  mlir::loom::cpu::RematSummary *remat = nullptr;
  /// Filled for a step partitioned over a model axis of several ranks.
  PartitionSummary *partition = nullptr;
};

/// Compiles a train block of `program` into a CPU artifact: the training
/// step and, with `options.eval`, the programs "eval" (the recipe's loss and
/// the model's output, dropout off, at the training batch size), "eval1"
/// (the same at batch 1) and, for a recipe on tokens whose forward decodes
/// one position at a time, "decode" (--loom-build-decode-step; otherwise a
/// remark says why not), and for a model with a floating-point input
/// "input_grad" (--loom-build-input-grad-step at the training batch size,
/// or lowered again at 16 when that is larger: the gradient of the selected
/// outputs w.r.t. the input, for loom explain). Diagnostics are printed; false
/// on error.
bool compileCpuArtifact(mlir::MLIRContext &ctx,
                        const mlir::loom::Program &program,
                        mlir::loom::DiagnosticEngine &diags,
                        const ArtifactOptions &options,
                        loom::Artifact &artifact);

/// "5395 kernels (...), peak memory 2.5 GiB (parameters ..., ...)"; for a
/// step split over a model axis, each rank's share, with `partition`'s
/// comparison when given (Summary.cpp).
std::string describeArtifact(const loom::Artifact &artifact,
                             const PartitionSummary *partition = nullptr);

/// "remat = blocks: 54 ops of 2 blocks recomputed in the backward;
/// activation memory 736.1 KiB without, 305.2 KiB with (-59%); peak memory
/// 1.6 MiB without, 1.2 MiB with": what the recipe's `remat` did.
std::string describeRemat(const mlir::loom::cpu::RematSummary &remat);

} // namespace loom::tool

#endif // LOOM_TOOLS_LOOM_COMMANDS_H
