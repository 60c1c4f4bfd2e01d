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
// The step, before it is partitioned into kernels
//===----------------------------------------------------------------------===//

def LoomDecomposeAttention
    : Pass<"loom-decompose-attention", "::mlir::ModuleOp"> {
  let summary = "Sends f32 attention to the flash kernels, or spells it out as the ops oneDNN runs";
  let description = [{
    With `flash` (the default), every f32 `loom.attention` becomes
    `loom.attention_with_lse` (its first result), the op the runtime's flash
    kernel computes (`cpu.flash_attention`: tiles of queries and keys with
    an online softmax, keeping one log-sum-exp per query row and no
    probabilities), which `--cse` then shares with the gradient's
    `loom.attention_with_lse`; f32 `loom.attention_with_lse` and
    `loom.attention_backward` are kept for the flash kernels.

    Without `flash`, and for every element type but f32, the attention ops
    are spelled out by `ir/Decompose.h`: `loom.attention_backward` as the
    probabilities `P = softmax(q k^T scale)` (with the causal mask: `iota`,
    `compare`, `select` of -inf) recomputed and the matmuls and reductions
    of its gradient; `loom.attention_with_lse` as `P @ v` and, where its
    `lse` is used, `max + log(sum(exp(scores - max)))`, or erased when
    nothing uses it (the gradient reads the lse of the flash scheme only);
    f32 `loom.attention` as `P @ v`. `--cse` then shares the forward's `P`
    with the gradient's: oneDNN runs the matmuls and the softmax and the
    `(B, H, T, S)` probabilities stay alive until the backward.
    `loom.attention` on other element types is kept whole (a generated kernel
    runs it).

    Precondition: none. Postcondition: with `flash`, no f32
    `loom.attention` remains and attention ops on other element types are
    `loom.attention`; without it, no attention op remains but
    `loom.attention` of another element type than f32. The new ops carry
    the replaced op's location.

    ```
    %o = loom.attention(q, k, v) causal        (f32, q: [..., T, D])
    ==> (flash)
    %o, %lse = loom.attention_with_lse(q, k, v) causal
    ==> (flash=false)
    %s = loom.matmul q, k (k transposed)       [..., T, N]
    %m = loom.mul %s, 1/sqrt(D)                (or the op's scale)
    %a = loom.select (col <= row), %m, -inf    (iota, iota, compare; causal)
    %p = loom.softmax %a over the last dim
    %o = loom.matmul %p, v                     [..., T, D]
    ```
  }];
  let options = [
    Option<"flash", "flash", "bool", /*default=*/"true",
           "Keep f32 attention whole for the flash kernels (false: spell "
           "it out, keeping the probabilities for the backward)">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

//===----------------------------------------------------------------------===//
// Code generation
//===----------------------------------------------------------------------===//

def LoomApproximateMath : Pass<"loom-approximate-math", "::mlir::func::FuncOp"> {
  let summary = "Replaces f32 transcendental math ops by polynomial approximations that vectorize";
  let description = [{
    Rewrites `math.erf`, `math.tanh`, `math.exp`, `math.log` (and the other
    f32 math ops MLIR approximates) into arithmetic: MLIR's polynomial
    approximations (`populateMathPolynomialApproximationPatterns`), accurate
    to a few ulp over the whole f32 range, with the special values (inf, NaN,
    0) of the library functions. A loop of generated code that called
    `erff` once per element (0.4 GFLOP/s for a fused add + GELU on this
    machine) becomes straight-line arithmetic that LLVM's loop vectorizer
    turns into vector instructions. Other element types keep their library
    calls (f64 math is not approximated).
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::math::MathDialect",
                           "::mlir::vector::VectorDialect"];
}

def LoomCopiesToLinalg : Pass<"loom-copies-to-linalg"> {
  let summary = "Rewrites memref.copy as linalg.copy, so that it becomes loops";
  let description = [{
    Replaces every `memref.copy` by a `linalg.copy` of the same source and
    target. `--finalize-memref-to-llvm` lowers a copy between buffers with
    non-identity layouts into a call of the runtime helper `memrefCopy`,
    which the generated kernels' shared object does not have; as a
    `linalg.copy` it becomes loops like every other structured op.

    Precondition: bufferized IR. Postcondition: no `memref.copy` remains.

    ```mlir
    memref.copy %a, %b : memref<4xf32, strided<[2]>> to memref<4xf32>
    ==>
    linalg.copy ins(%a : memref<4xf32, strided<[2]>>) outs(%b : memref<4xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def LoomExpandBf16Truncation
    : Pass<"loom-expand-bf16-truncation", "::mlir::ModuleOp"> {
  let summary = "Rounds f32 to bf16 with integer ops";
  let description = [{
    Rewrites every `arith.truncf` to `bf16` into integer arithmetic (round
    to nearest even, NaN kept quiet) with `arith`'s
    `populateExpandBFloat16Patterns`. LLVM would lower the truncation to a
    call of `__truncsfbf2` on hosts without AVX512-BF16, which the
    generated kernels' shared object lacks. Other ops, `arith.extf` from
    bf16 included, are left as they are.

    Precondition: none. Postcondition: no `arith.truncf` to bf16 remains.

    ```mlir
    %h = arith.truncf %x : f32 to bf16
    ==>
    %i = arith.bitcast %x : f32 to i32
    ... round to nearest even, quiet NaNs ...
    %h = arith.bitcast %t : i16 to bf16
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect"];
}


def LoomFuseKernelLoops : Pass<"loom-fuse-kernel-loops", "::mlir::func::FuncOp"> {
  let summary = "Fuses a kernel's linalg.generic ops into as few loop nests as recompute nothing";
  let description = [{
    After `--loom-lower-to-linalg`, a kernel of several loom ops (a fusion
    group) is a chain of `linalg.generic` ops on tensors. This pass fuses
    each all-parallel producer into the consumer that reads it at the same
    index (the consumer's indexing map for it is a permutation: a producer
    read through a broadcast would be recomputed per element, and stays a
    nest of its own); a producer whose value is also read elsewhere becomes
    an extra result of the fused op. MLIR's elementwise fusion
    (`linalg::fuseElementwiseOps`) does the rewrite; unlike its upstream
    pattern, the producer's other readers are moved to the fused op too.

    A kernel made from an elementwise group (`loom.fusion_group =
    "elementwise"` on the function) must end with one `linalg.generic` that
    reads its inputs (nests over constants alone aside):
    the memory plan lets such a kernel write a result over an input read at
    the same index, which is safe only in one loop nest. A kernel made from
    a multi_tensor group (`loom.fusion_members = N` on the function) may be
    at most N such nests, one per member. Anything else is an internal error
    at the function.

    ```mlir
    %a = linalg.generic {maps = [id, id]} ins(%x) outs(%e0) { exp }
    %b = linalg.generic {maps = [id, id, id]} ins(%a, %y) outs(%e1) { mul }
    ==>
    %b = linalg.generic {maps = [id, id, id]} ins(%x, %y) outs(%e1) { exp; mul }
    ```
  }];
  let dependentDialects = ["::mlir::linalg::LinalgDialect"];
}

def LoomKernelRanges : Pass<"loom-kernel-ranges", "::mlir::func::FuncOp"> {
  let summary = "Lets the runtime split a kernel's outer parallel loop over its threads";
  let description = [{
    Runs after the kernel's structured ops became loops
    (`--convert-linalg-to-parallel-loops`). A kernel whose only loop at the
    top of its body is one `scf.parallel` from 0 in steps of 1, that
    allocates no buffer and writes its arguments only inside that loop,
    gets two `index` arguments, `begin` and `end`, after its others: the
    loop's first dimension runs over `[max(0, begin), min(N, end))`, and
    the function records `loom.parallel_extent = N`. The loop's iterations
    write disjoint elements, so the runtime may run ranges of it on its
    threads at once (`runtime/exec/Executor.cpp`); `[0, INT64_MAX)` runs it
    whole. Any other kernel is left as it is and runs on one thread.

    ```mlir
    func.func @k(%a: memref<8x16xf32>, %r: memref<8x16xf32>) {
      scf.parallel (%i, %j) = (%c0, %c0) to (%c8, %c16) step (%c1, %c1) { ... }
    }
    ==>
    func.func @k(%a: memref<8x16xf32>, %r: memref<8x16xf32>, %begin: index, %end: index)
        attributes {loom.parallel_extent = 8 : i64} {
      %lo = arith.maxsi %c0, %begin : index
      %hi = arith.minsi %c8, %end : index
      scf.parallel (%i, %j) = (%lo, %c0) to (%hi, %c16) step (%c1, %c1) { ... }
    }
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::scf::SCFDialect"];
}

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

def LoomOrderConstantGlobals
    : Pass<"loom-order-constant-globals", "::mlir::ModuleOp"> {
  let summary = "Names and orders bufferization's constant globals by first use";
  let description = [{
    One-shot bufferization turns each tensor constant into a
    `memref.global "private" constant @__constant_<shape>x<type>[_N]`; in
    LLVM 19 the functions are visited in an order that varies from run to
    run, and so do the globals' numbers and places. This pass renames every
    global named `__constant_...` in the order the module's
    `memref.get_global` ops first name it (unused ones after, in place
    order), with bufferization's scheme (`__constant_xf32`,
    `__constant_xf32_0`, ...), gives each the location of its first use
    (an unused one none), and moves them to the start of the module in that
    order, so that the same kernels always give the same IR and object
    code.

    Precondition: none. Postcondition: the constant globals are numbered
    and placed by first use; nothing else changes.

    ```mlir
    memref.global "private" constant @__constant_xf32_0 : memref<f32> = dense<2.0>
    memref.global "private" constant @__constant_xf32 : memref<f32> = dense<1.0>
    func.func @k() { %a = memref.get_global @__constant_xf32 ... 
                     %b = memref.get_global @__constant_xf32_0 ... }
    ==>
    memref.global "private" constant @__constant_xf32 : memref<f32> = dense<1.0>
    memref.global "private" constant @__constant_xf32_0 : memref<f32> = dense<2.0>
    func.func @k() { %a = memref.get_global @__constant_xf32 ...
                     %b = memref.get_global @__constant_xf32_0 ... }
    ```
  }];
  let dependentDialects = ["::mlir::memref::MemRefDialect"];
}

def LoomResultsToOutParams
    : Pass<"loom-results-to-out-params", "::mlir::ModuleOp"> {
  let summary = "Gives every kernel its results as out-parameters";
  let description = [{
    The calling convention of a generated kernel: the runtime passes the
    arena addresses of its inputs, then of its results. Every function
    with a body, `func.func @k(ins...) -> (T...)`, becomes
    `func.func @k(ins..., memref<T>...)`, each result materialized into its
    buffer by a `bufferization.materialize_in_destination` (`restrict`,
    `writable`). One-shot bufferization with empty-tensor elimination then
    lets the op that computes a result write it in place; a result that is
    an input or a view of a temporary is copied.

    Precondition: every function with a body returns ranked tensors, and
    no call reaches one that has results (its caller would still expect
    them); either is an error at the op, the module left as it was.
    Postcondition: no function with a body has results.

    ```mlir
    func.func @k(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = linalg.generic ... ins(%x ...) outs(%e ...) -> tensor<4xf32>
      return %y : tensor<4xf32>
    }
    ==>
    func.func @k(%x: tensor<4xf32>, %out: memref<4xf32>) {
      %y = linalg.generic ... ins(%x ...) outs(%e ...) -> tensor<4xf32>
      bufferization.materialize_in_destination %y in restrict writable %out
          : (tensor<4xf32>, memref<4xf32>) -> ()
      return
    }
    ```
  }];
  let dependentDialects = ["::mlir::bufferization::BufferizationDialect",
                           "::mlir::memref::MemRefDialect"];
}

#endif // LOOM_BACKENDS_CPU_PASSES_TD
