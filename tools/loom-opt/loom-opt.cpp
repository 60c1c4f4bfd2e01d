//===- loom-opt.cpp - mlir-opt for the loom dialect -----------------------===//
//
// Part of Loom. This file implements `loom-opt`: MLIR's opt driver with the
// loom dialect, the upstream dialects loom IR uses, the passes that apply
// to it and the pipelines `loom compile` runs (passes/Pipelines.h,
// backends/cpu/Pipelines.h). It parses, verifies, transforms and prints loom
// IR; every error is reported at its source location with a non-zero exit.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"
#include "ir/LoomDialect.h"
#include "passes/Passes.h"
#include "passes/Pipelines.h"
#include "passes/parallel/AllReduceSharding.h"
#include "passes/sharding/ShardingRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Mesh/Transforms/Passes.h"
#include "mlir/IR/DialectRegistry.h"
#include "mlir/Tools/mlir-opt/MlirOptMain.h"
#include "mlir/Transforms/Passes.h"

int main(int argc, char **argv) {
  mlir::DialectRegistry registry;
  registry.insert<mlir::loom::LoomDialect, mlir::func::FuncDialect>();
  // Canonicalize, CSE, inlining, symbol DCE and the other generic rewrites.
  mlir::registerTransformsPasses();
  mlir::loom::registerLoomPasses();
  mlir::loom::registerLoomPipelines();
  // The mesh dialect and the Loom ops' sharding rules, for upstream
  // --sharding-propagation and --mesh-spmdization (docs/sharding.md).
  mlir::loom::registerShardingRules(registry);
  mlir::loom::registerAllReduceShardingRule(registry);
  mlir::mesh::registerShardingPropagation();
  mlir::mesh::registerSpmdization();
  mlir::loom::cpu::registerCpuBackend(registry);
  return mlir::asMainReturnCode(
      mlir::MlirOptMain(argc, argv, "Loom optimizer driver\n", registry));
}
