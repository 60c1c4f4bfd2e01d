//===- ShardOptimizer.cpp - ZeRO stage 1 over the data axis ---------------===//
//
// Part of Loom. This file implements --loom-shard-optimizer (see Passes.td):
// in @train_step, each gradient's mean all-reduce becomes a reduce-scatter of
// the flattened (zero-padded) gradient, the optimizer's elementwise update
// runs on this rank's slice of the parameter and of its moments (whose
// arguments and results become the slices: 1/D of the state on each rank),
// the global norm's sums of squares are summed over the ranks, and the
// updated slices are all-gathered into whole parameters.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"

#include "ir/LoomInterfaces.h"
#include "ir/LoomOps.h"
#include "ir/LoomRecipe.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define DEBUG_TYPE "loom-shard-optimizer"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMSHARDOPTIMIZER
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// A value of a parameter's shape (`whole`) held as this rank's slice: the
/// elements [rank * slice, (rank + 1) * slice) of its flattened form,
/// zero-padded to ranks * slice.
struct Sharded {
  Value slice;
  RankedTensorType whole;
};

struct Sharder {
  Sharder(OpBuilder &b, int64_t ranks)
      : b(b), ranks(ranks), axes(b.getStrArrayAttr({"data"})) {}

  OpBuilder &b;
  int64_t ranks;
  Value rank; ///< tensor<1xi32>: this rank's coordinate on the data axis
  ArrayAttr axes;
  DenseMap<Value, Sharded> shard;
  /// State arguments that now hold slices.
  llvm::SmallDenseSet<Value> slicedState;

  int64_t sliceOf(RankedTensorType whole) const {
    return (whole.getNumElements() + ranks - 1) / ranks;
  }
  RankedTensorType sliceType(RankedTensorType whole, Type element) const {
    return RankedTensorType::get({sliceOf(whole)}, element);
  }

  /// `v` (of type `whole`) flattened and zero-padded to ranks * slice.
  Value flatPadded(Location loc, Value v, RankedTensorType whole) {
    int64_t n = whole.getNumElements(), padded = sliceOf(whole) * ranks;
    Type element = whole.getElementType();
    Value flat =
        whole.getRank() == 1
            ? v
            : b.create<ReshapeOp>(loc, RankedTensorType::get({n}, element), v);
    if (padded == n)
      return flat;
    auto zerosType = RankedTensorType::get({padded - n}, element);
    Value zeros = b.create<ConstantOp>(
        loc, DenseElementsAttr::get(zerosType, b.getZeroAttr(element)));
    return b.create<ConcatOp>(loc, RankedTensorType::get({padded}, element),
                              ValueRange{flat, zeros}, b.getI64IntegerAttr(0));
  }

  /// This rank's slice of `v`, a whole tensor every rank holds alike.
  Value takeSlice(Location loc, Value v, RankedTensorType whole) {
    int64_t slice = sliceOf(whole);
    Type element = whole.getElementType();
    Value rows =
        b.create<ReshapeOp>(loc, RankedTensorType::get({ranks, slice}, element),
                            flatPadded(loc, v, whole));
    Value row =
        b.create<GatherOp>(loc, RankedTensorType::get({1, slice}, element),
                           rows, rank, b.getI64IntegerAttr(0));
    return b.create<ReshapeOp>(loc, RankedTensorType::get({slice}, element),
                               row);
  }

  static bool elementwise(Operation *op) {
    auto f = dyn_cast<FusionOpInterface>(op);
    return f && f.getFusionKind() == FusionKind::elementwise &&
           op->getNumResults() == 1 && op->getNumRegions() == 0;
  }

  /// The slice of operand `v` of an update on values of type `whole`: a
  /// scalar as it is, a state argument as its slice, an elementwise
  /// function of such values on their slices, anything else taken.
  FailureOr<Value> operandSlice(Value v, RankedTensorType whole,
                                Operation *user) {
    if (auto it = shard.find(v); it != shard.end())
      return it->second.slice;
    auto type = cast<RankedTensorType>(v.getType());
    if (type.getRank() == 0)
      return v;
    if (type.getShape() != whole.getShape())
      return user->emitOpError("updates a sharded tensor of type ")
             << whole << " with one of type " << type
             << ", which --loom-shard-optimizer cannot slice alike";
    if (auto arg = dyn_cast<BlockArgument>(v)) {
      auto func = cast<func::FuncOp>(arg.getOwner()->getParentOp());
      if (func.getArgAttr(arg.getArgNumber(), "loom.opt_state")) {
        slicedState.insert(v);
        shard[v] = {v, whole};
        return v;
      }
    }
    Operation *def = v.getDefiningOp();
    Location loc = def ? def->getLoc() : v.getLoc();
    if (def && isa<ConstantOp>(def)) {
      auto value = cast<ConstantOp>(def).getValue();
      if (auto dense = dyn_cast<DenseElementsAttr>(value);
          dense && dense.isSplat()) {
        Value c = b.create<ConstantOp>(
            loc, DenseElementsAttr::get(sliceType(whole, type.getElementType()),
                                        dense.getSplatValue<Attribute>()));
        shard[v] = {c, whole};
        return c;
      }
    }
    if (def && elementwise(def)) {
      FailureOr<Value> made = sliceElementwise(def, whole);
      if (failed(made))
        return failure();
      return *made;
    }
    Value taken = takeSlice(loc, v, whole);
    shard[v] = {taken, whole};
    return taken;
  }

  /// `op`, elementwise over tensors of type `whole` or scalars, on slices.
  FailureOr<Value> sliceElementwise(Operation *op, RankedTensorType whole) {
    SmallVector<Value> operands;
    for (Value v : op->getOperands()) {
      FailureOr<Value> s = operandSlice(v, whole, op);
      if (failed(s))
        return failure();
      operands.push_back(*s);
    }
    auto resultType = cast<RankedTensorType>(op->getResult(0).getType());
    if (resultType.getShape() != whole.getShape())
      return op->emitOpError("broadcasts a sharded tensor of type ")
             << whole << " to " << resultType
             << ", which --loom-shard-optimizer cannot slice";
    OperationState state(op->getLoc(), op->getName());
    state.addOperands(operands);
    state.addAttributes(op->getAttrs());
    state.addTypes(sliceType(whole, resultType.getElementType()));
    Value made = b.create(state)->getResult(0);
    shard[op->getResult(0)] = {made, whole};
    return made;
  }
};

struct ShardOptimizerPass
    : public mlir::loom::impl::LoomShardOptimizerBase<ShardOptimizerPass> {
  using LoomShardOptimizerBase::LoomShardOptimizerBase;

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto recipe = module->getAttrOfType<RecipeAttr>("loom.train");
    if (!recipe) {
      module.emitError("--loom-shard-optimizer needs the module's loom.train "
                       "recipe (the ranks of the data axis)");
      return signalPassFailure();
    }
    int64_t ranks = recipe.getDataRanks();
    if (ranks == 1 || !recipe.getShardOptimizer())
      return;
    auto step = module.lookupSymbol<func::FuncOp>("train_step");
    if (!step || step.isExternal()) {
      module.emitError("--loom-shard-optimizer needs @train_step; run "
                       "--loom-build-train-step first");
      return signalPassFailure();
    }
    Block &body = step.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    unsigned numResults = ret.getNumOperands();
    if (numResults < 3) {
      step.emitError("--loom-shard-optimizer: @train_step returns ")
          << numResults << " values, not the state, loss, lr and grad_norm";
      return signalPassFailure();
    }
    Operation *lossReduce = ret.getOperand(numResults - 3).getDefiningOp();

    // The gradients' all-reduces (every mean over the data axis but the
    // loss's), by bucket run.
    SmallVector<AllReduceOp> grads;
    int64_t lastBucket = -1;
    for (auto op : body.getOps<AllReduceOp>()) {
      if (auto tag = op->getAttrOfType<IntegerAttr>("loom.bucket"))
        lastBucket = std::max(lastBucket, tag.getInt());
      if (op.getOperation() == lossReduce || op.getKind() != ReduceKind::mean)
        continue;
      if (!cast<RankedTensorType>(op.getType()).getElementType().isF32()) {
        op.emitOpError("averages a gradient of type ")
            << op.getType() << "; --loom-shard-optimizer shards f32 only";
        return signalPassFailure();
      }
      grads.push_back(op);
    }
    if (grads.empty()) {
      step.emitError("--loom-shard-optimizer needs the gradients' "
                     "all-reduces; run --loom-data-parallel first");
      return signalPassFailure();
    }

    OpBuilder b(&getContext());
    Sharder s(b, ranks);
    unsigned rankIndex = step.getNumArguments();
    step.insertArgument(rankIndex, RankedTensorType::get({1}, b.getI32Type()),
                        b.getDictionaryAttr(b.getNamedAttr(
                            "loom.input", b.getStringAttr("rank"))),
                        step.getLoc());
    s.rank = step.getArgument(rankIndex);

    // Each gradient: flattened and padded before its bucket's first
    // all-reduce (so that the bucket's collectives stay adjacent), then
    // reduce-scattered where it was all-reduced.
    Operation *firstScatter = nullptr;
    std::optional<int64_t> runTag;
    for (AllReduceOp op : grads) {
      auto tag = op->getAttrOfType<IntegerAttr>("loom.bucket");
      Operation *before = op->getPrevNode();
      bool continues = tag && runTag && *runTag == tag.getInt() && before &&
                       isa<AllReduceOp>(before);
      if (!continues)
        firstScatter = nullptr;
      runTag = tag ? std::optional<int64_t>(tag.getInt()) : std::nullopt;
      auto whole = cast<RankedTensorType>(op.getType());
      b.setInsertionPoint(firstScatter ? firstScatter : op.getOperation());
      Value flat = s.flatPadded(op.getLoc(), op.getInput(), whole);
      b.setInsertionPoint(op);
      auto scatter = b.create<ReduceScatterOp>(
          op.getLoc(), s.sliceType(whole, whole.getElementType()),
          ReduceKind::mean, flat, s.axes, ranks, 0);
      if (tag)
        scatter->setAttr("loom.bucket", tag);
      if (!firstScatter)
        firstScatter = scatter;
      s.shard[op.getResult()] = {scatter.getResult(), whole};
    }
    llvm::SmallPtrSet<Operation *, 16> replaced;
    for (AllReduceOp op : grads)
      replaced.insert(op);

    // The update, in program order, on slices.
    SmallVector<Operation *> ops;
    for (Operation &op : body.without_terminator())
      ops.push_back(&op);
    // Sums of slices (this rank's part of a sum over every element) and
    // sums of those: summed over the ranks once, where something else
    // reads them (clipping's norm: one all-reduce of one f32).
    llvm::SmallPtrSet<Value, 16> partial;
    DenseMap<Value, Value> totals;
    auto total = [&](Value v) {
      Value &t = totals[v];
      if (!t)
        t = b.create<AllReduceOp>(v.getLoc(), ReduceKind::sum, v, s.axes,
                                  ranks);
      return t;
    };
    auto readsPartial = [&](Operation *op) {
      if (isa<AddOp>(op) && llvm::all_of(op->getOperands(), [&](Value v) {
            return partial.count(v) != 0;
          })) {
        partial.insert(op->getResult(0));
        return;
      }
      for (OpOperand &use : op->getOpOperands())
        if (partial.count(use.get())) {
          b.setInsertionPoint(op);
          use.set(total(use.get()));
        }
    };
    for (Operation *op : ops) {
      if (replaced.count(op) || op->getNumResults() != 1)
        continue;
      readsPartial(op);
      const Sharded *read = nullptr;
      for (Value v : op->getOperands())
        if (auto it = s.shard.find(v); it != s.shard.end())
          read = &it->second;
      if (!read || s.shard.count(op->getResult(0)))
        continue;
      RankedTensorType whole = read->whole;
      b.setInsertionPoint(op);
      if (Sharder::elementwise(op)) {
        if (failed(s.sliceElementwise(op, whole)))
          return signalPassFailure();
        continue;
      }
      // A sum of every element (the global norm's sum of squares): this
      // rank's slice summed (summed over the ranks where it is read).
      auto reduce = dyn_cast<ReduceOp>(op);
      if (reduce && reduce.getKind() == ReduceKind::sum &&
          cast<RankedTensorType>(reduce.getType()).getRank() == 0 &&
          !reduce.getKeepDims()) {
        Value local = b.create<ReduceOp>(
            op->getLoc(), reduce.getType(), ReduceKind::sum,
            s.shard.lookup(reduce.getInput()).slice,
            b.getDenseI64ArrayAttr({0}), /*keep_dims=*/false);
        reduce.getResult().replaceAllUsesWith(local);
        partial.insert(local);
        continue;
      }
      op->emitOpError("reads a gradient averaged over the data axis but is "
                      "neither elementwise nor a sum of every element: "
                      "--loom-shard-optimizer cannot shard the update");
      return signalPassFailure();
    }

    // The results: whole parameters all-gathered (one bucket, adjacent,
    // then unpadded), the state's slices as they are.
    b.setInsertionPoint(ret);
    readsPartial(ret);
    SmallVector<std::pair<unsigned, Value>> gathered;
    for (unsigned i = 0; i < numResults; ++i) {
      auto it = s.shard.find(ret.getOperand(i));
      if (it == s.shard.end())
        continue;
      const Sharded &v = it->second;
      if (step.getResultAttr(i, "loom.opt_state")) {
        ret.setOperand(i, v.slice);
        continue;
      }
      auto param = step.getResultAttrOfType<StringAttr>(i, "loom.param");
      if (!param) {
        step.emitError("--loom-shard-optimizer: result ")
            << i << " of @train_step is sharded but is neither a parameter "
            << "nor optimizer state";
        return signalPassFailure();
      }
      // Where the .loom program declares the parameter (@loss_grad's
      // argument), else the step's argument.
      Location loc = ret.getOperand(i).getLoc();
      for (BlockArgument arg : body.getArguments())
        if (step.getArgAttr(arg.getArgNumber(), "loom.param") == param)
          loc = arg.getLoc();
      if (auto lossGrad = module.lookupSymbol<func::FuncOp>("loss_grad");
          lossGrad && !lossGrad.isExternal())
        for (BlockArgument arg : lossGrad.getArguments())
          if (lossGrad.getArgAttr(arg.getArgNumber(), "loom.param") == param)
            loc = arg.getLoc();
      int64_t padded = s.sliceOf(v.whole) * ranks;
      auto gather = b.create<AllGatherOp>(
          loc, RankedTensorType::get({padded}, v.whole.getElementType()),
          v.slice, s.axes, ranks, 0);
      gather->setAttr("loom.bucket", b.getI64IntegerAttr(lastBucket + 1));
      gathered.push_back({i, gather.getResult()});
    }
    for (auto [i, flat] : gathered) {
      const Sharded &v = s.shard[ret.getOperand(i)];
      int64_t n = v.whole.getNumElements();
      Location loc = flat.getLoc();
      Value whole = flat;
      if (n != s.sliceOf(v.whole) * ranks)
        whole = b.create<SliceOp>(
            loc, RankedTensorType::get({n}, v.whole.getElementType()), flat,
            b.getDenseI64ArrayAttr({0}), b.getDenseI64ArrayAttr({n}),
            b.getDenseI64ArrayAttr({1}));
      if (v.whole.getRank() != 1)
        whole = b.create<ReshapeOp>(loc, v.whole, whole);
      ret.setOperand(i, whole);
    }

    // The whole-tensor update is dead now: erase it, the replaced
    // all-reduces with it.
    for (Operation &op : llvm::make_early_inc_range(llvm::reverse(body)))
      if (&op != ret && op.use_empty() &&
          (replaced.count(&op) || isMemoryEffectFree(&op)))
        op.erase();
    for (Value v : s.slicedState) {
      const Sharded &sh = s.shard[v];
      v.setType(s.sliceType(sh.whole, sh.whole.getElementType()));
    }
    step.setType(FunctionType::get(&getContext(), body.getArgumentTypes(),
                                   ret.getOperandTypes()));
    if (failed(verify(step))) {
      step.emitError("--loom-shard-optimizer left @train_step invalid: the "
                     "optimizer state is read outside its update");
      return signalPassFailure();
    }
  }
};

} // namespace
