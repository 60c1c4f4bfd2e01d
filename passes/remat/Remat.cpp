//===- Remat.cpp - Activation recomputation -------------------------------===//
//
// Part of Loom. This file implements --loom-remat (see Passes.td): it finds
// the forward of a differentiated function (what the loss depends on),
// groups its ops by the repeated block their instance path names, and gives
// the backward ops that read a block's inner values clones of the block's
// ops, computed from the block's inputs just before the first of them, so
// that the forward's values die in the forward.
//
//===----------------------------------------------------------------------===//

#include "passes/remat/Remat.h"
#include "passes/Passes.h"
#include "passes/memory/MemoryPlan.h"

#include "ir/LoomOps.h"
#include "ir/LoomRecipe.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/Debug.h"

#include <algorithm>
#include <map>

#define DEBUG_TYPE "loom-remat"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMREMAT
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

//===----------------------------------------------------------------------===//
// Analyses
//===----------------------------------------------------------------------===//

std::string mlir::loom::rematBlockOf(Location loc) {
  if (auto call = dyn_cast<CallSiteLoc>(loc))
    return rematBlockOf(call.getCallee());
  if (auto name = dyn_cast<NameLoc>(loc))
    return rematBlockOf(name.getChildLoc());
  auto fused = dyn_cast<FusedLoc>(loc);
  if (!fused)
    return "";
  if (auto meta = dyn_cast_or_null<DictionaryAttr>(fused.getMetadata()))
    if (auto instance = meta.getAs<StringAttr>("instance")) {
      // "blocks.3.attn.qkv" -> "blocks.3"; "enc.layers.1.mlp" ->
      // "enc.layers.1".
      SmallVector<StringRef> parts;
      instance.getValue().split(parts, '.');
      for (size_t i = 1; i < parts.size(); ++i)
        if (!parts[i].empty() && llvm::all_of(parts[i], llvm::isDigit))
          return llvm::join(ArrayRef(parts).take_front(i + 1), ".");
      return "";
    }
  for (Location inner : fused.getLocations())
    if (std::string block = rematBlockOf(inner); !block.empty())
      return block;
  return "";
}

bool mlir::loom::isRematLocation(Location loc) {
  auto fused = dyn_cast<FusedLoc>(loc);
  auto tag =
      fused ? dyn_cast_or_null<StringAttr>(fused.getMetadata()) : nullptr;
  return tag && tag.getValue() == "remat";
}

FailureOr<DenseSet<Operation *>> mlir::loom::forwardOps(func::FuncOp fn) {
  Block &body = fn.getBody().front();
  Operation *ret = body.getTerminator();
  Value loss;
  for (unsigned i = 0; i < fn.getNumResults() && !loss; ++i)
    if (!fn.getResultAttr(i, "loom.param") &&
        !fn.getResultAttr(i, "loom.opt_state"))
      loss = ret->getOperand(i);
  if (!loss)
    return fn.emitError("has no loss to recompute the forward of: every "
                        "result is a new parameter or optimizer state");
  DenseSet<Operation *> forward;
  SmallVector<Operation *> work;
  if (Operation *def = loss.getDefiningOp())
    work.push_back(def);
  while (!work.empty()) {
    Operation *op = work.pop_back_val();
    if (!forward.insert(op).second)
      continue;
    for (Value v : op->getOperands())
      if (Operation *def = v.getDefiningOp())
        work.push_back(def);
  }
  return forward;
}

uint64_t mlir::loom::liveBytesOf(const ArenaPlan &plan,
                                 const DenseSet<Operation *> &ops) {
  // +size at the first position, -size after the last.
  std::map<uint32_t, int64_t> delta;
  for (const PlannedBuffer &b : plan.buffers) {
    Operation *def = b.value.getDefiningOp();
    if (b.kind == BufferKind::View || !def || !ops.contains(def))
      continue;
    delta[b.firstUse] += static_cast<int64_t>(b.size);
    delta[b.lastUse + 1] -= static_cast<int64_t>(b.size);
  }
  int64_t live = 0, most = 0;
  for (auto [pos, d] : delta)
    most = std::max(most, live += d);
  return static_cast<uint64_t>(most);
}

//===----------------------------------------------------------------------===//
// The pass
//===----------------------------------------------------------------------===//

namespace {

/// The location of a clone of the op at `forward`.
Location rematLocation(Location forward) {
  MLIRContext *ctx = forward.getContext();
  return FusedLoc::get({forward}, StringAttr::get(ctx, "remat"), ctx);
}

bool isContraction(Operation *op) {
  auto fusion = dyn_cast<FusionOpInterface>(op);
  return fusion && fusion.getFusionKind() == FusionKind::contraction;
}

/// What recomputing one function did.
struct RematResult {
  int64_t blocks = 0;
  int64_t recomputedOps = 0;
};

/// Recomputes the blocks of `fn` (forward `forward`) as `policy` says.
RematResult recompute(func::FuncOp fn, const DenseSet<Operation *> &forward,
                      StringRef policy) {
  Block &body = fn.getBody().front();
  DenseMap<Operation *, unsigned> position;
  for (Operation &op : body)
    position[&op] = position.size();
  // The forward's repeated blocks, in program order, each with its ops in
  // program order.
  llvm::MapVector<std::string, SmallVector<Operation *>,
                  std::map<std::string, unsigned>>
      blocks;
  for (Operation &op : body)
    if (forward.contains(&op))
      if (std::string block = rematBlockOf(op.getLoc()); !block.empty())
        blocks[block].push_back(&op);

  RematResult result;
  for (auto &[name, ops] : blocks) {
    DenseSet<Operation *> inBlock(ops.begin(), ops.end());
    // A value is kept (never recomputed; recomputation starts from it) when
    // the forward outside the block reads it, when its op has effects, or
    // under `dots` when a contraction makes it.
    auto kept = [&](Value v) {
      Operation *def = v.getDefiningOp();
      if (!def || !inBlock.contains(def) || !isMemoryEffectFree(def) ||
          def->getNumRegions() != 0 || (policy == "dots" && isContraction(def)))
        return true;
      return llvm::any_of(v.getUsers(), [&](Operation *user) {
        return forward.contains(user) && !inBlock.contains(user);
      });
    };
    // The block's values the backward reads, and where it first does.
    SmallVector<Value> needed;
    Operation *first = nullptr;
    for (Operation *op : ops)
      for (Value v : op->getResults()) {
        if (kept(v))
          continue;
        bool read = false;
        for (Operation *user : v.getUsers()) {
          if (forward.contains(user))
            continue;
          read = true;
          if (!first || position[user] < position[first])
            first = user;
        }
        if (read)
          needed.push_back(v);
      }
    if (needed.empty())
      continue;
    // The ops that compute them from kept values, in program order.
    DenseSet<Operation *> clone;
    SmallVector<Value> work(needed.begin(), needed.end());
    while (!work.empty()) {
      Value v = work.pop_back_val();
      Operation *def = v.getDefiningOp();
      if (kept(v) || !clone.insert(def).second)
        continue;
      llvm::append_range(work, def->getOperands());
    }
    SmallVector<Operation *> order(clone.begin(), clone.end());
    llvm::sort(order, [&](Operation *a, Operation *b) {
      return position[a] < position[b];
    });
    // Every kept value they read must be computed before `first`.
    bool dominated = llvm::all_of(order, [&](Operation *op) {
      return llvm::all_of(op->getOperands(), [&](Value v) {
        Operation *def = v.getDefiningOp();
        return !def || clone.contains(def) || position[def] < position[first];
      });
    });
    if (!dominated) {
      LLVM_DEBUG(llvm::dbgs() << "remat: " << name
                              << " kept: an input is computed after its "
                                 "first backward use\n");
      continue;
    }
    OpBuilder b(first);
    IRMapping map;
    for (Operation *op : order) {
      Operation *copy = b.clone(*op, map);
      copy->setLoc(rematLocation(op->getLoc()));
    }
    for (Value v : needed)
      v.replaceUsesWithIf(map.lookup(v), [&](OpOperand &use) {
        return !forward.contains(use.getOwner()) &&
               !isRematLocation(use.getOwner()->getLoc());
      });
    ++result.blocks;
    result.recomputedOps += static_cast<int64_t>(order.size());
  }
  // The forward's copies that only the backward read are dead now.
  for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
    if (forward.contains(&op) && op.use_empty() && isMemoryEffectFree(&op))
      op.erase();
  return result;
}

struct RematPass : mlir::loom::impl::LoomRematBase<RematPass> {
  using LoomRematBase::LoomRematBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    std::string chosen = policy;
    if (chosen.empty()) {
      auto recipe = module->getAttrOfType<RecipeAttr>("loom.train");
      chosen = recipe ? recipe.getRematPolicy().str() : "none";
    }
    if (!llvm::is_contained(recipeRematPolicies(), chosen)) {
      module.emitError("--loom-remat: unknown policy '")
          << chosen << "' (one of " << llvm::join(recipeRematPolicies(), ", ")
          << ")";
      return signalPassFailure();
    }
    if (chosen == "none")
      return markAllAnalysesPreserved();
    auto fn = module.lookupSymbol<func::FuncOp>(funcName);
    if (!fn || fn.isDeclaration()) {
      module.emitError("--loom-remat: no function @") << funcName;
      return signalPassFailure();
    }
    FailureOr<DenseSet<Operation *>> forward = forwardOps(fn);
    if (failed(forward))
      return signalPassFailure();
    FailureOr<ArenaPlan> before = planArena(fn);
    if (failed(before))
      return signalPassFailure();
    uint64_t bytesBefore = liveBytesOf(*before, *forward);

    RematResult done = recompute(fn, *forward, chosen);

    // The forward after (what survived) and the clones.
    DenseSet<Operation *> activations;
    for (Operation &op : fn.getBody().front())
      if (forward->contains(&op) || isRematLocation(op.getLoc()))
        activations.insert(&op);
    FailureOr<ArenaPlan> after = planArena(fn);
    if (failed(after))
      return signalPassFailure();
    uint64_t bytesAfter = liveBytesOf(*after, activations);
    Builder b(module.getContext());
    fn->setAttr("loom.remat",
                b.getDictionaryAttr(
                    {b.getNamedAttr("policy", b.getStringAttr(chosen)),
                     b.getNamedAttr("blocks", b.getI64IntegerAttr(done.blocks)),
                     b.getNamedAttr("recomputed_ops",
                                    b.getI64IntegerAttr(done.recomputedOps)),
                     b.getNamedAttr("activation_bytes",
                                    b.getDenseI64ArrayAttr(
                                        {static_cast<int64_t>(bytesBefore),
                                         static_cast<int64_t>(bytesAfter)}))}));
  }
};

} // namespace
