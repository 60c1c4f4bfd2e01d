//===- CompleteShardings.cpp - --loom-complete-shardings ------------------===//
//
// Part of Loom. This file implements --loom-complete-shardings (Passes.td)
// and completeShardings (ShardingRules.h): after --sharding-propagation,
// every tensor value gets the `mesh.shard` that upstream --mesh-spmdization
// requires (LLVM 19 asserts it, and a release build goes on with garbage).
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/sharding/ShardingRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Mesh/IR/MeshDialect.h"
#include "mlir/Dialect/Mesh/IR/MeshOps.h"
#include "mlir/Dialect/Mesh/Interfaces/ShardingInterface.h"
#include "mlir/IR/Builders.h"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMCOMPLETESHARDINGS
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using mesh::MeshShardingAttr;

namespace {
bool isTensor(Value v) { return isa<RankedTensorType>(v.getType()); }

/// The sharding that `v`'s defining op makes it in, by the op's rule, when
/// propagation gave it none because nothing reads it (attention_with_lse's
/// output next to the lse its gradient reads): a whole result next to
/// split siblings would give the op's SPMD form types that do not fit.
/// Null when the op has no loop-nest rule or decides nothing.
FailureOr<MeshShardingAttr> unusedResultSharding(OpResult v) {
  Operation *op = v.getOwner();
  auto rule = dyn_cast<mesh::ShardingInterface>(op);
  if (!rule || op->getNumResults() < 2)
    return MeshShardingAttr();
  SmallVector<MeshShardingAttr> operands, results;
  for (Value operand : op->getOperands()) {
    auto shard = operand.getDefiningOp<mesh::ShardOp>();
    operands.push_back(shard ? shard.getShard() : MeshShardingAttr());
  }
  for (Value result : op->getResults()) {
    MeshShardingAttr found;
    for (Operation *user : result.getUsers())
      if (auto shard = dyn_cast<mesh::ShardOp>(user);
          shard && !shard.getAnnotateForUsers())
        found = shard.getShard();
    results.push_back(found);
  }
  FailureOr<mesh::ShardingOption> option =
      rule.getShardingOption(operands, results);
  SmallVector<AffineMap> maps = rule.getIndexingMaps();
  if (failed(option) || option->empty || !option->mesh || maps.empty())
    return MeshShardingAttr();
  AffineMap map = maps[op->getNumOperands() + v.getResultNumber()];
  SmallVector<SmallVector<mesh::MeshAxis>> split;
  for (size_t loop = 0; loop < option->shardingArray.size(); ++loop) {
    AffineExpr loopExpr = getAffineDimExpr(loop, op->getContext());
    bool inResult = llvm::is_contained(map.getResults(), loopExpr);
    if (!option->shardingArray[loop].empty() && !inResult)
      return op->emitError("an unused result of this op would be a partial "
                           "value, which partitioning cannot give a type");
  }
  for (AffineExpr e : map.getResults()) {
    auto dim = dyn_cast<AffineDimExpr>(e);
    split.emplace_back();
    if (dim && dim.getPosition() < option->shardingArray.size())
      split.back() = option->shardingArray[dim.getPosition()];
  }
  while (split.size() > 1 && split.back().empty())
    split.pop_back();
  return MeshShardingAttr::get(op->getContext(), option->mesh, split);
}
} // namespace

LogicalResult mlir::loom::completeShardings(func::FuncOp f,
                                            FlatSymbolRefAttr meshRef) {
  MLIRContext *ctx = f.getContext();
  // No split axes at all (not one empty list, which a scalar cannot hold).
  auto replicated = MeshShardingAttr::get(
      ctx, meshRef, ArrayRef<SmallVector<mesh::MeshAxis>>{});
  SmallVector<Value> values;
  for (BlockArgument arg : f.getArguments())
    values.push_back(arg);
  f.walk([&](Operation *op) {
    if (!isa<mesh::ShardOp>(op))
      for (Value r : op->getResults())
        values.push_back(r);
  });
  for (Value v : values) {
    if (!isTensor(v))
      continue;
    mesh::ShardOp source;
    for (Operation *user : llvm::make_early_inc_range(v.getUsers())) {
      auto shard = dyn_cast<mesh::ShardOp>(user);
      if (!shard || shard.getAnnotateForUsers())
        continue;
      if (!source) {
        source = shard;
        continue;
      }
      if (shard.getShard() != source.getShard())
        return shard.emitError("propagation gave this value two shardings, ")
               << source.getShard() << " and " << shard.getShard();
      shard.getResult().replaceAllUsesWith(source.getResult());
      shard.erase();
    }
    if (!source) {
      MeshShardingAttr sharding = replicated;
      if (auto result = dyn_cast<OpResult>(v); result && v.use_empty()) {
        FailureOr<MeshShardingAttr> own = unusedResultSharding(result);
        if (failed(own))
          return failure();
        if (*own)
          sharding = *own;
      }
      OpBuilder b(ctx);
      b.setInsertionPointAfterValue(v);
      source = b.create<mesh::ShardOp>(v.getLoc(), v, sharding);
    }
    v.replaceAllUsesExcept(source.getResult(), source);
  }
  // The returned values: as annotated for the function's users (a
  // parameter's update), else whole. A split or partial value returned as
  // it is would silently be one rank's slice or addend.
  auto ret = cast<func::ReturnOp>(f.getBody().front().getTerminator());
  for (OpOperand &operand : ret->getOpOperands()) {
    auto shard = operand.get().getDefiningOp<mesh::ShardOp>();
    if (!shard || shard.getAnnotateForUsers() ||
        mesh::isFullReplication(shard.getShard()))
      continue;
    OpBuilder b(ret);
    operand.set(b.create<mesh::ShardOp>(shard.getLoc(), shard.getResult(),
                                        replicated,
                                        /*annotate_for_users=*/true));
  }
  return success();
}

namespace {

struct CompleteShardingsPass
    : public mlir::loom::impl::LoomCompleteShardingsBase<
          CompleteShardingsPass> {
  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto meshOp = module.lookupSymbol<mesh::MeshOp>("mesh");
    if (!meshOp)
      return;
    auto meshRef = FlatSymbolRefAttr::get(meshOp.getSymNameAttr());
    for (auto f : module.getOps<func::FuncOp>())
      if (!f.isExternal() && failed(completeShardings(f, meshRef)))
        return signalPassFailure();
  }
};

} // namespace
