//===- LoweringUtils.h - Helpers shared by the linalg lowerings -*- C++ -*-===//
//
// Part of Loom. Builders that every op family's lowering to linalg on tensors
// uses: destination tensors, broadcasting indexing maps, elementwise and
// reduction linalg.generic ops, reshapes, and the compute type rule (bf16 and
// f16 math is done in f32, rounded once at the end of each op, as the
// reference backend rounds each op's exact result).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_CODEGEN_LOWERINGUTILS_H
#define LOOM_BACKENDS_CPU_CODEGEN_LOWERINGUTILS_H

#include "mlir/Dialect/Utils/StructuredOpsUtils.h"
#include "mlir/IR/AffineMap.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "llvm/ADT/STLFunctionalExtras.h"

namespace mlir::loom::cpu {

/// Options every family's patterns see (the pass's options).
struct LoweringOptions {
  /// Emit cf.assert checks of gather/scatter_add indices and labels.
  bool checkIndices = true;
};

/// The body of a linalg.generic: gets the block arguments (inputs, then
/// outputs) and returns the one value to yield.
using BodyFn = llvm::function_ref<Value(OpBuilder &, Location, ValueRange)>;

//===----------------------------------------------------------------------===//
// Element types and scalars
//===----------------------------------------------------------------------===//

/// The type arithmetic on `elementType` is done in: f32 for bf16 and f16,
/// the type itself otherwise.
Type computeType(Type elementType);
/// Extends a bf16/f16 scalar to f32; other values are returned as they are.
Value toCompute(OpBuilder &b, Location loc, Value v);
/// Rounds an f32 scalar to `elementType` when that is bf16/f16.
Value fromCompute(OpBuilder &b, Location loc, Value v, Type elementType);
/// A scalar constant of a float or integer (or index) type.
Value scalarConstant(OpBuilder &b, Location loc, Type type, double value);
Value indexConstant(OpBuilder &b, Location loc, int64_t value);
/// The largest and smallest values of a float (+-inf) or signed integer type:
/// the identities of min and max.
Value lowestValue(OpBuilder &b, Location loc, Type type);
Value highestValue(OpBuilder &b, Location loc, Type type);

//===----------------------------------------------------------------------===//
// Tensors
//===----------------------------------------------------------------------===//

/// `type`'s shape with element type `elementType`.
RankedTensorType withElementType(RankedTensorType type, Type elementType);
/// A tensor.empty of `type`: the destination of a structured op.
Value emptyTensor(OpBuilder &b, Location loc, RankedTensorType type);
/// A tensor.empty of `type` filled (linalg.fill) with the scalar `value`.
Value filledTensor(OpBuilder &b, Location loc, RankedTensorType type,
                   Value value);
/// `value` reshaped to `type` (same element count, row-major order kept):
/// one tensor.collapse_shape or tensor.expand_shape where that suffices,
/// otherwise a collapse to rank 1 and an expand.
Value reshapeTensor(OpBuilder &b, Location loc, Value value,
                    RankedTensorType type);
/// `source` written into `dest` at `offsets` with `strides`
/// (tensor.insert_slice; the sizes are the source's).
Value insertStrided(OpBuilder &b, Location loc, Value source, Value dest,
                    ArrayRef<int64_t> offsets, ArrayRef<int64_t> strides);
/// `value` with `low[d]` elements of `padValue` (in value's element type)
/// before and `high[d]` after dimension d (linalg.fill of the padded tensor
/// and an insert_slice); `value` itself when there is no padding.
Value padTensor(OpBuilder &b, Location loc, Value value, ArrayRef<int64_t> low,
                ArrayRef<int64_t> high, double padValue);
/// Converts every element of `value` to `elementType` with extf/truncf
/// (a no-op when the types agree).
Value convertFloatTensor(OpBuilder &b, Location loc, Value value,
                         Type elementType);
/// `value` with the elements of `from` extended to f32 when `from` is
/// bf16/f16: the tensor a computation in computeType() reads.
Value tensorToCompute(OpBuilder &b, Location loc, Value value);

//===----------------------------------------------------------------------===//
// Indexing maps and linalg.generic
//===----------------------------------------------------------------------===//

/// The map from the loops of a result of shape `resultShape` to the element
/// of an operand of shape `operandShape` that NumPy broadcasting reads there:
/// operand dims align with the trailing result dims, and a size-1 operand
/// dim facing a larger result dim is read at 0.
AffineMap broadcastMap(ArrayRef<int64_t> operandShape,
                       ArrayRef<int64_t> resultShape, MLIRContext *ctx);
/// (d0, ..., d[rank-1]) -> the dims not in `dims` (sorted).
AffineMap dropDimsMap(int64_t rank, ArrayRef<int64_t> dims, MLIRContext *ctx);
/// `shape` without the dims in `dims` (sorted).
SmallVector<int64_t> dropDims(ArrayRef<int64_t> shape, ArrayRef<int64_t> dims);

/// A linalg.generic writing `init` through `outputMap`, reading `inputs`
/// through `inputMaps`, with `iterators`; returns its result.
Value buildGeneric(OpBuilder &b, Location loc, Value init, ValueRange inputs,
                   ArrayRef<AffineMap> inputMaps, AffineMap outputMap,
                   ArrayRef<utils::IteratorType> iterators, BodyFn body);

/// A parallel linalg.generic of result type `resultType` whose inputs are
/// read with NumPy broadcasting; `body` gets the input elements (and the
/// output element, last) and returns the result element.
Value buildElementwise(OpBuilder &b, Location loc, RankedTensorType resultType,
                       ValueRange inputs, BodyFn body);

/// Reduces over `dims` (sorted) of an iteration space of shape `loopShape`:
/// `inputs` are read through `inputMaps`, the result has `loopShape` without
/// `dims` and element type `init`'s, starts at `init` everywhere, and
/// `combine` gets the input elements and the accumulator (last) and returns
/// the new accumulator.
Value buildReduction(OpBuilder &b, Location loc, ArrayRef<int64_t> loopShape,
                     ArrayRef<int64_t> dims, ValueRange inputs,
                     ArrayRef<AffineMap> inputMaps, Value init, BodyFn combine);

//===----------------------------------------------------------------------===//
// Softmax pieces (softmax, log_softmax, cross_entropy, attention)
//===----------------------------------------------------------------------===//

/// The maximum of the float tensor `x` over `dims`, in the compute type
/// (NaN wins; -inf over an empty range).
Value maxOver(OpBuilder &b, Location loc, Value x, ArrayRef<int64_t> dims);
/// sum(exp(x - m)) over `dims` in the compute type, with `m` the maxOver()
/// of x over `dims`.
Value sumExpOver(OpBuilder &b, Location loc, Value x, Value m,
                 ArrayRef<int64_t> dims);

//===----------------------------------------------------------------------===//
// Windows (convolution and pooling adjoints)
//===----------------------------------------------------------------------===//

/// The geometry of a 2-D window op along its spatial dims (h, w): input
/// size, window size, stride, leading padding, dilation.
struct WindowGeometry {
  int64_t input[2], window[2], stride[2], pad[2], dilation[2];
};

/// For the adjoint of a window op as a gather: `grad` (N, C, HO, WO) spread
/// into a tensor Z (N, C, H + d(K-1), W + d(K-1)) filled with `fill`, with
/// grad[n, c, oy, ox] at row oy*s - p + d(K-1) (likewise columns) when that
/// lies inside Z. Input position iy then receives window element ky of
/// output oy exactly when Z[iy + d(K-1) - d*ky] holds grad[oy], so the
/// adjoint is a linalg.generic reading Z through that affine map; rows that
/// reach no input position are left out, as the reference skips them.
Value spreadForAdjoint(OpBuilder &b, Location loc, Value grad, Value fill,
                       const WindowGeometry &g);

//===----------------------------------------------------------------------===//
// Indices
//===----------------------------------------------------------------------===//

/// The row-major flat index of the current linalg.generic iteration over a
/// space of shape `shape`, as an i64 (from linalg.index).
Value flatIterationIndex(OpBuilder &b, Location loc, ArrayRef<int64_t> shape);
/// An integer scalar `v` (i32/i64) as an index clamped into [0, bound), so
/// that a tensor.extract at it never leaves the tensor.
Value clampedIndex(OpBuilder &b, Location loc, Value v, int64_t bound);
/// Emits a run-time check that every element of the integer tensor `indices`
/// lies in [0, bound): a reduction to one i1 and a cf.assert with `message`.
void emitIndexCheck(OpBuilder &b, Location loc, Value indices, int64_t bound,
                    StringRef message);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_CODEGEN_LOWERINGUTILS_H
