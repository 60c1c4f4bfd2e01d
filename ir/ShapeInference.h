//===- ShapeInference.h - Shape rules of the loom ops -----------*- C++ -*-===//
//
// Part of Loom. The shape (and element-type) rule of every loom op, as free
// functions over types and attribute values, StableHLO-style. Ops call them
// from inferReturnTypes() or verify(); the frontend's checker and the unit
// tests call them directly. Each rule reports a violation at `loc` (when
// given), naming the operand or attribute and the shapes involved.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_SHAPEINFERENCE_H
#define LOOM_IR_SHAPEINFERENCE_H

#include "ir/LoomAttrs.h"

#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Location.h"
#include "mlir/IR/Value.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/SmallVector.h"

#include <optional>
#include <type_traits>

namespace mlir::loom {

/// Where a shape rule reports a violation: at `loc` when it is set (with no
/// location the rule is a silent query), prefixed with `'<opName>' op ` when
/// an op name is given, exactly as Operation::emitOpError words it. The op
/// classes pass their name, so every loom diagnostic names its op; the
/// frontend and tests may pass a bare location.
struct RuleLoc {
  RuleLoc(std::nullopt_t) {}
  template <typename L, typename = std::enable_if_t<std::is_constructible_v<
                            std::optional<Location>, L>>>
  RuleLoc(L &&loc, StringRef opName = {})
      : loc(std::forward<L>(loc)), opName(opName) {}

  std::optional<Location> loc;
  StringRef opName;
};

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

/// NumPy broadcast of two shapes, or failure when some aligned pair of
/// dimensions differs with neither being 1.
FailureOr<SmallVector<int64_t>> broadcastShapes(ArrayRef<int64_t> lhs,
                                                ArrayRef<int64_t> rhs);

/// Whether `from` broadcasts to exactly `to` (NumPy rule, one direction).
bool isBroadcastableTo(ArrayRef<int64_t> from, ArrayRef<int64_t> to);

/// One operand of a broadcasting op, named for diagnostics.
struct NamedOperand {
  StringRef name;
  RankedTensorType type;
};

/// The broadcast shape of all `operands`; reports the first incompatible
/// pair. Element types are not checked here.
FailureOr<SmallVector<int64_t>>
inferBroadcastShape(RuleLoc loc, ArrayRef<NamedOperand> operands);

//===----------------------------------------------------------------------===//
// Entry points over values, used by the op classes' inferReturnTypes()
//===----------------------------------------------------------------------===//

/// The static ranked tensor type of `value`, or failure with a diagnostic
/// naming `name`. Builders may call inference before the ODS type
/// constraints have been checked, so every rule starts here.
FailureOr<RankedTensorType> getStaticTensorType(RuleLoc loc, Value value,
                                                StringRef name);
LogicalResult inferSameTypeAsOperand(RuleLoc loc, Value operand,
                                     SmallVectorImpl<Type> &results);
LogicalResult inferBinaryElementwiseOp(RuleLoc loc, Value lhs, Value rhs,
                                       SmallVectorImpl<Type> &results);

//===----------------------------------------------------------------------===//
// Per-op rules, in LoomOps.td order
//===----------------------------------------------------------------------===//

LogicalResult inferBinaryElementwiseOp(RuleLoc loc, RankedTensorType lhs,
                                       RankedTensorType rhs,
                                       SmallVectorImpl<Type> &results);
LogicalResult inferCompareOp(RuleLoc loc, RankedTensorType lhs,
                             RankedTensorType rhs,
                             SmallVectorImpl<Type> &results);
LogicalResult inferSelectOp(RuleLoc loc, RankedTensorType condition,
                            RankedTensorType onTrue, RankedTensorType onFalse,
                            SmallVectorImpl<Type> &results);
LogicalResult verifyBroadcastOp(RuleLoc loc, RankedTensorType input,
                                RankedTensorType result);
LogicalResult verifyReshapeOp(RuleLoc loc, RankedTensorType input,
                              RankedTensorType result);
LogicalResult inferTransposeOp(RuleLoc loc, RankedTensorType input,
                               ArrayRef<int64_t> perm,
                               SmallVectorImpl<Type> &results);
LogicalResult inferSliceOp(RuleLoc loc, RankedTensorType input,
                           ArrayRef<int64_t> start, ArrayRef<int64_t> limit,
                           ArrayRef<int64_t> stride,
                           SmallVectorImpl<Type> &results);
LogicalResult inferConcatOp(RuleLoc loc, ArrayRef<RankedTensorType> inputs,
                            int64_t dim, SmallVectorImpl<Type> &results);
LogicalResult inferGatherOp(RuleLoc loc, RankedTensorType table,
                            RankedTensorType indices, int64_t axis,
                            SmallVectorImpl<Type> &results);
LogicalResult inferScatterAddOp(RuleLoc loc, RankedTensorType dest,
                                RankedTensorType indices,
                                RankedTensorType updates, int64_t axis,
                                SmallVectorImpl<Type> &results);
LogicalResult inferReduceOp(RuleLoc loc, ReduceKind kind,
                            RankedTensorType input, ArrayRef<int64_t> dims,
                            bool keepDims, SmallVectorImpl<Type> &results);
LogicalResult inferMatmulOp(RuleLoc loc, RankedTensorType lhs,
                            RankedTensorType rhs, bool transposeLhs,
                            bool transposeRhs, SmallVectorImpl<Type> &results);
LogicalResult inferConv2dOp(RuleLoc loc, RankedTensorType input,
                            RankedTensorType filter, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> padding,
                            ArrayRef<int64_t> dilations, int64_t groups,
                            SmallVectorImpl<Type> &results);
/// conv2d_backward_input: `gradInput` (the result, the forward input's type)
/// convolved with `filter` must give `gradOut`.
LogicalResult verifyConv2dBackwardInputOp(
    RuleLoc loc, RankedTensorType gradOut, RankedTensorType filter,
    RankedTensorType gradInput, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations, int64_t groups);
/// conv2d_backward_filter: `input` convolved with `gradFilter` (the result,
/// the filter's type) must give `gradOut`.
LogicalResult verifyConv2dBackwardFilterOp(
    RuleLoc loc, RankedTensorType input, RankedTensorType gradOut,
    RankedTensorType gradFilter, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations, int64_t groups);
LogicalResult inferPool2dOp(RuleLoc loc, RankedTensorType input,
                            ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                            ArrayRef<int64_t> padding,
                            SmallVectorImpl<Type> &results);
/// pool2d_backward: `input` (null when absent) is present exactly for max
/// and then has the type of `gradInput` (the result); pooling `gradInput`
/// must give `gradOut`.
LogicalResult
verifyPool2dBackwardOp(RuleLoc loc, PoolKind kind, RankedTensorType gradOut,
                       RankedTensorType input, RankedTensorType gradInput,
                       ArrayRef<int64_t> window, ArrayRef<int64_t> strides,
                       ArrayRef<int64_t> padding);
/// Shared by softmax and log_softmax.
LogicalResult verifySoftmaxOp(RuleLoc loc, RankedTensorType input, int64_t dim);
LogicalResult inferLayerNormOp(RuleLoc loc, RankedTensorType input,
                               RankedTensorType scale, RankedTensorType bias,
                               SmallVectorImpl<Type> &results);
LogicalResult inferAttentionOp(RuleLoc loc, RankedTensorType query,
                               RankedTensorType key, RankedTensorType value,
                               bool causal, SmallVectorImpl<Type> &results);
/// attention_with_lse: attention's result, then lse [..., T].
LogicalResult inferAttentionWithLseOp(RuleLoc loc, RankedTensorType query,
                                      RankedTensorType key,
                                      RankedTensorType value, bool causal,
                                      SmallVectorImpl<Type> &results);
/// attention_backward: `output` and `gradOut` have attention's result type
/// and `lse` attention_with_lse's; the results are query's, key's, value's.
LogicalResult inferAttentionBackwardOp(
    RuleLoc loc, RankedTensorType query, RankedTensorType key,
    RankedTensorType value, RankedTensorType output, RankedTensorType gradOut,
    RankedTensorType lse, bool causal, SmallVectorImpl<Type> &results);
LogicalResult inferCrossEntropyOp(RuleLoc loc, LossReduction reduction,
                                  RankedTensorType logits,
                                  RankedTensorType labels,
                                  SmallVectorImpl<Type> &results);
LogicalResult verifyIotaOp(RuleLoc loc, RankedTensorType result, int64_t dim);
/// Checks `axes` and `groupSize`, shared by every collective.
LogicalResult verifyCollectiveGroup(RuleLoc loc, ArrayRef<StringRef> axes,
                                    int64_t groupSize);
LogicalResult inferAllGatherOp(RuleLoc loc, RankedTensorType input,
                               int64_t groupSize, int64_t dim,
                               SmallVectorImpl<Type> &results);
LogicalResult inferReduceScatterOp(RuleLoc loc, RankedTensorType input,
                                   int64_t groupSize, int64_t dim,
                                   SmallVectorImpl<Type> &results);

} // namespace mlir::loom

#endif // LOOM_IR_SHAPEINFERENCE_H
