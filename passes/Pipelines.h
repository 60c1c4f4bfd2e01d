//===- Pipelines.h - Loom's pass pipelines ----------------------*- C++ -*-===//
//
// Part of Loom. The target-independent pipelines, each built by one
// function that `loom compile`, `loom train`, loom-opt and the lit tests all
// use (the CPU backend's are in backends/cpu/Pipelines.h):
//
//   --loom-frontend-cleanup-pipeline  the frontend's loom IR: canonicalize
//                                     (the dialect's folders), CSE
//   --loom-train-step-pipeline        the programs a training run needs,
//                                     each as asked: @loss_grad (with
//                                     data-parallel, averaged over the data
//                                     ranks) and @train_step,
//                                     @eval_step, @decode_step,
//                                     @input_grad_step;
//                                     then canonicalize, CSE and each
//                                     constant moved to its first user
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_PIPELINES_H
#define LOOM_PASSES_PIPELINES_H

#include "mlir/Pass/PassOptions.h"

namespace mlir {
class OpPassManager;
} // namespace mlir

namespace mlir::loom {

struct TrainStepPipelineOptions
    : public PassPipelineOptions<TrainStepPipelineOptions> {
  Option<bool> eval{*this, "eval",
                    llvm::cl::desc("Build @eval_step (--loom-build-eval-step)"),
                    llvm::cl::init(false)};
  Option<bool> decode{
      *this, "decode",
      llvm::cl::desc("Build @decode_step where @forward decodes one position "
                     "at a time, a remark where it does not "
                     "(--loom-build-decode-step=optional)"),
      llvm::cl::init(false)};
  Option<bool> inputGrad{
      *this, "input-grad",
      llvm::cl::desc("Build @input_grad_step where @forward's input is "
                     "floating-point, a remark where it cannot be "
                     "differentiated (--loom-build-input-grad-step=optional)"),
      llvm::cl::init(false)};
  Option<bool> step{
      *this, "step",
      llvm::cl::desc("Differentiate @loss and build @train_step "
                     "(--loom-autodiff, --loom-build-train-step)"),
      llvm::cl::init(true)};
  Option<bool> dataParallel{
      *this, "data-parallel",
      llvm::cl::desc("Average the loss and gradients of @loss_grad over the "
                     "recipe's data ranks (--loom-data-parallel, between "
                     "autodiff and the step; then --loom-shard-optimizer, "
                     "which shards the optimizer state when the recipe "
                     "says shard_optimizer = true); the tools set it when "
                     "the recipe has more than one"),
      llvm::cl::init(false)};
  Option<bool> modelParallel{
      *this, "model-parallel",
      llvm::cl::desc("Partition the programs over the module's mesh "
                     "(--loom-partition-step, after they are built); the "
                     "tools set it when the module has a mesh.mesh"),
      llvm::cl::init(false)};
  Option<int64_t> bucketBytes{
      *this, "bucket-bytes",
      llvm::cl::desc("With data-parallel: the gradient bytes of one "
                     "all-reduce (--loom-data-parallel's bucket-bytes)"),
      llvm::cl::init(26214400)};
};

/// Adds --loom-frontend-cleanup-pipeline to `pm` (on a module).
void buildFrontendCleanupPipeline(OpPassManager &pm);

/// Adds --loom-train-step-pipeline to `pm` (on a module).
void buildTrainStepPipeline(OpPassManager &pm,
                            const TrainStepPipelineOptions &options);

/// Registers both pipelines (loom-opt).
void registerLoomPipelines();

} // namespace mlir::loom

#endif // LOOM_PASSES_PIPELINES_H
