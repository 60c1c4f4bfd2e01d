//===- DataParallel.cpp - Gradients averaged over the data axis -----------===//
//
// Part of Loom. This file implements --loom-data-parallel (see Passes.td):
// every returned value of @loss_grad (the loss, the gradients) becomes the
// mean over the ranks of the mesh's data axis, one loom.all_reduce per
// value, the gradients grouped in buckets placed right after the op that
// produces their last gradient.
//
//===----------------------------------------------------------------------===//

#include "passes/Passes.h"
#include "passes/parallel/AllReduceSharding.h"

#include "ir/LoomOps.h"
#include "ir/LoomRecipe.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"

#define DEBUG_TYPE "loom-data-parallel"

namespace mlir::loom {
#define GEN_PASS_DEF_LOOMDATAPARALLEL
#include "passes/Passes.h.inc"
} // namespace mlir::loom

using namespace mlir;
using namespace mlir::loom;

namespace {

/// One returned value to average: its result index and where it is
/// produced in the body (the op, or null for a block argument).
struct Reduced {
  unsigned result;
  Operation *producer;
  Location loc;
  uint64_t bytes;
};

uint64_t bytesOf(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  uint64_t bits = type.getElementTypeBitWidth();
  return static_cast<uint64_t>(type.getNumElements()) * ((bits + 7) / 8);
}

struct DataParallelPass
    : public mlir::loom::impl::LoomDataParallelBase<DataParallelPass> {
  using LoomDataParallelBase::LoomDataParallelBase;

  /// The all-reduces' sharding rule, for --loom-partition-step after this
  /// pass on a mesh with a model axis too (a 2-D mesh).
  void getDependentDialects(DialectRegistry &registry) const override {
    LoomDataParallelBase::getDependentDialects(registry);
    registerAllReduceShardingRule(registry);
  }

  void runOnOperation() override {
    ModuleOp module = getOperation();
    auto recipe = module->getAttrOfType<RecipeAttr>("loom.train");
    if (!recipe) {
      module.emitError("--loom-data-parallel needs the module's loom.train "
                       "recipe (the ranks of the data axis)");
      return signalPassFailure();
    }
    int64_t ranks = recipe.getDataRanks();
    if (ranks == 1)
      return;
    if (bucketBytes < 1) {
      module.emitError("--loom-data-parallel: bucket-bytes must be at least "
                       "1, not ")
          << static_cast<int64_t>(bucketBytes);
      return signalPassFailure();
    }
    auto lossGrad = module.lookupSymbol<func::FuncOp>("loss_grad");
    if (!lossGrad || lossGrad.isExternal()) {
      module.emitError("--loom-data-parallel needs @loss_grad; run "
                       "--loom-autodiff first");
      return signalPassFailure();
    }
    Block &body = lossGrad.getBody().front();
    auto ret = cast<func::ReturnOp>(body.getTerminator());
    // A dropout mask is a function of the element's index in this rank's
    // share of the batch: every rank draws the masks one process draws for
    // the first batch / D examples.
    lossGrad.walk([&](DropoutOp op) {
      op.emitWarning("draws the same masks on every rank of the data axis "
                     "(those of the first ")
          << recipe.getLocalBatch()
          << " examples of the global batch), so the run does not follow "
             "the loss curve of one process";
    });

    // The parameters' locations, by path: where the .loom program declares
    // them.
    llvm::StringMap<Location> paramLocs;
    for (unsigned i = 0; i < lossGrad.getNumArguments(); ++i)
      if (auto path = lossGrad.getArgAttrOfType<StringAttr>(i, "loom.param"))
        paramLocs.try_emplace(path.getValue(),
                              lossGrad.getArgument(i).getLoc());

    // Program order of the body's ops, to sort the gradients by when the
    // backward produces them.
    DenseMap<Operation *, unsigned> order;
    for (Operation &op : body)
      order[&op] = order.size();
    auto position = [&](Operation *op) { return op ? order[op] + 1 : 0u; };

    SmallVector<Reduced> grads;
    std::optional<Reduced> loss;
    for (unsigned i = 0; i < ret.getNumOperands(); ++i) {
      Value v = ret.getOperand(i);
      auto path = lossGrad.getResultAttrOfType<StringAttr>(i, "loom.grad");
      if (i != 0 && !path) {
        lossGrad.emitError("--loom-data-parallel: result ")
            << i << " of @loss_grad is not a gradient (no loom.grad)";
        return signalPassFailure();
      }
      Location loc = v.getLoc();
      if (path)
        if (auto it = paramLocs.find(path.getValue()); it != paramLocs.end())
          loc = it->second;
      // A constant gradient (a parameter the loss does not read) is the
      // same on every rank.
      if (isa_and_nonnull<ConstantOp>(v.getDefiningOp()))
        continue;
      Reduced r{i, v.getDefiningOp(), loc, bytesOf(v)};
      if (i == 0)
        loss = r;
      else
        grads.push_back(r);
    }
    // By production, then result (std::stable_sort's temporary buffer is
    // deprecated in clang-19's view of libstdc++ 12).
    llvm::sort(grads, [&](const Reduced &a, const Reduced &b) {
      return std::pair(position(a.producer), a.result) <
             std::pair(position(b.producer), b.result);
    });

    // Buckets in production order; each closes once it holds bucketBytes.
    SmallVector<SmallVector<Reduced>> buckets;
    if (loss)
      buckets.push_back({*loss});
    uint64_t filled = 0;
    for (const Reduced &g : grads) {
      if (buckets.size() == (loss ? 1u : 0u) ||
          filled >= static_cast<uint64_t>(bucketBytes)) {
        buckets.emplace_back();
        filled = 0;
      }
      buckets.back().push_back(g);
      filled += g.bytes;
    }

    OpBuilder b(&getContext());
    ArrayAttr axes = b.getStrArrayAttr({"data"});
    for (auto [id, bucket] : llvm::enumerate(buckets)) {
      Operation *last = bucket.back().producer;
      if (last)
        b.setInsertionPointAfter(last);
      else
        b.setInsertionPointToStart(&body);
      for (const Reduced &r : bucket) {
        auto op = b.create<AllReduceOp>(r.loc, ReduceKind::mean,
                                        ret.getOperand(r.result), axes, ranks);
        op->setAttr("loom.bucket", b.getI64IntegerAttr(id));
        ret.setOperand(r.result, op.getResult());
      }
    }
  }
};

} // namespace
