//===- LoomTypes.td - Type constraints of the loom dialect -*- tablegen -*-===//
//
// Part of Loom. The dialect defines no types of its own: it works on builtin
// ranked tensors with static shapes. These are the constraints its ops use.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TYPES_TD
#define LOOM_TYPES_TD

include "mlir/IR/CommonTypeConstraints.td"

def Loom_Float : AnyTypeOf<[F32, F64, BF16, F16], "floating-point (f32, f64, bf16, f16)">;
def Loom_Int : AnyTypeOf<[I32, I64], "integer (i32, i64)">;
def Loom_Numeric : AnyTypeOf<[Loom_Float, Loom_Int], "numeric (f32, f64, bf16, f16, i32, i64)">;
def Loom_Element : AnyTypeOf<[Loom_Numeric, I1], "loom element type (f32, f64, bf16, f16, i32, i64, i1)">;

/// A statically shaped tensor of the given element types.
class Loom_StaticTensorOf<list<Type> allowed, string desc>
    : Type<And<[TensorOf<allowed>.predicate, HasStaticShapePred]>,
           "statically shaped tensor of " # desc, "::mlir::RankedTensorType">;

def Loom_Tensor : Loom_StaticTensorOf<[Loom_Element], "f32, f64, bf16, f16, i32, i64 or i1 values">;
def Loom_NumericTensor : Loom_StaticTensorOf<[Loom_Numeric], "f32, f64, bf16, f16, i32 or i64 values">;
def Loom_FloatTensor : Loom_StaticTensorOf<[Loom_Float], "f32, f64, bf16 or f16 values">;
def Loom_IntTensor : Loom_StaticTensorOf<[Loom_Int], "i32 or i64 values">;
def Loom_BoolTensor : Loom_StaticTensorOf<[I1], "i1 values">;
def Loom_RngKeyTensor : Type<And<[TensorOf<[I64]>.predicate, HasStaticShapePred,
                                  CPred<"::llvm::cast<::mlir::RankedTensorType>($_self).getShape() == ::llvm::ArrayRef<int64_t>{2}">]>,
                             "tensor<2xi64> (seed, step)", "::mlir::RankedTensorType">;

#endif // LOOM_TYPES_TD
