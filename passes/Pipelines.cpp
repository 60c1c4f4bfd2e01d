//===- Pipelines.cpp - Loom's pass pipelines ------------------------------===//
//
// Part of Loom. This file implements the target-independent pipelines (see
// Pipelines.h) and their registration. No pipeline is written out anywhere
// else: every user builds it through these functions.
//
//===----------------------------------------------------------------------===//

#include "passes/Pipelines.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::loom::buildFrontendCleanupPipeline(OpPassManager &pm) {
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
}

void mlir::loom::buildTrainStepPipeline(
    OpPassManager &pm, const TrainStepPipelineOptions &options) {
  if (options.step) {
    pm.addPass(createLoomAutodiff());
    if (options.dataParallel) {
      LoomDataParallelOptions parallel;
      parallel.bucketBytes = options.bucketBytes;
      pm.addPass(createLoomDataParallel(parallel));
    }
    pm.addPass(createLoomBuildTrainStep());
    if (options.dataParallel)
      pm.addPass(createLoomShardOptimizer());
  }
  // Both read @loss and @forward, which the step leaves as they are.
  if (options.eval)
    pm.addPass(createLoomBuildEvalStep());
  if (options.decode) {
    LoomBuildDecodeStepOptions decode;
    decode.optional = true;
    pm.addPass(createLoomBuildDecodeStep(decode));
  }
  if (options.inputGrad) {
    LoomBuildInputGradStepOptions inputGrad;
    inputGrad.optional = true;
    pm.addPass(createLoomBuildInputGradStep(inputGrad));
  }
  if (!options.step && !options.eval && !options.decode && !options.inputGrad)
    return;
  // The whole programs, partitioned over the mesh's model axis.
  if (options.modelParallel)
    pm.addPass(createLoomPartitionStep());
  // The gradient rules and the optimizer write x * 1, broadcasts of
  // broadcasts and repeated subexpressions as they come.
  pm.addPass(createCanonicalizerPass());
  pm.addPass(createCSEPass());
  // The canonicalizer hoists constants, which the memory plan would keep
  // live from the start.
  pm.addNestedPass<func::FuncOp>(createLoomSinkConstants());
}

void mlir::loom::registerLoomPipelines() {
  PassPipelineRegistration<>(
      "loom-frontend-cleanup-pipeline",
      "The frontend's loom IR, cleaned: --canonicalize (the dialect's "
      "folders), --cse",
      buildFrontendCleanupPipeline);
  PassPipelineRegistration<TrainStepPipelineOptions>(
      "loom-train-step-pipeline",
      "The programs of a training run, each as asked: --loom-autodiff "
      "(then --loom-data-parallel with data-parallel) and "
      "--loom-build-train-step (then --loom-shard-optimizer with "
      "data-parallel), "
      "--loom-build-eval-step, "
      "--loom-build-decode-step=optional, "
      "--loom-build-input-grad-step=optional; then --loom-partition-step "
      "with model-parallel, --canonicalize, --cse, --loom-sink-constants",
      buildTrainStepPipeline);
}
