//===- LoomDialect.td - The loom dialect -------------------*- tablegen -*-===//
//
// Part of Loom. The `loom` dialect: the graph IR that the frontend emits and
// every pass transforms (autodiff, the step builders and memory planning
// today; fusion and sharding are planned).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_DIALECT_TD
#define LOOM_DIALECT_TD

include "mlir/IR/OpBase.td"

def Loom_Dialect : Dialect {
  let name = "loom";
  let cppNamespace = "::mlir::loom";
  let summary = "The graph IR of the Loom training compiler";
  let description = [{
    `loom` is a value-semantics dialect over ranked tensors with static shapes
    (an artifact is compiled for one batch shape, as XLA does). Its ops are the
    primitives of neural-network training: elementwise math with NumPy-style
    broadcasting, data movement, reductions, contractions (batched matmul,
    convolution), the normalization and attention ops kept whole so that
    backends can use fused kernels, losses, counter-based dropout and the
    collectives of data- and model-parallel training (the CPU runtime runs
    them over MPI: data parallelism, ZeRO-1 and tensor parallelism).

    Element types are `f32`, `f64`, `bf16`, `f16`, `i32`, `i64` and `i1`.
    Binary elementwise ops broadcast their operands as NumPy does: shapes are
    aligned at their trailing dimension, and two dimensions are compatible when
    they are equal or one of them is 1. Element types never change implicitly;
    `loom.cast` converts them.

    Every op that can infer its result type does (`InferTypeOpInterface`), so
    builders need no result types and mismatches are reported as errors; the
    shape rules live as free functions in `ir/ShapeInference.cpp`.
  }];
  let hasConstantMaterializer = 1;
  let useDefaultAttributePrinterParser = 1;
  let hasOperationAttrVerify = 1;
  let extraClassDeclaration = [{
    /// Registers the recipe attributes (LoomRecipe.td).
    void registerRecipeAttributes();
  }];
}

/// Base class of every loom op.
class Loom_Op<string mnemonic, list<Trait> traits = []>
    : Op<Loom_Dialect, mnemonic, traits>;

#endif // LOOM_DIALECT_TD
