//===- Passes.td - Passes of the CPU backend ---------------*- tablegen -*-===//
//
// Part of Loom. The CPU backend's passes, grouped under banners, alphabetical
// in each group. Each states its contract.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_PASSES_TD
#define LOOM_BACKENDS_CPU_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Code generation
//===----------------------------------------------------------------------===//

def LoomLowerToLinalg : Pass<"loom-lower-to-linalg"> {
  let summary = "Lowers loom ops to linalg, tensor, arith, math and scf on tensors";
  let description = [{
    Converts every loom op under the anchor (a module, a function, or any op
    holding a fusion group) into upstream dialects on tensors: `linalg`
    (generic and named structured ops), `tensor`, `arith`, `math`, `scf`
    (the accumulation loops of `loom.scatter_add`) and `cf` (`cf.assert`
    index checks). Each op is converted on its own, so a region of several
    loom ops lowers to a chain of structured ops connected by tensor values.
    The numerics are those of `backends/reference` (the tie rules, NaN
    propagation, broadcasting, both GELU forms, dropout's Philox-4x32-10
    stream); `bf16`/`f16` math is done in `f32` and rounded once per op.
    `backends/cpu/README.md` has the op-by-op table.

    Precondition: the loom ops are verified (static shapes).
    Postcondition: no loom op remains, except the collectives under
    `keep-collectives`; every result is computed in destination-passing style
    from `tensor.empty` or a filled `tensor.empty`, so the output is ready for
    `--one-shot-bufferize`. A collective without `keep-collectives`, or an op
    with no lowering, is an error at the op.

    ```mlir
    %y = loom.add %x, %b : (tensor<4x8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    ==>
    %e = tensor.empty() : tensor<4x8xf32>
    %y = linalg.generic {indexing_maps = [affine_map<(d0, d1) -> (d0, d1)>,
                                          affine_map<(d0, d1) -> (d1)>,
                                          affine_map<(d0, d1) -> (d0, d1)>],
                         iterator_types = ["parallel", "parallel"]}
        ins(%x, %b : tensor<4x8xf32>, tensor<8xf32>) outs(%e : tensor<4x8xf32>) {
    ^bb0(%a: f32, %c: f32, %out: f32):
      %s = arith.addf %a, %c : f32
      linalg.yield %s : f32
    } -> tensor<4x8xf32>
    ```
  }];
  let options = [
    Option<"checkIndices", "check-indices", "bool", /*default=*/"true",
           "Check at run time (cf.assert) that gather, scatter_add and "
           "cross_entropy indices are in range; out-of-range indices are "
           "clamped either way, so no access leaves its tensor">,
    Option<"keepCollectives", "keep-collectives", "bool", /*default=*/"false",
           "Leave collectives in place (the runtime runs them) instead of "
           "reporting them as errors">,
  ];
  let dependentDialects = [
    "::mlir::arith::ArithDialect",
    "::mlir::cf::ControlFlowDialect",
    "::mlir::linalg::LinalgDialect",
    "::mlir::math::MathDialect",
    "::mlir::scf::SCFDialect",
    "::mlir::tensor::TensorDialect",
  ];
}

#endif // LOOM_BACKENDS_CPU_PASSES_TD
