//===- ShardingRules.h - The mesh ShardingInterface of Loom ops -*- C++ -*-===//
//
// Part of Loom. The sharding rules of the Loom ops (ShardingRules.cpp), as
// external models of MLIR's mesh ShardingInterface.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_SHARDING_SHARDINGRULES_H
#define LOOM_PASSES_SHARDING_SHARDINGRULES_H

#include "mlir/Support/LLVM.h"

namespace mlir {
class DialectRegistry;
class FlatSymbolRefAttr;
class MLIRContext;
namespace func {
class FuncOp;
} // namespace func
namespace loom {

/// Adds the mesh dialect to `registry` and, when the loom dialect loads,
/// attaches the sharding rule of every Loom op that has one: the
/// elementwise ops (those with MLIR's Elementwise trait, the broadcasting
/// binary ops, compare, select and broadcast), matmul, transpose, reshape,
/// reduce, softmax, log_softmax, layer_norm, gather, cross_entropy,
/// constant and iota; then attachAttentionRules' and attachIndexingRules'.
void registerShardingRules(DialectRegistry &registry);

/// Attaches loom.reshape's rule (ReshapeRule.cpp); registerShardingRules
/// calls it.
void attachReshapeRule(MLIRContext *ctx);

/// Attaches the rules of loom.attention, attention_with_lse and
/// attention_backward (AttentionRules.cpp); registerShardingRules calls it.
void attachAttentionRules(MLIRContext *ctx);

/// Attaches the rules of loom.slice, concat and scatter_add
/// (IndexingRules.cpp); registerShardingRules calls it.
void attachIndexingRules(MLIRContext *ctx);

/// Makes `f`, after --sharding-propagation, meet --mesh-spmdization's
/// preconditions: every tensor value (argument or result) has exactly one
/// use, a `mesh.shard` that is not `annotate_for_users` (the sharding it is
/// produced in; whole, on mesh `meshRef`, for the values propagation left
/// alone), and every op reads tensors through `mesh.shard`s. A returned
/// value not annotated for the function's users is read whole (returning
/// a slice or a partial sum would silently keep one rank's part). An error
/// when propagation gave a value two shardings.
LogicalResult completeShardings(func::FuncOp f, FlatSymbolRefAttr meshRef);

} // namespace loom
} // namespace mlir

#endif // LOOM_PASSES_SHARDING_SHARDINGRULES_H
