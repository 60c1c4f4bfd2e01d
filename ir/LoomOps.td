//===- LoomOps.td - Ops of the loom dialect ----------------*- tablegen -*-===//
//
// Part of Loom. Every op of the dialect, in a fixed order that every file
// touching ops follows (verifiers, gradients, kernels, lowerings, tests):
//
//   elementwise unary, elementwise binary, compare/select/cast,
//   data movement (broadcast .. scatter_add), reduce, contractions
//   (matmul, conv2d and its backward ops), pool2d and its backward op,
//   normalization and attention, losses, dropout, constant/iota,
//   collectives.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_OPS_TD
#define LOOM_OPS_TD

include "ir/LoomDialect.td"
include "ir/LoomAttrs.td"
include "ir/LoomTypes.td"
include "ir/LoomInterfaces.td"
include "ir/LoomRecipe.td"
include "mlir/IR/CommonAttrConstraints.td"
include "mlir/Interfaces/InferTypeOpInterface.td"
include "mlir/Interfaces/SideEffectInterfaces.td"

//===----------------------------------------------------------------------===//
// Elementwise unary ops
//===----------------------------------------------------------------------===//

class Loom_UnaryOp<string mnemonic, Type type, string math,
                   list<Trait> traits = [], string postOp = "">
    : Loom_Op<mnemonic, !listconcat(traits,
        [Pure, Elementwise, SameOperandsAndResultType,
         DeclareOpInterfaceMethods<InferTypeOpInterface>, Loom_Differentiable,
         Loom_FusionOpInterface])> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl #
                              Loom_PostOp<postOp>.decl;
  let summary = "elementwise " # math;
  let description = [{
    Computes `}] # math # [{` of every element. The result has the operand's
    type.

    Example:

    ```mlir
    %y = loom.}] # mnemonic # [{ %x : tensor<4x8xf32>
    ```
  }];
  let arguments = (ins type:$operand);
  let results = (outs type:$result);
  let assemblyFormat = "$operand attr-dict `:` type($result)";
}

def Loom_NegOp : Loom_UnaryOp<"neg", Loom_NumericTensor, "-x"> {
  let hasFolder = 1;
}
def Loom_AbsOp : Loom_UnaryOp<"abs", Loom_NumericTensor, "|x|">;
def Loom_SignOp : Loom_UnaryOp<"sign", Loom_NumericTensor,
    "sign(x) (-1, 0 or 1; 0 for a zero of either sign, NaN for NaN)">;
def Loom_ExpOp : Loom_UnaryOp<"exp", Loom_FloatTensor, "e^x">;
def Loom_LogOp : Loom_UnaryOp<"log", Loom_FloatTensor, "ln(x)">;
def Loom_SqrtOp : Loom_UnaryOp<"sqrt", Loom_FloatTensor, "sqrt(x)">;
def Loom_RsqrtOp : Loom_UnaryOp<"rsqrt", Loom_FloatTensor, "1/sqrt(x)">;
def Loom_TanhOp : Loom_UnaryOp<"tanh", Loom_FloatTensor, "tanh(x)",
    [], "tanh">;
def Loom_CosOp : Loom_UnaryOp<"cos", Loom_FloatTensor, "cos(x)">;
def Loom_SinOp : Loom_UnaryOp<"sin", Loom_FloatTensor, "sin(x)">;
def Loom_SigmoidOp : Loom_UnaryOp<"sigmoid", Loom_FloatTensor, "1/(1+e^-x)",
    [], "sigmoid">;
def Loom_ReluOp : Loom_UnaryOp<"relu", Loom_NumericTensor, "max(x, 0)",
    [], "relu">;
def Loom_ErfOp : Loom_UnaryOp<"erf", Loom_FloatTensor, "the error function erf(x)">;

def Loom_GeluOp : Loom_Op<"gelu", [Loom_FusionOpInterface, Pure, Elementwise, SameOperandsAndResultType,
                                   DeclareOpInterfaceMethods<InferTypeOpInterface>, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl # [{
    ::llvm::StringRef getPostOp() {
      return getApproximate() ? "gelu_tanh" : "gelu_erf";
    }
  }];
  let summary = "elementwise GELU activation";
  let description = [{
    The Gaussian error linear unit, `x * Phi(x)` with `Phi` the standard normal
    CDF, computed exactly as `0.5 * x * (1 + erf(x / sqrt(2)))`. With the
    `approximate` flag it uses the tanh form of GPT-2,
    `0.5 * x * (1 + tanh(sqrt(2/pi) * (x + 0.044715 * x^3)))`.

    Example:

    ```mlir
    %y = loom.gelu %x approximate : tensor<8x3072xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$operand, UnitAttr:$approximate);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$operand (`approximate` $approximate^)? attr-dict `:` type($result)";
}

//===----------------------------------------------------------------------===//
// Elementwise binary ops (NumPy broadcasting)
//
// Broadcasting ops do not carry MLIR's `Elementwise` trait, whose verifier
// requires operands of one shape; only the unary ops and cast do.
//===----------------------------------------------------------------------===//

class Loom_BinaryOp<string mnemonic, Type type, string math,
                    list<Trait> traits = [], string postOp = "">
    : Loom_Op<mnemonic, !listconcat(traits,
        [Pure, InferTypeOpAdaptor, Loom_Differentiable,
         Loom_FusionOpInterface])> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl #
                              Loom_PostOp<postOp>.decl;
  let summary = "elementwise " # math # " with broadcasting";
  let description = [{
    Computes `}] # math # [{` elementwise. The
    operands must have the same element type; their shapes are broadcast as
    NumPy does (aligned at the trailing dimension; each pair of dimensions
    equal or one of them 1), which gives the result shape. When all types
    agree the assembly form prints one type.

    Example:

    ```mlir
    %z = loom.}] # mnemonic # [{ %x, %y : tensor<4x8xf32>
    %w = loom.}] # mnemonic # [{ %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins type:$lhs, type:$rhs);
  let results = (outs type:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs attr-dict `:` custom<LoomTypes>(type($lhs), type($rhs), type($result))
  }];
  // Shared shape rule: ShapeInference.cpp inferBinaryElementwiseOp().
  let extraClassDefinition = [{
    ::llvm::LogicalResult $cppClass::inferReturnTypes(::mlir::MLIRContext *,
        std::optional<::mlir::Location> loc, Adaptor adaptor,
        ::llvm::SmallVectorImpl<::mlir::Type> &results) {
      return ::mlir::loom::inferBinaryElementwiseOp(
          {loc, getOperationName()}, adaptor.getLhs(), adaptor.getRhs(), results);
    }
  }];
}

def Loom_AddOp : Loom_BinaryOp<"add", Loom_NumericTensor, "lhs + rhs", [Commutative],
    "add"> {
  let hasFolder = 1;
  let hasCanonicalizer = 1;
}
def Loom_SubOp : Loom_BinaryOp<"sub", Loom_NumericTensor, "lhs - rhs", [], "sub"> {
  let hasFolder = 1;
}
def Loom_MulOp : Loom_BinaryOp<"mul", Loom_NumericTensor, "lhs * rhs", [Commutative],
    "mul"> {
  let hasFolder = 1;
}
def Loom_DivOp : Loom_BinaryOp<"div", Loom_NumericTensor,
    "lhs / rhs (integers round toward zero)", [], "div"> {
  let hasFolder = 1;
}
def Loom_MaxOp : Loom_BinaryOp<"max", Loom_NumericTensor,
    "max(lhs, rhs) (NaN if either is NaN)", [Commutative]>;
def Loom_MinOp : Loom_BinaryOp<"min", Loom_NumericTensor,
    "min(lhs, rhs) (NaN if either is NaN)", [Commutative]>;
def Loom_PowOp : Loom_BinaryOp<"pow", Loom_FloatTensor, "lhs ^ rhs">;

//===----------------------------------------------------------------------===//
// Compare, select, cast
//===----------------------------------------------------------------------===//

def Loom_CompareOp : Loom_Op<"compare", [Loom_FusionOpInterface, Pure, InferTypeOpAdaptor]> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl;
  let summary = "elementwise comparison with broadcasting";
  let description = [{
    Compares two tensors of the same element type elementwise with the given
    predicate (`eq`, `ne`, `lt`, `le`, `gt`, `ge`) and yields an `i1` tensor of
    their broadcast shape. Floating-point comparisons are ordered: any
    comparison with NaN is false, except `ne`, which is true.

    Example:

    ```mlir
    %m = loom.compare gt, %x, %zero : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xi1>
    ```
  }];
  let arguments = (ins Loom_ComparePredicate:$predicate, Loom_Tensor:$lhs, Loom_Tensor:$rhs);
  let results = (outs Loom_BoolTensor:$result);
  let assemblyFormat = [{
    $predicate `,` $lhs `,` $rhs attr-dict `:` functional-type(operands, results)
  }];
}

def Loom_SelectOp : Loom_Op<"select", [Loom_FusionOpInterface, Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl;
  let summary = "elementwise choice with broadcasting";
  let description = [{
    Yields `on_true` where `condition` is true and `on_false` elsewhere. The
    three operands broadcast together; `on_true` and `on_false` have the same
    element type, which is the result's.

    Example:

    ```mlir
    %y = loom.select %m, %x, %zero : (tensor<4x8xi1>, tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Loom_BoolTensor:$condition, Loom_Tensor:$on_true, Loom_Tensor:$on_false);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = [{
    $condition `,` $on_true `,` $on_false attr-dict `:`
    custom<LoomTypes>(type($condition), type($on_true), type($on_false), type($result))
  }];
}

def Loom_CastOp : Loom_Op<"cast", [Loom_FusionOpInterface, Pure, Elementwise, SameOperandsAndResultShape, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl;
  let summary = "elementwise element-type conversion";
  let description = [{
    Converts every element to the result's element type, keeping the shape.
    Float to float rounds to nearest even; float to integer truncates toward
    zero and saturates; integer to float rounds to nearest; to `i1` compares
    with zero; from `i1` gives 0 or 1.

    Example:

    ```mlir
    %h = loom.cast %x : tensor<4x8xf32> to tensor<4x8xbf16>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasFolder = 1;
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

def Loom_BroadcastOp : Loom_Op<"broadcast", [Loom_FusionOpInterface, Pure, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl;
  let summary = "explicit NumPy-style broadcast";
  let description = [{
    Broadcasts `input` to the result's shape with NumPy's rule: the input's
    dimensions are aligned with the result's trailing dimensions, and each is
    either equal to the result's or 1. The element type is kept. The result
    type is the op's specification.

    Example:

    ```mlir
    %b = loom.broadcast %bias : tensor<768xf32> to tensor<8x256x768xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Loom_ReshapeOp : Loom_Op<"reshape", [Loom_FusionOpInterface, Pure, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"data_movement">.decl;
  let summary = "reshape keeping the row-major element order";
  let description = [{
    Reinterprets `input` with the result's shape, which must hold the same
    number of elements of the same type. Elements keep their row-major order.

    Example:

    ```mlir
    %r = loom.reshape %x : tensor<8x256x768xf32> to tensor<2048x768xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input attr-dict `:` type($input) `to` type($result)";
  let hasVerifier = 1;
  let hasFolder = 1;
}

def Loom_TransposeOp : Loom_Op<"transpose", [Loom_FusionOpInterface, Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"data_movement">.decl;
  let summary = "permutes dimensions";
  let description = [{
    Permutes the dimensions of `input`: result dimension `i` is input
    dimension `perm[i]`. `perm` is a permutation of `[0, rank)`.

    Example:

    ```mlir
    %t = loom.transpose %x, [0, 2, 1, 3] : tensor<8x256x12x64xf32> -> tensor<8x12x256x64xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, DenseI64ArrayAttr:$perm);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$input `,` $perm attr-dict `:` type($input) `->` type($result)";
  let hasFolder = 1;
}

def Loom_SliceOp : Loom_Op<"slice", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "static strided slice";
  let description = [{
    Takes, in every dimension `d`, the elements at `start[d]`,
    `start[d] + stride[d]`, ... below `limit[d]`, so the result dimension is
    `ceil((limit[d] - start[d]) / stride[d])`. Bounds satisfy
    `0 <= start[d] <= limit[d] <= dim[d]` and strides are positive.

    Example:

    ```mlir
    %p = loom.slice %wpe start [0, 0] limit [64, 768] stride [1, 1] : tensor<1024x768xf32> -> tensor<64x768xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$input, DenseI64ArrayAttr:$start,
                       DenseI64ArrayAttr:$limit, DenseI64ArrayAttr:$stride);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = [{
    $input `start` $start `limit` $limit `stride` $stride attr-dict `:` type($input) `->` type($result)
  }];
  let hasFolder = 1;
}

def Loom_ConcatOp : Loom_Op<"concat", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "concatenation along one dimension";
  let description = [{
    Joins one or more tensors of the same rank and element type along `dim`;
    all other dimensions must agree.

    Example:

    ```mlir
    %c = loom.concat %a, %b dim 1 : (tensor<4x3xf32>, tensor<4x5xf32>) -> tensor<4x8xf32>
    ```
  }];
  let arguments = (ins Variadic<Loom_Tensor>:$inputs, I64Attr:$dim);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "$inputs `dim` $dim attr-dict `:` functional-type($inputs, results)";
  let hasFolder = 1;
}

def Loom_GatherOp : Loom_Op<"gather", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "takes slices of a table at integer indices";
  let description = [{
    NumPy's `take`: the result is `table` with dimension `axis` replaced by the
    shape of `indices`, i.e. of shape
    `table.shape[:axis] + indices.shape + table.shape[axis+1:]`, where
    `result[p, i, q] = table[p, indices[i], q]`. An embedding lookup is a
    gather along axis 0. Every index must lie in `[0, table.shape[axis])`;
    backends report an index outside that range as a runtime error.

    Example:

    ```mlir
    %e = loom.gather %wte[%tokens] axis 0 : (tensor<50257x768xf32>, tensor<8x64xi32>) -> tensor<8x64x768xf32>
    ```
  }];
  let arguments = (ins Loom_Tensor:$table, Loom_IntTensor:$indices, I64Attr:$axis);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = [{
    $table `[` $indices `]` `axis` $axis attr-dict `:` functional-type(operands, results)
  }];
}

def Loom_ScatterAddOp : Loom_Op<"scatter_add", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "adds slices into a tensor at integer indices";
  let description = [{
    The adjoint of `loom.gather`: starts from `dest` and, for every index
    position `i`, adds `updates[p, i, q]` into `dest[p, indices[i], q]`;
    repeated indices accumulate. `updates` has the shape
    `dest.shape[:axis] + indices.shape + dest.shape[axis+1:]`; the result has
    the type of `dest`. Indices outside `[0, dest.shape[axis])` are a runtime
    error.

    Example:

    ```mlir
    %g = loom.scatter_add %zeros[%tokens], %dy axis 0 : (tensor<50257x768xf32>, tensor<8x64xi32>, tensor<8x64x768xf32>) -> tensor<50257x768xf32>
    ```
  }];
  let arguments = (ins Loom_NumericTensor:$dest, Loom_IntTensor:$indices,
                       Loom_NumericTensor:$updates, I64Attr:$axis);
  let results = (outs Loom_NumericTensor:$result);
  let assemblyFormat = [{
    $dest `[` $indices `]` `,` $updates `axis` $axis attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

def Loom_ReduceOp : Loom_Op<"reduce", [Loom_FusionOpInterface, Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"reduction">.decl;
  let summary = "reduction over a set of dimensions";
  let description = [{
    Combines the elements of `input` over the dimensions `dims` with `sum`,
    `max`, `min` or `mean` (`mean` needs a floating-point input). `dims` are
    distinct and in `[0, rank)`; they are removed from the shape, or kept with
    size 1 when `keep_dims` is set. Reducing no dimensions is the identity.

    Example:

    ```mlir
    %s = loom.reduce sum %x dims [0, 1] : tensor<8x256x768xf32> -> tensor<768xf32>
    %m = loom.reduce max %x dims [2] keep_dims : tensor<8x256x768xf32> -> tensor<8x256x1xf32>
    ```
  }];
  let arguments = (ins Loom_ReduceKind:$kind, Loom_NumericTensor:$input,
                       DenseI64ArrayAttr:$dims, UnitAttr:$keep_dims);
  let results = (outs Loom_NumericTensor:$result);
  let assemblyFormat = [{
    $kind $input `dims` $dims (`keep_dims` $keep_dims^)? attr-dict `:` type($input) `->` type($result)
  }];
}

//===----------------------------------------------------------------------===//
// Contractions
//===----------------------------------------------------------------------===//

def Loom_MatmulOp : Loom_Op<"matmul", [Loom_FusionOpInterface, Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let extraClassDeclaration = Loom_FusesAs<"contraction">.decl # [{
    bool acceptsPostOps() { return true; }
  }];
  let summary = "batched matrix product";
  let description = [{
    Multiplies the matrices held in the last two dimensions of `lhs`
    (`[..., M, K]`) and `rhs` (`[..., K, N]`), giving `[..., M, N]`. The
    leading (batch) dimensions broadcast as NumPy does, so a rank-2 weight
    multiplies every matrix of a rank-3 activation. `transpose_lhs` and
    `transpose_rhs` read an operand's last two dimensions swapped (a weight
    stored `[N, K]`), which backends use to pick the fastest layout. Both
    operands have rank at least 2 and the same element type.

    Example:

    ```mlir
    %y = loom.matmul %x, %w transpose_rhs : (tensor<8x256x768xf32>, tensor<3072x768xf32>) -> tensor<8x256x3072xf32>
    ```
  }];
  let arguments = (ins Loom_NumericTensor:$lhs, Loom_NumericTensor:$rhs,
                       UnitAttr:$transpose_lhs, UnitAttr:$transpose_rhs);
  let results = (outs Loom_NumericTensor:$result);
  let assemblyFormat = [{
    $lhs `,` $rhs (`transpose_lhs` $transpose_lhs^)? (`transpose_rhs` $transpose_rhs^)?
    attr-dict `:` functional-type(operands, results)
  }];
}

def Loom_Conv2dOp : Loom_Op<"conv2d", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "2-D convolution (NCHW input, OIHW filter)";
  let description = [{
    Cross-correlates `input` `[N, C, H, W]` with `filter` `[O, C/groups, KH, KW]`
    giving `[N, O, HO, WO]` where
    `HO = (H + pad_top + pad_bottom - dilation_h * (KH - 1) - 1) / stride_h + 1`
    (likewise `WO`). `padding` is `[top, bottom, left, right]` of zeros;
    `strides` and `dilations` are `[h, w]` and positive; `groups` divides both
    `C` and `O`. Bias is a separate `loom.add`.

    Example:

    ```mlir
    %y = loom.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x3x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x16x32x32xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, Loom_FloatTensor:$filter,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input `,` $filter attr-dict `:` functional-type(operands, results)";
}

def Loom_Conv2dBackwardInputOp : Loom_Op<"conv2d_backward_input",
    [Pure, Loom_Differentiable]> {
  let summary = "gradient of loom.conv2d with respect to its input";
  let description = [{
    Given `grad_out` `[N, O, HO, WO]`, the adjoint of a `loom.conv2d` result,
    and that convolution's `filter` `[O, C/groups, KH, KW]`, yields the
    adjoint of its input: the transposed convolution
    `grad_input[n, c, iy, ix] = sum grad_out[n, o, oy, ox] * filter[o, c', ky, kx]`
    over every `(o, oy, ox, ky, kx)` with `iy = oy * stride_h - pad_top +
    ky * dilation_h` (likewise `ix`) and `o` in `c`'s group. The attributes
    mean what they mean on `loom.conv2d`. The result type, that of the forward
    input, is the op's specification (with strides above 1 several input
    sizes give the same `HO`): a `loom.conv2d` of it with `filter` must give
    `grad_out`'s type. Input positions no window reads get zero.

    The operands are those of oneDNN's `convolution_backward_data` (`diff_dst`,
    `weights` -> `diff_src`, whose descriptor comes from the result type) and
    of XLA's transposed-convolution lowering; the forward input is not needed.

    Example:

    ```mlir
    %dx = loom.conv2d_backward_input %dy, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x16x32x32xf32>, tensor<16x3x3x3xf32>) -> tensor<8x3x32x32xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$grad_out, Loom_FloatTensor:$filter,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Loom_FloatTensor:$grad_input);
  let assemblyFormat = "$grad_out `,` $filter attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Loom_Conv2dBackwardFilterOp : Loom_Op<"conv2d_backward_filter",
    [Pure, Loom_Differentiable]> {
  let summary = "gradient of loom.conv2d with respect to its filter";
  let description = [{
    Given the forward `input` `[N, C, H, W]` of a `loom.conv2d` and `grad_out`
    `[N, O, HO, WO]`, the adjoint of its result, yields the adjoint of its
    filter:
    `grad_filter[o, c', ky, kx] = sum input[n, c, iy, ix] * grad_out[n, o, oy, ox]`
    over `(n, oy, ox)`, with `c` channel `c'` of `o`'s group and `iy`, `ix` as
    in the forward (padded positions contribute zero). The attributes mean
    what they mean on `loom.conv2d`. The result type, that of the filter, is
    the op's specification: a `loom.conv2d` of `input` with it must give
    `grad_out`'s type.

    The operands are those of oneDNN's `convolution_backward_weights` (`src`,
    `diff_dst` -> `diff_weights`; a bias gradient is a separate
    `loom.reduce sum` of `grad_out`).

    Example:

    ```mlir
    %dw = loom.conv2d_backward_filter %x, %dy {padding = array<i64: 1, 1, 1, 1>} : (tensor<8x3x32x32xf32>, tensor<8x16x32x32xf32>) -> tensor<16x3x3x3xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, Loom_FloatTensor:$grad_out,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      DefaultValuedAttr<DenseI64ArrayAttr, "{1, 1}">:$dilations,
      DefaultValuedAttr<I64Attr, "1">:$groups);
  let results = (outs Loom_FloatTensor:$grad_filter);
  let assemblyFormat = "$input `,` $grad_out attr-dict `:` functional-type(operands, results)";
  let hasVerifier = 1;
}

def Loom_Pool2dOp : Loom_Op<"pool2d", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "2-D max or average pooling (NCHW)";
  let description = [{
    Pools `input` `[N, C, H, W]` over `window` `[KH, KW]` windows moved by
    `strides` `[h, w]`, with `padding` `[top, bottom, left, right]`, giving
    `[N, C, HO, WO]` with `HO = (H + pad_top + pad_bottom - KH) / stride_h + 1`.
    Padded positions never win a `max`; for `avg` they are left out of the
    divisor unless `count_include_pad` is set. Padding on a side is smaller
    than the window.

    Example:

    ```mlir
    %p = loom.pool2d max %x window [2, 2] strides [2, 2] : tensor<8x16x32x32xf32> -> tensor<8x16x16x16xf32>
    ```
  }];
  let arguments = (ins Loom_PoolKind:$kind, Loom_FloatTensor:$input,
      DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      UnitAttr:$count_include_pad);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = [{
    $kind $input `window` $window `strides` $strides attr-dict `:` type($input) `->` type($result)
  }];
}

def Loom_Pool2dBackwardOp : Loom_Op<"pool2d_backward", [Pure]> {
  let summary = "gradient of loom.pool2d with respect to its input";
  let description = [{
    Given `grad_out` `[N, C, HO, WO]`, the adjoint of a `loom.pool2d` result,
    yields the adjoint of its input `[N, C, H, W]`; `kind`, `window`,
    `strides`, `padding` and `count_include_pad` are the forward's.

    * `max` takes the forward `input` as a second operand and routes each
      `grad_out` element to the position its window's maximum came from,
      recomputed from `input` with the forward's rule: padded positions never
      win, and of equal values the first in row-major window order wins (as
      PyTorch does). Overlapping windows add up.
    * `avg` takes no input: each `grad_out` element is shared evenly by the
      in-bounds positions of its window, divided by the forward's divisor
      (the in-bounds count, or the window size under `count_include_pad`).

    The result type, that of the forward input, is the op's specification: a
    `loom.pool2d` of it must give `grad_out`'s type; for `max` it is also
    `input`'s type.

    The operands follow oneDNN's `pooling_backward`: `avg` needs only
    `diff_dst`; `max` needs the forward's workspace, which a lowering gets by
    running `pooling_forward` (`forward_training`) on `input`, or from the
    forward itself when it lowers the pair together. Not keeping the input
    alive for `avg` lets the memory planner free it after the forward.

    Example:

    ```mlir
    %dx = loom.pool2d_backward max %dy, %x window [2, 2] strides [2, 2] : (tensor<8x16x16x16xf32>, tensor<8x16x32x32xf32>) -> tensor<8x16x32x32xf32>
    %da = loom.pool2d_backward avg %dy window [2, 2] strides [2, 2] : (tensor<8x16x16x16xf32>) -> tensor<8x16x32x32xf32>
    ```
  }];
  let arguments = (ins Loom_PoolKind:$kind, Loom_FloatTensor:$grad_out,
      Optional<Loom_FloatTensor>:$input,
      DenseI64ArrayAttr:$window, DenseI64ArrayAttr:$strides,
      DefaultValuedAttr<DenseI64ArrayAttr, "{0, 0, 0, 0}">:$padding,
      UnitAttr:$count_include_pad);
  let results = (outs Loom_FloatTensor:$grad_input);
  let assemblyFormat = [{
    $kind $grad_out (`,` $input^)? `window` $window `strides` $strides attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Normalization and attention
//===----------------------------------------------------------------------===//

def Loom_SoftmaxOp : Loom_Op<"softmax", [Pure, SameOperandsAndResultType,
                                        DeclareOpInterfaceMethods<InferTypeOpInterface>, Loom_Differentiable]> {
  let summary = "softmax along one dimension";
  let description = [{
    `exp(x - max) / sum(exp(x - max))` along `dim`, computed stably.

    Example:

    ```mlir
    %p = loom.softmax %logits dim 1 : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, I64Attr:$dim);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input `dim` $dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Loom_LogSoftmaxOp : Loom_Op<"log_softmax", [Pure, SameOperandsAndResultType,
                                        DeclareOpInterfaceMethods<InferTypeOpInterface>, Loom_Differentiable]> {
  let summary = "log-softmax along one dimension";
  let description = [{
    `x - max - log(sum(exp(x - max)))` along `dim`, computed stably.

    Example:

    ```mlir
    %lp = loom.log_softmax %logits dim 1 : tensor<8x10xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, I64Attr:$dim);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = "$input `dim` $dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

def Loom_LayerNormOp : Loom_Op<"layer_norm", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "layer normalization over the trailing dimensions";
  let description = [{
    Normalizes `input` over its trailing dimensions, those that `scale` and
    `bias` have: `(x - mean) / sqrt(var + epsilon) * scale + bias`, with the
    biased variance (PyTorch's `layer_norm`). `scale` and `bias` have the same
    type, equal to the trailing part of `input`'s shape, and rank at least 1.

    Example:

    ```mlir
    %y = loom.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64} : (tensor<8x256x768xf32>, tensor<768xf32>, tensor<768xf32>) -> tensor<8x256x768xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, Loom_FloatTensor:$scale,
      Loom_FloatTensor:$bias, DefaultValuedAttr<F64Attr, "1e-5">:$epsilon);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $scale `,` $bias attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_AttentionOp : Loom_Op<"attention", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "scaled dot-product attention, kept whole";
  let description = [{
    `softmax(query @ key^T * scale + mask) @ value` with `query` `[..., T, D]`,
    `key` `[..., S, D]` and `value` `[..., S, DV]`, giving `[..., T, DV]`. The
    leading (batch, head) dimensions of the three operands are equal. `scale`
    defaults to `1/sqrt(D)`. With `causal`, query `t` attends only to keys
    `s <= t`, which needs `T == S`. Kept as one op so that backends can use a
    fused kernel; the decomposition is the semantics.

    Example:

    ```mlir
    %o = loom.attention %q, %k, %v causal : (tensor<8x12x256x64xf32>, tensor<8x12x256x64xf32>, tensor<8x12x256x64xf32>) -> tensor<8x12x256x64xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$query, Loom_FloatTensor:$key,
      Loom_FloatTensor:$value, UnitAttr:$causal, OptionalAttr<F64Attr>:$scale);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`causal` $causal^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_AttentionWithLseOp : Loom_Op<"attention_with_lse", [Pure, InferTypeOpAdaptor]> {
  let summary = "scaled dot-product attention and its row log-sum-exp";
  let description = [{
    `loom.attention` (same operands, `causal` and `scale`) that also returns,
    for every query row, `lse = log(sum_s exp(q k^T * scale + mask))`
    `[..., T]`: the one number per row from which `loom.attention_backward`
    recomputes the probabilities `P = exp(q k^T * scale + mask - lse)`
    without keeping them. The gradient rule of `loom.attention` builds it;
    a backend that keeps no probabilities (the CPU's flash kernel) computes
    the forward this way, so that CSE shares it with the gradient's.

    Example:

    ```mlir
    %o, %lse = loom.attention_with_lse %q, %k, %v causal : (tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>) -> (tensor<8x6x256x64xf32>, tensor<8x6x256xf32>)
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$query, Loom_FloatTensor:$key,
      Loom_FloatTensor:$value, UnitAttr:$causal, OptionalAttr<F64Attr>:$scale);
  let results = (outs Loom_FloatTensor:$output, Loom_FloatTensor:$lse);
  let assemblyFormat = [{
    $query `,` $key `,` $value (`causal` $causal^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

def Loom_AttentionBackwardOp : Loom_Op<"attention_backward", [Pure, InferTypeOpAdaptor]> {
  let summary = "the gradient of loom.attention from its row log-sum-exp";
  let description = [{
    With `output` and `lse` from `loom.attention_with_lse` of `query`,
    `key`, `value` (same `causal` and `scale`) and `grad_out` the adjoint of
    `output`: `P = exp(q k^T * scale + mask - lse)` (0 where masked),
    `dV = P^T dO`, `dP = dO V^T`, `dS = P * (dP - D)` with
    `D = rowsum(dO * O)`, `dQ = dS K * scale`, `dK = dS^T Q * scale`
    (FlashAttention-2's backward). The results have the types of `query`,
    `key` and `value`.

    Example:

    ```mlir
    %dq, %dk, %dv = loom.attention_backward %q, %k, %v, %o, %do, %lse causal : (tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256xf32>) -> (tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>, tensor<8x6x256x64xf32>)
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$query, Loom_FloatTensor:$key,
      Loom_FloatTensor:$value, Loom_FloatTensor:$output,
      Loom_FloatTensor:$grad_out, Loom_FloatTensor:$lse, UnitAttr:$causal,
      OptionalAttr<F64Attr>:$scale);
  let results = (outs Loom_FloatTensor:$grad_query, Loom_FloatTensor:$grad_key,
      Loom_FloatTensor:$grad_value);
  let assemblyFormat = [{
    $query `,` $key `,` $value `,` $output `,` $grad_out `,` $lse (`causal` $causal^)? attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Losses
//===----------------------------------------------------------------------===//

def Loom_CrossEntropyOp : Loom_Op<"cross_entropy", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "softmax cross-entropy with integer class labels";
  let description = [{
    For `logits` `[..., C]` and `labels` `[...]` holding class indices in
    `[0, C)`, the per-example loss is `logsumexp(logits) - logits[label]`.
    `reduction` is `none` (result `[...]`), `sum` or `mean` (a rank-0 result).
    The result has the logits' element type. A label outside `[0, C)` is a
    runtime error.

    Example:

    ```mlir
    %l = loom.cross_entropy mean %logits, %labels : (tensor<8x256x256xf32>, tensor<8x256xi32>) -> tensor<f32>
    ```
  }];
  let arguments = (ins Loom_LossReduction:$reduction, Loom_FloatTensor:$logits,
                       Loom_IntTensor:$labels);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = [{
    $reduction $logits `,` $labels attr-dict `:` functional-type(operands, results)
  }];
}

//===----------------------------------------------------------------------===//
// Randomness
//===----------------------------------------------------------------------===//

def Loom_DropoutOp : Loom_Op<"dropout", [Pure, InferTypeOpAdaptor, Loom_Differentiable]> {
  let summary = "inverted dropout with a counter-based random stream";
  let description = [{
    Zeroes each element with probability `rate` and scales the others by
    `1 / (1 - rate)`. The mask is a pure function of `key` (a `tensor<2xi64>`
    holding the run's seed and the step), `stream` (unique per dropout op in a
    program) and the element's index, drawn with Philox-4x32-10, so the same
    mask is regenerated by the backward pass and on any number of ranks.
    `rate` lies in `[0, 1)`.

    Example:

    ```mlir
    %y = loom.dropout %x, %key rate 1.000000e-01 stream 3 : (tensor<8x256x768xf32>, tensor<2xi64>) -> tensor<8x256x768xf32>
    ```
  }];
  let arguments = (ins Loom_FloatTensor:$input, Loom_RngKeyTensor:$key,
                       F64Attr:$rate, I64Attr:$stream);
  let results = (outs Loom_FloatTensor:$result);
  let assemblyFormat = [{
    $input `,` $key `rate` $rate `stream` $stream attr-dict `:` functional-type(operands, results)
  }];
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Constants
//===----------------------------------------------------------------------===//

def Loom_ConstantOp : Loom_Op<"constant", [ConstantLike, Pure, InferTypeOpAdaptor]> {
  let summary = "a constant tensor";
  let description = [{
    A tensor given by a dense elements attribute, whose type is the result's.

    Example:

    ```mlir
    %c = loom.constant dense<0.0> : tensor<768xf32>
    ```
  }];
  let arguments = (ins ElementsAttr:$value);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = "attr-dict $value";
  let hasFolder = 1;
}

def Loom_IotaOp : Loom_Op<"iota", [Loom_FusionOpInterface, Pure]> {
  let extraClassDeclaration = Loom_FusesAs<"elementwise">.decl;
  let summary = "indices along one dimension";
  let description = [{
    A tensor whose element at index `(i0, ..., in)` is `i_dim`, converted to
    the result's element type (integer or floating-point). Used for position
    ids and masks. It fuses as an elementwise op of no operands: the
    elementwise ops that read it compute it in their loop nest instead of
    reading it (cross-entropy's gradient compares it with the labels over
    the whole `[B, T, vocab]` logits).

    Example:

    ```mlir
    %pos = loom.iota dim 0 : tensor<256xi32>
    ```
  }];
  let arguments = (ins I64Attr:$dim);
  let results = (outs Loom_NumericTensor:$result);
  let assemblyFormat = "`dim` $dim attr-dict `:` type($result)";
  let hasVerifier = 1;
}

//===----------------------------------------------------------------------===//
// Collectives
//===----------------------------------------------------------------------===//

class Loom_CollectiveOp<string mnemonic, list<Trait> traits = []>
    : Loom_Op<mnemonic, !listconcat(traits, [InferTypeOpAdaptor])>;

defvar LoomCollectiveDoc = [{
    The participating ranks are the groups spanned by the named device-mesh
    `axes` (e.g. `["data"]`); `group_size` is the number of ranks in a group,
    the product of those axes' sizes. Collectives have side effects: they are
    never removed, merged or reordered with one another, so that every rank
    issues the same sequence.
  }];

def Loom_AllReduceOp : Loom_Op<"all_reduce", [SameOperandsAndResultType,
    DeclareOpInterfaceMethods<InferTypeOpInterface>]> {
  let summary = "combines a tensor across the ranks of a group";
  let description = !strconcat([{
    Every rank of the group receives the elementwise `sum`, `max`, `min` or
    `mean` of `input` over the group's ranks.
  }], LoomCollectiveDoc, [{

    Example:

    ```mlir
    %g = loom.all_reduce sum %grad over ["data"] group_size 4 : tensor<768x768xf32>
    ```
  }]);
  let arguments = (ins Loom_ReduceKind:$kind, Loom_NumericTensor:$input,
                       StrArrayAttr:$axes, I64Attr:$group_size);
  let results = (outs Loom_NumericTensor:$result);
  let assemblyFormat = [{
    $kind $input `over` $axes `group_size` $group_size attr-dict `:` type($result)
  }];
  let hasVerifier = 1;
}

def Loom_AllGatherOp : Loom_CollectiveOp<"all_gather"> {
  let summary = "concatenates a tensor from every rank of a group";
  let description = !strconcat([{
    Every rank receives the concatenation along `dim` of the group's inputs in
    rank order, so dimension `dim` grows `group_size` times.
  }], LoomCollectiveDoc, [{

    Example:

    ```mlir
    %w = loom.all_gather %shard over ["model"] group_size 2 dim 0 : tensor<384x768xf32> -> tensor<768x768xf32>
    ```
  }]);
  let arguments = (ins Loom_Tensor:$input, StrArrayAttr:$axes,
                       I64Attr:$group_size, I64Attr:$dim);
  let results = (outs Loom_Tensor:$result);
  let assemblyFormat = [{
    $input `over` $axes `group_size` $group_size `dim` $dim attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}

def Loom_ReduceScatterOp : Loom_CollectiveOp<"reduce_scatter"> {
  let summary = "combines across a group and leaves each rank one slice";
  let description = !strconcat([{
    Combines the group's inputs elementwise with `kind` (as `all_reduce`) and
    splits the result along `dim` into `group_size` equal slices; rank `r`
    keeps slice `r`. Dimension `dim` must be divisible by `group_size`.
  }], LoomCollectiveDoc, [{

    Example:

    ```mlir
    %s = loom.reduce_scatter sum %grad over ["data"] group_size 4 dim 0 : tensor<768x768xf32> -> tensor<192x768xf32>
    ```
  }]);
  let arguments = (ins Loom_ReduceKind:$kind, Loom_NumericTensor:$input,
                       StrArrayAttr:$axes, I64Attr:$group_size, I64Attr:$dim);
  let results = (outs Loom_NumericTensor:$result);
  let assemblyFormat = [{
    $kind $input `over` $axes `group_size` $group_size `dim` $dim attr-dict `:` type($input) `->` type($result)
  }];
  let hasVerifier = 1;
}


//===----------------------------------------------------------------------===//
// Fusion groups (formed by --loom-fuse after autodiff)
//===----------------------------------------------------------------------===//

def Loom_FusionGroupOp : Loom_Op<"fusion_group", [IsolatedFromAbove,
    SingleBlockImplicitTerminator<"::mlir::loom::YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "ops that run as one kernel";
  let description = [{
    A group of loom ops that a backend compiles into one kernel: the CPU
    backend generates one loop nest for it, which reads each input once and
    never stores the values passed between its members. `--loom-fuse`
    (passes/fusion/) forms the groups after autodiff; the body is isolated
    from above (inputs are operands, taken by the block's arguments in
    order; constants are cloned in) and yields the group's results.

    `kind` is the group's fusion class: `elementwise` (every value passed
    between members has the shape of the group's domain, so each element of
    every result is computed from the inputs' elements at its own index
    alone), `reduction` (elementwise members feeding one reduction that
    ends the group) or `contraction` (a contraction that accepts post-ops,
    loom.matmul, then its epilogue: a chain of elementwise ops that each
    have a post-op (FusionOpInterface::getPostOp) and read the previous
    member's value, which nothing else reads, once; a binary member's other
    operand is an input; every member has the contraction's result shape;
    the group yields the last member's value alone). The CPU backend runs a
    contraction group as one oneDNN matmul with its epilogue as post-ops.
    The group's location fuses its members' locations.

    A group has no gradient rule: autodiff runs before fusion.

    Example:

    ```mlir
    %r = loom.fusion_group elementwise (%x, %b) : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32> {
    ^bb0(%a: tensor<8x16xf32>, %c: tensor<16xf32>):
      %s = loom.add %a, %c : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
      %t = loom.relu %s : tensor<8x16xf32>
      loom.yield %t : tensor<8x16xf32>
    }

    %y = loom.fusion_group contraction (%x, %w, %b) : (tensor<8x16xf32>, tensor<32x16xf32>, tensor<32xf32>) -> tensor<8x32xf32> {
    ^bb0(%a: tensor<8x16xf32>, %c: tensor<32x16xf32>, %d: tensor<32xf32>):
      %m = loom.matmul %a, %c transpose_rhs : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
      %s = loom.add %m, %d : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
      %g = loom.gelu %s : tensor<8x32xf32>
      loom.yield %g : tensor<8x32xf32>
    }
    ```
  }];
  let arguments = (ins Loom_FusionKind:$kind, Variadic<Loom_Tensor>:$inputs);
  let results = (outs Variadic<Loom_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    $kind `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    /// The group's domain: the shape of its results.
    ::llvm::ArrayRef<int64_t> getDomain();
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
  }];
}

def Loom_MultiTensorGroupOp : Loom_Op<"multi_tensor_group", [
    SingleBlockImplicitTerminator<"::mlir::loom::YieldOp">,
    RecursiveMemoryEffects]> {
  let summary = "independent fusion groups that run as one kernel";
  let description = [{
    Horizontal fusion, like PyTorch's multi-tensor (foreach/fused)
    optimizers: two or more `elementwise` or `reduction` fusion groups, none
    reading another's result, so they may run in any order. A backend
    compiles it into one kernel with one loop nest per member (the CPU
    backend: the per-parameter updates, the per-parameter squared norms of
    the gradient). `--loom-fuse` forms them from runs of adjacent groups.

    The body holds the member groups and nothing else; each member reads the
    body's arguments only (the op's inputs, in order) and the body yields
    member results. The op is not isolated from above, so that its members
    are verified with the function's other groups.

    ```mlir
    %r:2 = loom.multi_tensor_group (%a, %b) : (tensor<64xf32>, tensor<8x8xf32>) -> (tensor<64xf32>, tensor<f32>) {
    ^bb0(%x: tensor<64xf32>, %y: tensor<8x8xf32>):
      %p = loom.fusion_group elementwise (%x) : (tensor<64xf32>) -> tensor<64xf32> {
      ^bb0(%u: tensor<64xf32>):
        %n = loom.neg %u : tensor<64xf32>
        %e = loom.exp %n : tensor<64xf32>
        loom.yield %e : tensor<64xf32>
      }
      %q = loom.fusion_group reduction (%y) : (tensor<8x8xf32>) -> tensor<f32> {
      ^bb0(%v: tensor<8x8xf32>):
        %s = loom.mul %v, %v : tensor<8x8xf32>
        %t = loom.reduce sum %s dims [0, 1] : tensor<8x8xf32> -> tensor<f32>
        loom.yield %t : tensor<f32>
      }
      loom.yield %p, %q : tensor<64xf32>, tensor<f32>
    }
    ```
  }];
  let arguments = (ins Variadic<Loom_Tensor>:$inputs);
  let results = (outs Variadic<Loom_Tensor>:$results);
  let regions = (region SizedRegion<1>:$body);
  let assemblyFormat = [{
    `(` $inputs `)` attr-dict `:` functional-type($inputs, $results) $body
  }];
  let hasVerifier = 1;
  let extraClassDeclaration = [{
    ::mlir::Block &getBodyBlock() { return getBody().front(); }
    /// The member group computing result `i`, and which of its results.
    std::pair<FusionGroupOp, unsigned> getMemberOfResult(unsigned i);
  }];
}

def Loom_YieldOp : Loom_Op<"yield", [Pure, Terminator,
    ParentOneOf<["FusionGroupOp", "MultiTensorGroupOp"]>]> {
  let summary = "the results of a fusion group";
  let description = [{
    Ends a `loom.fusion_group` or `loom.multi_tensor_group` body; its
    operands are the group's results.
  }];
  let arguments = (ins Variadic<Loom_Tensor>:$values);
  let assemblyFormat = "($values^ `:` type($values))? attr-dict";
  let builders = [OpBuilder<(ins), [{ /* nothing */ }]>];
}

#endif // LOOM_OPS_TD
