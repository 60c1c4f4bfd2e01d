//===- Collectives.cpp - The step's collectives as runtime kernels --------===//
//
// Part of Loom. See Partition.h: each loom.all_reduce is a `comm.all_reduce`
// kernel at its own position (the memory plan's positions are the kernels).
// The runtime (runtime/exec/Collectives.h) copies the kernel's input into its
// bucket's staging buffer at `offset`; the bucket's last kernel (`start`)
// starts one non-blocking all-reduce of the whole bucket, and the results
// are written `wait_in` kernels later, before the first kernel that reads
// one of them (or at the end of the program).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/Partition.h"

#include "ir/LoomOps.h"

#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringExtras.h"

using namespace mlir;
namespace lir = mlir::loom;
using ::loom::KernelAttr;

namespace {

/// The value of attribute `key` of `k`.
int64_t &intAttr(mlir::loom::cpu::PlannedKernel &k, llvm::StringRef key) {
  for (KernelAttr &a : k.attrs)
    if (a.key == key)
      return a.i;
  k.attrs.push_back(KernelAttr::ofInt(key.str(), 0));
  return k.attrs.back().i;
}

} // namespace

namespace mlir::loom::cpu {

FailureOr<PlannedKernel> planAllReduce(lir::AllReduceOp op) {
  if (op.getKind() != lir::ReduceKind::sum &&
      op.getKind() != lir::ReduceKind::mean)
    return op.emitOpError("reduces with '")
           << lir::stringifyReduceKind(op.getKind())
           << "', which the CPU runtime does not run: it sums or averages";
  if (!cast<RankedTensorType>(op.getType()).getElementType().isF32())
    return op.emitOpError("is on ")
           << op.getType()
           << ", which the CPU runtime does not reduce: it reduces f32";
  if (isa_and_nonnull<lir::ConstantOp>(op.getInput().getDefiningOp()))
    return op.emitOpError("reduces a constant, which every rank holds alike; "
                          "the CPU runtime reduces computed values only");
  PlannedKernel k;
  k.kind = "comm.all_reduce";
  k.operands = {op.getInput(), op.getResult()};
  k.numInputs = 1;
  k.attrs.push_back(KernelAttr::ofString(
      "reduce", lir::stringifyReduceKind(op.getKind()).str()));
  SmallVector<StringRef> axes;
  for (Attribute a : op.getAxes())
    axes.push_back(cast<StringAttr>(a).getValue());
  k.attrs.push_back(KernelAttr::ofString("axes", llvm::join(axes, ",")));
  k.attrs.push_back(KernelAttr::ofInt("group_size", op.getGroupSize()));
  k.ops = {op};
  addOperandTypes(k);
  return k;
}

LogicalResult placeCollectives(StepPartition &p) {
  // Buckets: runs of adjacent all-reduce kernels with one loom.bucket (an
  // all-reduce without one is a bucket of its own), numbered in order.
  size_t n = p.kernels.size();
  int64_t bucket = -1;
  std::optional<int64_t> previousTag;
  llvm::DenseSet<int64_t> seenTags;
  for (size_t i = 0; i < n; ++i) {
    PlannedKernel &k = p.kernels[i];
    if (k.kind != "comm.all_reduce") {
      previousTag.reset();
      continue;
    }
    Operation *op = k.ops.front();
    std::optional<int64_t> tag;
    if (auto a = op->getAttrOfType<IntegerAttr>("loom.bucket"))
      tag = a.getInt();
    bool joins = tag && previousTag && *tag == *previousTag && i > 0 &&
                 p.kernels[i - 1].kind == "comm.all_reduce";
    if (tag && !joins && !seenTags.insert(*tag).second)
      return op->emitOpError("is in bucket ")
             << *tag
             << ", whose other all-reduces do not stand right before it: a "
                "bucket's all-reduces must be adjacent";
    if (!joins)
      ++bucket;
    previousTag = tag;
    intAttr(k, "bucket") = bucket;
    int64_t count =
        cast<RankedTensorType>(op->getResult(0).getType()).getNumElements();
    intAttr(k, "count") = count;
    intAttr(k, "offset") = 0;
    if (joins) {
      PlannedKernel &before = p.kernels[i - 1];
      intAttr(k, "offset") =
          intAttr(before, "offset") + intAttr(before, "count");
      intAttr(before, "start") = 0;
    }
    intAttr(k, "start") = 1;
  }
  // Each bucket's results are waited for before the first kernel after its
  // start that reads one (through views too), or at the program's end.
  for (size_t i = 0; i < n; ++i) {
    PlannedKernel &k = p.kernels[i];
    if (k.kind != "comm.all_reduce" || intAttr(k, "start") != 1)
      continue;
    llvm::DenseSet<Value> results;
    for (size_t j = i + 1; j-- > 0;) {
      PlannedKernel &member = p.kernels[j];
      if (member.kind != "comm.all_reduce" ||
          intAttr(member, "bucket") != intAttr(k, "bucket"))
        break;
      results.insert(storageOf(p, member.operands[1]));
    }
    size_t wait = i + 1;
    for (; wait < n; ++wait) {
      const PlannedKernel &reader = p.kernels[wait];
      if (llvm::any_of(
              llvm::ArrayRef(reader.operands).take_front(reader.numInputs),
              [&](Value v) { return results.count(storageOf(p, v)) != 0; }))
        break;
    }
    intAttr(k, "wait_in") = static_cast<int64_t>(wait - i);
  }
  return success();
}

} // namespace mlir::loom::cpu
