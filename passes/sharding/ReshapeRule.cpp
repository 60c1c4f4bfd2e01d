//===- ReshapeRule.cpp - The mesh ShardingInterface of loom.reshape -------===//
//
// Part of Loom. This file implements the sharding rule of `loom.reshape`
// (ShardingRules.h), apart from the loop-nest rules of ShardingRules.cpp: a
// reshape that merges dimensions has no affine map from a loop nest to its
// input, so its rule computes the sharding option, the annotations and the
// SPMD form itself.
//
//===----------------------------------------------------------------------===//

#include "passes/sharding/ShardingRules.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Mesh/IR/MeshOps.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterface.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterfaceImpl.h"
#include "mlir/IR/SymbolTable.h"

#include <optional>

using namespace mlir;
using namespace mlir::loom;
using mesh::MeshShardingAttr;
using mesh::ShardingOption;
using utils::IteratorType;

namespace {

/// A reshape as groups of consecutive dimensions with equal products on
/// both sides (`[B, T, C] -> [B, T, H, D]`: {B}{B}, {T}{T}, {C}{H, D}), one
/// parallel loop per group. Within a group only its outermost dimension
/// larger than 1 may be split, on both sides, and the split's ranks must
/// divide it on both: a split `C` becomes a split `H` (heads), a split `H`
/// of `[B, T, H, D] -> [B, T, C]` a split `C`. A merge is not an affine
/// map from the loops to the input, so this rule computes the option and
/// the annotations itself; it has no indexing maps.
struct ReshapeModel
    : mesh::ShardingInterface::ExternalModel<ReshapeModel, ReshapeOp> {
  struct Group {
    int64_t in = -1, out = -1; ///< the outermost dimension above 1, or -1
  };

  static std::optional<SmallVector<Group>> groups(Operation *op) {
    ArrayRef<int64_t> in =
        cast<RankedTensorType>(op->getOperand(0).getType()).getShape();
    ArrayRef<int64_t> out =
        cast<RankedTensorType>(op->getResult(0).getType()).getShape();
    if (ShapedType::isDynamicShape(in) || ShapedType::isDynamicShape(out))
      return std::nullopt;
    SmallVector<Group> result;
    size_t i = 0, j = 0;
    while (i < in.size() || j < out.size()) {
      Group g;
      int64_t pi = 1, pj = 1;
      auto takeIn = [&] {
        if (g.in < 0 && in[i] > 1)
          g.in = i;
        pi *= in[i++];
      };
      auto takeOut = [&] {
        if (g.out < 0 && out[j] > 1)
          g.out = j;
        pj *= out[j++];
      };
      if (i < in.size())
        takeIn();
      if (j < out.size())
        takeOut();
      while (pi != pj) {
        if (pi < pj && i < in.size())
          takeIn();
        else if (pj < pi && j < out.size())
          takeOut();
        else
          return std::nullopt;
      }
      result.push_back(g);
    }
    return result;
  }

  SmallVector<IteratorType> getLoopIteratorTypes(Operation *op) const {
    std::optional<SmallVector<Group>> g = groups(op);
    return SmallVector<IteratorType>(g ? g->size() : 0, IteratorType::parallel);
  }

  FailureOr<ShardingOption>
  getShardingOption(Operation *op, ArrayRef<MeshShardingAttr> operands,
                    ArrayRef<MeshShardingAttr> results) const {
    std::optional<SmallVector<Group>> gs = groups(op);
    if (!gs)
      return failure();
    ShardingOption option;
    option.shardingArray.resize(gs->size());
    bool any = false;
    // Puts `sharding`'s split of each dimension on its group's loop.
    auto fill = [&](MeshShardingAttr sharding, bool input) -> LogicalResult {
      if (!sharding)
        return success();
      auto meshOp = SymbolTable::lookupNearestSymbolFrom<mesh::MeshOp>(
          op, sharding.getMesh());
      if (!meshOp || (option.mesh && option.mesh != sharding.getMesh()))
        return failure();
      option.mesh = sharding.getMesh();
      any = true;
      for (auto [dim, axes] : llvm::enumerate(sharding.getSplitAxes())) {
        if (axes.empty())
          continue;
        int64_t d = dim;
        auto it = llvm::find_if(
            *gs, [&](const Group &g) { return (input ? g.in : g.out) == d; });
        if (it == gs->end())
          return failure(); // not the outermost dimension of its group
        SmallVector<mesh::MeshAxis> &loop =
            option.shardingArray[it - gs->begin()];
        if (!loop.empty() && !llvm::equal(loop, axes.asArrayRef()))
          return failure();
        loop.assign(axes.asArrayRef().begin(), axes.asArrayRef().end());
        int64_t ranks = 1;
        for (mesh::MeshAxis a : axes.asArrayRef())
          ranks *= meshOp.getShape()[a];
        auto size = [&](Value v, int64_t d) {
          return cast<RankedTensorType>(v.getType()).getDimSize(d);
        };
        if (it->in < 0 || it->out < 0 ||
            size(op->getOperand(0), it->in) % ranks != 0 ||
            size(op->getResult(0), it->out) % ranks != 0)
          return failure();
      }
      return success();
    };
    for (MeshShardingAttr s : results)
      if (failed(fill(s, false)))
        return failure();
    for (MeshShardingAttr s : operands)
      if (failed(fill(s, true)))
        return failure();
    if (!any)
      return ShardingOption::makeEmpty();
    mesh::removeTrailingEmptySubArray(option.shardingArray);
    return option;
  }

  /// The sharding of the input (`input`) or the result under `option`.
  static MeshShardingAttr sharding(Operation *op, ArrayRef<Group> gs,
                                   const ShardingOption &option, bool input) {
    int64_t rank = cast<RankedTensorType>(
                       (input ? op->getOperand(0) : op->getResult(0)).getType())
                       .getRank();
    SmallVector<SmallVector<mesh::MeshAxis>> split(rank);
    for (auto [g, axes] : llvm::zip(gs, option.shardingArray)) {
      int64_t dim = input ? g.in : g.out;
      if (dim >= 0)
        split[dim] = axes;
    }
    mesh::removeTrailingEmptySubArray(split);
    return MeshShardingAttr::get(op->getContext(), option.mesh, split);
  }

  FailureOr<SmallVector<MeshShardingAttr>>
  getShardingAnnotations(Operation *op, const ShardingOption &option) const {
    std::optional<SmallVector<Group>> gs = groups(op);
    if (!gs)
      return failure();
    return SmallVector<MeshShardingAttr>{sharding(op, *gs, option, true),
                                         sharding(op, *gs, option, false)};
  }

  /// Each rank reshapes its slice: the split dimensions are the outermost
  /// of their groups, so the slices' groups still have equal products.
  LogicalResult spmdize(Operation *op, ArrayRef<Value> spmdizedOperands,
                        ArrayRef<MeshShardingAttr> operandShardings,
                        ArrayRef<MeshShardingAttr> resultShardings,
                        IRMapping &spmdizationMap,
                        SymbolTableCollection &symbolTable,
                        OpBuilder &builder) const {
    mesh::spmdizeTriviallyShardableOperation(
        *op, spmdizedOperands, operandShardings, resultShardings,
        spmdizationMap, symbolTable, builder);
    return success();
  }

  LogicalResult addShardingAnnotations(Operation *op, OpBuilder &b,
                                       const ShardingOption &option) const {
    std::optional<SmallVector<Group>> gs = groups(op);
    if (!gs)
      return failure();
    OpResult result = op->getResult(0);
    auto resultSharding = mesh::getMeshShardingAttr(result);
    if (failed(resultSharding) || resultSharding->first) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPointAfterValue(result);
      auto shard = b.create<mesh::ShardOp>(
          result.getLoc(), result, sharding(op, *gs, option, false), false);
      result.replaceAllUsesExcept(shard, shard);
    }
    OpOperand &operand = op->getOpOperand(0);
    auto operandSharding = mesh::getMeshShardingAttr(operand);
    if (failed(operandSharding) || !operandSharding->first) {
      OpBuilder::InsertionGuard guard(b);
      b.setInsertionPoint(op);
      auto shard =
          b.create<mesh::ShardOp>(operand.get().getLoc(), operand.get(),
                                  sharding(op, *gs, option, true), true);
      operand.set(shard);
    }
    return success();
  }
};

} // namespace

void mlir::loom::attachReshapeRule(MLIRContext *ctx) {
  ReshapeOp::attachInterface<ReshapeModel>(*ctx);
}
