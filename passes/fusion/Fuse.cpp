//===- Fuse.cpp - Forms fusion groups -------------------------------------===//
//
// Part of Loom. This file implements --loom-fuse: in each function, in
// program order, elementwise ops join the group of an operand's producer
// when the group's domain is their shape, and a reduction joins the group
// that produces its input and ends it. Each group of two or more ops becomes
// a `loom.fusion_group` at its last member. Contraction epilogues are
// grouped first (Epilogue.cpp). Decisions come from each op's
// FusionOpInterface class; an op without one is never fused. Then runs of
// adjacent independent groups become loom.multi_tensor_group ops
// (MultiTensor.cpp). See Passes.td for the contract.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/fusion/Epilogue.h"
#include "passes/fusion/Fusion.h"

#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/DenseMap.h"
#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMFUSE
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

/// Follows at most 8 producers back, so a long chain is taken as computed.
static bool isConstantChainAt(Value v, unsigned depth) {
  Operation *def = v.getDefiningOp();
  if (!def || depth > 8 || def->getNumRegions() != 0 ||
      !isMemoryEffectFree(def))
    return false;
  if (def->hasTrait<OpTrait::ConstantLike>())
    return true;
  return def->getNumOperands() != 0 &&
         llvm::all_of(def->getOperands(), [&](Value operand) {
           return isConstantChainAt(operand, depth + 1);
         });
}

bool mlir::loom::isConstantChain(Value v) { return isConstantChainAt(v, 0); }

namespace {

ArrayRef<int64_t> shapeOf(Value v) {
  return cast<RankedTensorType>(v.getType()).getShape();
}

/// The fusion class of `op`, if it may be fused at all: a side-effect-free
/// loom op of one ranked-tensor result, without regions, that declares one.
std::optional<FusionKind> fusionKindOf(Operation *op) {
  auto iface = dyn_cast<FusionOpInterface>(op);
  if (!iface || op->getNumResults() != 1 || op->getNumRegions() != 0 ||
      op->hasTrait<OpTrait::ConstantLike>() || !isMemoryEffectFree(op))
    return std::nullopt;
  for (Type t : op->getOperandTypes())
    if (!isa<RankedTensorType>(t))
      return std::nullopt;
  if (!isa<RankedTensorType>(op->getResult(0).getType()))
    return std::nullopt;
  return iface.getFusionKind();
}

/// Appends what computes the constant `v` to `ops`, operands first, each op
/// once.
void appendConstantChain(Value v, llvm::SetVector<Operation *> &ops) {
  Operation *def = v.getDefiningOp();
  if (ops.contains(def))
    return;
  for (Value operand : def->getOperands())
    appendConstantChain(operand, ops);
  ops.insert(def);
}

struct Group {
  SmallVector<Operation *> members;
  FusionKind kind = FusionKind::elementwise;
  /// The shape of every value passed inside (elementwise members).
  SmallVector<int64_t> domain;
  /// No op may join: an op outside reads a member's result, so the group
  /// must stand before it, or the group ends in a reduction.
  bool sealed = false;
};

class Fuser {
public:
  explicit Fuser(Block &block) : block(block) {}

  void run() {
    for (Operation &op : block.without_terminator())
      visit(&op);
    recompute();
    for (Group &g : groups)
      if (g.members.size() >= 2)
        materialize(g);
  }

private:
  Block &block;
  std::vector<Group> groups;
  DenseMap<Operation *, unsigned> groupOf;

  std::optional<unsigned> groupOfOp(Operation *op) {
    auto it = groupOf.find(op);
    if (it == groupOf.end())
      return std::nullopt;
    return it->second;
  }

  std::optional<unsigned> groupOfValue(Value v) {
    Operation *def = v.getDefiningOp();
    return def ? groupOfOp(def) : std::nullopt;
  }

  /// Whether every use of group `id`'s results is by a member or `op`.
  bool onlyUsedInside(unsigned id, Operation *op) {
    for (Operation *m : groups[id].members)
      for (Operation *user : m->getUsers())
        if (user != op && !(groupOf.count(user) && groupOf.lookup(user) == id))
          return false;
    return true;
  }

  /// The groups `op` may join, in operand order.
  SmallVector<unsigned> candidates(Operation *op, FusionKind kind) {
    SmallVector<unsigned> ids;
    for (Value operand : op->getOperands()) {
      std::optional<unsigned> id = groupOfValue(operand);
      if (!id)
        continue;
      Group &g = groups[*id];
      if (g.sealed || g.kind != FusionKind::elementwise ||
          shapeOf(operand) != ArrayRef<int64_t>(g.domain))
        continue;
      if (llvm::is_contained(ids, *id))
        continue;
      if (kind == FusionKind::elementwise &&
          shapeOf(op->getResult(0)) == ArrayRef<int64_t>(g.domain))
        ids.push_back(*id);
      // A reduction takes the group's values only: nothing else reads them
      // (a fused reduction yields the reduced value alone).
      if (kind == FusionKind::reduction && op->getNumOperands() == 1 &&
          onlyUsedInside(*id, op))
        ids.push_back(*id);
    }
    return ids;
  }

  /// Moves group `from`'s members into group `into`. Both are unsealed, so
  /// no op outside has read either: one group at the later position is as
  /// good as two.
  void merge(unsigned into, unsigned from) {
    Group &a = groups[into], &b = groups[from];
    for (Operation *m : b.members)
      groupOf[m] = into;
    llvm::append_range(a.members, b.members);
    b.members.clear();
    llvm::sort(a.members, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });
  }

  void visit(Operation *op) {
    std::optional<FusionKind> kind = fusionKindOf(op);
    // What is computed from constants alone is cloned into each group that
    // reads it, never a member of one.
    if (kind && isConstantChain(op->getResult(0)))
      kind = std::nullopt;
    std::optional<unsigned> joined;
    if (kind == FusionKind::elementwise || kind == FusionKind::reduction) {
      SmallVector<unsigned> ids = candidates(op, *kind);
      if (!ids.empty())
        joined = ids.front();
      // An op that joins two chains (Adam's m / (sqrt(v) + eps)) joins
      // their groups too; a reduction takes one group.
      if (*kind == FusionKind::elementwise && ids.size() > 1)
        for (unsigned id : llvm::drop_begin(ids))
          merge(*joined, id);
    }
    if (joined) {
      Group &g = groups[*joined];
      g.members.push_back(op);
      groupOf[op] = *joined;
      if (*kind == FusionKind::reduction) {
        g.kind = FusionKind::reduction;
        g.sealed = true;
      }
    } else if (kind == FusionKind::elementwise) {
      Group g;
      g.members.push_back(op);
      llvm::append_range(g.domain, shapeOf(op->getResult(0)));
      groupOf[op] = groups.size();
      joined = groups.size();
      groups.push_back(std::move(g));
    }
    // A group whose result `op` reads from outside stands before `op`: it
    // takes no later op.
    for (Value operand : op->getOperands())
      if (std::optional<unsigned> id = groupOfValue(operand);
          id && id != joined)
        groups[*id].sealed = true;
  }

  /// Whether group `id` reads `v`, defined outside it: a member reads it.
  bool reads(unsigned id, Value v) {
    if (std::optional<unsigned> def = groupOfValue(v); def == id)
      return false;
    return llvm::any_of(groups[id].members, [&](Operation *m) {
      return llvm::is_contained(m->getOperands(), v);
    });
  }

  /// Adds `op` to group `id`, keeping the members in program order.
  void addMember(unsigned id, Operation *op) {
    Group &g = groups[id];
    g.members.push_back(op);
    groupOf[op] = id;
    llvm::sort(g.members, [](Operation *x, Operation *y) {
      return x->isBeforeInBlock(y);
    });
  }

  /// Recomputes cheap producers (isCheapToRecompute) instead of storing
  /// their values: a grouped op whose value is read outside its group only
  /// by other groups that read its operands already (or by a reduction
  /// standing alone, which then becomes a group reading the op's one
  /// operand instead of its value, as large) gets a copy in each of them,
  /// and its own group no longer yields the value. One op at a time, never
  /// a chain: a copy reads what the original reads.
  void recompute() {
    for (unsigned id = 0; id < groups.size(); ++id) {
      for (Operation *x : SmallVector<Operation *>(groups[id].members)) {
        if (!isCheapToRecompute(x))
          continue;
        Value v = x->getResult(0);
        SmallVector<Value> operands;
        for (Value o : x->getOperands())
          if (!isConstantChain(o) && !llvm::is_contained(operands, o))
            operands.push_back(o);
        // Each reader outside the group: a group (its first member reading
        // v) or a reduction standing alone.
        llvm::MapVector<unsigned, Operation *> readerGroups;
        SmallVector<Operation *> reductions;
        bool all = true;
        for (Operation *user : v.getUsers()) {
          std::optional<unsigned> h = groupOfOp(user);
          if (h == id)
            continue;
          if (h) {
            Group &hg = groups[*h];
            bool ok =
                shapeOf(v) == ArrayRef<int64_t>(hg.domain) &&
                llvm::all_of(operands, [&](Value o) { return reads(*h, o); });
            auto [it, fresh] = readerGroups.try_emplace(*h, user);
            if (!fresh && user->isBeforeInBlock(it->second))
              it->second = user;
            all &= ok;
            continue;
          }
          std::optional<FusionKind> kind = fusionKindOf(user);
          if (kind == FusionKind::reduction && user->getNumOperands() == 1 &&
              operands.size() == 1 && !llvm::is_contained(reductions, user)) {
            reductions.push_back(user);
            continue;
          }
          all = false;
        }
        if (!all || (readerGroups.empty() && reductions.empty()))
          continue;
        for (const auto &reader : readerGroups) {
          auto h = reader.first;
          Operation *copy = OpBuilder(reader.second).clone(*x);
          v.replaceUsesWithIf(copy->getResult(0), [&](OpOperand &use) {
            return groupOfOp(use.getOwner()) == h;
          });
          addMember(h, copy);
        }
        for (Operation *r : reductions) {
          Operation *copy = OpBuilder(r).clone(*x);
          r->replaceUsesOfWith(v, copy->getResult(0));
          Group g;
          g.kind = FusionKind::reduction;
          g.sealed = true;
          llvm::append_range(g.domain, shapeOf(v));
          g.members = {copy, r};
          groupOf[copy] = groupOf[r] = groups.size();
          groups.push_back(std::move(g));
        }
        // The group's own members may still read it.
        if (v.use_empty()) {
          Group &g = groups[id];
          llvm::erase(g.members, x);
          groupOf.erase(x);
          x->erase();
        }
      }
    }
  }

  void materialize(Group &g) {
    llvm::SmallPtrSet<Operation *, 16> inGroup(g.members.begin(),
                                               g.members.end());
    SmallVector<Value> inputs, results;
    llvm::SetVector<Operation *> constants;
    SmallVector<Location> locs;
    llvm::StringSet<> seen;
    for (Operation *m : g.members) {
      // Each location once as it prints: locations that print alike are
      // one after a reparse, so the dumps reparse to the same IR.
      std::string text;
      llvm::raw_string_ostream os(text);
      m->getLoc().print(os);
      if (seen.insert(os.str()).second)
        locs.push_back(m->getLoc());
      for (Value v : m->getOperands()) {
        if (Operation *def = v.getDefiningOp(); def && inGroup.count(def))
          continue;
        if (isConstantChain(v))
          appendConstantChain(v, constants);
        else if (!llvm::is_contained(inputs, v))
          inputs.push_back(v);
      }
      for (Value r : m->getResults())
        if (llvm::any_of(r.getUsers(),
                         [&](Operation *u) { return !inGroup.count(u); }))
          results.push_back(r);
    }
    Operation *last = g.members.back();
    MLIRContext *ctx = last->getContext();
    OpBuilder b(last);
    Location loc =
        FusedLoc::get(ctx, locs, StringAttr::get(ctx, "fusion_group"));
    auto group = b.create<FusionGroupOp>(loc, ValueRange(results).getTypes(),
                                         g.kind, inputs);
    Block *body = b.createBlock(&group.getBody());
    IRMapping map;
    for (Value v : inputs)
      map.map(v, body->addArgument(v.getType(), v.getLoc()));
    OpBuilder inner = OpBuilder::atBlockBegin(body);
    for (Operation *c : constants)
      inner.clone(*c, map);
    for (Operation *m : g.members)
      inner.clone(*m, map);
    SmallVector<Value> yielded;
    for (Value r : results)
      yielded.push_back(map.lookup(r));
    inner.create<YieldOp>(last->getLoc(), yielded);
    for (auto [r, replacement] : llvm::zip(results, group.getResults()))
      r.replaceUsesWithIf(replacement, [&](OpOperand &use) {
        return !inGroup.count(use.getOwner());
      });
    for (Operation *m : llvm::reverse(g.members))
      m->erase();
    // The constants cloned in may have no other reader left.
    for (Operation *c : llvm::reverse(constants))
      if (c->use_empty())
        c->erase();
  }
};

struct LoomFusePass : public mlir::loom::impl::LoomFuseBase<LoomFusePass> {
  using LoomFuseBase::LoomFuseBase;
  void runOnOperation() override {
    func::FuncOp fn = getOperation();
    if (fn.isExternal())
      return;
    for (Block &block : fn.getBody()) {
      formContractionGroups(block);
      Fuser(block).run();
      if (multiTensorBytes)
        formMultiTensorGroups(block, multiTensorBytes);
    }
  }
};

} // namespace
