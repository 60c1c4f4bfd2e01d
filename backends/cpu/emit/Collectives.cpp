//===- Collectives.cpp - The step's collectives as runtime kernels --------===//
//
// Part of Loom. See Partition.h: each loom.all_reduce, loom.reduce_scatter
// and loom.all_gather is a `comm.<op>` kernel at its own position (the
// memory plan's positions are the kernels). The runtime
// (runtime/exec/Collectives.h) copies the kernel's input into its bucket's
// staging buffer at `offset` (in each rank's block); the bucket's last
// kernel (`start`) starts one non-blocking collective of the whole bucket,
// and the results are written `wait_in` kernels later, before the first
// kernel that reads one of them (or at the end of the program).
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

bool isCollectiveKernel(const PlannedKernel &k) {
  return k.kind == "comm.all_reduce" || k.kind == "comm.reduce_scatter" ||
         k.kind == "comm.all_gather";
}

FailureOr<PlannedKernel> planCollective(Operation *op) {
  std::optional<lir::ReduceKind> reduce;
  ArrayAttr axesAttr;
  int64_t groupSize = 0;
  PlannedKernel k;
  if (auto allReduce = dyn_cast<lir::AllReduceOp>(op)) {
    k.kind = "comm.all_reduce";
    reduce = allReduce.getKind();
    axesAttr = allReduce.getAxes();
    groupSize = allReduce.getGroupSize();
  } else if (auto scatter = dyn_cast<lir::ReduceScatterOp>(op)) {
    k.kind = "comm.reduce_scatter";
    reduce = scatter.getKind();
    axesAttr = scatter.getAxes();
    groupSize = scatter.getGroupSize();
  } else {
    auto gather = cast<lir::AllGatherOp>(op);
    k.kind = "comm.all_gather";
    axesAttr = gather.getAxes();
    groupSize = gather.getGroupSize();
  }
  if (reduce && *reduce != lir::ReduceKind::sum &&
      *reduce != lir::ReduceKind::mean)
    return op->emitOpError("reduces with '")
           << lir::stringifyReduceKind(*reduce)
           << "', which the CPU runtime does not run: it sums or averages";
  Type type = op->getResult(0).getType();
  if (!cast<RankedTensorType>(type).getElementType().isF32())
    return op->emitOpError("is on ")
           << type << ", which the CPU runtime does not "
           << (reduce ? "reduce" : "gather") << ": it "
           << (reduce ? "reduces" : "gathers") << " f32";
  Value input = op->getOperand(0);
  if (isa_and_nonnull<lir::ConstantOp>(input.getDefiningOp()))
    return op->emitOpError(reduce ? "reduces" : "gathers")
           << " a constant, which every rank holds alike; the CPU runtime "
           << (reduce ? "reduces" : "gathers") << " computed values only";
  // The runtime splits and joins whole blocks: along dimension 0, or one
  // whose dimensions before it are all 1.
  if (auto dim = op->getAttrOfType<IntegerAttr>("dim")) {
    ArrayRef<int64_t> shape = cast<RankedTensorType>(type).getShape();
    for (int64_t d = 0; d < dim.getInt(); ++d)
      if (shape[d] != 1)
        return op->emitOpError("splits along dimension ")
               << dim.getInt()
               << ", which the CPU runtime does not run: it splits tensors "
                  "along dimension 0 (or one with only 1s before it)";
  }
  k.operands = {input, op->getResult(0)};
  k.numInputs = 1;
  if (reduce)
    k.attrs.push_back(KernelAttr::ofString(
        "reduce", lir::stringifyReduceKind(*reduce).str()));
  SmallVector<StringRef> axes;
  for (Attribute a : axesAttr)
    axes.push_back(cast<StringAttr>(a).getValue());
  k.attrs.push_back(KernelAttr::ofString("axes", llvm::join(axes, ",")));
  k.attrs.push_back(KernelAttr::ofInt("group_size", groupSize));
  k.ops = {op};
  addOperandTypes(k);
  return k;
}

LogicalResult placeCollectives(StepPartition &p) {
  // Buckets: runs of adjacent collective kernels of one kind with one
  // loom.bucket (a collective without one is a bucket of its own), numbered
  // in order.
  size_t n = p.kernels.size();
  int64_t bucket = -1;
  std::optional<int64_t> previousTag;
  llvm::DenseSet<int64_t> seenTags;
  for (size_t i = 0; i < n; ++i) {
    PlannedKernel &k = p.kernels[i];
    if (!isCollectiveKernel(k)) {
      previousTag.reset();
      continue;
    }
    Operation *op = k.ops.front();
    std::optional<int64_t> tag;
    if (auto a = op->getAttrOfType<IntegerAttr>("loom.bucket"))
      tag = a.getInt();
    bool joins = tag && previousTag && *tag == *previousTag && i > 0 &&
                 p.kernels[i - 1].kind == k.kind;
    if (tag && !joins && !seenTags.insert(*tag).second)
      return op->emitOpError("is in bucket ")
             << *tag
             << ", whose other collectives do not stand right before it: a "
                "bucket's collectives must be adjacent and of one kind";
    if (!joins)
      ++bucket;
    previousTag = tag;
    intAttr(k, "bucket") = bucket;
    // Each rank's block: the result of an all-reduce or a reduce-scatter,
    // the input of an all-gather.
    Value block =
        k.kind == "comm.all_gather" ? op->getOperand(0) : op->getResult(0);
    int64_t count = cast<RankedTensorType>(block.getType()).getNumElements();
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
    if (!isCollectiveKernel(k) || intAttr(k, "start") != 1)
      continue;
    llvm::DenseSet<Value> results;
    for (size_t j = i + 1; j-- > 0;) {
      PlannedKernel &member = p.kernels[j];
      if (member.kind != k.kind ||
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
