//===- LoomOps.cpp - Ops of the loom dialect ------------------------------===//
//
// Part of Loom. This file implements the loom ops' type inference (thin
// wrappers over ShapeInference.cpp), their verifiers, and the `LoomTypes`
// custom assembly directive. Sections follow LoomOps.td; folders live in
// LoomFolders.cpp.
//
//===----------------------------------------------------------------------===//

#include "ir/LoomOps.h"
#include "ir/ShapeInference.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"
#include "llvm/ADT/DenseSet.h"

#include <cmath>
#include <string>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// A value and its name in diagnostics.
struct NamedValue {
  Value value;
  StringRef name;
};

/// Fetches the static tensor types of `values`; failure (diagnosed) if any is
/// not a statically shaped tensor.
LogicalResult getTensorTypes(const RuleLoc &loc, ArrayRef<NamedValue> values,
                             SmallVectorImpl<RankedTensorType> &types) {
  for (const NamedValue &v : values) {
    auto type = getStaticTensorType(loc, v.value, v.name);
    if (failed(type))
      return failure();
    types.push_back(*type);
  }
  return success();
}

} // namespace

//===----------------------------------------------------------------------===//
// Custom directive: custom<LoomTypes>(operand types..., result type)
//
// Prints `: T` when every operand and the result have type T, and the
// functional form `: (T0, T1) -> R` otherwise; parses both.
//===----------------------------------------------------------------------===//

template <typename... Types>
static ParseResult parseLoomTypes(OpAsmParser &parser, Types &...types) {
  SmallVector<Type *> refs = {&types...};
  Type type;
  llvm::SMLoc loc = parser.getCurrentLocation();
  if (parser.parseType(type))
    return failure();
  auto fn = dyn_cast<FunctionType>(type);
  if (!fn) {
    for (Type *ref : refs)
      *ref = type;
    return success();
  }
  if (fn.getNumInputs() != refs.size() - 1 || fn.getNumResults() != 1)
    return parser.emitError(loc, "expected a functional type with ")
           << refs.size() - 1 << " operand types and 1 result type";
  for (auto [ref, input] :
       llvm::zip(ArrayRef(refs).drop_back(), fn.getInputs()))
    *ref = input;
  *refs.back() = fn.getResult(0);
  return success();
}

template <typename... Types>
static void printLoomTypes(OpAsmPrinter &printer, Operation *, Types... types) {
  SmallVector<Type> all = {types...};
  if (llvm::all_equal(all)) {
    printer << all.front();
    return;
  }
  printer << FunctionType::get(all.front().getContext(),
                               ArrayRef(all).drop_back(), all.back());
}

//===----------------------------------------------------------------------===//
// loom.compare
//===----------------------------------------------------------------------===//

LogicalResult CompareOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> rawLoc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(
          loc, {{adaptor.getLhs(), "lhs"}, {adaptor.getRhs(), "rhs"}}, t)))
    return failure();
  return inferCompareOp(loc, t[0], t[1], results);
}

//===----------------------------------------------------------------------===//
// loom.select
//===----------------------------------------------------------------------===//

LogicalResult SelectOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> rawLoc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc,
                            {{adaptor.getCondition(), "condition"},
                             {adaptor.getOnTrue(), "on_true"},
                             {adaptor.getOnFalse(), "on_false"}},
                            t)))
    return failure();
  return inferSelectOp(loc, t[0], t[1], t[2], results);
}

//===----------------------------------------------------------------------===//
// loom.broadcast
//===----------------------------------------------------------------------===//

LogicalResult BroadcastOp::verify() {
  return verifyBroadcastOp(RuleLoc(getLoc(), getOperationName()),
                           getInput().getType(), getType());
}

//===----------------------------------------------------------------------===//
// loom.reshape
//===----------------------------------------------------------------------===//

LogicalResult ReshapeOp::verify() {
  return verifyReshapeOp(RuleLoc(getLoc(), getOperationName()),
                         getInput().getType(), getType());
}

//===----------------------------------------------------------------------===//
// loom.transpose
//===----------------------------------------------------------------------===//

LogicalResult TransposeOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> rawLoc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc, {{adaptor.getInput(), "input"}}, t)))
    return failure();
  return inferTransposeOp(loc, t[0], adaptor.getPerm(), results);
}

//===----------------------------------------------------------------------===//
// loom.slice
//===----------------------------------------------------------------------===//

LogicalResult SliceOp::inferReturnTypes(MLIRContext *,
                                        std::optional<Location> rawLoc,
                                        Adaptor adaptor,
                                        SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc, {{adaptor.getInput(), "input"}}, t)))
    return failure();
  return inferSliceOp(loc, t[0], adaptor.getStart(), adaptor.getLimit(),
                      adaptor.getStride(), results);
}

//===----------------------------------------------------------------------===//
// loom.concat
//===----------------------------------------------------------------------===//

LogicalResult ConcatOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> rawLoc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  for (auto [i, input] : llvm::enumerate(adaptor.getInputs())) {
    std::string name = "input #" + std::to_string(i);
    auto type = getStaticTensorType(loc, input, name);
    if (failed(type))
      return failure();
    t.push_back(*type);
  }
  return inferConcatOp(loc, t, adaptor.getDim(), results);
}

//===----------------------------------------------------------------------===//
// loom.gather
//===----------------------------------------------------------------------===//

LogicalResult GatherOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> rawLoc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(
          loc,
          {{adaptor.getTable(), "table"}, {adaptor.getIndices(), "indices"}},
          t)))
    return failure();
  return inferGatherOp(loc, t[0], t[1], adaptor.getAxis(), results);
}

//===----------------------------------------------------------------------===//
// loom.scatter_add
//===----------------------------------------------------------------------===//

LogicalResult ScatterAddOp::inferReturnTypes(MLIRContext *,
                                             std::optional<Location> rawLoc,
                                             Adaptor adaptor,
                                             SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc,
                            {{adaptor.getDest(), "dest"},
                             {adaptor.getIndices(), "indices"},
                             {adaptor.getUpdates(), "updates"}},
                            t)))
    return failure();
  return inferScatterAddOp(loc, t[0], t[1], t[2], adaptor.getAxis(), results);
}

//===----------------------------------------------------------------------===//
// loom.reduce
//===----------------------------------------------------------------------===//

LogicalResult ReduceOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> rawLoc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc, {{adaptor.getInput(), "input"}}, t)))
    return failure();
  return inferReduceOp(loc, adaptor.getKind(), t[0], adaptor.getDims(),
                       adaptor.getKeepDims(), results);
}

//===----------------------------------------------------------------------===//
// loom.matmul
//===----------------------------------------------------------------------===//

LogicalResult MatmulOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> rawLoc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(
          loc, {{adaptor.getLhs(), "lhs"}, {adaptor.getRhs(), "rhs"}}, t)))
    return failure();
  return inferMatmulOp(loc, t[0], t[1], adaptor.getTransposeLhs(),
                       adaptor.getTransposeRhs(), results);
}

//===----------------------------------------------------------------------===//
// loom.conv2d
//===----------------------------------------------------------------------===//

LogicalResult Conv2dOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> rawLoc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(
          loc, {{adaptor.getInput(), "input"}, {adaptor.getFilter(), "filter"}},
          t)))
    return failure();
  return inferConv2dOp(loc, t[0], t[1], adaptor.getStrides(),
                       adaptor.getPadding(), adaptor.getDilations(),
                       adaptor.getGroups(), results);
}

//===----------------------------------------------------------------------===//
// loom.conv2d_backward_input, loom.conv2d_backward_filter
//===----------------------------------------------------------------------===//

LogicalResult Conv2dBackwardInputOp::verify() {
  return verifyConv2dBackwardInputOp(
      RuleLoc(getLoc(), getOperationName()), getGradOut().getType(),
      getFilter().getType(), getType(), getStrides(), getPadding(),
      getDilations(), getGroups());
}

LogicalResult Conv2dBackwardFilterOp::verify() {
  return verifyConv2dBackwardFilterOp(
      RuleLoc(getLoc(), getOperationName()), getInput().getType(),
      getGradOut().getType(), getType(), getStrides(), getPadding(),
      getDilations(), getGroups());
}

//===----------------------------------------------------------------------===//
// loom.pool2d
//===----------------------------------------------------------------------===//

LogicalResult Pool2dOp::inferReturnTypes(MLIRContext *,
                                         std::optional<Location> rawLoc,
                                         Adaptor adaptor,
                                         SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc, {{adaptor.getInput(), "input"}}, t)))
    return failure();
  return inferPool2dOp(loc, t[0], adaptor.getWindow(), adaptor.getStrides(),
                       adaptor.getPadding(), results);
}

//===----------------------------------------------------------------------===//
// loom.pool2d_backward
//===----------------------------------------------------------------------===//

LogicalResult Pool2dBackwardOp::verify() {
  RankedTensorType input =
      getInput() ? getInput().getType() : RankedTensorType();
  return verifyPool2dBackwardOp(
      RuleLoc(getLoc(), getOperationName()), getKind(), getGradOut().getType(),
      input, getType(), getWindow(), getStrides(), getPadding());
}

//===----------------------------------------------------------------------===//
// loom.softmax, loom.log_softmax
//===----------------------------------------------------------------------===//

LogicalResult SoftmaxOp::verify() {
  return verifySoftmaxOp(RuleLoc(getLoc(), getOperationName()), getType(),
                         getDim());
}

LogicalResult LogSoftmaxOp::verify() {
  return verifySoftmaxOp(RuleLoc(getLoc(), getOperationName()), getType(),
                         getDim());
}

//===----------------------------------------------------------------------===//
// loom.layer_norm
//===----------------------------------------------------------------------===//

LogicalResult LayerNormOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> rawLoc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc,
                            {{adaptor.getInput(), "input"},
                             {adaptor.getScale(), "scale"},
                             {adaptor.getBias(), "bias"}},
                            t)))
    return failure();
  return inferLayerNormOp(loc, t[0], t[1], t[2], results);
}

LogicalResult LayerNormOp::verify() {
  double eps = getEpsilon().convertToDouble();
  if (!(eps > 0.0) || !std::isfinite(eps))
    return emitOpError("epsilon ") << eps << " must be positive and finite";
  return success();
}

//===----------------------------------------------------------------------===//
// loom.attention
//===----------------------------------------------------------------------===//

LogicalResult AttentionOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> rawLoc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc,
                            {{adaptor.getQuery(), "query"},
                             {adaptor.getKey(), "key"},
                             {adaptor.getValue(), "value"}},
                            t)))
    return failure();
  return inferAttentionOp(loc, t[0], t[1], t[2], adaptor.getCausal(), results);
}

/// The `scale` of the attention ops, when present, is positive and finite.
static LogicalResult verifyAttentionScale(Operation *op,
                                          std::optional<APFloat> scale) {
  if (scale) {
    double s = scale->convertToDouble();
    if (!(s > 0.0) || !std::isfinite(s))
      return op->emitOpError("scale ") << s << " must be positive and finite";
  }
  return success();
}

LogicalResult AttentionOp::verify() {
  return verifyAttentionScale(*this, getScale());
}

//===----------------------------------------------------------------------===//
// loom.attention_with_lse
//===----------------------------------------------------------------------===//

LogicalResult AttentionWithLseOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> rawLoc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc,
                            {{adaptor.getQuery(), "query"},
                             {adaptor.getKey(), "key"},
                             {adaptor.getValue(), "value"}},
                            t)))
    return failure();
  return inferAttentionWithLseOp(loc, t[0], t[1], t[2], adaptor.getCausal(),
                                 results);
}

LogicalResult AttentionWithLseOp::verify() {
  return verifyAttentionScale(*this, getScale());
}

//===----------------------------------------------------------------------===//
// loom.attention_backward
//===----------------------------------------------------------------------===//

LogicalResult AttentionBackwardOp::inferReturnTypes(
    MLIRContext *, std::optional<Location> rawLoc, Adaptor adaptor,
    SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc,
                            {{adaptor.getQuery(), "query"},
                             {adaptor.getKey(), "key"},
                             {adaptor.getValue(), "value"},
                             {adaptor.getOutput(), "output"},
                             {adaptor.getGradOut(), "grad_out"},
                             {adaptor.getLse(), "lse"}},
                            t)))
    return failure();
  return inferAttentionBackwardOp(loc, t[0], t[1], t[2], t[3], t[4], t[5],
                                  adaptor.getCausal(), results);
}

LogicalResult AttentionBackwardOp::verify() {
  return verifyAttentionScale(*this, getScale());
}

//===----------------------------------------------------------------------===//
// loom.cross_entropy
//===----------------------------------------------------------------------===//

LogicalResult CrossEntropyOp::inferReturnTypes(MLIRContext *,
                                               std::optional<Location> rawLoc,
                                               Adaptor adaptor,
                                               SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(
          loc,
          {{adaptor.getLogits(), "logits"}, {adaptor.getLabels(), "labels"}},
          t)))
    return failure();
  return inferCrossEntropyOp(loc, adaptor.getReduction(), t[0], t[1], results);
}

//===----------------------------------------------------------------------===//
// loom.dropout
//===----------------------------------------------------------------------===//

LogicalResult DropoutOp::inferReturnTypes(MLIRContext *,
                                          std::optional<Location> rawLoc,
                                          Adaptor adaptor,
                                          SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  return inferSameTypeAsOperand(loc, adaptor.getInput(), results);
}

LogicalResult DropoutOp::verify() {
  double rate = getRate().convertToDouble();
  if (!(rate >= 0.0 && rate < 1.0))
    return emitOpError("rate ") << rate << " must lie in [0, 1)";
  if (getStreamAttr().getInt() < 0)
    return emitOpError("stream ")
           << getStreamAttr().getInt() << " must be non-negative";
  return success();
}

//===----------------------------------------------------------------------===//
// loom.constant
//===----------------------------------------------------------------------===//

LogicalResult ConstantOp::inferReturnTypes(MLIRContext *,
                                           std::optional<Location> rawLoc,
                                           Adaptor adaptor,
                                           SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  auto value = dyn_cast_or_null<ElementsAttr>(adaptor.getValueAttr());
  auto type = value ? dyn_cast<RankedTensorType>(value.getType()) : nullptr;
  if (!type || !type.hasStaticShape())
    return emitOptionalError(rawLoc, "'", getOperationName(),
                             "' op value must be a statically shaped tensor");
  results.push_back(type);
  return success();
}

//===----------------------------------------------------------------------===//
// loom.iota
//===----------------------------------------------------------------------===//

LogicalResult IotaOp::verify() {
  return verifyIotaOp(RuleLoc(getLoc(), getOperationName()), getType(),
                      getDim());
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

/// The mesh-axis names of a collective's `axes` attribute.
static SmallVector<StringRef> axisNames(ArrayAttr axes) {
  SmallVector<StringRef> names;
  for (Attribute a : axes)
    names.push_back(cast<StringAttr>(a).getValue());
  return names;
}

LogicalResult AllReduceOp::verify() {
  if (getKind() == ReduceKind::mean &&
      !isa<FloatType>(getInput().getType().getElementType()))
    return emitOpError("mean needs a floating-point input, not ")
           << getInput().getType();
  return verifyCollectiveGroup(RuleLoc(getLoc(), getOperationName()),
                               axisNames(getAxes()), getGroupSize());
}

LogicalResult AllGatherOp::inferReturnTypes(MLIRContext *,
                                            std::optional<Location> rawLoc,
                                            Adaptor adaptor,
                                            SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc, {{adaptor.getInput(), "input"}}, t)))
    return failure();
  return inferAllGatherOp(loc, t[0], adaptor.getGroupSize(), adaptor.getDim(),
                          results);
}

LogicalResult AllGatherOp::verify() {
  return verifyCollectiveGroup(RuleLoc(getLoc(), getOperationName()),
                               axisNames(getAxes()), getGroupSize());
}

LogicalResult
ReduceScatterOp::inferReturnTypes(MLIRContext *, std::optional<Location> rawLoc,
                                  Adaptor adaptor,
                                  SmallVectorImpl<Type> &results) {
  RuleLoc loc(rawLoc, getOperationName());
  SmallVector<RankedTensorType> t;
  if (failed(getTensorTypes(loc, {{adaptor.getInput(), "input"}}, t)))
    return failure();
  return inferReduceScatterOp(loc, t[0], adaptor.getGroupSize(),
                              adaptor.getDim(), results);
}

LogicalResult ReduceScatterOp::verify() {
  if (getKind() == ReduceKind::mean &&
      !isa<FloatType>(getInput().getType().getElementType()))
    return emitOpError("mean needs a floating-point input, not ")
           << getInput().getType();
  return verifyCollectiveGroup(RuleLoc(getLoc(), getOperationName()),
                               axisNames(getAxes()), getGroupSize());
}

//===----------------------------------------------------------------------===//
// Fusion groups
//===----------------------------------------------------------------------===//

ArrayRef<int64_t> FusionGroupOp::getDomain() {
  if (getNumResults() == 0)
    return {};
  return cast<RankedTensorType>(getResult(0).getType()).getShape();
}

/// A contraction group: a contraction that accepts post-ops, then a chain
/// of members that each have a post-op and read the previous value (which
/// nothing else reads) once; the last value is the one result.
static LogicalResult verifyContractionGroup(FusionGroupOp group) {
  Block &body = group.getBodyBlock();
  Value prev;
  ArrayRef<int64_t> domain;
  for (Operation &op : body.without_terminator()) {
    if (op.hasTrait<OpTrait::ConstantLike>())
      continue;
    auto iface = dyn_cast<FusionOpInterface>(op);
    if (!prev) {
      if (!iface || iface.getFusionKind() != FusionKind::contraction ||
          !iface.acceptsPostOps() || op.getNumResults() != 1)
        return op.emitOpError("cannot start a contraction group: it is not "
                              "a contraction that accepts post-ops");
      prev = op.getResult(0);
      domain = cast<RankedTensorType>(prev.getType()).getShape();
      continue;
    }
    if (!iface || iface.getPostOp().empty() || op.getNumResults() != 1)
      return op.emitOpError("has no post-op, so it cannot be in the "
                            "epilogue of a contraction group");
    if (!prev.hasOneUse() || *prev.user_begin() != &op)
      return op.emitOpError("does not read the value of the contraction "
                            "group's previous member as its one reader");
    if (op.getNumOperands() == 2) {
      Value other = op.getOperand(op.getOperand(0) == prev ? 1 : 0);
      if (op.getOperand(1) == prev && !op.hasTrait<OpTrait::IsCommutative>())
        return op.emitOpError("reads the previous member's value as its rhs, "
                              "which its post-op cannot");
      if (!isa<BlockArgument>(other))
        return op.emitOpError("has an operand that is not an input of the "
                              "contraction group");
    }
    if (cast<RankedTensorType>(op.getResult(0).getType()).getShape() != domain)
      return op.emitOpError("result has type ")
             << op.getResult(0).getType()
             << ", not the shape of its contraction's result";
    prev = op.getResult(0);
  }
  auto yield = cast<YieldOp>(body.getTerminator());
  if (!prev || yield.getValues().size() != 1 || yield.getValues()[0] != prev)
    return group.emitOpError(
        "must yield the value of its contraction's last epilogue member alone");
  return success();
}

LogicalResult FusionGroupOp::verify() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("has ")
           << getInputs().size() << " inputs but its body takes "
           << body.getNumArguments() << " arguments";
  for (auto [i, input, arg] : llvm::enumerate(getInputs(), body.getArguments()))
    if (input.getType() != arg.getType())
      return emitOpError("input #")
             << i << " has type " << input.getType()
             << " but the body's argument has type " << arg.getType();
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().getTypes() << " but has results of types "
           << getResultTypes();
  if (getNumResults() == 0)
    return emitOpError("must have at least one result");
  for (Operation &op : body.without_terminator()) {
    if (op.getDialect() != (*this)->getDialect() || op.getNumRegions() != 0 ||
        !isMemoryEffectFree(&op))
      return op.emitOpError("cannot be in a fusion group: a group holds "
                            "side-effect-free loom ops without regions");
  }
  if (getKind() == FusionKind::contraction)
    return verifyContractionGroup(*this);
  if (getKind() != FusionKind::elementwise &&
      getKind() != FusionKind::reduction)
    return emitOpError("kind must be elementwise, reduction or contraction, "
                       "not ")
           << stringifyFusionKind(getKind());
  if (getKind() == FusionKind::elementwise) {
    // Every value passed inside the group, and every result, has the
    // domain's shape: the group is one loop nest over it.
    // Constants, and what is computed from constants alone, are exempt.
    ArrayRef<int64_t> domain = getDomain();
    DenseSet<Value> constant;
    for (Operation &op : body.without_terminator()) {
      if (op.hasTrait<OpTrait::ConstantLike>() ||
          (op.getNumOperands() != 0 &&
           llvm::all_of(op.getOperands(),
                        [&](Value v) { return constant.contains(v); }))) {
        constant.insert(op.result_begin(), op.result_end());
        continue;
      }
      for (Value r : op.getResults())
        if (cast<RankedTensorType>(r.getType()).getShape() != domain)
          return op.emitOpError("result has type ")
                 << r.getType()
                 << ", not the shape of its elementwise group's results "
                 << getResult(0).getType();
    }
  }
  return success();
}

std::pair<FusionGroupOp, unsigned>
MultiTensorGroupOp::getMemberOfResult(unsigned i) {
  auto yield = cast<YieldOp>(getBodyBlock().getTerminator());
  auto r = cast<OpResult>(yield.getValues()[i]);
  return {cast<FusionGroupOp>(r.getOwner()), r.getResultNumber()};
}

LogicalResult MultiTensorGroupOp::verify() {
  Block &body = getBodyBlock();
  if (body.getNumArguments() != getInputs().size())
    return emitOpError("has ")
           << getInputs().size() << " inputs but its body takes "
           << body.getNumArguments() << " arguments";
  for (auto [i, input, arg] : llvm::enumerate(getInputs(), body.getArguments()))
    if (input.getType() != arg.getType())
      return emitOpError("input #")
             << i << " has type " << input.getType()
             << " but the body's argument has type " << arg.getType();
  // Members read the group's arguments only, never each other's results
  // (nor values from above), so the kernel may run their loop nests in any
  // order.
  unsigned members = 0;
  for (Operation &op : body.without_terminator()) {
    auto member = dyn_cast<FusionGroupOp>(op);
    if (!member || (member.getKind() != FusionKind::elementwise &&
                    member.getKind() != FusionKind::reduction))
      return op.emitOpError("cannot be in a multi_tensor group: its members "
                            "are elementwise or reduction fusion groups");
    for (auto [i, v] : llvm::enumerate(member.getInputs()))
      if (!isa<BlockArgument>(v) || v.getParentBlock() != &body)
        return member.emitOpError("input #")
               << i
               << " is not an argument of its multi_tensor group: the "
                  "members of one are independent";
    ++members;
  }
  if (members < 2)
    return emitOpError("has ") << members << " member groups, not two or more";
  auto yield = cast<YieldOp>(body.getTerminator());
  if (yield.getValues().getTypes() != getResultTypes())
    return emitOpError("yields ")
           << yield.getValues().getTypes() << " but has results of types "
           << getResultTypes();
  for (auto [i, v] : llvm::enumerate(yield.getValues()))
    if (!v.getDefiningOp<FusionGroupOp>())
      return emitOpError("yields value #")
             << i << ", which no member group computes";
  return success();
}

//===----------------------------------------------------------------------===//
// Generated definitions
//===----------------------------------------------------------------------===//

#define GET_OP_CLASSES
#include "ir/LoomOps.cpp.inc"
