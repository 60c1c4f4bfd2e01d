//===- PromoteAccumulators.cpp - The --loom-promote-accumulators pass -----===//
//
// Part of Loom. This file implements the rewrite of a sequential reduction
// loop's accumulator from a buffer element, loaded and stored on every
// iteration, into a loop-carried value, so that LLVM's loop vectorizer sees
// a reduction it can vectorize (see Passes.td).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Dialect/MemRef/IR/MemRef.h"
#include "mlir/Dialect/SCF/IR/SCF.h"
#include "mlir/IR/Builders.h"
#include "mlir/Interfaces/ViewLikeInterface.h"

namespace mlir::loom::cpu {
#define GEN_PASS_DEF_LOOMPROMOTEACCUMULATORS
#include "backends/cpu/Passes.h.inc"
} // namespace mlir::loom::cpu

using namespace mlir;

namespace {

/// The buffer `m` is a view of (through subviews, reshapes and casts).
Value rootBuffer(Value m) {
  while (Operation *def = m.getDefiningOp()) {
    if (auto view = dyn_cast<ViewLikeOpInterface>(def)) {
      m = view.getViewSource();
      continue;
    }
    if (auto cast = dyn_cast<memref::CastOp>(def)) {
      m = cast.getSource();
      continue;
    }
    break;
  }
  return m;
}

/// One accumulator of a loop: the element that `load` reads and `store`
/// writes back on every iteration.
struct Accumulator {
  memref::LoadOp load;
  memref::StoreOp store;
};

/// The accumulators of `loop` that can be carried in a register: the loop
/// body is straight-line code (no nested region, no call); the element's
/// indices are defined outside the loop; the body reads the element once,
/// before it writes it once, and accesses no other element of a buffer
/// that the element's buffer is a view of or has as a view.
SmallVector<Accumulator> findAccumulators(scf::ForOp loop) {
  SmallVector<Accumulator> found;
  Block *body = loop.getBody();
  SmallVector<memref::LoadOp> loads;
  SmallVector<memref::StoreOp> stores;
  for (Operation &op : body->without_terminator()) {
    if (op.getNumRegions() != 0 || isa<CallOpInterface>(op))
      return {};
    if (auto load = dyn_cast<memref::LoadOp>(op))
      loads.push_back(load);
    else if (auto store = dyn_cast<memref::StoreOp>(op))
      stores.push_back(store);
    else if (!isMemoryEffectFree(&op) && !isa<ViewLikeOpInterface>(op))
      return {};
  }
  for (memref::StoreOp store : stores) {
    if (!llvm::all_of(
            store.getIndices(),
            [&](Value i) { return loop.isDefinedOutsideOfLoop(i); }) ||
        !loop.isDefinedOutsideOfLoop(store.getMemRef()))
      continue;
    Value root = rootBuffer(store.getMemRef());
    memref::LoadOp match;
    bool clean = true;
    for (memref::LoadOp load : loads) {
      if (rootBuffer(load.getMemRef()) != root)
        continue;
      if (load.getMemRef() == store.getMemRef() && !match &&
          load.getIndices() == store.getIndices() &&
          load->isBeforeInBlock(store))
        match = load;
      else
        clean = false;
    }
    for (memref::StoreOp other : stores)
      if (other != store && rootBuffer(other.getMemRef()) == root)
        clean = false;
    if (clean && match)
      found.push_back({match, store});
  }
  return found;
}

/// Marks `value`'s definition reassociable when it combines the
/// accumulator (`loaded`, about to become the loop-carried value) with
/// one other value by a floating-point add or multiply: the vectorizer then
/// keeps one partial result per vector lane (a fixed order, so the result
/// is the same on every run).
void allowReassociation(Value value, Value loaded) {
  Operation *def = value.getDefiningOp();
  if (!def || !isa<arith::AddFOp, arith::MulFOp>(def) ||
      !llvm::is_contained(def->getOperands(), loaded))
    return;
  auto fm = cast<arith::ArithFastMathInterface>(def);
  auto flags =
      fm.getFastMathFlagsAttr().getValue() | arith::FastMathFlags::reassoc;
  def->setAttr(fm.getFastMathAttrName(),
               arith::FastMathFlagsAttr::get(def->getContext(), flags));
}

/// Rewrites `loop` so that `accs` are loop-carried values: each element is
/// loaded once before the loop and stored once after it.
void promote(scf::ForOp loop, MutableArrayRef<Accumulator> accs) {
  OpBuilder b(loop);
  SmallVector<Value> inits;
  for (Accumulator &a : accs)
    inits.push_back(b.create<memref::LoadOp>(
        a.load.getLoc(), a.load.getMemRef(), a.load.getIndices()));
  auto yield = cast<scf::YieldOp>(loop.getBody()->getTerminator());
  SmallVector<Value> yielded(yield.getOperands());
  for (Accumulator &a : accs)
    yielded.push_back(a.store.getValueToStore());

  SmallVector<Value> allInits(loop.getInitArgs());
  allInits.append(inits);
  auto promoted =
      b.create<scf::ForOp>(loop.getLoc(), loop.getLowerBound(),
                           loop.getUpperBound(), loop.getStep(), allInits);
  promoted->setDiscardableAttrs(loop->getDiscardableAttrDictionary());
  Block *newBody = promoted.getBody();
  newBody->getOperations().splice(newBody->begin(),
                                  loop.getBody()->getOperations());
  Block *oldBody = loop.getBody();
  for (auto [oldArg, newArg] : llvm::zip(
           oldBody->getArguments(),
           newBody->getArguments().take_front(oldBody->getNumArguments())))
    oldArg.replaceAllUsesWith(newArg);
  // The old body's terminator was spliced along; replace it by one that
  // yields the accumulators too (a stored value may be a loaded one: the
  // loads are replaced after the yield exists, so that it follows).
  Operation *oldYield = newBody->getTerminator();
  OpBuilder end(oldYield);
  end.create<scf::YieldOp>(oldYield->getLoc(), yielded);
  oldYield->erase();
  unsigned firstNew = oldBody->getNumArguments();
  for (auto [i, a] : llvm::enumerate(accs)) {
    allowReassociation(a.store.getValueToStore(), a.load.getResult());
    a.load.getResult().replaceAllUsesWith(newBody->getArgument(firstNew + i));
  }

  unsigned oldResults = loop.getNumResults();
  loop.replaceAllUsesWith(promoted.getResults().take_front(oldResults));
  OpBuilder after(promoted->getContext());
  after.setInsertionPointAfter(promoted);
  for (auto [i, a] : llvm::enumerate(accs)) {
    after.create<memref::StoreOp>(a.store.getLoc(),
                                  promoted.getResult(oldResults + i),
                                  a.store.getMemRef(), a.store.getIndices());
    a.store.erase();
    a.load.erase();
  }
  loop.erase();
}

struct LoomPromoteAccumulatorsPass
    : public loom::cpu::impl::LoomPromoteAccumulatorsBase<
          LoomPromoteAccumulatorsPass> {
  using Base::Base;

  void runOnOperation() override {
    SmallVector<scf::ForOp> loops;
    getOperation()->walk([&](scf::ForOp loop) { loops.push_back(loop); });
    for (scf::ForOp loop : loops) {
      SmallVector<Accumulator> accs = findAccumulators(loop);
      if (!accs.empty())
        promote(loop, accs);
    }
  }
};

} // namespace
