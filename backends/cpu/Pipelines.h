//===- Pipelines.h - The CPU backend's pass pipelines -----------*- C++ -*-===//
//
// Part of Loom. The CPU backend's two pipelines, each built by one function
// that `loom compile`, `loom train`, loom-opt (--loom-cpu-step-pipeline,
// --loom-cpu-pipeline) and the lit tests all use:
//
//   step:    the training step (and the other programs) before the backend
//            partitions them into kernels: f32 attention kept whole for
//            the flash kernels (or spelled out for oneDNN), CSE,
//            activation recomputation as the recipe's remat asks
//            (--loom-remat), then fusion groups (--loom-fuse), each of
//            which the partition makes one generated kernel;
//   codegen: the generated kernels (Partition.h's module of loom ops) to
//            the LLVM dialect: loom -> linalg on tensors, the kernel
//            calling convention, one-shot bufferization, temporaries on
//            the stack or freed, loops, LLVM dialect. ObjectEmitter.h then
//            translates to LLVM IR and runs LLVM's -O3 (not an MLIR pass).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_PIPELINES_H
#define LOOM_BACKENDS_CPU_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class DialectRegistry;
class OpPassManager;
} // namespace mlir

namespace mlir::loom::cpu {

struct CpuPipelineOptions : public PassPipelineOptions<CpuPipelineOptions> {
  Option<bool> checkIndices{
      *this, "check-indices",
      llvm::cl::desc("Check gather, scatter_add and cross_entropy indices at "
                     "run time (cf.assert); loom compile clamps them only, "
                     "since its data loaders check labels and token ids"),
      llvm::cl::init(true)};
  Option<bool> kernelAbi{
      *this, "kernel-abi",
      llvm::cl::desc("The runtime's calling convention: results become "
                     "out-parameters (--loom-results-to-out-params), "
                     "memrefs are passed as bare pointers, large loop nests "
                     "run on threads (--loom-kernel-ranges) and innermost "
                     "parallel loops are marked for the object emitter "
                     "(--loom-mark-parallel-loops). false keeps each "
                     "function's results and MLIR's memref descriptors, "
                     "which mlir-cpu-runner calls (tests)"),
      llvm::cl::init(true)};
  Option<bool> approximateMath{
      *this, "approximate-math",
      llvm::cl::desc("Replace f32 erf, tanh, exp, log, ... by polynomial "
                     "approximations that vectorize "
                     "(--loom-approximate-math); false keeps the library "
                     "calls, whose digits the run_*.mlir tests print"),
      llvm::cl::init(true)};
};

struct CpuStepPipelineOptions
    : public PassPipelineOptions<CpuStepPipelineOptions> {
  Option<bool> fuse{*this, "fuse",
                    llvm::cl::desc("Form fusion groups (--loom-fuse); false "
                                   "gives one kernel per op, for bisecting"),
                    llvm::cl::init(true)};
  Option<bool> flashAttention{
      *this, "flash-attention",
      llvm::cl::desc("Run f32 attention on the flash kernels "
                     "(--loom-decompose-attention{flash}); false keeps the "
                     "probabilities for the backward, for bisecting"),
      llvm::cl::init(true)};
  Option<std::string> remat{
      *this, "remat",
      llvm::cl::desc("Activation recomputation (--loom-remat) of @train_step: "
                     "none (no pass), blocks or dots; empty: the recipe's "
                     "remat"),
      llvm::cl::init("")};
};

/// Adds --loom-cpu-step-pipeline to `pm` (on a module).
void buildCpuStepPipeline(OpPassManager &pm,
                          const CpuStepPipelineOptions &options);

/// Adds --loom-cpu-pipeline to `pm` (on a module of kernel functions).
void buildCpuPipeline(OpPassManager &pm, const CpuPipelineOptions &options);

/// Registers both pipelines (loom-opt).
void registerCpuPipelines();

/// Registers in `registry` the dialects the codegen pipeline produces and
/// the bufferization models of the dialects it bufferizes.
void registerCpuCodegenDialects(DialectRegistry &registry);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_PIPELINES_H
