//===- ShardingRules.h - The mesh ShardingInterface of Loom ops -*- C++ -*-===//
//
// Part of Loom. The sharding rules of the Loom ops (ShardingRules.cpp), as
// external models of MLIR's mesh ShardingInterface.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_SHARDING_SHARDINGRULES_H
#define LOOM_PASSES_SHARDING_SHARDINGRULES_H

namespace mlir {
class DialectRegistry;
class MLIRContext;
namespace loom {

/// Adds the mesh dialect to `registry` and, when the loom dialect loads,
/// attaches the sharding rule of every Loom op that has one: the
/// elementwise ops (those with MLIR's Elementwise trait and the
/// broadcasting binary ops, compare and select), matmul, transpose,
/// reshape, reduce,
/// softmax, log_softmax, layer_norm, attention, gather and cross_entropy.
void registerShardingRules(DialectRegistry &registry);

/// Attaches loom.reshape's rule (ReshapeRule.cpp); registerShardingRules
/// calls it.
void attachReshapeRule(MLIRContext *ctx);

} // namespace loom
} // namespace mlir

#endif // LOOM_PASSES_SHARDING_SHARDINGRULES_H
