//===- PartitionStep.cpp - --loom-partition-step --------------------------===//
//
// Part of Loom. This file implements --loom-partition-step (Passes.td): the
// programs of a training run, built whole (forward, autodiff, optimizer),
// become the programs of one rank of the module's mesh. The shardings the
// frontend records on the parameters (`loom.shard`) enter at each
// function's arguments and leave at its results; upstream
// --sharding-propagation carries them through the whole function with the
// Loom ops' rules (ShardingRules.cpp), --loom-check-shardings refuses what
// no rule honours, upstream --mesh-spmdization rewrites the function on
// slices, and its mesh collectives become Loom's (loom.all_reduce over the
// named mesh axes), which the CPU backend runs on the runtime's
// communicators. docs/sharding.md describes what it does and does not do.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/LoomOps.h"
#include "passes/sharding/ShardingRules.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/Mesh/IR/MeshDialect.h"
#include "mlir/Dialect/Mesh/IR/MeshOps.h"
#include "mlir/Dialect/Mesh/Transforms/Passes.h"
#include "mlir/Dialect/Tensor/IR/Tensor.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"
#include "llvm/ADT/StringMap.h"

#define DEBUG_TYPE "loom-partition-step"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMPARTITIONSTEP
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;
using mesh::MeshShardingAttr;

namespace {

/// The mesh axes by index, as the frontend builds the mesh (Sharding.cpp).
const char *const kAxisNames[] = {"data", "model"};

bool isTensor(Value v) { return isa<RankedTensorType>(v.getType()); }

/// The parameter a `loom.opt_state` name belongs to ("fc1.w.exp_avg" is
/// fc1.w's), as the CPU backend reads it.
StringRef paramOfState(StringRef state) { return state.rsplit('.').first; }

/// Upstream --sharding-propagation (LLVM 19) loops for ever when one op
/// reads the result of another op twice (`mul %g, %g`: inserting the
/// result's sharding moves the second use while it iterates over the
/// uses). The second read becomes an identity reshape, which the
/// canonicalizer removes after partitioning.
void splitRepeatedOperands(func::FuncOp f) {
  f.walk([](Operation *op) {
    if (isa<func::ReturnOp>(op) || op->getNumOperands() < 2)
      return;
    for (unsigned i = 1; i < op->getNumOperands(); ++i) {
      Value v = op->getOperand(i);
      if (!v.getDefiningOp() || !isTensor(v))
        continue;
      bool repeated = false;
      for (unsigned j = 0; j < i; ++j)
        repeated |= op->getOperand(j) == v;
      if (!repeated)
        continue;
      OpBuilder b(op);
      op->setOperand(i, b.create<ReshapeOp>(v.getLoc(), v.getType(), v));
    }
  });
}

/// The Loom op of an upstream collective, or an error at it: only the
/// all-reduce of a partial sum or average has a runtime collective yet.
LogicalResult lowerCollectives(func::FuncOp f, mesh::MeshOp meshOp) {
  WalkResult walk = f.walk([&](Operation *op) -> WalkResult {
    if (auto ar = dyn_cast<mesh::AllReduceOp>(op)) {
      std::optional<ReduceKind> kind;
      if (ar.getReduction() == mesh::ReductionKind::Sum)
        kind = ReduceKind::sum;
      else if (ar.getReduction() == mesh::ReductionKind::Average)
        kind = ReduceKind::mean;
      if (!kind)
        return ar.emitError("an all-reduce by ")
               << mesh::stringifyReductionKind(ar.getReduction())
               << " over the mesh has no runtime collective yet (sum and "
                  "mean do)";
      OpBuilder b(ar);
      SmallVector<StringRef> axes;
      int64_t group = 1;
      for (int16_t axis : ar.getMeshAxes()) {
        axes.push_back(kAxisNames[axis]);
        group *= meshOp.getShape()[axis];
      }
      Value input = ar.getInput();
      // A mesh axis of one rank: every rank already holds the sum.
      if (group == 1) {
        ar.getResult().replaceAllUsesWith(input);
        ar.erase();
        return WalkResult::advance();
      }
      auto reduced = b.create<AllReduceOp>(ar.getLoc(), *kind, input,
                                           b.getStrArrayAttr(axes), group);
      ar.getResult().replaceAllUsesWith(reduced.getResult());
      ar.erase();
      return WalkResult::advance();
    }
    if (isa<mesh::MeshDialect>(op->getDialect()) ||
        (!isa<LoomDialect>(op->getDialect()) &&
         !isa<func::ReturnOp, func::FuncOp>(op)))
      return op->emitError("'")
             << op->getName()
             << "' (a change of sharding that is not the all-reduce of a "
                "partial sum) has no runtime collective yet; "
                "docs/sharding.md lists what partitioning supports";
    return WalkResult::advance();
  });
  return failure(walk.wasInterrupted());
}

/// What the backend and the runtime read of an argument's sharding: the
/// one dimension split, over which mesh axis and how many ranks, and the
/// whole tensor's shape.
LogicalResult describeSharding(func::FuncOp f, unsigned i,
                               MeshShardingAttr sharding,
                               RankedTensorType whole, mesh::MeshOp meshOp) {
  OpBuilder b(f.getContext());
  std::optional<int64_t> dim;
  int16_t axis = 0;
  for (auto [d, axes] : llvm::enumerate(sharding.getSplitAxes())) {
    if (axes.empty())
      continue;
    if (dim || axes.size() != 1)
      return emitError(f.getArgument(i).getLoc())
             << "a parameter split along two dimensions or over two mesh "
                "axes is not supported yet";
    dim = d;
    axis = axes.asArrayRef()[0];
  }
  if (!dim) {
    f.removeArgAttr(i, "loom.shard");
    return success();
  }
  f.setArgAttr(
      i, "loom.shard",
      b.getDictionaryAttr(
          {b.getNamedAttr("axis", b.getStringAttr(kAxisNames[axis])),
           b.getNamedAttr("dim", b.getI64IntegerAttr(*dim)),
           b.getNamedAttr("ranks",
                          b.getI64IntegerAttr(meshOp.getShape()[axis])),
           b.getNamedAttr("shape", b.getDenseI64ArrayAttr(whole.getShape()))}));
  return success();
}

struct PartitionStepPass
    : public mlir::loom::impl::LoomPartitionStepBase<PartitionStepPass> {
  /// The Loom ops' sharding rules, attached to the loaded loom dialect
  /// (the tools' contexts need not register them).
  void getDependentDialects(DialectRegistry &registry) const override {
    LoomPartitionStepBase::getDependentDialects(registry);
    registerShardingRules(registry);
  }

  /// Runs `propagate` (upstream --sharding-propagation) on `f`. Upstream
  /// stops at the first op without a sharding rule with "'op' op sharding
  /// interface is not implemented."; that error is said in Loom's words,
  /// as --loom-check-shardings says it, at the same location.
  LogicalResult propagateShardings(OpPassManager &propagate, func::FuncOp f) {
    constexpr llvm::StringLiteral kUpstream =
        " op sharding interface is not implemented.";
    ScopedDiagnosticHandler reword(&getContext(), [&](Diagnostic &d) {
      std::string text = d.str();
      if (d.getSeverity() != DiagnosticSeverity::Error ||
          !StringRef(text).ends_with(kUpstream))
        return failure(); // to the handlers before this one
      emitError(d.getLocation())
          << StringRef(text).drop_back(kUpstream.size())
          << " has no sharding rule, so a step partitioned over the mesh "
             "cannot contain it; the ops with rules are listed in "
             "docs/sharding.md";
      return success();
    });
    return runPipeline(propagate, f);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto meshOp = module.lookupSymbol<mesh::MeshOp>("mesh");
    if (!meshOp)
      return;
    auto meshRef = FlatSymbolRefAttr::get(meshOp.getSymNameAttr());
    // The training step first: a sharding no rule honours is reported
    // there (once; the other programs share its ops) and stops the pass.
    // (std::stable_partition's temporary buffer is deprecated in clang-19's
    // view of libstdc++ 12.)
    SmallVector<func::FuncOp> funcs;
    for (bool step : {true, false})
      for (auto f : module.getOps<func::FuncOp>())
        if ((f.getSymName() == "train_step") == step)
          funcs.push_back(f);
    for (func::FuncOp f : funcs) {
      if (f.isExternal())
        continue;
      // The parameters' shardings, by path; a moment takes its parameter's.
      llvm::StringMap<MeshShardingAttr> byParam;
      for (unsigned i = 0; i < f.getNumArguments(); ++i)
        if (auto s = f.getArgAttrOfType<MeshShardingAttr>(i, "loom.shard"))
          if (auto path = f.getArgAttrOfType<StringAttr>(i, "loom.param"))
            byParam[path.getValue()] = s;
      if (byParam.empty())
        continue;
      auto shardingOf = [&](DictionaryAttr attrs) -> MeshShardingAttr {
        if (!attrs)
          return nullptr;
        if (auto p = attrs.getAs<StringAttr>("loom.param"))
          return byParam.lookup(p.getValue());
        if (auto s = attrs.getAs<StringAttr>("loom.opt_state"))
          return byParam.lookup(paramOfState(s.getValue()));
        // @loss_grad's gradient of a parameter: the parameter's sharding.
        if (auto g = attrs.getAs<StringAttr>("loom.grad"))
          return byParam.lookup(g.getValue());
        return nullptr;
      };
      splitRepeatedOperands(f);
      Block &body = f.getBody().front();
      OpBuilder b(&getContext());
      b.setInsertionPointToStart(&body);
      SmallVector<RankedTensorType> wholeTypes;
      for (unsigned i = 0; i < f.getNumArguments(); ++i) {
        BlockArgument arg = f.getArgument(i);
        wholeTypes.push_back(dyn_cast<RankedTensorType>(arg.getType()));
        MeshShardingAttr s = shardingOf(f.getArgAttrDict(i));
        if (!s)
          continue;
        f.setArgAttr(i, "loom.shard", s);
        auto shard = b.create<mesh::ShardOp>(arg.getLoc(), arg, s);
        arg.replaceAllUsesExcept(shard.getResult(), shard);
      }
      auto ret = cast<func::ReturnOp>(body.getTerminator());
      b.setInsertionPoint(ret);
      for (unsigned i = 0; i < ret.getNumOperands(); ++i)
        if (MeshShardingAttr s = shardingOf(f.getResultAttrDict(i)))
          ret.setOperand(i, b.create<mesh::ShardOp>(ret.getLoc(),
                                                    ret.getOperand(i), s,
                                                    /*annotate_for_users=*/
                                                    true));
      // Propagation, then the check (of this function's shardings: the
      // functions before it are partitioned, those after not annotated).
      OpPassManager propagate(func::FuncOp::getOperationName());
      propagate.addPass(mesh::createShardingPropagation());
      OpPassManager check(ModuleOp::getOperationName());
      check.addPass(createLoomCheckShardings());
      if (failed(propagateShardings(propagate, f)) ||
          failed(runPipeline(check, module)) ||
          failed(completeShardings(f, meshRef)))
        return signalPassFailure();
      OpPassManager spmdize(func::FuncOp::getOperationName());
      spmdize.addPass(mesh::createSpmdization());
      if (failed(runPipeline(spmdize, f)) ||
          failed(lowerCollectives(f, meshOp)))
        return signalPassFailure();
      for (unsigned i = 0; i < f.getNumArguments(); ++i)
        if (auto s = f.getArgAttrOfType<MeshShardingAttr>(i, "loom.shard"))
          if (failed(describeSharding(f, i, s, wholeTypes[i], meshOp)))
            return signalPassFailure();
    }
    // Functions without sharded parameters run whole on every rank.
    meshOp.erase();
  }
};

} // namespace
