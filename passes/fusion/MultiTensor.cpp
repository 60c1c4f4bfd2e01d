//===- MultiTensor.cpp - Horizontal fusion of independent groups ----------===//
//
// Part of Loom. This file implements the horizontal step of --loom-fuse:
// runs of adjacent, independent fusion groups of one kind (the optimizer's
// per-parameter updates, the gradient norm's per-parameter squared sums)
// become one `loom.multi_tensor_group`, one kernel with a loop nest
// per member, like PyTorch's multi-tensor (foreach/fused) optimizers.
//
//===----------------------------------------------------------------------===//

#include "passes/fusion/Fusion.h"

#include "ir/LoomOps.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/IRMapping.h"
#include "llvm/ADT/StringSet.h"

using namespace mlir;
using namespace mlir::loom;

namespace {

uint64_t bytesOf(Value v) {
  auto type = cast<RankedTensorType>(v.getType());
  return static_cast<uint64_t>(type.getNumElements()) *
         std::max<uint64_t>(1, type.getElementTypeBitWidth() / 8);
}

/// The bytes a group's kernel reads and writes.
uint64_t bytesMoved(FusionGroupOp group) {
  uint64_t n = 0;
  for (Value v : group.getInputs())
    n += bytesOf(v);
  for (Value v : group.getResults())
    n += bytesOf(v);
  return n;
}

class Bundler {
public:
  Bundler(Block &block, uint64_t maxBytes) : block(block), maxBytes(maxBytes) {}

  void run() {
    for (Operation &op : llvm::make_early_inc_range(block)) {
      if (op.hasTrait<OpTrait::IsTerminator>())
        break;
      // Constants launch nothing: a group may move past them.
      if (op.hasTrait<OpTrait::ConstantLike>())
        continue;
      auto group = dyn_cast<FusionGroupOp>(op);
      bool readsOpen = llvm::any_of(op.getOperands(), [&](Value v) {
        return llvm::is_contained(openResults, v);
      });
      // Only adjacent groups join, so nothing runs between the members and
      // no value lives longer; a group reading an open member's result
      // depends on it.
      if (!group || readsOpen || !canJoin(group))
        flush();
      if (group && canJoin(group)) {
        members.push_back(group);
        bytes += bytesMoved(group);
        llvm::append_range(openResults, group.getResults());
      }
    }
    flush();
  }

private:
  Block &block;
  uint64_t maxBytes;
  SmallVector<FusionGroupOp> members;
  SmallVector<Value> openResults;
  uint64_t bytes = 0;

  bool canJoin(FusionGroupOp group) {
    if (group.getKind() != FusionKind::elementwise &&
        group.getKind() != FusionKind::reduction)
      return false;
    uint64_t b = bytesMoved(group);
    if (b > maxBytes)
      return false;
    if (members.empty())
      return true;
    return members.front().getKind() == group.getKind() &&
           bytes + b <= maxBytes;
  }

  /// Makes the open members one multi_tensor group at the last member.
  void flush() {
    if (members.size() >= 2)
      materialize();
    members.clear();
    openResults.clear();
    bytes = 0;
  }

  void materialize() {
    SmallVector<Value> inputs, results;
    SmallVector<Location> locs;
    llvm::StringSet<> seen;
    for (FusionGroupOp m : members) {
      for (Value v : m.getInputs())
        if (!llvm::is_contained(inputs, v))
          inputs.push_back(v);
      for (Value r : m.getResults())
        if (!r.use_empty())
          results.push_back(r);
      // Each location once as it prints (as --loom-fuse's groups): the
      // dumps reparse to the same IR.
      std::string text;
      llvm::raw_string_ostream os(text);
      m.getLoc().print(os);
      if (seen.insert(os.str()).second)
        locs.push_back(m.getLoc());
    }
    FusionGroupOp last = members.back();
    MLIRContext *ctx = last.getContext();
    OpBuilder b(last);
    Location loc =
        FusedLoc::get(ctx, locs, StringAttr::get(ctx, "multi_tensor"));
    auto multi = b.create<MultiTensorGroupOp>(
        loc, ValueRange(results).getTypes(), inputs);
    Block *body = b.createBlock(&multi.getBody());
    IRMapping map;
    for (Value v : inputs)
      map.map(v, body->addArgument(v.getType(), v.getLoc()));
    OpBuilder inner = OpBuilder::atBlockBegin(body);
    for (FusionGroupOp m : members)
      inner.clone(*m, map);
    SmallVector<Value> yielded;
    for (Value r : results)
      yielded.push_back(map.lookup(r));
    inner.create<YieldOp>(last.getLoc(), yielded);
    for (auto [r, replacement] : llvm::zip(results, multi.getResults()))
      r.replaceAllUsesWith(replacement);
    for (FusionGroupOp m : llvm::reverse(members))
      m.erase();
  }
};

} // namespace

void mlir::loom::formMultiTensorGroups(Block &block, uint64_t maxBytes) {
  Bundler(block, maxBytes).run();
}
