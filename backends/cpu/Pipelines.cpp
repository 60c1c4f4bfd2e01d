//===- Pipelines.cpp - The CPU backend's pass pipelines -------------------===//
//
// Part of Loom. This file implements the CPU backend's pipelines (see
// Pipelines.h) and their registration. No pipeline is written out anywhere
// else: every user builds it through these functions.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Pipelines.h"
#include "backends/cpu/Passes.h"
#include "passes/Passes.h"

#include "mlir/Conversion/AffineToStandard/AffineToStandard.h"
#include "mlir/Conversion/ArithToLLVM/ArithToLLVM.h"
#include "mlir/Conversion/BufferizationToMemRef/BufferizationToMemRef.h"
#include "mlir/Conversion/ControlFlowToLLVM/ControlFlowToLLVM.h"
#include "mlir/Conversion/FuncToLLVM/ConvertFuncToLLVMPass.h"
#include "mlir/Conversion/IndexToLLVM/IndexToLLVM.h"
#include "mlir/Conversion/MathToLLVM/MathToLLVM.h"
#include "mlir/Conversion/MathToLibm/MathToLibm.h"
#include "mlir/Conversion/MemRefToLLVM/MemRefToLLVM.h"
#include "mlir/Conversion/ReconcileUnrealizedCasts/ReconcileUnrealizedCasts.h"
#include "mlir/Conversion/SCFToControlFlow/SCFToControlFlow.h"
#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/IR/Bufferization.h"
#include "mlir/Dialect/Bufferization/Pipelines/Passes.h"
#include "mlir/Dialect/Bufferization/Transforms/FuncBufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Bufferization/Transforms/OneShotAnalysis.h"
#include "mlir/Dialect/Bufferization/Transforms/Passes.h"
#include "mlir/Dialect/ControlFlow/IR/ControlFlow.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/Linalg/IR/Linalg.h"
#include "mlir/Dialect/Linalg/Passes.h"
#include "mlir/Dialect/Linalg/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Math/IR/Math.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/MemRef/Transforms/Passes.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/Dialect/SCF/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/Dialect/Tensor/Transforms/BufferizableOpInterfaceImpl.h"
#include "mlir/Dialect/Vector/IR/VectorOps.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Pass/PassRegistry.h"
#include "mlir/Transforms/Passes.h"

using namespace mlir;

void mlir::loom::cpu::buildCpuStepPipeline(
    OpPassManager &pm, const CpuStepPipelineOptions &options) {
  LoomDecomposeAttentionOptions attention;
  attention.flash = options.flashAttention;
  pm.addPass(createLoomDecomposeAttention(attention));
  // The forward's attention (flash: attention_with_lse; otherwise its
  // probabilities) and the gradient's recomputation of it are the same ops
  // now.
  pm.addPass(createCSEPass());
  // After the last CSE, which would merge the recomputation back into the
  // forward.
  if (options.remat != "none") {
    LoomRematOptions remat;
    remat.policy = options.remat;
    pm.addPass(createLoomRemat(remat));
  }
  if (options.fuse)
    pm.addNestedPass<func::FuncOp>(createLoomFuse());
}

void mlir::loom::cpu::buildCpuPipeline(OpPassManager &pm,
                                       const CpuPipelineOptions &options) {
  LoomLowerToLinalgOptions lowering;
  lowering.checkIndices = options.checkIndices;
  pm.addPass(createLoomLowerToLinalg(lowering));
  pm.addNestedPass<func::FuncOp>(createLoomFuseKernelLoops());
  // With the kernel calling convention (threads), a large reduction gets an
  // outer parallel loop.
  if (options.kernelAbi)
    pm.addNestedPass<func::FuncOp>(createLoomSplitReductions());
  if (options.kernelAbi)
    pm.addPass(createLoomResultsToOutParams());
  pm.addPass(createLoomExpandBf16Truncation());

  pm.addPass(bufferization::createEmptyTensorEliminationPass());
  bufferization::OneShotBufferizationOptions bufferize;
  bufferize.bufferizeFunctionBoundaries = true;
  bufferize.setFunctionBoundaryTypeConversion(
      bufferization::LayoutMapOption::IdentityLayoutMap);
  pm.addPass(bufferization::createOneShotBufferizePass(bufferize));
  pm.addPass(createLoomOrderConstantGlobals());
  pm.addPass(createCanonicalizerPass());
  // Temporaries a kernel needs inside (a multi-op lowering) are freed at the
  // end of the kernel; small ones live on the stack.
  pm.addNestedPass<func::FuncOp>(
      bufferization::createPromoteBuffersToStackPass(/*maxAllocSizeInBytes=*/
                                                     64 * 1024));
  bufferization::buildBufferDeallocationPipeline(
      pm, bufferization::BufferDeallocationPipelineOptions());
  // A function that returns a buffer (kernel-abi=false) returns a clone.
  pm.addPass(createBufferizationToMemRefPass());
  pm.addPass(createLoomCopiesToLinalg());

  // Parallel dimensions become scf.parallel; with the kernel calling
  // convention, each large such nest becomes a function of a range of its
  // outer dimension, which the runtime's threads run.
  pm.addNestedPass<func::FuncOp>(createConvertLinalgToParallelLoopsPass());
  // Reduction loops keep their accumulator in a register, and the loops
  // whose iterations are independent say so to LLVM's vectorizer (through
  // a marker call that the object emitter turns into loop metadata).
  pm.addNestedPass<func::FuncOp>(createLoomPromoteAccumulators());
  if (options.kernelAbi) {
    pm.addPass(createLoomKernelRanges());
    pm.addPass(createLoomMarkParallelLoops());
  }
  pm.addPass(createLowerAffinePass());
  pm.addPass(createConvertSCFToCFPass());
  pm.addPass(memref::createExpandStridedMetadataPass());
  if (options.approximateMath)
    pm.addNestedPass<func::FuncOp>(createLoomApproximateMath());
  pm.addPass(createFinalizeMemRefToLLVMConversionPass());
  pm.addPass(createConvertMathToLLVMPass());
  pm.addPass(createConvertMathToLibmPass());
  pm.addPass(createArithToLLVMConversionPass());
  pm.addPass(createConvertControlFlowToLLVMPass());
  ConvertFuncToLLVMPassOptions funcOptions;
  funcOptions.useBarePtrCallConv = options.kernelAbi;
  pm.addPass(createConvertFuncToLLVMPass(funcOptions));
  pm.addPass(createConvertIndexToLLVMPass());
  pm.addPass(createReconcileUnrealizedCastsPass());
}

void mlir::loom::cpu::registerCpuPipelines() {
  PassPipelineRegistration<CpuStepPipelineOptions>(
      "loom-cpu-step-pipeline",
      "The CPU backend's preparation of the step before it is partitioned "
      "into kernels: --loom-decompose-attention, --cse, --loom-remat, "
      "--loom-fuse",
      buildCpuStepPipeline);
  PassPipelineRegistration<CpuPipelineOptions>(
      "loom-cpu-pipeline",
      "The CPU backend's code generation: kernels of loom ops to the LLVM "
      "dialect (--loom-lower-to-linalg, the kernel calling convention, "
      "one-shot bufferization, buffer deallocation, loops, LLVM)",
      buildCpuPipeline);
}

void mlir::loom::cpu::registerCpuCodegenDialects(DialectRegistry &registry) {
  registry
      .insert<arith::ArithDialect, bufferization::BufferizationDialect,
              cf::ControlFlowDialect, linalg::LinalgDialect, LLVM::LLVMDialect,
              math::MathDialect, memref::MemRefDialect, scf::SCFDialect,
              tensor::TensorDialect, vector::VectorDialect>();
  arith::registerBufferizableOpInterfaceExternalModels(registry);
  bufferization::func_ext::registerBufferizableOpInterfaceExternalModels(
      registry);
  linalg::registerBufferizableOpInterfaceExternalModels(registry);
  scf::registerBufferizableOpInterfaceExternalModels(registry);
  tensor::registerBufferizableOpInterfaceExternalModels(registry);
}

void mlir::loom::cpu::registerCpuBackend(DialectRegistry &registry) {
  registerCpuCodegenDialects(registry);
  registerLoomCpuPasses();
  registerCpuPipelines();
}
