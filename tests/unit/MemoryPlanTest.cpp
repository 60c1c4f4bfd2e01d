//===- MemoryPlanTest.cpp - Unit tests of the memory plan -----------------===//
//
// Part of Loom. This file plans long random functions (elementwise ops,
// broadcasts, reshapes, transposes, matmuls, constants, compares, selects,
// casts, zero-size tensors, parameters updated in place or not) and checks
// the plan against facts recomputed here from the IR's use lists, by brute
// force: no two buffers of different storage share a byte while both are
// live, every in-place update is safe, and no copy reads bytes an earlier
// copy overwrote. It also checks that checkArenaPlan's O(n log n) sweep
// agrees with the brute force on plans with buffers moved at random.
//
//===----------------------------------------------------------------------===//

#include "passes/memory/MemoryPlan.h"

#include "ir/LoomDialect.h"
#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "llvm/ADT/DenseMap.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// A random single-block function and the facts about it the tests need.
class RandomStep {
public:
  RandomStep(MLIRContext &ctx, unsigned numOps, unsigned seed)
      : rng(seed), b(&ctx) {
    Type f32 = b.getF32Type();
    tA = RankedTensorType::get({8, 16}, f32);
    tB = RankedTensorType::get({128}, f32);
    tC = RankedTensorType::get({16, 8}, f32);
    tM = RankedTensorType::get({16, 16}, f32);
    tS = RankedTensorType::get({}, f32);
    tP = RankedTensorType::get({8, 16}, b.getI1Type());
    tZ = RankedTensorType::get({0, 8}, f32);
    tH = RankedTensorType::get({8, 16}, b.getF16Type());
    tI = RankedTensorType::get({8}, b.getI32Type());
    build(ctx, numOps);
  }

  func::FuncOp func() { return cast<func::FuncOp>(*module->begin()); }

private:
  std::mt19937 rng;
  OpBuilder b;
  OwningOpRef<ModuleOp> module;
  RankedTensorType tA, tB, tC, tM, tS, tP, tZ, tH, tI;
  /// Values of each type; kernel results of tA apart (no views, no args).
  DenseMap<Type, std::vector<Value>> pool;
  std::vector<Value> kernelA;

  unsigned below(unsigned n) {
    return std::uniform_int_distribution<>(0, n - 1)(rng);
  }
  bool chance(double p) { return std::bernoulli_distribution(p)(rng); }
  ComparePredicateAttr gt() {
    return ComparePredicateAttr::get(b.getContext(), ComparePredicate::gt);
  }

  /// A value of `type`, mostly a recent one (short live ranges), sometimes
  /// any (long ones).
  Value pick(Type type) {
    std::vector<Value> &vs = pool[type];
    size_t n = vs.size();
    if (chance(0.75) && n > 8)
      return vs[n - 1 - below(8)];
    return vs[below(n)];
  }

  Value add(Value v) {
    pool[v.getType()].push_back(v);
    return v;
  }

  void build(MLIRContext &ctx, unsigned numOps) {
    Location loc = b.getUnknownLoc();
    module = ModuleOp::create(loc);
    const unsigned params = 16;
    SmallVector<Type> argTypes(2 * params + 5, tA);
    argTypes[2 * params + 4] = tZ;
    auto fn =
        func::FuncOp::create(loc, "step", b.getFunctionType(argTypes, {}));
    module->push_back(fn);
    for (unsigned i = 0; i < params; ++i) {
      fn.setArgAttr(i, "loom.param", b.getStringAttr("p" + std::to_string(i)));
      fn.setArgAttr(params + i, "loom.opt_state",
                    b.getStringAttr("p" + std::to_string(i) + ".m"));
    }
    Block *block = fn.addEntryBlock();
    b.setInsertionPointToStart(block);
    for (BlockArgument arg : block->getArguments())
      add(arg);
    add(b.create<ConstantOp>(loc, DenseElementsAttr::get(tS, 0.5f)));
    add(b.create<NegOp>(loc, pick(tA)));
    add(b.create<TransposeOp>(loc, pick(tA), b.getDenseI64ArrayAttr({1, 0})));
    add(b.create<MatmulOp>(loc, pick(tC), pick(tA), UnitAttr(), UnitAttr()));
    add(b.create<CompareOp>(loc, gt(), pick(tA), pick(tA)));
    add(b.create<CastOp>(loc, tH, pick(tA)));
    add(b.create<ReshapeOp>(loc, tB, pick(tA)));
    Value rows = add(b.create<ConstantOp>(loc, DenseElementsAttr::get(tI, 3)));
    for (unsigned built = 8; built < numOps; ++built) {
      Value v;
      switch (below(15)) {
      case 0:
        v = b.create<ExpOp>(loc, pick(tA));
        break;
      case 1:
        v = b.create<AddOp>(loc, pick(tA), pick(tA));
        break;
      case 2:
        v = b.create<SubOp>(loc, pick(tA), pick(tS));
        break;
      case 3:
        v = b.create<ReshapeOp>(loc, tB, pick(tA));
        break;
      case 4:
        v = b.create<ReshapeOp>(loc, tA, pick(tB));
        break;
      case 5:
        v = b.create<TransposeOp>(loc, pick(tA),
                                  b.getDenseI64ArrayAttr({1, 0}));
        break;
      case 6:
        v = b.create<MatmulOp>(loc, pick(tC), pick(tA), UnitAttr(), UnitAttr());
        break;
      case 7:
        v = b.create<MulOp>(loc, pick(tM), pick(tM));
        break;
      case 8:
        v = b.create<ConstantOp>(loc, DenseElementsAttr::get(tS, 1.0f));
        break;
      case 9:
        v = b.create<CompareOp>(loc, gt(), pick(tA), pick(tA));
        break;
      case 10:
        v = b.create<SelectOp>(loc, pick(tP), pick(tA), pick(tA));
        break;
      case 11:
        v = b.create<NegOp>(loc, pick(tZ));
        break;
      case 12:
        v = b.create<CastOp>(loc, tH, pick(tA));
        break;
      case 13: // accumulates in place when it reads the destination last
        v = b.create<ScatterAddOp>(loc, pick(tA), rows, pick(tA), 0);
        break;
      default:
        v = b.create<CastOp>(loc, tA, pick(tH));
        break;
      }
      add(v);
      if (v.getType() == tA && !isa<ReshapeOp>(v.getDefiningOp()))
        kernelA.push_back(v);
    }
    // New values: mostly p - x (in place unless p is read later), else a
    // random kernel result (in place only if p is dead by then), else
    // unchanged. Some parameters are read once more at the end.
    SmallVector<Value> results;
    SmallVector<Type> resultTypes;
    SmallVector<NamedAttrList> resultAttrs;
    for (unsigned i = 0; i < 2 * params; ++i) {
      Value arg = block->getArgument(i);
      Value next = arg;
      if (chance(0.6))
        next = b.create<SubOp>(loc, arg, pick(tA));
      else if (chance(0.6))
        next = kernelA[below(kernelA.size())];
      results.push_back(next);
      resultTypes.push_back(tA);
      NamedAttrList attrs;
      attrs.append(
          i < params ? "loom.param" : "loom.opt_state",
          fn.getArgAttr(i, i < params ? "loom.param" : "loom.opt_state"));
      resultAttrs.push_back(attrs);
    }
    for (unsigned i = 0; i < params; ++i)
      if (chance(0.2))
        results.push_back(b.create<ExpOp>(loc, block->getArgument(i)));
    for (unsigned i = 0; i < 4; ++i)
      results.push_back(pick(tA));
    for (size_t i = resultTypes.size(); i < results.size(); ++i) {
      resultTypes.push_back(results[i].getType());
      resultAttrs.push_back({});
    }
    b.create<func::ReturnOp>(loc, results);
    fn.setType(b.getFunctionType(argTypes, resultTypes));
    for (auto [i, attrs] : llvm::enumerate(resultAttrs))
      fn.setResultAttrs(i, attrs.getDictionary(&ctx));
  }
};

/// Facts recomputed from the IR: op positions, and per buffer of `plan` the
/// buffer owning its bytes and the live range of that owner.
struct Facts {
  std::vector<Operation *> ops;
  DenseMap<Operation *, uint32_t> position;
  DenseMap<Value, uint32_t> id;
  std::vector<uint32_t> owner, first, last;
};

/// The root of `v`'s view chain.
Value rootOf(Value v) {
  while (Operation *op = v.getDefiningOp())
    if (Value source = getViewSource(op))
      v = source;
    else
      break;
  return v;
}

Facts recompute(func::FuncOp func, const ArenaPlan &plan) {
  Facts f;
  Block &block = func.getBody().front();
  for (BlockArgument arg : block.getArguments())
    f.id[arg] = f.id.size();
  for (Operation &op : block) {
    f.position[&op] = f.ops.size();
    f.ops.push_back(&op);
    for (Value r : op.getResults())
      f.id[r] = f.id.size();
  }
  uint32_t n = f.ops.size() - 1; // the return is at n
  size_t count = plan.buffers.size();
  f.owner.resize(count);
  f.first.assign(count, ~0u);
  f.last.assign(count, 0);
  for (auto [v, i] : f.id) {
    uint32_t r = f.id[rootOf(v)];
    int64_t inPlace = plan.buffers[r].inPlaceOf;
    if (inPlace < 0)
      inPlace = plan.buffers[r].accumulatesInto;
    f.owner[i] = inPlace < 0 ? r : uint32_t(inPlace);
  }
  for (auto [v, i] : f.id) {
    uint32_t o = f.owner[i];
    uint32_t def = isa<BlockArgument>(v) ? 0 : f.position[v.getDefiningOp()];
    uint32_t last = def;
    for (Operation *user : v.getUsers())
      last = std::max(last, f.position[user]);
    if (plan.buffers[o].kind == BufferKind::Persistent) {
      def = 0;
      last = n;
    }
    f.first[o] = std::min(f.first[o], def);
    f.last[o] = std::max(f.last[o], last);
  }
  return f;
}

/// "" if no two owners that share a byte are live at once (O(n^2)).
std::string bruteForceOverlap(const ArenaPlan &plan, const Facts &f) {
  std::vector<uint32_t> owners;
  for (uint32_t i = 0; i < plan.buffers.size(); ++i)
    if (f.owner[i] == i && plan.buffers[i].size)
      owners.push_back(i);
  for (size_t x = 0; x < owners.size(); ++x)
    for (size_t y = x + 1; y < owners.size(); ++y) {
      const PlannedBuffer &p = plan.buffers[owners[x]];
      const PlannedBuffer &q = plan.buffers[owners[y]];
      bool bytes = p.offset < q.offset + q.size && q.offset < p.offset + p.size;
      bool time = f.first[owners[x]] <= f.last[owners[y]] &&
                  f.first[owners[y]] <= f.last[owners[x]];
      if (bytes && time)
        return "#" + std::to_string(owners[x]) + " and #" +
               std::to_string(owners[y]);
    }
  return "";
}

/// "" if every in-place update is safe: nothing reads the old value (or a
/// view of it) after the op that writes the new one, and that op reads it
/// only elementwise.
std::string unsafeInPlace(const ArenaPlan &plan, const Facts &f) {
  for (const StateUpdate &u : plan.updates) {
    if (!u.inPlace)
      continue;
    Value def = rootOf(plan.buffers[u.from].value);
    Operation *writer = def.getDefiningOp();
    if (!writer)
      return "result #" + std::to_string(u.result) + " is an argument";
    uint32_t at = f.position.lookup(writer);
    SmallVector<Value> alias = {plan.buffers[u.to].value};
    while (!alias.empty()) {
      Value v = alias.pop_back_val();
      for (OpOperand &use : v.getUses()) {
        Operation *user = use.getOwner();
        if (getViewSource(user)) {
          alias.push_back(user->getResult(0));
          continue;
        }
        uint32_t pos = f.position.lookup(user);
        if (pos > at ||
            (pos == at &&
             !canOverwriteOperand(user, use.getOperandNumber(),
                                  cast<OpResult>(def).getResultNumber())))
          return "result #" + std::to_string(u.result) + " overwrites #" +
                 std::to_string(u.to) + " read at " + std::to_string(pos);
      }
    }
  }
  return "";
}

/// "" if every accumulation in place is safe: the bytes its op writes are
/// read by nothing after it, nor at it but as the operand it adds into.
std::string unsafeAccumulation(const ArenaPlan &plan, const Facts &f) {
  for (auto [i, b] : llvm::enumerate(plan.buffers)) {
    if (b.accumulatesInto < 0)
      continue;
    Operation *writer = b.value.getDefiningOp();
    std::optional<unsigned> acc = getAccumulatedOperand(writer);
    if (!acc)
      return "#" + std::to_string(i) + "'s op adds into no operand";
    uint32_t at = f.position.lookup(writer);
    for (auto [v, j] : f.id) {
      uint32_t def =
          isa<BlockArgument>(v) ? 0 : f.position.lookup(v.getDefiningOp());
      if (f.owner[j] != f.owner[i] || def >= at)
        continue; // other bytes, or written at or after the writer
      for (OpOperand &use : v.getUses()) {
        uint32_t pos = f.position.lookup(use.getOwner());
        if (pos > at || (pos == at && (use.getOwner() != writer ||
                                       use.getOperandNumber() != *acc)))
          return "#" + std::to_string(i) + " overwrites #" + std::to_string(j) +
                 " read at " + std::to_string(pos);
      }
    }
  }
  return "";
}

/// "" if no copy reads bytes that an earlier copy wrote.
std::string copiesReadOverwritten(const ArenaPlan &plan, const Facts &f) {
  std::vector<bool> written(plan.buffers.size());
  for (unsigned i : plan.copies) {
    const StateUpdate &u = plan.updates[i];
    if (written[f.owner[u.from]])
      return "copy of result #" + std::to_string(u.result) +
             " reads overwritten bytes";
    written[u.to] = true;
  }
  return "";
}

class MemoryPlanTest : public ::testing::Test {
protected:
  MemoryPlanTest() { ctx.loadDialect<LoomDialect, func::FuncDialect>(); }
  MLIRContext ctx;
};

TEST_F(MemoryPlanTest, RandomFunctionsHoldTheInvariant) {
  for (unsigned seed = 1; seed <= 8; ++seed) {
    RandomStep step(ctx, 1500, seed);
    ASSERT_TRUE(succeeded(verify(step.func())));
    FailureOr<ArenaPlan> plan = planArena(step.func());
    ASSERT_TRUE(succeeded(plan)) << "seed " << seed;
    EXPECT_EQ(checkArenaPlan(*plan), "") << "seed " << seed;
    Facts f = recompute(step.func(), *plan);
    EXPECT_EQ(bruteForceOverlap(*plan, f), "") << "seed " << seed;
    EXPECT_EQ(unsafeInPlace(*plan, f), "") << "seed " << seed;
    EXPECT_EQ(unsafeAccumulation(*plan, f), "") << "seed " << seed;
    EXPECT_EQ(copiesReadOverwritten(*plan, f), "") << "seed " << seed;
    // The plan reuses bytes and updates some state in place, not all.
    EXPECT_LT(plan->arenaSize, plan->totalBufferBytes() / 4);
    EXPECT_GE(plan->arenaSize, plan->maxLiveBytes);
    size_t inPlace = llvm::count_if(
        plan->updates, [](const StateUpdate &u) { return u.inPlace; });
    EXPECT_GT(inPlace, 0u);
    EXPECT_GT(plan->copies.size(), 0u);
    // Some scatter_adds accumulate in place, not all.
    size_t scatters = 0, accumulating = 0;
    for (const PlannedBuffer &b : plan->buffers) {
      scatters += isa_and_nonnull<ScatterAddOp>(b.value.getDefiningOp());
      accumulating += b.accumulatesInto >= 0;
    }
    EXPECT_GT(accumulating, 0u) << "seed " << seed;
    EXPECT_LT(accumulating, scatters) << "seed " << seed;
  }
}

TEST_F(MemoryPlanTest, LongFunctionIsPlannedQuickly) {
  // Tens of thousands of ops, as a GPT-2 step has after fusion and more.
  RandomStep step(ctx, 60000, 7);
  auto start = std::chrono::steady_clock::now();
  FailureOr<ArenaPlan> plan = planArena(step.func());
  ASSERT_TRUE(succeeded(plan));
  std::string check = checkArenaPlan(*plan);
  double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  EXPECT_EQ(check, "");
  EXPECT_EQ(copiesReadOverwritten(*plan, recompute(step.func(), *plan)), "");
  RecordProperty("plan_and_check_seconds", std::to_string(seconds));
  std::printf("planned and checked %zu buffers in %.3f s\n",
              plan->buffers.size(), seconds);
  // Generous even under sanitizers; quadratic work would take minutes.
  EXPECT_LT(seconds, 30.0);
}

TEST_F(MemoryPlanTest, CheckAgreesWithBruteForceOnMovedBuffers) {
  RandomStep step(ctx, 600, 3);
  FailureOr<ArenaPlan> plan = planArena(step.func());
  ASSERT_TRUE(succeeded(plan));
  Facts f = recompute(step.func(), *plan);
  // Movable: transient owners without views or in-place partners.
  std::vector<uint32_t> movable;
  std::vector<bool> shared(plan->buffers.size());
  for (uint32_t i = 0; i < plan->buffers.size(); ++i)
    if (f.owner[i] != i)
      shared[f.owner[i]] = true;
  for (uint32_t i = 0; i < plan->buffers.size(); ++i)
    if (f.owner[i] == i && !shared[i] && plan->buffers[i].size &&
        plan->buffers[i].kind != BufferKind::Persistent)
      movable.push_back(i);
  ASSERT_GT(movable.size(), 100u);
  std::mt19937 rng(11);
  unsigned broken = 0;
  for (unsigned trial = 0; trial < 300; ++trial) {
    ArenaPlan moved = *plan;
    for (unsigned k = 0; k < 1 + trial % 3; ++k) {
      PlannedBuffer &b = moved.buffers[movable[rng() % movable.size()]];
      uint64_t slots = (moved.arenaSize - moved.persistentSize - b.size) / 64;
      b.offset = moved.persistentSize + 64 * (rng() % (slots + 1));
    }
    bool sweep = checkArenaPlan(moved).empty();
    bool brute = bruteForceOverlap(moved, f).empty();
    EXPECT_EQ(sweep, brute) << "trial " << trial;
    broken += !brute;
  }
  // Most random moves collide with something.
  EXPECT_GT(broken, 100u);
}

TEST_F(MemoryPlanTest, CheckNamesTheOverlap) {
  RandomStep step(ctx, 200, 5);
  FailureOr<ArenaPlan> plan = planArena(step.func());
  ASSERT_TRUE(succeeded(plan));
  // Two transient buffers live at once, the second moved onto the first.
  std::vector<PlannedBuffer> &bs = plan->buffers;
  for (uint32_t i = 0; i < bs.size(); ++i)
    for (uint32_t j = i + 1; j < bs.size(); ++j)
      if (bs[i].kind == BufferKind::Transient && bs[i].inPlaceOf < 0 &&
          bs[j].kind == BufferKind::Transient && bs[j].inPlaceOf < 0 &&
          bs[i].size == bs[j].size && bs[i].offset != bs[j].offset &&
          bs[j].firstUse <= bs[i].lastUse) {
        bool viewed = llvm::any_of(bs, [&](const PlannedBuffer &b) {
          return b.aliasOf == int64_t(i) || b.aliasOf == int64_t(j);
        });
        if (viewed)
          continue;
        bs[j].offset = bs[i].offset;
        EXPECT_EQ(checkArenaPlan(*plan),
                  "buffers #" + std::to_string(i) + " and #" +
                      std::to_string(j) + " share bytes while both are " +
                      "live at op " + std::to_string(bs[j].firstUse));
        return;
      }
  FAIL() << "no two transient buffers live at once";
}

} // namespace

// Positions of a backend that launches no kernel for a view or a constant
// (the CPU backend): an input nothing reads is written before the first
// kernel, so that kernel's result may not take its bytes. Numbered by op,
// the unused `step` ([0, 0]) and %1 ([1, 1]) looked disjoint, and the CPU
// artifact put both in one place at kernel 0 (plain SGD on examples/mlp.loom).
TEST_F(MemoryPlanTest, PositionsCountOnlyLaunchingOps) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(R"mlir(
    func.func @step(%x: tensor<4x16xf32> {loom.input = "x"},
                    %step: tensor<i64> {loom.input = "step"})
        -> tensor<64xf32> {
      %0 = loom.reshape %x : tensor<4x16xf32> to tensor<64xf32>
      %c = loom.constant dense<2.0> : tensor<f32>
      %1 = loom.mul %0, %c : (tensor<64xf32>, tensor<f32>) -> tensor<64xf32>
      return %1 : tensor<64xf32>
    }
  )mlir",
                                                             &ctx);
  ASSERT_TRUE(module);
  auto func = cast<func::FuncOp>(*module->begin());
  auto launches = [](Operation *op) {
    return !isa<ConstantOp>(op) && !getViewSource(op);
  };
  FailureOr<ArenaPlan> plan = planArena(func, 64, launches);
  ASSERT_TRUE(succeeded(plan));
  EXPECT_EQ(checkArenaPlan(*plan), "");
  EXPECT_EQ(plan->numOps, 1u); // the mul
  const std::vector<PlannedBuffer> &bs = plan->buffers;
  ASSERT_EQ(bs.size(), 5u); // %x, %step, %0, %c, %1
  // %step is live at kernel 0, and so are the constant and %1.
  EXPECT_EQ(bs[1].firstUse, 0u);
  EXPECT_EQ(bs[1].lastUse, 0u);
  EXPECT_EQ(bs[3].firstUse, 0u);
  EXPECT_EQ(bs[4].firstUse, 0u);
  EXPECT_EQ(bs[4].lastUse, 1u);
  auto apart = [&](uint32_t i, uint32_t j) {
    return bs[i].offset + bs[i].size <= bs[j].offset ||
           bs[j].offset + bs[j].size <= bs[i].offset;
  };
  EXPECT_TRUE(apart(1, 4));
  EXPECT_TRUE(apart(1, 3));
  EXPECT_TRUE(apart(0, 4));
  // Every op a position: %step [0, 0] and %1 [2, 3] may share bytes.
  FailureOr<ArenaPlan> byOp = planArena(func, 64);
  ASSERT_TRUE(succeeded(byOp));
  EXPECT_EQ(byOp->numOps, 3u);
  EXPECT_EQ(byOp->buffers[4].firstUse, 2u);
}

TEST_F(MemoryPlanTest, RandomFunctionsHoldTheInvariantByKernel) {
  auto launches = [](Operation *op) {
    return !isa<ConstantOp>(op) && !getViewSource(op);
  };
  for (unsigned seed = 1; seed <= 4; ++seed) {
    RandomStep step(ctx, 1500, seed);
    FailureOr<ArenaPlan> plan = planArena(step.func(), 64, launches);
    ASSERT_TRUE(succeeded(plan)) << "seed " << seed;
    EXPECT_EQ(checkArenaPlan(*plan), "") << "seed " << seed;
    unsigned kernels = 0;
    step.func().getBody().front().walk([&](Operation *op) {
      kernels += op->getParentOp() == step.func() && !isa<func::ReturnOp>(op) &&
                 launches(op);
    });
    EXPECT_EQ(plan->numOps, kernels) << "seed " << seed;
  }
}
