//===- MatmulEpilogue.cpp - A contraction group as one oneDNN matmul ------===//
//
// Part of Loom. Plans a `loom.fusion_group contraction` (--loom-fuse's
// matmul with its epilogue) as one onednn.matmul kernel: a first `add` of a
// row ([N], [1, N]) is the matmul's bias, and every later member a post-op,
// named in the `post_op` attribute in order; each binary post-op reads the
// kernel's next operand (runtime/cpu/README.md).
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/Partition.h"

#include "ir/LoomOps.h"
#include "passes/memory/MemoryPlan.h"

using namespace mlir;
namespace lir = mlir::loom;
using ::loom::KernelAttr;

namespace {

RankedTensorType tt(Value v) { return cast<RankedTensorType>(v.getType()); }

/// Whether `v` is a constant, directly or through views: it has no storage
/// for oneDNN to read.
bool isConstant(Value v) {
  for (Operation *def = v.getDefiningOp(); def;) {
    if (isa<lir::ConstantOp>(def))
      return true;
    Value source = lir::getViewSource(def);
    def = source ? source.getDefiningOp() : nullptr;
  }
  return false;
}

/// Whether a bias of `bias`'s shape is a row of a result of shape `result`:
/// one entry per column, broadcast along every other dim.
bool isRow(RankedTensorType bias, RankedTensorType result) {
  ArrayRef<int64_t> s = bias.getShape();
  return !s.empty() && s.size() <= result.getShape().size() &&
         s.back() == result.getShape().back() &&
         llvm::all_of(s.drop_back(), [](int64_t d) { return d == 1; });
}

} // namespace

std::optional<mlir::loom::cpu::PlannedKernel>
mlir::loom::cpu::planContractionGroup(Operation *op) {
  auto group = dyn_cast<lir::FusionGroupOp>(op);
  if (!group || group.getKind() != lir::FusionKind::contraction)
    return std::nullopt;
  Block &body = group.getBodyBlock();
  // A value of the body as the step's: a block argument is the group's
  // input at its position.
  auto outer = [&](Value v) -> Value {
    auto arg = dyn_cast<BlockArgument>(v);
    return arg ? group.getInputs()[arg.getArgNumber()] : Value();
  };
  SmallVector<Operation *> members;
  for (Operation &op : body.without_terminator())
    if (!op.hasTrait<OpTrait::ConstantLike>())
      members.push_back(&op);
  auto matmul = dyn_cast<lir::MatmulOp>(members.front());
  if (!matmul)
    return std::nullopt;
  RankedTensorType resultType = tt(group.getResult(0));
  PlannedKernel k;
  k.kind = "onednn.matmul";
  for (Value v : matmul->getOperands())
    k.operands.push_back(outer(v));
  bool hasBias = false;
  std::string postOps;
  Value prev = matmul.getResult();
  for (auto [i, op] : llvm::enumerate(ArrayRef(members).drop_front())) {
    StringRef name = cast<lir::FusionOpInterface>(op).getPostOp();
    if (op->getNumOperands() == 2) {
      Value other = op->getOperand(op->getOperand(0) == prev ? 1 : 0);
      // The first add of a row is the matmul's own bias.
      if (i == 0 && name == "add" && isRow(tt(other), resultType)) {
        hasBias = true;
        k.operands.push_back(outer(other));
        prev = op->getResult(0);
        continue;
      }
      k.operands.push_back(outer(other));
    }
    postOps += (postOps.empty() ? "" : ",") + name.str();
    prev = op->getResult(0);
  }
  // oneDNN computes in f32, on operands that have storage; a group it
  // cannot run is generated instead.
  for (Value v : k.operands)
    if (!v || !tt(v).getElementType().isF32() || isConstant(v))
      return std::nullopt;
  k.numInputs = static_cast<unsigned>(k.operands.size());
  k.operands.push_back(group.getResult(0));
  // What it fuses, for `loom inspect` and the profile: "matmul+add+gelu".
  std::string fused;
  for (Operation *op : members)
    fused += (fused.empty() ? "" : "+") + op->getName().stripDialect().str();
  k.attrs.push_back(KernelAttr::ofString("fused", fused));
  k.attrs.push_back(
      KernelAttr::ofInt("transpose_lhs", matmul.getTransposeLhs() ? 1 : 0));
  k.attrs.push_back(
      KernelAttr::ofInt("transpose_rhs", matmul.getTransposeRhs() ? 1 : 0));
  k.attrs.push_back(KernelAttr::ofInt("has_bias", hasBias ? 1 : 0));
  k.attrs.push_back(
      KernelAttr::ofString("post_op", postOps.empty() ? "none" : postOps));
  // Two flops per multiply-add, one per element of each epilogue member.
  RankedTensorType lhs = tt(matmul.getLhs());
  int64_t kDim =
      lhs.getDimSize(lhs.getRank() - (matmul.getTransposeLhs() ? 2 : 1));
  uint64_t elements = static_cast<uint64_t>(resultType.getNumElements());
  k.flops = 2 * elements * static_cast<uint64_t>(kDim) +
            elements * (members.size() - 1);
  k.ops = {group.getOperation()};
  addOperandTypes(k);
  return k;
}
