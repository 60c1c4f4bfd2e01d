//===- ShapeInference.cpp - Shape rules of the loom ops -------------------===//
//
// Part of Loom. This file implements the shape and element-type rule of every
// loom op (see ShapeInference.h). Sections follow LoomOps.td.
//
//===----------------------------------------------------------------------===//

#include "ir/ShapeInference.h"

#include "mlir/IR/Diagnostics.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/SmallSet.h"
#include "llvm/Support/MathExtras.h"

#include <string>

using namespace mlir;
using namespace mlir::loom;

namespace {

/// Reports a rule violation (see RuleLoc); always returns failure.
template <typename... Args>
LogicalResult emitRuleError(const RuleLoc &where, Args &&...args) {
  if (!where.loc)
    return failure();
  InFlightDiagnostic diag = emitError(*where.loc);
  if (!where.opName.empty())
    diag << "'" << where.opName << "' op ";
  (diag << ... << std::forward<Args>(args));
  return diag;
}

/// Formats a list of integers as "[a, b, c]" for diagnostics.
std::string fmt(ArrayRef<int64_t> values) {
  std::string out = "[";
  for (auto [i, v] : llvm::enumerate(values)) {
    if (i)
      out += ", ";
    out += std::to_string(v);
  }
  return out + "]";
}

/// Checks that `dim` indexes a dimension of a rank-`rank` tensor.
LogicalResult checkDim(RuleLoc loc, StringRef attr, int64_t dim,
                       RankedTensorType type, StringRef operand) {
  if (dim >= 0 && dim < type.getRank())
    return success();
  return emitRuleError(loc, attr, " ", dim, " is out of range for ", operand,
                       " ", type, " of rank ", type.getRank());
}

/// Checks that two operands share their element type.
LogicalResult checkSameElementType(RuleLoc loc, StringRef lhsName,
                                   RankedTensorType lhs, StringRef rhsName,
                                   RankedTensorType rhs) {
  if (lhs.getElementType() == rhs.getElementType())
    return success();
  return emitRuleError(loc, "element types differ: ", lhsName, " is ", lhs,
                       " but ", rhsName, " is ", rhs);
}

/// Checks that an attribute array has `size` entries.
LogicalResult checkSize(RuleLoc loc, StringRef attr, ArrayRef<int64_t> values,
                        size_t size, StringRef what) {
  if (values.size() == size)
    return success();
  return emitRuleError(loc, attr, " ", fmt(values), " has ", values.size(),
                       values.size() == 1 ? " entry" : " entries",
                       " but needs ", size, " (", what, ")");
}

/// Adds or multiplies dimension sizes, failing (diagnosed) instead of
/// wrapping around: attributes may hold any int64 value.
LogicalResult checkedAdd(RuleLoc loc, int64_t a, int64_t b, int64_t &out,
                         StringRef what) {
  if (!llvm::AddOverflow(a, b, out))
    return success();
  return emitRuleError(loc, what, " overflows a 64-bit size");
}
LogicalResult checkedMul(RuleLoc loc, int64_t a, int64_t b, int64_t &out,
                         StringRef what) {
  if (!llvm::MulOverflow(a, b, out))
    return success();
  return emitRuleError(loc, what, " overflows a 64-bit size");
}

/// The number of elements of `type`, or failure (diagnosed) when it does not
/// fit in 64 bits.
FailureOr<int64_t> checkedNumElements(RuleLoc loc, StringRef name,
                                      RankedTensorType type) {
  int64_t n = 1;
  for (int64_t d : type.getShape())
    if (llvm::MulOverflow(n, d, n))
      return emitRuleError(loc, "the element count of ", name, " ", type,
                           " overflows a 64-bit size");
  return n;
}

} // namespace

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

FailureOr<SmallVector<int64_t>>
mlir::loom::broadcastShapes(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  size_t rank = std::max(lhs.size(), rhs.size());
  SmallVector<int64_t> result(rank);
  for (size_t i = 0; i < rank; ++i) {
    // Align at the trailing dimension; missing leading dims act as 1.
    int64_t l = i < lhs.size() ? lhs[lhs.size() - 1 - i] : 1;
    int64_t r = i < rhs.size() ? rhs[rhs.size() - 1 - i] : 1;
    if (l != r && l != 1 && r != 1)
      return failure();
    result[rank - 1 - i] = l == 1 ? r : l;
  }
  return result;
}

bool mlir::loom::isBroadcastableTo(ArrayRef<int64_t> from,
                                   ArrayRef<int64_t> to) {
  if (from.size() > to.size())
    return false;
  size_t offset = to.size() - from.size();
  for (auto [i, d] : llvm::enumerate(from))
    if (d != 1 && d != to[offset + i])
      return false;
  return true;
}

FailureOr<SmallVector<int64_t>>
mlir::loom::inferBroadcastShape(RuleLoc loc, ArrayRef<NamedOperand> operands) {
  SmallVector<int64_t> shape;
  for (auto [i, operand] : llvm::enumerate(operands)) {
    auto next = broadcastShapes(shape, operand.type.getShape());
    if (succeeded(next)) {
      shape = std::move(*next);
      continue;
    }
    // Name the earlier operand whose dimension conflicts.
    ArrayRef<int64_t> cur = operand.type.getShape();
    for (const NamedOperand &prev : operands.take_front(i)) {
      ArrayRef<int64_t> p = prev.type.getShape();
      for (size_t k = 0; k < std::min(p.size(), cur.size()); ++k) {
        int64_t a = p[p.size() - 1 - k], b = cur[cur.size() - 1 - k];
        if (a != b && a != 1 && b != 1)
          return emitRuleError(
              loc, "operands are not broadcast-compatible: ", prev.name, " ",
              prev.type, " has ", a, " at dimension ", p.size() - 1 - k,
              " where ", operand.name, " ", operand.type, " has ", b,
              " at dimension ", cur.size() - 1 - k);
      }
    }
    return emitRuleError(loc, "operands are not broadcast-compatible");
  }
  return shape;
}

//===----------------------------------------------------------------------===//
// Entry points over values
//===----------------------------------------------------------------------===//

FailureOr<RankedTensorType>
mlir::loom::getStaticTensorType(RuleLoc loc, Value value, StringRef name) {
  if (!value)
    return emitRuleError(loc, name, " is missing");
  auto type = dyn_cast<RankedTensorType>(value.getType());
  if (!type || !type.hasStaticShape())
    return emitRuleError(loc, name, " must be a statically shaped tensor, not ",
                         value.getType());
  return type;
}

LogicalResult
mlir::loom::inferSameTypeAsOperand(RuleLoc loc, Value operand,
                                   SmallVectorImpl<Type> &results) {
  auto type = getStaticTensorType(loc, operand, "operand");
  if (failed(type))
    return failure();
  results.push_back(*type);
  return success();
}

LogicalResult
mlir::loom::inferBinaryElementwiseOp(RuleLoc loc, Value lhs, Value rhs,
                                     SmallVectorImpl<Type> &results) {
  auto lhsType = getStaticTensorType(loc, lhs, "lhs");
  auto rhsType = getStaticTensorType(loc, rhs, "rhs");
  if (failed(lhsType) || failed(rhsType))
    return failure();
  return inferBinaryElementwiseOp(loc, *lhsType, *rhsType, results);
}

//===----------------------------------------------------------------------===//
// Elementwise binary, compare, select
//===----------------------------------------------------------------------===//

LogicalResult
mlir::loom::inferBinaryElementwiseOp(RuleLoc loc, RankedTensorType lhs,
                                     RankedTensorType rhs,
                                     SmallVectorImpl<Type> &results) {
  if (failed(checkSameElementType(loc, "lhs", lhs, "rhs", rhs)))
    return failure();
  auto shape = inferBroadcastShape(loc, {{"lhs", lhs}, {"rhs", rhs}});
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, lhs.getElementType()));
  return success();
}

LogicalResult mlir::loom::inferCompareOp(RuleLoc loc, RankedTensorType lhs,
                                         RankedTensorType rhs,
                                         SmallVectorImpl<Type> &results) {
  if (failed(checkSameElementType(loc, "lhs", lhs, "rhs", rhs)))
    return failure();
  auto shape = inferBroadcastShape(loc, {{"lhs", lhs}, {"rhs", rhs}});
  if (failed(shape))
    return failure();
  results.push_back(
      RankedTensorType::get(*shape, IntegerType::get(lhs.getContext(), 1)));
  return success();
}

LogicalResult mlir::loom::inferSelectOp(RuleLoc loc, RankedTensorType condition,
                                        RankedTensorType onTrue,
                                        RankedTensorType onFalse,
                                        SmallVectorImpl<Type> &results) {
  if (failed(checkSameElementType(loc, "on_true", onTrue, "on_false", onFalse)))
    return failure();
  auto shape = inferBroadcastShape(
      loc,
      {{"condition", condition}, {"on_true", onTrue}, {"on_false", onFalse}});
  if (failed(shape))
    return failure();
  results.push_back(RankedTensorType::get(*shape, onTrue.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

LogicalResult mlir::loom::verifyBroadcastOp(RuleLoc loc, RankedTensorType input,
                                            RankedTensorType result) {
  if (failed(checkSameElementType(loc, "input", input, "result", result)))
    return failure();
  if (input.getRank() > result.getRank())
    return emitRuleError(loc, "input ", input, " has rank ", input.getRank(),
                         ", more than result ", result, " of rank ",
                         result.getRank());
  int64_t offset = result.getRank() - input.getRank();
  for (auto [i, d] : llvm::enumerate(input.getShape()))
    if (d != 1 && d != result.getDimSize(offset + i))
      return emitRuleError(
          loc, "input ", input, " does not broadcast to result ", result,
          ": input dimension ", i, " is ", d, " but result dimension ",
          offset + i, " is ", result.getDimSize(offset + i));
  return success();
}

LogicalResult mlir::loom::verifyReshapeOp(RuleLoc loc, RankedTensorType input,
                                          RankedTensorType result) {
  if (failed(checkSameElementType(loc, "input", input, "result", result)))
    return failure();
  auto in = checkedNumElements(loc, "input", input);
  auto out = checkedNumElements(loc, "result", result);
  if (failed(in) || failed(out))
    return failure();
  if (*in != *out)
    return emitRuleError(loc, "input ", input, " has ", *in,
                         " elements but result ", result, " has ", *out);
  return success();
}

LogicalResult mlir::loom::inferTransposeOp(RuleLoc loc, RankedTensorType input,
                                           ArrayRef<int64_t> perm,
                                           SmallVectorImpl<Type> &results) {
  if (static_cast<int64_t>(perm.size()) != input.getRank())
    return emitRuleError(loc, "perm ", fmt(perm), " has ", perm.size(),
                         perm.size() == 1 ? " entry" : " entries",
                         " but input ", input, " has rank ", input.getRank());
  SmallVector<bool> seen(perm.size(), false);
  SmallVector<int64_t> shape;
  for (int64_t p : perm) {
    if (p < 0 || p >= input.getRank() || seen[p])
      return emitRuleError(loc, "perm ", fmt(perm),
                           " is not a permutation of [0, ", input.getRank(),
                           ")");
    seen[p] = true;
    shape.push_back(input.getDimSize(p));
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult mlir::loom::inferSliceOp(RuleLoc loc, RankedTensorType input,
                                       ArrayRef<int64_t> start,
                                       ArrayRef<int64_t> limit,
                                       ArrayRef<int64_t> stride,
                                       SmallVectorImpl<Type> &results) {
  size_t rank = input.getRank();
  if (failed(checkSize(loc, "start", start, rank, "the input's rank")) ||
      failed(checkSize(loc, "limit", limit, rank, "the input's rank")) ||
      failed(checkSize(loc, "stride", stride, rank, "the input's rank")))
    return failure();
  SmallVector<int64_t> shape;
  for (size_t d = 0; d < rank; ++d) {
    if (stride[d] <= 0)
      return emitRuleError(loc, "stride ", fmt(stride),
                           " must be positive in dimension ", d);
    if (start[d] < 0 || start[d] > limit[d] || limit[d] > input.getDimSize(d))
      return emitRuleError(
          loc, "slice [", start[d], ", ", limit[d], ") of dimension ", d,
          " is out of bounds for ", input,
          " (need 0 <= start <= limit <= ", input.getDimSize(d), ")");
    // ceil((limit - start) / stride), written so that it cannot overflow.
    int64_t extent = limit[d] - start[d];
    shape.push_back(extent == 0 ? 0 : (extent - 1) / stride[d] + 1);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult mlir::loom::inferConcatOp(RuleLoc loc,
                                        ArrayRef<RankedTensorType> inputs,
                                        int64_t dim,
                                        SmallVectorImpl<Type> &results) {
  if (inputs.empty())
    return emitRuleError(loc, "needs at least one input");
  RankedTensorType first = inputs.front();
  if (failed(checkDim(loc, "dim", dim, first, "input #0")))
    return failure();
  SmallVector<int64_t> shape(first.getShape());
  for (auto [i, type] : llvm::enumerate(inputs.drop_front())) {
    std::string name = "input #" + std::to_string(i + 1);
    if (failed(checkSameElementType(loc, "input #0", first, name, type)))
      return failure();
    if (type.getRank() != first.getRank())
      return emitRuleError(loc, "ranks differ: input #0 is ", first, " but ",
                           name, " is ", type);
    for (int64_t d = 0; d < first.getRank(); ++d)
      if (d != dim && type.getDimSize(d) != first.getDimSize(d))
        return emitRuleError(loc, "input #0 ", first, " and ", name, " ", type,
                             " differ in dimension ", d,
                             ", which is not the concatenation dim ", dim);
    if (failed(checkedAdd(loc, shape[dim], type.getDimSize(dim), shape[dim],
                          "the concatenated dimension")))
      return failure();
  }
  results.push_back(RankedTensorType::get(shape, first.getElementType()));
  return success();
}

/// The shape of a gather: table.shape[:axis] + indices.shape +
/// table.shape[axis+1:].
static SmallVector<int64_t>
gatherShape(RankedTensorType table, RankedTensorType indices, int64_t axis) {
  SmallVector<int64_t> shape(table.getShape().take_front(axis));
  llvm::append_range(shape, indices.getShape());
  llvm::append_range(shape, table.getShape().drop_front(axis + 1));
  return shape;
}

LogicalResult mlir::loom::inferGatherOp(RuleLoc loc, RankedTensorType table,
                                        RankedTensorType indices, int64_t axis,
                                        SmallVectorImpl<Type> &results) {
  if (failed(checkDim(loc, "axis", axis, table, "table")))
    return failure();
  results.push_back(RankedTensorType::get(gatherShape(table, indices, axis),
                                          table.getElementType()));
  return success();
}

LogicalResult mlir::loom::inferScatterAddOp(RuleLoc loc, RankedTensorType dest,
                                            RankedTensorType indices,
                                            RankedTensorType updates,
                                            int64_t axis,
                                            SmallVectorImpl<Type> &results) {
  if (failed(checkDim(loc, "axis", axis, dest, "dest")) ||
      failed(checkSameElementType(loc, "dest", dest, "updates", updates)))
    return failure();
  SmallVector<int64_t> expected = gatherShape(dest, indices, axis);
  if (updates.getShape() != ArrayRef<int64_t>(expected))
    return emitRuleError(loc, "updates ", updates, " should have shape ",
                         fmt(expected), " (dest ", dest, " with dimension ",
                         axis, " replaced by the shape of indices ", indices,
                         ")");
  results.push_back(dest);
  return success();
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

LogicalResult mlir::loom::inferReduceOp(RuleLoc loc, ReduceKind kind,
                                        RankedTensorType input,
                                        ArrayRef<int64_t> dims, bool keepDims,
                                        SmallVectorImpl<Type> &results) {
  if (kind == ReduceKind::mean && !isa<FloatType>(input.getElementType()))
    return emitRuleError(loc, "mean needs a floating-point input, not ", input);
  SmallVector<bool> reduced(input.getRank(), false);
  for (int64_t d : dims) {
    if (failed(checkDim(loc, "dims entry", d, input, "input")))
      return failure();
    if (reduced[d])
      return emitRuleError(loc, "dims ", fmt(dims), " repeats dimension ", d);
    reduced[d] = true;
  }
  SmallVector<int64_t> shape;
  for (int64_t d = 0; d < input.getRank(); ++d) {
    if (!reduced[d])
      shape.push_back(input.getDimSize(d));
    else if (keepDims)
      shape.push_back(1);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Contractions and pooling
//===----------------------------------------------------------------------===//

LogicalResult mlir::loom::inferMatmulOp(RuleLoc loc, RankedTensorType lhs,
                                        RankedTensorType rhs, bool transposeLhs,
                                        bool transposeRhs,
                                        SmallVectorImpl<Type> &results) {
  if (failed(checkSameElementType(loc, "lhs", lhs, "rhs", rhs)))
    return failure();
  if (lhs.getRank() < 2 || rhs.getRank() < 2)
    return emitRuleError(loc, "operands need rank >= 2, but lhs is ", lhs,
                         " and rhs is ", rhs);
  int64_t lr = lhs.getRank(), rr = rhs.getRank();
  // (M, K) x (K, N), reading the last two dims swapped where transposed.
  int64_t m = lhs.getDimSize(transposeLhs ? lr - 1 : lr - 2);
  int64_t kl = lhs.getDimSize(transposeLhs ? lr - 2 : lr - 1);
  int64_t kr = rhs.getDimSize(transposeRhs ? rr - 1 : rr - 2);
  int64_t n = rhs.getDimSize(transposeRhs ? rr - 2 : rr - 1);
  if (kl != kr)
    return emitRuleError(loc, "contracting dimensions differ: lhs ", lhs,
                         transposeLhs ? " (transposed)" : "", " has K = ", kl,
                         " but rhs ", rhs, transposeRhs ? " (transposed)" : "",
                         " has K = ", kr);
  auto batchL =
      RankedTensorType::get(lhs.getShape().drop_back(2), lhs.getElementType());
  auto batchR =
      RankedTensorType::get(rhs.getShape().drop_back(2), rhs.getElementType());
  auto batch = broadcastShapes(batchL.getShape(), batchR.getShape());
  if (failed(batch))
    return emitRuleError(loc, "batch dimensions of lhs ", lhs, " and rhs ", rhs,
                         " are not broadcast-compatible");
  SmallVector<int64_t> shape = std::move(*batch);
  shape.push_back(m);
  shape.push_back(n);
  results.push_back(RankedTensorType::get(shape, lhs.getElementType()));
  return success();
}

/// Checks that every entry of an attribute array is at least `min`.
static LogicalResult checkAtLeast(RuleLoc loc, StringRef attr,
                                  ArrayRef<int64_t> values, int64_t min) {
  for (int64_t v : values)
    if (v < min)
      return emitRuleError(loc, attr, " ", fmt(values), " has an entry below ",
                           min);
  return success();
}

LogicalResult mlir::loom::inferConv2dOp(RuleLoc loc, RankedTensorType input,
                                        RankedTensorType filter,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> padding,
                                        ArrayRef<int64_t> dilations,
                                        int64_t groups,
                                        SmallVectorImpl<Type> &results) {
  if (input.getRank() != 4 || filter.getRank() != 4)
    return emitRuleError(loc, "input ", input, " and filter ", filter,
                         " must both have rank 4 (NCHW and OIHW)");
  if (failed(checkSameElementType(loc, "input", input, "filter", filter)) ||
      failed(checkSize(loc, "strides", strides, 2, "[h, w]")) ||
      failed(checkSize(loc, "padding", padding, 4,
                       "[top, bottom, left, right]")) ||
      failed(checkSize(loc, "dilations", dilations, 2, "[h, w]")) ||
      failed(checkAtLeast(loc, "strides", strides, 1)) ||
      failed(checkAtLeast(loc, "padding", padding, 0)) ||
      failed(checkAtLeast(loc, "dilations", dilations, 1)))
    return failure();
  if (filter.getDimSize(2) < 1 || filter.getDimSize(3) < 1)
    return emitRuleError(loc, "filter ", filter,
                         " must have a positive kernel size (KH, KW)");
  int64_t c = input.getDimSize(1), o = filter.getDimSize(0);
  if (groups < 1 || c % groups != 0 || o % groups != 0)
    return emitRuleError(loc, "groups ", groups,
                         " must be positive and divide the input channels ", c,
                         " and the output channels ", o);
  if (filter.getDimSize(1) != c / groups)
    return emitRuleError(loc, "filter ", filter, " has ", filter.getDimSize(1),
                         " input channels per group but input ", input,
                         " with groups ", groups, " needs ", c / groups);
  SmallVector<int64_t> shape = {input.getDimSize(0), o};
  for (int i = 0; i < 2; ++i) {
    int64_t size, span;
    if (failed(checkedAdd(loc, input.getDimSize(2 + i), padding[2 * i], size,
                          "the padded input")) ||
        failed(checkedAdd(loc, size, padding[2 * i + 1], size,
                          "the padded input")) ||
        failed(checkedMul(loc, dilations[i], filter.getDimSize(2 + i) - 1, span,
                          "the dilated filter")) ||
        failed(checkedAdd(loc, span, 1, span, "the dilated filter")))
      return failure();
    if (span > size)
      return emitRuleError(loc, "filter ", filter, " with dilations ",
                           fmt(dilations), " spans ", span,
                           " but the padded input ", input, " has only ", size,
                           " in dimension ", 2 + i);
    shape.push_back((size - span) / strides[i] + 1);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

namespace {
/// A typed value of a conv2d or pool2d backward op, named for diagnostics,
/// with the layout its rank-4 shape has.
struct NamedLayout {
  StringRef name;
  RankedTensorType type;
  StringRef layout;
};
} // namespace

/// Checks that the operands and result of a backward op have rank 4 and,
/// with the first, one element type; the forward's rule then checks the
/// rest on types that cannot trip its own rank and element-type messages.
static LogicalResult checkBackwardTypes(RuleLoc loc,
                                        ArrayRef<NamedLayout> values) {
  for (const NamedLayout &v : values)
    if (v.type.getRank() != 4)
      return emitRuleError(loc, v.name, " ", v.type, " must have rank 4 (",
                           v.layout, ")");
  for (const NamedLayout &v : values.drop_front())
    if (failed(checkSameElementType(loc, values[0].name, values[0].type, v.name,
                                    v.type)))
      return failure();
  return success();
}

LogicalResult mlir::loom::verifyConv2dBackwardInputOp(
    RuleLoc loc, RankedTensorType gradOut, RankedTensorType filter,
    RankedTensorType gradInput, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations, int64_t groups) {
  if (failed(checkBackwardTypes(loc, {{"grad_out", gradOut, "NCHW"},
                                      {"filter", filter, "OIHW"},
                                      {"result", gradInput, "NCHW"}})))
    return failure();
  SmallVector<Type> forward;
  if (failed(inferConv2dOp(loc, gradInput, filter, strides, padding, dilations,
                           groups, forward)))
    return failure();
  if (forward[0] != gradOut)
    return emitRuleError(
        loc, "grad_out ", gradOut, " is not the conv2d result ", forward[0],
        " of an input of the result type ", gradInput, " and filter ", filter);
  return success();
}

LogicalResult mlir::loom::verifyConv2dBackwardFilterOp(
    RuleLoc loc, RankedTensorType input, RankedTensorType gradOut,
    RankedTensorType gradFilter, ArrayRef<int64_t> strides,
    ArrayRef<int64_t> padding, ArrayRef<int64_t> dilations, int64_t groups) {
  if (failed(checkBackwardTypes(loc, {{"input", input, "NCHW"},
                                      {"grad_out", gradOut, "NCHW"},
                                      {"result", gradFilter, "OIHW"}})))
    return failure();
  SmallVector<Type> forward;
  if (failed(inferConv2dOp(loc, input, gradFilter, strides, padding, dilations,
                           groups, forward)))
    return failure();
  if (forward[0] != gradOut)
    return emitRuleError(
        loc, "grad_out ", gradOut, " is not the conv2d result ", forward[0],
        " of input ", input, " and a filter of the result type ", gradFilter);
  return success();
}

LogicalResult mlir::loom::inferPool2dOp(RuleLoc loc, RankedTensorType input,
                                        ArrayRef<int64_t> window,
                                        ArrayRef<int64_t> strides,
                                        ArrayRef<int64_t> padding,
                                        SmallVectorImpl<Type> &results) {
  if (input.getRank() != 4)
    return emitRuleError(loc, "input ", input, " must have rank 4 (NCHW)");
  if (failed(checkSize(loc, "window", window, 2, "[h, w]")) ||
      failed(checkSize(loc, "strides", strides, 2, "[h, w]")) ||
      failed(checkSize(loc, "padding", padding, 4,
                       "[top, bottom, left, right]")) ||
      failed(checkAtLeast(loc, "window", window, 1)) ||
      failed(checkAtLeast(loc, "strides", strides, 1)) ||
      failed(checkAtLeast(loc, "padding", padding, 0)))
    return failure();
  SmallVector<int64_t> shape(input.getShape().take_front(2));
  for (int i = 0; i < 2; ++i) {
    if (padding[2 * i] >= window[i] || padding[2 * i + 1] >= window[i])
      return emitRuleError(loc, "padding ", fmt(padding),
                           " must be smaller than window ", fmt(window),
                           " in dimension ", 2 + i);
    int64_t size;
    if (failed(checkedAdd(loc, input.getDimSize(2 + i), padding[2 * i], size,
                          "the padded input")) ||
        failed(checkedAdd(loc, size, padding[2 * i + 1], size,
                          "the padded input")))
      return failure();
    if (window[i] > size)
      return emitRuleError(loc, "window ", fmt(window),
                           " is larger than the padded input ", input, " (",
                           size, ") in dimension ", 2 + i);
    shape.push_back((size - window[i]) / strides[i] + 1);
  }
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult mlir::loom::verifyPool2dBackwardOp(RuleLoc loc, PoolKind kind,
                                                 RankedTensorType gradOut,
                                                 RankedTensorType input,
                                                 RankedTensorType gradInput,
                                                 ArrayRef<int64_t> window,
                                                 ArrayRef<int64_t> strides,
                                                 ArrayRef<int64_t> padding) {
  if (kind == PoolKind::max && !input)
    return emitRuleError(loc, "max needs the forward input as its second "
                              "operand");
  if (kind == PoolKind::avg && input)
    return emitRuleError(loc, "avg takes no input operand, only grad_out");
  if (failed(checkBackwardTypes(
          loc, {{"grad_out", gradOut, "NCHW"}, {"result", gradInput, "NCHW"}})))
    return failure();
  if (input && input != gradInput)
    return emitRuleError(loc, "input ", input, " and result ", gradInput,
                         " must have the same type");
  SmallVector<Type> forward;
  if (failed(inferPool2dOp(loc, gradInput, window, strides, padding, forward)))
    return failure();
  if (forward[0] != gradOut)
    return emitRuleError(loc, "grad_out ", gradOut,
                         " is not the pool2d result ", forward[0],
                         " of an input of the result type ", gradInput);
  return success();
}

//===----------------------------------------------------------------------===//
// Normalization, attention, losses
//===----------------------------------------------------------------------===//

LogicalResult mlir::loom::verifySoftmaxOp(RuleLoc loc, RankedTensorType input,
                                          int64_t dim) {
  return checkDim(loc, "dim", dim, input, "input");
}

LogicalResult mlir::loom::inferLayerNormOp(RuleLoc loc, RankedTensorType input,
                                           RankedTensorType scale,
                                           RankedTensorType bias,
                                           SmallVectorImpl<Type> &results) {
  if (scale != bias)
    return emitRuleError(loc, "scale ", scale, " and bias ", bias,
                         " must have the same type");
  if (failed(checkSameElementType(loc, "input", input, "scale", scale)))
    return failure();
  if (scale.getRank() < 1 || scale.getRank() > input.getRank() ||
      input.getShape().take_back(scale.getRank()) != scale.getShape())
    return emitRuleError(loc, "scale ", scale,
                         " must match the trailing dimensions of input ",
                         input);
  results.push_back(input);
  return success();
}

LogicalResult mlir::loom::inferAttentionOp(RuleLoc loc, RankedTensorType query,
                                           RankedTensorType key,
                                           RankedTensorType value, bool causal,
                                           SmallVectorImpl<Type> &results) {
  if (failed(checkSameElementType(loc, "query", query, "key", key)) ||
      failed(checkSameElementType(loc, "query", query, "value", value)))
    return failure();
  int64_t rank = query.getRank();
  if (rank < 2 || key.getRank() != rank || value.getRank() != rank)
    return emitRuleError(loc, "query ", query, ", key ", key, " and value ",
                         value, " must have one rank of at least 2");
  if (query.getShape().drop_back(2) != key.getShape().drop_back(2) ||
      query.getShape().drop_back(2) != value.getShape().drop_back(2))
    return emitRuleError(loc, "leading dimensions of query ", query, ", key ",
                         key, " and value ", value, " must be equal");
  if (query.getDimSize(rank - 1) != key.getDimSize(rank - 1))
    return emitRuleError(loc, "query ", query, " and key ", key,
                         " must have the same head size D");
  if (key.getDimSize(rank - 2) != value.getDimSize(rank - 2))
    return emitRuleError(loc, "key ", key, " and value ", value,
                         " must have the same sequence length S");
  if (causal && query.getDimSize(rank - 2) != key.getDimSize(rank - 2))
    return emitRuleError(loc,
                         "causal attention needs as many queries as "
                         "keys, but query ",
                         query, " has T = ", query.getDimSize(rank - 2),
                         " and key ", key,
                         " has S = ", key.getDimSize(rank - 2));
  SmallVector<int64_t> shape(query.getShape());
  shape.back() = value.getDimSize(rank - 1);
  results.push_back(RankedTensorType::get(shape, query.getElementType()));
  return success();
}

LogicalResult mlir::loom::inferAttentionWithLseOp(
    RuleLoc loc, RankedTensorType query, RankedTensorType key,
    RankedTensorType value, bool causal, SmallVectorImpl<Type> &results) {
  if (failed(inferAttentionOp(loc, query, key, value, causal, results)))
    return failure();
  results.push_back(RankedTensorType::get(query.getShape().drop_back(),
                                          query.getElementType()));
  return success();
}

LogicalResult mlir::loom::inferAttentionBackwardOp(
    RuleLoc loc, RankedTensorType query, RankedTensorType key,
    RankedTensorType value, RankedTensorType output, RankedTensorType gradOut,
    RankedTensorType lse, bool causal, SmallVectorImpl<Type> &results) {
  SmallVector<Type> forward;
  if (failed(inferAttentionWithLseOp(loc, query, key, value, causal, forward)))
    return failure();
  if (output != forward[0])
    return emitRuleError(loc, "output ", output,
                         " must have the attention's result type ", forward[0]);
  if (gradOut != forward[0])
    return emitRuleError(loc, "grad_out ", gradOut,
                         " must have the attention's result type ", forward[0]);
  if (lse != forward[1])
    return emitRuleError(loc, "lse ", lse, " must have type ", forward[1],
                         " (one per query row)");
  results.push_back(query);
  results.push_back(key);
  results.push_back(value);
  return success();
}

LogicalResult mlir::loom::inferCrossEntropyOp(RuleLoc loc,
                                              LossReduction reduction,
                                              RankedTensorType logits,
                                              RankedTensorType labels,
                                              SmallVectorImpl<Type> &results) {
  if (logits.getRank() < 1)
    return emitRuleError(loc, "logits ", logits,
                         " need a class dimension (rank >= 1)");
  if (labels.getShape() != logits.getShape().drop_back())
    return emitRuleError(loc, "labels ", labels,
                         " must have the shape of logits ", logits,
                         " without its last (class) dimension");
  ArrayRef<int64_t> shape;
  if (reduction == LossReduction::none)
    shape = labels.getShape();
  results.push_back(RankedTensorType::get(shape, logits.getElementType()));
  return success();
}

//===----------------------------------------------------------------------===//
// Constants and collectives
//===----------------------------------------------------------------------===//

LogicalResult mlir::loom::verifyIotaOp(RuleLoc loc, RankedTensorType result,
                                       int64_t dim) {
  return checkDim(loc, "dim", dim, result, "result");
}

LogicalResult mlir::loom::verifyCollectiveGroup(RuleLoc loc,
                                                ArrayRef<StringRef> axes,
                                                int64_t groupSize) {
  if (groupSize < 1)
    return emitRuleError(loc, "group_size ", groupSize, " must be positive");
  if (axes.empty())
    return emitRuleError(loc, "axes must name at least one mesh axis");
  llvm::SmallSet<StringRef, 4> seen;
  for (StringRef axis : axes) {
    if (axis.empty())
      return emitRuleError(loc, "axes has an empty axis name");
    if (!seen.insert(axis).second)
      return emitRuleError(loc, "axes names '", axis, "' twice");
  }
  return success();
}

LogicalResult mlir::loom::inferAllGatherOp(RuleLoc loc, RankedTensorType input,
                                           int64_t groupSize, int64_t dim,
                                           SmallVectorImpl<Type> &results) {
  if (groupSize < 1)
    return emitRuleError(loc, "group_size ", groupSize, " must be positive");
  if (failed(checkDim(loc, "dim", dim, input, "input")))
    return failure();
  SmallVector<int64_t> shape(input.getShape());
  if (failed(checkedMul(loc, shape[dim], groupSize, shape[dim],
                        "the gathered dimension")))
    return failure();
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}

LogicalResult mlir::loom::inferReduceScatterOp(RuleLoc loc,
                                               RankedTensorType input,
                                               int64_t groupSize, int64_t dim,
                                               SmallVectorImpl<Type> &results) {
  if (groupSize < 1)
    return emitRuleError(loc, "group_size ", groupSize, " must be positive");
  if (failed(checkDim(loc, "dim", dim, input, "input")))
    return failure();
  if (input.getDimSize(dim) % groupSize != 0)
    return emitRuleError(loc, "dimension ", dim, " of input ", input, " (",
                         input.getDimSize(dim),
                         ") is not divisible by group_size ", groupSize);
  SmallVector<int64_t> shape(input.getShape());
  shape[dim] /= groupSize;
  results.push_back(RankedTensorType::get(shape, input.getElementType()));
  return success();
}
