//===- LoopNestRule.h - Sharding rules as loop nests ------------*- C++ -*-===//
//
// Part of Loom. The loop-nest form of a Loom op's sharding rule and the
// mesh ShardingInterface external model built from it (ShardingRules.cpp's
// file comment explains the form), shared by the files that define rules:
// ShardingRules.cpp, AttentionRules.cpp, IndexingRules.cpp. Internal to
// passes/sharding.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_SHARDING_LOOPNESTRULE_H
#define LOOM_PASSES_SHARDING_LOOPNESTRULE_H

#include "mlir/Dialect/Mesh/IR/MeshOps.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterface.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterfaceImpl.h"
#include "mlir/IR/AffineMap.h"

namespace mlir::loom::sharding {

using mesh::MeshShardingAttr;
using mesh::ReductionKind;
using mesh::ShardingOption;
using utils::IteratorType;

/// An op as a loop nest (see ShardingRules.cpp's file comment).
struct Rule {
  SmallVector<IteratorType> loops;
  SmallVector<ReductionKind> kinds; ///< one per reduction loop, in order
  SmallVector<AffineMap> maps;      ///< operands, then results
  SmallVector<bool> whole;          ///< per loop: no mesh axis may split it
};

int64_t rankOf(Value v);

/// `operand`'s dimensions as loops `[0, resultRank)` under NumPy
/// broadcasting: aligned at the trailing dimension, and a dimension of size
/// 1 broadcast to a larger one reads the constant index 0.
AffineMap broadcastMap(Value operand, ArrayRef<int64_t> loopSizes,
                       int64_t firstLoop, int64_t numLoops);

/// The map from `numLoops` loops to the dimensions `loops`, in order.
AffineMap dims(MLIRContext *ctx, int64_t numLoops, ArrayRef<int64_t> loops);

/// Upstream's default accepts only dimensions and their sums in an
/// operand's map, not the constant index of a broadcast dimension or a
/// gathered row: each constant becomes a loop of its own, parallel, whole
/// and absent from the results (it has size 1, or it is data-dependent).
/// The maps' dimension counts are the loops' (they may have more loops
/// than dimensions).
Rule withConstantLoops(Rule r);

/// Whether `sharding` splits a loop that `rule` keeps whole, through `map`.
bool splitsWholeLoop(MeshShardingAttr sharding, AffineMap map,
                     const Rule &rule);

/// An op's SPMD form when cloning it on its operands' slices is not enough
/// (an attribute that names sizes): the arguments of
/// ShardingInterface::spmdize.
using SpmdizeFn = LogicalResult (*)(Operation *op,
                                    ArrayRef<Value> spmdizedOperands,
                                    ArrayRef<MeshShardingAttr> operandShardings,
                                    ArrayRef<MeshShardingAttr> resultShardings,
                                    IRMapping &spmdizationMap,
                                    SymbolTableCollection &symbolTable,
                                    OpBuilder &builder);

/// The external model of `Op` from its loop-nest rule `RuleFn`; its SPMD
/// form is `Spmdize`'s, by default the op cloned on its operands' slices.
template <typename Op, Rule (*RuleFn)(Operation *), SpmdizeFn Spmdize = nullptr>
struct LoomShardingModel : mesh::ShardingInterface::ExternalModel<
                               LoomShardingModel<Op, RuleFn, Spmdize>, Op> {
  static Rule rule(Operation *op) { return withConstantLoops(RuleFn(op)); }
  SmallVector<IteratorType> getLoopIteratorTypes(Operation *op) const {
    return rule(op).loops;
  }
  SmallVector<ReductionKind>
  getReductionLoopIteratorKinds(Operation *op) const {
    return rule(op).kinds;
  }
  SmallVector<AffineMap> getIndexingMaps(Operation *op) const {
    return rule(op).maps;
  }
  FailureOr<ShardingOption>
  getShardingOption(Operation *op, ArrayRef<MeshShardingAttr> operands,
                    ArrayRef<MeshShardingAttr> results) const {
    // Replication is not a requirement that travels: an op whose known
    // shardings are all whole decides nothing, so that a whole use (a
    // gradient norm's sum, read whole) does not make a split producer (the
    // gradient that the update reads split) whole; the producer's split
    // reaches the use in the forward walk, as a partial sum.
    auto whole = [](MeshShardingAttr s) {
      return !s || mesh::isFullReplication(s);
    };
    if (llvm::all_of(operands, whole) && llvm::all_of(results, whole))
      return ShardingOption::makeEmpty();
    Rule rule = LoomShardingModel::rule(op);
    unsigned numOperands = op->getNumOperands();
    for (auto [i, s] : llvm::enumerate(operands))
      if (splitsWholeLoop(s, rule.maps[i], rule))
        return failure();
    for (auto [i, s] : llvm::enumerate(results))
      if (splitsWholeLoop(s, rule.maps[numOperands + i], rule))
        return failure();
    FailureOr<ShardingOption> option =
        mesh::detail::defaultGetShardingOption(op, operands, results);
    if (failed(option))
      return failure();
    for (auto [loop, axes] : llvm::enumerate(option->shardingArray))
      if (!axes.empty() && rule.whole[loop])
        return failure();
    // An operand that is only partial (a sum still to be all-reduced)
    // leaves the default without a mesh; it is the operand's.
    if (!option->empty && !option->mesh)
      for (MeshShardingAttr s :
           llvm::concat<const MeshShardingAttr>(operands, results))
        if (s)
          option->mesh = s.getMesh();
    return option;
  }
  LogicalResult spmdize(Operation *op, ArrayRef<Value> spmdizedOperands,
                        ArrayRef<MeshShardingAttr> operandShardings,
                        ArrayRef<MeshShardingAttr> resultShardings,
                        IRMapping &spmdizationMap,
                        SymbolTableCollection &symbolTable,
                        OpBuilder &builder) const {
    if constexpr (Spmdize != nullptr)
      return Spmdize(op, spmdizedOperands, operandShardings, resultShardings,
                     spmdizationMap, symbolTable, builder);
    mesh::spmdizeTriviallyShardableOperation(
        *op, spmdizedOperands, operandShardings, resultShardings,
        spmdizationMap, symbolTable, builder);
    return success();
  }
};

} // namespace mlir::loom::sharding

#endif // LOOM_PASSES_SHARDING_LOOPNESTRULE_H
