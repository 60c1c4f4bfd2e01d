//===- KernelRanges.cpp - The --loom-kernel-ranges pass -------------------===//
//
// Part of Loom. This file implements the outlining of a kernel's top-level
// parallel loop nests into functions of a range of their outer dimension,
// which the runtime's threads run (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "mlir/IR/Matchers.h"
#include "mlir/IR/SymbolTable.h"

#include "llvm/ADT/SetVector.h"

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
/// ops cloned into it (in block order), and the dimension threads split.
struct Outline {
  llvm::SetVector<Value> arguments;
  llvm::SmallVector<Operation *> cloned;
  unsigned dim = 0;
  int64_t upper = 0;
};

/// How `loop`, at the top of a kernel, is outlined, or nullopt if it cannot
/// be: no dimension of constant bounds, step 1 and two iterations or more, a
/// buffer allocated or freed inside (the runtime's scratch arena belongs to
/// the calling thread), a result, or a value from outside that is neither
/// passable nor cloned.
std::optional<Outline> planOutline(scf::ParallelOp loop) {
  if (!loop.getInitVals().empty())
    return std::nullopt;
  Outline plan;
  bool found = false;
  for (unsigned d = 0; d < loop.getNumLoops() && !found; ++d) {
    std::optional<int64_t> lb = constantIndex(loop.getLowerBound()[d]);
    std::optional<int64_t> ub = constantIndex(loop.getUpperBound()[d]);
    std::optional<int64_t> step = constantIndex(loop.getStep()[d]);
    if (lb && ub && step == 1 && *ub - *lb >= 2) {
      plan.dim = d;
      plan.upper = *ub;
      found = true;
    }
  }
  if (!found)
    return std::nullopt;
  bool allocates = false;
  llvm::SetVector<Value> used;
  loop->walk([&](Operation *op) {
    if (isa<memref::AllocOp, memref::DeallocOp, memref::ReallocOp>(op))
      allocates = true;
    for (Value v : op->getOperands())
      if (!loop->isAncestor(v.getParentBlock()->getParentOp()))
        used.insert(v);
  });
  if (allocates)
    return std::nullopt;
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

/// Moves `loop` into a new private function `name` of its arguments, then
/// `begin` and `end`, which runs the iterations of dimension plan.dim in
/// [max(lb, begin), min(ub, end)), and calls it over the whole range
/// in place of the loop.
void outline(scf::ParallelOp loop, const Outline &plan, StringRef name,
             SymbolTable &symbols) {
  auto kernel = loop->getParentOfType<func::FuncOp>();
  MLIRContext *ctx = loop.getContext();
  Location loc = loop.getLoc();
  Type index = IndexType::get(ctx);
  SmallVector<Type> types;
  for (Value v : plan.arguments)
    types.push_back(v.getType());
  types.append({index, index});

  auto fn = func::FuncOp::create(loc, name, FunctionType::get(ctx, types, {}));
  fn.setPrivate();
  fn->setAttr("loom.parallel_extent",
              IntegerAttr::get(IntegerType::get(ctx, 64), plan.upper));
  symbols.insert(fn, std::next(Block::iterator(kernel)));
  Block *body = fn.addEntryBlock();
  OpBuilder b = OpBuilder::atBlockBegin(body);
  IRMapping map;
  for (auto [v, arg] : llvm::zip(plan.arguments, body->getArguments()))
    map.map(v, arg);
  for (Operation *op : plan.cloned)
    b.clone(*op, map);
  Value begin = body->getArgument(plan.arguments.size());
  Value end = body->getArgument(plan.arguments.size() + 1);
  Value lo = b.create<arith::MaxSIOp>(
      loc, map.lookup(loop.getLowerBound()[plan.dim]), begin);
  Value hi = b.create<arith::MinSIOp>(
      loc, map.lookup(loop.getUpperBound()[plan.dim]), end);
  auto moved = cast<scf::ParallelOp>(b.clone(*loop, map));
  moved.getLowerBoundMutable()[plan.dim].set(lo);
  moved.getUpperBoundMutable()[plan.dim].set(hi);
  b.create<func::ReturnOp>(loc);

  b.setInsertionPoint(loop);
  SmallVector<Value> operands(plan.arguments.begin(), plan.arguments.end());
  operands.push_back(loop.getLowerBound()[plan.dim]);
  operands.push_back(loop.getUpperBound()[plan.dim]);
  b.create<func::CallOp>(loc, fn, operands);
  loop->erase();
}

struct LoomKernelRangesPass
    : public loom::cpu::impl::LoomKernelRangesBase<LoomKernelRangesPass> {
  using Base::Base;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    SymbolTable symbols(module);
    SmallVector<func::FuncOp> kernels;
    for (auto fn : module.getOps<func::FuncOp>())
      if (fn.isPublic() && !fn.isExternal() && fn.getBody().hasOneBlock())
        kernels.push_back(fn);
    for (func::FuncOp fn : kernels) {
      int64_t parallel = 0, serial = 0;
      SmallVector<Operation *> nests;
      for (Operation &op : fn.getBody().front().without_terminator())
        if (op.getNumRegions() != 0 && bytesTouched(&op) >= minBytes)
          nests.push_back(&op);
      for (Operation *op : nests) {
        auto loop = dyn_cast<scf::ParallelOp>(op);
        std::optional<Outline> plan =
            loop ? planOutline(loop) : std::optional<Outline>();
        if (!plan) {
          ++serial;
          continue;
        }
        std::string name =
            (fn.getSymName() + ".loop" + Twine(parallel++)).str();
        outline(loop, *plan, name, symbols);
      }
      Builder b(fn.getContext());
      fn->setAttr("loom.parallel_loops", b.getI64IntegerAttr(parallel));
      fn->setAttr("loom.serial_loops", b.getI64IntegerAttr(serial));
    }
  }
};

} // namespace
