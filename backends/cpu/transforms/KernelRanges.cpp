//===- KernelRanges.cpp - The --loom-kernel-ranges pass -------------------===//
//
// Part of Loom. This file implements the outlining of a kernel's top-level
// parallel loop nests into functions of a range of their outer dimension,
// which the runtime's threads run, the sharing of one function among
// nests that compute the same thing, and the one range that the independent
// nests of a multi-tensor kernel share (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/LLVMIR/LLVMDialect.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

#include "llvm/ADT/MapVector.h"
#include "llvm/ADT/SetVector.h"
#include "llvm/ADT/StringSet.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMKERNELRANGES
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

std::optional<int64_t> constantIndex(Value v) {
  APInt value;
  if (matchPattern(v, m_ConstantInt(&value)))
    return value.getSExtValue();
  return std::nullopt;
}

/// Whether `op`, defined outside a nest that uses its result, is cloned into
/// the outlined function rather than passed to it: constants, and the views
/// and globals whose memrefs the bare-pointer calling convention cannot pass
/// (a strided subview) or need not (a global).
bool clonedIntoNest(Operation *op) {
  return op->hasTrait<OpTrait::ConstantLike>() ||
         isa<memref::SubViewOp, memref::ExpandShapeOp, memref::CollapseShapeOp,
             memref::ReinterpretCastOp, memref::CastOp, memref::GetGlobalOp>(
             op);
}

/// Whether `type` can be an argument of the outlined function: a scalar, or
/// a statically shaped memref with the identity layout (a bare pointer).
bool passable(Type type) {
  if (auto memref = dyn_cast<MemRefType>(type))
    return memref.hasStaticShape() && memref.getLayout().isIdentity();
  return type.isIntOrIndexOrFloat();
}

/// The bytes of a statically shaped memref, 0 for anything else.
int64_t memrefBytes(Type type) {
  auto memref = dyn_cast<MemRefType>(type);
  if (!memref || !memref.hasStaticShape() ||
      !memref.getElementType().isIntOrIndexOrFloat())
    return 0;
  return memref.getNumElements() *
         std::max<int64_t>(1, memref.getElementTypeBitWidth() / 8);
}

/// The bytes of the distinct memrefs that `nest` loads from or stores to.
int64_t bytesTouched(Operation *nest) {
  llvm::SmallPtrSet<Value, 8> seen;
  int64_t bytes = 0;
  nest->walk([&](Operation *op) {
    for (Value v : op->getOperands())
      if (isa<MemRefType>(v.getType()) && seen.insert(v).second)
        bytes += memrefBytes(v.getType());
  });
  return bytes;
}

/// What outlining one nest needs: the values passed to the function, the
/// ops cloned into it (in block order), and, for a nest the runtime's
/// threads split, the dimension they split.
struct Outline {
  llvm::SetVector<Value> arguments;
  llvm::SmallVector<Operation *> cloned;
  std::optional<unsigned> dim;
  int64_t upper = 0;
};

/// The arguments and cloned ops of the function that `nest`, at the top of a
/// kernel, would move to, or nullopt if it cannot move: a result, a buffer
/// allocated or freed inside (the runtime's scratch arena belongs to the
/// calling thread), or a value from outside that is neither passable nor
/// cloned.
std::optional<Outline> planArguments(Operation *nest) {
  if (nest->getNumResults() != 0)
    return std::nullopt;
  bool allocates = false;
  llvm::SetVector<Value> used;
  nest->walk([&](Operation *op) {
    if (isa<memref::AllocOp, memref::DeallocOp, memref::ReallocOp>(op))
      allocates = true;
    for (Value v : op->getOperands())
      if (!nest->isAncestor(v.getParentBlock()->getParentOp()))
        used.insert(v);
  });
  if (allocates)
    return std::nullopt;
  Outline plan;
  llvm::SetVector<Operation *> cloned;
  for (size_t i = 0; i < used.size(); ++i) { // `used` grows in the loop
    Value v = used[i];
    Operation *def = v.getDefiningOp();
    if (def && clonedIntoNest(def)) {
      if (cloned.insert(def))
        for (Value operand : def->getOperands())
          used.insert(operand);
      continue;
    }
    if (!passable(v.getType()))
      return std::nullopt;
    plan.arguments.insert(v);
  }
  plan.cloned.assign(cloned.begin(), cloned.end());
  llvm::sort(plan.cloned,
             [](Operation *a, Operation *b) { return a->isBeforeInBlock(b); });
  return plan;
}

/// How `loop`, at the top of a kernel, is outlined for the runtime's
/// threads, or nullopt if it cannot be: planArguments' conditions, and a
/// dimension of constant bounds, step 1 and two iterations or more.
std::optional<Outline> planRanges(scf::ParallelOp loop) {
  std::optional<Outline> plan = planArguments(loop);
  if (!plan)
    return std::nullopt;
  for (unsigned d = 0; d < loop.getNumLoops() && !plan->dim; ++d) {
    std::optional<int64_t> lb = constantIndex(loop.getLowerBound()[d]);
    std::optional<int64_t> ub = constantIndex(loop.getUpperBound()[d]);
    std::optional<int64_t> step = constantIndex(loop.getStep()[d]);
    if (lb && ub && step == 1 && *ub - *lb >= 2) {
      plan->dim = d;
      plan->upper = *ub;
    }
  }
  if (!plan->dim)
    return std::nullopt;
  return plan;
}

/// A new private function, in no module yet, that runs `nest` on its
/// arguments, then, with plan.dim, `begin` and `end`: the iterations of
/// dimension plan.dim in [max(lb, begin), min(ub, end)).
func::FuncOp buildFunction(Operation *nest, const Outline &plan) {
  MLIRContext *ctx = nest->getContext();
  Location loc = nest->getLoc();
  Type index = IndexType::get(ctx);
  SmallVector<Type> types;
  for (Value v : plan.arguments)
    types.push_back(v.getType());
  if (plan.dim)
    types.append({index, index});

  auto fn =
      func::FuncOp::create(loc, "nest", FunctionType::get(ctx, types, {}));
  fn.setPrivate();
  // Compiled once, in the kernel library only: LLVM inlines no nest into
  // its callers (a nest on threads has two: its range function of the
  // object emitter's, and the kernel itself where no thread pool is set,
  // which the range function is inlined into; a shared nest has several).
  fn->setAttr("llvm.linkage",
              LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
  fn->setAttr("no_inline", UnitAttr::get(ctx));
  if (plan.dim)
    fn->setAttr("loom.parallel_extent",
                IntegerAttr::get(IntegerType::get(ctx, 64), plan.upper));
  Block *body = fn.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(body);
  IRMapping map;
  for (auto [v, arg] : llvm::zip(plan.arguments, body->getArguments()))
    map.map(v, arg);
  for (Operation *op : plan.cloned)
    b.clone(*op, map);
  if (plan.dim) {
    auto loop = cast<scf::ParallelOp>(nest);
    unsigned d = *plan.dim;
    Value begin = body->getArgument(plan.arguments.size());
    Value end = body->getArgument(plan.arguments.size() + 1);
    Value lo = b.create<arith::MaxSIOp>(
        loc, map.lookup(loop.getLowerBound()[d]), begin);
    Value hi =
        b.create<arith::MinSIOp>(loc, map.lookup(loop.getUpperBound()[d]), end);
    auto moved = cast<scf::ParallelOp>(b.clone(*loop, map));
    moved.getLowerBoundMutable()[d].set(lo);
    moved.getUpperBoundMutable()[d].set(hi);
  } else {
    b.clone(*nest, map);
  }
  b.create<func::ReturnOp>(loc);
  return fn;
}

/// What two functions that compute the same thing have in common: the
/// printed function (without locations) under the name "nest".
std::string sharingKey(func::FuncOp fn) {
  std::string key;
  llvm::raw_string_ostream os(key);
  fn->print(os, OpPrintingFlags().useLocalScope());
  return key;
}

/// Calls `fn` in place of `nest` (over the whole range of plan.dim, if
/// any) and erases the nest.
void replaceWithCall(Operation *nest, func::FuncOp fn, const Outline &plan) {
  OpBuilder b(nest);
  SmallVector<Value> operands(plan.arguments.begin(), plan.arguments.end());
  if (plan.dim) {
    auto loop = cast<scf::ParallelOp>(nest);
    operands.push_back(loop.getLowerBound()[*plan.dim]);
    operands.push_back(loop.getUpperBound()[*plan.dim]);
  }
  b.create<func::CallOp>(nest->getLoc(), fn, operands);
  nest->erase();
}

/// The buffer a memref value views: the value itself, or the source of its
/// chain of views; a `memref.get_global` stands for its global.
const void *baseOf(Value v) {
  while (Operation *def = v.getDefiningOp()) {
    if (auto global = dyn_cast<memref::GetGlobalOp>(def))
      return global.getNameAttr().getAsOpaquePointer();
    auto view = dyn_cast<ViewLikeOpInterface>(def);
    if (!view)
      break;
    v = view.getViewSource();
  }
  return v.getAsOpaquePointer();
}

/// The buffers from outside `nest` that it reads (loads) and may write
/// (any other use of a memref: a store, a copy).
struct Access {
  llvm::SmallPtrSet<const void *, 8> reads, writes;
};

Access accessOf(Operation *nest) {
  Access access;
  nest->walk([&](Operation *op) {
    for (Value v : op->getOperands()) {
      if (!isa<MemRefType>(v.getType()) ||
          nest->isAncestor(v.getParentBlock()->getParentOp()))
        continue;
      (isa<memref::LoadOp>(op) ? access.reads : access.writes)
          .insert(baseOf(v));
    }
  });
  return access;
}

/// Whether one of two nests writes a buffer that the other reads or writes.
bool conflict(const Access &a, const Access &b) {
  auto writesInto = [](const Access &w, const Access &other) {
    return llvm::any_of(w.writes, [&](const void *p) {
      return other.reads.contains(p) || other.writes.contains(p);
    });
  };
  return writesInto(a, b) || writesInto(b, a);
}

/// One nest of a shared range (see LoomKernelRanges::combineRuns): its
/// plan, its function of a range, and its place in the flat iteration
/// space: iteration x of its split dimension (bounds [lower, upper)) is unit
/// `offset + (x - lower) * weight`.
struct RangeMember {
  Operation *nest = nullptr;
  Outline plan;
  int64_t lower = 0, weight = 1, offset = 0;
  func::FuncOp fn;
};

/// A new private function of the members' arguments and a range [begin,
/// end) of `extent` units that runs, for each member, the iterations whose
/// first unit is in the range: those of [lower + ceil(max(begin - offset, 0)
/// / weight), lower + ceil(max(end - offset, 0) / weight)), which the
/// member's function clamps to its bounds.
func::FuncOp buildSharedRange(ArrayRef<RangeMember> members,
                              llvm::SetVector<Value> &arguments,
                              int64_t extent) {
  Operation *first = members.front().nest;
  MLIRContext *ctx = first->getContext();
  Location loc = first->getLoc();
  Type index = IndexType::get(ctx);
  for (const RangeMember &m : members)
    arguments.insert(m.plan.arguments.begin(), m.plan.arguments.end());
  SmallVector<Type> types;
  for (Value v : arguments)
    types.push_back(v.getType());
  types.append({index, index});
  auto fn =
      func::FuncOp::create(loc, "range", FunctionType::get(ctx, types, {}));
  fn.setPrivate();
  fn->setAttr("llvm.linkage",
              LLVM::LinkageAttr::get(ctx, LLVM::Linkage::Internal));
  fn->setAttr("no_inline", UnitAttr::get(ctx));
  fn->setAttr("loom.parallel_extent",
              IntegerAttr::get(IntegerType::get(ctx, 64), extent));
  Block *body = fn.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(body);
  IRMapping map;
  for (auto [v, arg] : llvm::zip(arguments, body->getArguments()))
    map.map(v, arg);
  Value begin = body->getArgument(arguments.size());
  Value end = body->getArgument(arguments.size() + 1);
  llvm::DenseMap<int64_t, Value> constants;
  auto constant = [&](int64_t v) -> Value {
    Value &c = constants[v];
    if (!c)
      c = b.create<arith::ConstantIndexOp>(loc, v);
    return c;
  };
  for (const RangeMember &m : members) {
    Value offset = constant(m.offset), weight = constant(m.weight),
          lower = constant(m.lower), zero = constant(0),
          roundUp = constant(m.weight - 1);
    // lower + ceil(max(unit - offset, 0) / weight)
    auto first = [&](Value unit) -> Value {
      Value units = b.create<arith::MaxSIOp>(
          loc, b.create<arith::SubIOp>(loc, unit, offset), zero);
      Value iterations = b.create<arith::DivUIOp>(
          loc, b.create<arith::AddIOp>(loc, units, roundUp), weight);
      return b.create<arith::AddIOp>(loc, lower, iterations);
    };
    SmallVector<Value> operands;
    for (Value v : m.plan.arguments)
      operands.push_back(map.lookup(v));
    operands.push_back(first(begin));
    operands.push_back(first(end));
    b.create<func::CallOp>(loc, m.fn, operands);
  }
  b.create<func::ReturnOp>(loc);
  return fn;
}

/// The nest that top-level op `op` runs: `op` itself, or the one op with
/// regions that an `scf.if` without results or else holds (a copy that runs
/// only when its buffers differ, `--loom-copies-to-linalg`), which moves
/// out of the `scf.if` and is called inside it.
Operation *guardedNest(Operation *op) {
  auto guard = dyn_cast<scf::IfOp>(op);
  if (!guard || guard.getNumResults() != 0 || !guard.getElseRegion().empty() ||
      !llvm::hasSingleElement(guard.thenBlock()->without_terminator()))
    return op;
  Operation &inner = guard.thenBlock()->front();
  return inner.getNumRegions() != 0 ? &inner : op;
}

/// Rewrites each top-level `scf.for` of `fn` marked
/// `loom.independent_iterations` (a scatter's loop over the dimensions that
/// no index selects, `--loom-lower-to-linalg`), without results, into the
/// `scf.parallel` it is, so that it is outlined for the threads like one.
void parallelizeIndependentLoops(func::FuncOp fn) {
  SmallVector<scf::ForOp> loops;
  for (Operation &op : fn.getBody().front().without_terminator())
    if (auto loop = dyn_cast<scf::ForOp>(op);
        loop && loop->hasAttr("loom.independent_iterations") &&
        loop.getNumResults() == 0)
      loops.push_back(loop);
  for (scf::ForOp loop : loops) {
    OpBuilder b(loop);
    auto parallel = b.create<scf::ParallelOp>(
        loop.getLoc(), ValueRange{loop.getLowerBound()},
        ValueRange{loop.getUpperBound()}, ValueRange{loop.getStep()});
    loop.getInductionVar().replaceAllUsesWith(parallel.getInductionVars()[0]);
    Block *from = loop.getBody();
    Block *to = parallel.getBody();
    to->getOperations().splice(to->getTerminator()->getIterator(),
                               from->getOperations(), from->begin(),
                               std::prev(from->end()));
    loop.erase();
  }
}

/// A nest left in its kernel and the function it would move to.
struct SerialNest {
  Operation *nest;
  Outline plan;
  func::FuncOp fn;
};

struct LoomKernelRangesPass
    : public loom::cpu::impl::LoomKernelRangesBase<LoomKernelRangesPass> {
  using Base::Base;

  /// Inserts `fn` after `kernel` under the name `name`.
  void insert(func::FuncOp fn, StringRef name, func::FuncOp kernel,
              SymbolTable &symbols) {
    fn.setSymName(name);
    symbols.insert(fn, std::next(Block::iterator(kernel)));
  }

  /// The function of each distinct nest split into ranges (and of each
  /// distinct shared range), by its key.
  llvm::StringMap<func::FuncOp> ranged;

  /// `fn` inserted after `kernel` as `name`, or, with `share`, the function
  /// already there that computes the same thing (`fn` is erased).
  func::FuncOp place(func::FuncOp fn, StringRef name, func::FuncOp kernel,
                     SymbolTable &symbols) {
    if (!share) {
      insert(fn, name, kernel, symbols);
      return fn;
    }
    auto [it, fresh] = ranged.try_emplace(sharingKey(fn), fn);
    if (fresh)
      insert(fn, name, kernel, symbols);
    else
      fn.erase();
    return it->second;
  }

  /// The function of a range of `nest` (plan.dim set), named
  /// `<kernel>.loop<names++>` where it is new.
  func::FuncOp rangedFunction(Operation *nest, const Outline &plan,
                              func::FuncOp kernel, int64_t &names,
                              SymbolTable &symbols) {
    return place(buildFunction(nest, plan),
                 (kernel.getSymName() + ".loop" + Twine(names++)).str(), kernel,
                 symbols);
  }

  /// In a multi-tensor kernel (`loom.fusion_group = "multi_tensor"`, whose
  /// members the memory plan lets run at once: no member writes over what
  /// another reads), each run of two or more consecutive nests that could
  /// be split into ranges, that do not write what another of the run reads
  /// or writes, and that touch `min-bytes` or more in all, shares one range:
  /// a function `<kernel>.range<j>` of a flat iteration space in which each
  /// member's iterations weigh the bytes it touches per iteration, called
  /// once where the run's last nest was. Returns the number of such calls.
  int64_t shareRanges(func::FuncOp kernel, int64_t &names,
                      SymbolTable &symbols) {
    struct Candidate {
      scf::ParallelOp loop;
      Outline plan;
      Access access;
      int64_t bytes;
    };
    std::vector<std::vector<Candidate>> runs;
    std::vector<Candidate> run;
    int64_t bytes = 0;
    auto close = [&] {
      if (run.size() >= 2 && bytes >= minBytes)
        runs.push_back(std::move(run));
      run.clear();
      bytes = 0;
    };
    for (Operation &op : kernel.getBody().front().without_terminator()) {
      if (clonedIntoNest(&op)) // pure: cloned into the nests that use it
        continue;
      auto loop = dyn_cast<scf::ParallelOp>(op);
      std::optional<Outline> plan =
          loop ? planRanges(loop) : std::optional<Outline>();
      if (!plan) {
        close();
        continue;
      }
      Candidate c{loop, std::move(*plan), accessOf(loop), bytesTouched(loop)};
      if (llvm::any_of(run, [&](const Candidate &other) {
            return conflict(c.access, other.access);
          }))
        close();
      bytes += c.bytes;
      run.push_back(std::move(c));
    }
    close();

    for (auto [j, members] : llvm::enumerate(runs)) {
      std::vector<RangeMember> shared;
      int64_t extent = 0;
      for (Candidate &c : members) {
        RangeMember m;
        m.nest = c.loop;
        m.plan = c.plan;
        m.lower = *constantIndex(c.loop.getLowerBound()[*c.plan.dim]);
        int64_t iterations = c.plan.upper - m.lower;
        m.weight = std::max<int64_t>(1, llvm::divideCeil(c.bytes, iterations));
        m.offset = extent;
        extent += iterations * m.weight;
        m.fn = rangedFunction(c.loop, c.plan, kernel, names, symbols);
        shared.push_back(std::move(m));
      }
      llvm::SetVector<Value> arguments;
      func::FuncOp fn = place(buildSharedRange(shared, arguments, extent),
                              (kernel.getSymName() + ".range" + Twine(j)).str(),
                              kernel, symbols);
      Operation *last = shared.back().nest;
      OpBuilder b(last);
      SmallVector<Value> operands(arguments.begin(), arguments.end());
      operands.push_back(b.create<arith::ConstantIndexOp>(last->getLoc(), 0));
      operands.push_back(
          b.create<arith::ConstantIndexOp>(last->getLoc(), extent));
      b.create<func::CallOp>(last->getLoc(), fn, operands);
      for (RangeMember &m : shared)
        m.nest->erase();
    }
    return runs.size();
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal() && fn.getBody().hasOneBlock())
        kernels.push_back(fn);
    // The nests left on one thread, by key, in the order first seen.
    llvm::MapVector<StringRef, SmallVector<SerialNest>> serial;
    llvm::StringSet<> serialKeys;
    for (func::FuncOp fn : kernels) {
      int64_t parallelLoops = 0, serialLoops = 0, names = 0;
      parallelizeIndependentLoops(fn);
      auto group = fn->getAttrOfType<StringAttr>("loom.fusion_group");
      if (multiTensorRanges && group && group.getValue() == "multi_tensor")
        parallelLoops += shareRanges(fn, names, symbols);
      SmallVector<Operation *> nests;
      for (Operation &op : fn.getBody().front().without_terminator())
        if (op.getNumRegions() != 0)
          nests.push_back(guardedNest(&op));
      for (Operation *op : nests) {
        bool large = bytesTouched(op) >= minBytes;
        auto loop = dyn_cast<scf::ParallelOp>(op);
        std::optional<Outline> plan =
            large && loop ? planRanges(loop) : std::optional<Outline>();
        if (plan) {
          replaceWithCall(op, rangedFunction(op, *plan, fn, names, symbols),
                          *plan);
          ++parallelLoops;
          continue;
        }
        if (large)
          ++serialLoops;
        if (!share)
          continue;
        plan = planArguments(op);
        if (!plan)
          continue;
        func::FuncOp nestFn = buildFunction(op, *plan);
        StringRef key = serialKeys.insert(sharingKey(nestFn)).first->getKey();
        serial[key].push_back({op, std::move(*plan), nestFn});
      }
      Builder b(fn.getContext());
      fn->setAttr("loom.parallel_loops", b.getI64IntegerAttr(parallelLoops));
      fn->setAttr("loom.serial_loops", b.getI64IntegerAttr(serialLoops));
    }

    // A nest on one thread that repeats becomes one function, named after
    // the first kernel that runs it.
    llvm::StringMap<int64_t> sharedOf; // kernel -> functions named after it
    for (auto &[key, copies] : serial) {
      if (copies.size() < 2) {
        copies.front().fn.erase();
        continue;
      }
      func::FuncOp shared = copies.front().fn;
      auto kernel = copies.front().nest->getParentOfType<func::FuncOp>();
      insert(shared,
             (kernel.getSymName() + ".nest" +
              Twine(sharedOf[kernel.getSymName()]++))
                 .str(),
             kernel, symbols);
      for (SerialNest &copy : copies) {
        replaceWithCall(copy.nest, shared, copy.plan);
        if (copy.fn != shared)
          copy.fn.erase();
      }
    }
  }
};

} // namespace
