//===- EmitArtifact.h - The training step as a CPU artifact ------*- C++
//-*-===//
//
// Part of Loom. The CPU backend's driver: from a module holding @train_step
// (after autodiff and the optimizer expansion) and the recipe, runs
// --loom-cpu-step-pipeline (Pipelines.h) and builds the whole `.loomx`
// artifact — the kernel sequence (Partition.h), the memory
// plan, the generated kernels' object code (ObjectEmitter.h), the parameter
// and optimizer-state tables, the step's inputs and outputs, the recipe and
// the IR of each stage.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_EMIT_EMITARTIFACT_H
#define LOOM_BACKENDS_CPU_EMIT_EMITARTIFACT_H

#include "backends/cpu/emit/ObjectEmitter.h"
#include "runtime/artifact/Artifact.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"

#include <string>
#include <vector>

namespace mlir::loom {
class IrPrinter;
} // namespace mlir::loom

namespace mlir::loom::cpu {

/// A program besides the training step: function `symbol` of the module,
/// stored as `name`, its results given `outputRoles`.
struct ProgramSpec {
  std::string name;
  std::string symbol;
  std::vector<std::string> outputRoles;
};

/// What activation recomputation (the recipe's `remat`, --loom-remat) did
/// to the training step, for the compile summary.
struct RematSummary {
  std::string policy; ///< "none", "blocks", "dots"
  int64_t blocks = 0;
  int64_t recomputedOps = 0;
  /// The most bytes of forward values (and their recomputations) live at
  /// once, op by op before fusion: without and with recomputation.
  uint64_t activationsWithout = 0, activationsWith = 0;
  /// The artifact's arena (its peak memory) as compiled, and as it would be
  /// without recomputation.
  uint64_t peakWith = 0, peakWithout = 0;
};

struct EmitOptions {
  std::string sourceName; ///< the .loom file, for the artifact's meta
  HostTarget target;
  /// Reports every pass the backend runs (--dump-ir, --print-ir-*) and
  /// keeps the stages the artifact stores for `loom inspect --ir`: those
  /// kept before (frontend, autodiff, train-step), then `kernels` (the
  /// partition's kernel functions) and `linalg`. Null: the artifact keeps
  /// `kernels` and `linalg` alone.
  mlir::loom::IrPrinter *printer = nullptr;
  /// The other programs, in the order they are stored.
  std::vector<ProgramSpec> programs;
  /// False: the generated kernels are neither lowered nor compiled, so the
  /// artifact holds the kernel sequence and the memory plan but no code and
  /// cannot run (`loom compile --emit=plan`).
  bool objectCode = true;
  /// False: no fusion groups, one kernel per op (for bisecting).
  bool fuse = true;
  /// Filled when the recipe's `remat` is not none: the step's memory with
  /// and without recomputation (which plans the step a second time).
  RematSummary *remat = nullptr;
};

/// A location as a user reads it: "nn.loom:27:9 (blocks.3.attn.qkv), called
/// from ..." (the op, the model instance whose forward made it, the calls
/// that led there), "the gradient of ...". Kernels keep it as their
/// `source_loc` attribute, which `loom inspect`'s views parse
/// (runtime/report/StepModel.h parseSourceLoc).
std::string sourceLocation(mlir::Location loc);

/// Builds the artifact of `module`'s @train_step and `options.programs`.
/// Diagnostics go to the context (at the offending op); on failure returns
/// failure().
mlir::LogicalResult emitCpuArtifact(mlir::ModuleOp module,
                                    const EmitOptions &options,
                                    ::loom::Artifact &artifact);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_EMIT_EMITARTIFACT_H
