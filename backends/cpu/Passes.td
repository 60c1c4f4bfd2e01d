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
    `linalg.copy` it becomes loops like every other structured op. A copy
    of rank 2 or more between statically shaped buffers of the identity
    layout copies their `memref.collapse_shape` to one dimension instead:
    LLVM vectorizes that one loop, where it would unroll a nest of short
    constant loops (a `1x12x1x64` copy) into one scalar move per element,
    a block its instruction scheduler takes seconds over.

    A `linalg.copy` (these, and those of the lowering) from one argument of
    the function into another runs only when their addresses differ
    (`memref.extract_aligned_pointer_as_index`, `scf.if`): the memory plan
    gives an op that adds into an operand that operand's bytes (a
    `scatter_add` into its destination, `passes/memory/MemoryPlan.h`), and
    the kernel's copy of the destination into its result would otherwise
    read and write them all (147 MiB for GPT-2's embedding gradient). The
    plan's buffers are either the same bytes or disjoint.

    Precondition: bufferized IR. Postcondition: no `memref.copy` remains.

    ```mlir
    memref.copy %a, %b : memref<4xf32, strided<[2]>> to memref<4xf32>
    ==>
    linalg.copy ins(%a : memref<4xf32, strided<[2]>>) outs(%b : memref<4xf32>)
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
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
    A result of a fused op that nothing reads is dropped
    (`linalg::populateEraseUnusedOperandsAndResultsPatterns`): upstream
    keeps the result of a producer of no inputs (an iota), which the nest
    would otherwise write into a temporary of its full size.

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

def LoomKernelRanges : Pass<"loom-kernel-ranges", "::mlir::ModuleOp"> {
  let summary = "Outlines each large parallel loop nest of a kernel into a function of a range, for the runtime's threads, and shares one function among identical nests";
  let description = [{
    Runs after the kernels' structured ops became loops
    (`--convert-linalg-to-parallel-loops`). In every public function with a
    body (a kernel), each `scf.parallel` at the top of the body (or alone
    in an `scf.if` there without results or else: a copy guarded by
    `--loom-copies-to-linalg`, whose call stays in the `scf.if`) that loads
    or stores at least `min-bytes` bytes of buffers (64 KiB: below that the
    fork and join cost more than a second core gives) is moved into a new
    private function `@<kernel>.loop<i>` of the values it uses from outside,
    then two `index` arguments `begin` and `end`: the first dimension of the
    loop with constant bounds `[l, u)`, step 1 and two iterations or more
    runs over `[max(l, begin), min(u, end))`. The function records
    `loom.parallel_extent = u`, and the loop's place holds a call of it over
    the whole range. The iterations of an `scf.parallel` are independent, so
    the object emitter (`emit/ObjectEmitter.cpp`) turns each such call into
    a call of the runtime's parallel-for hook, which runs ranges of it on
    its threads at once and returns when all are done; the nests of one
    kernel run one after another, as before.

    Constants, views (`memref.subview`, reshapes, casts) and
    `memref.get_global` used by the nest are cloned into the function; every
    other value it uses must be a scalar or a statically shaped memref with
    the identity layout (a bare pointer). A nest that allocates or frees a
    buffer inside (the runtime's scratch arena belongs to the calling
    thread), has results, has no such dimension or uses another value stays
    in the kernel and runs on one thread, as does any other loop of
    `min-bytes` or more (an `scf.for` on top: a reduction left sequential,
    a scatter over a rank-1 destination). An `scf.for` on top without
    results that is marked `loom.independent_iterations` (a scatter's loop
    over the dimensions that no index selects, `--loom-lower-to-linalg`)
    is first rewritten into the `scf.parallel` it is. Each kernel records `loom.parallel_loops` (nests outlined)
    and `loom.serial_loops` (nests of `min-bytes` or more left on one
    thread); the artifact carries both, and `loom train --profile` reports
    them.

    Nests that compute the same thing share one function, so that LLVM
    compiles each distinct nest once (the layers of a deep model and the
    parameters of a multi-tensor optimizer kernel repeat the same nests on
    the same shapes). Two outlined functions are the same when they print
    the same under one name, without locations: same argument types, same
    ops, constants and attributes. A nest split into ranges whose function
    is already there calls that one, which is named after the first kernel
    that has it, so that a dump shows which kernels share it (`@k30` calling
    `@k29.loop5`). A nest left on one thread (any size) that appears twice
    or more in the module, and that could move (the conditions above, but
    any dimensions), becomes one private function `@<kernel>.nest<i>` of
    the values it uses, named after the first kernel that has it, called in
    every place it appeared; a nest that appears once stays where it is.
    Every outlined function has internal linkage (`llvm.linkage`) and is
    never inlined (`no_inline`), so that LLVM compiles it once: a shared
    nest has several callers, and a nest on threads two (the emitter's
    range function, and the kernel itself, which calls the range function
    directly where the runtime set no parallel-for hook). `share=false`
    keeps every nest on its own, for bisecting.

    A multi-tensor kernel (`loom.fusion_group = "multi_tensor"`: its
    members, one nest each, are independent, and the memory plan writes a
    member's result over an input only when no other member reads it) runs
    its nests at once. Each run of two or more consecutive top-level
    `scf.parallel` nests that could be split as above (any size), with only
    constants and views between them, of which none writes a buffer (through
    any view) that another reads or writes, and that touch `min-bytes` or
    more in all, shares one range: the nests become functions of a range as
    above (`@<kernel>.loop<i>`, shared as above), and a private function
    `@<kernel>.range<j>` of all their arguments, `begin` and `end` takes
    their place, called once over `[0, extent)` with
    `loom.parallel_extent = extent`. Its flat iteration space gives member
    m's split dimension (bounds `[l, u)`) `u - l` iterations of `w` units
    each (the bytes the nest touches divided by `u - l`, rounded up), from
    unit `o` (the units of the members before it); for `[begin, end)` it
    calls member m's function on `[l + ceil(max(begin - o, 0) / w), l +
    ceil(max(end - o, 0) / w))`, the iterations whose first unit is in
    `[begin, end)`, so ranges that partition the space partition every
    member's iterations. The kernel counts the call as one nest on threads.
    The emitter makes a parallel-for call of an outlined nest only where a
    kernel calls it; `@<kernel>.range<j>` calls its members directly.
    `multi-tensor-ranges=false` keeps the nests apart, for bisecting.

    ```mlir
    func.func @k(%a: memref<64x256xf32>, %r: memref<64x256xf32>) {
      scf.parallel (%i, %j) = (%c0, %c0) to (%c64, %c256) step (%c1, %c1) { ... }
    }
    ==>
    func.func @k(%a: memref<64x256xf32>, %r: memref<64x256xf32>)
        attributes {loom.parallel_loops = 1 : i64, loom.serial_loops = 0 : i64} {
      call @k.loop0(%a, %r, %c0, %c64) : (...) -> ()
    }
    func.func private @k.loop0(%a: memref<64x256xf32>, %r: memref<64x256xf32>,
                               %begin: index, %end: index)
        attributes {llvm.linkage = #llvm.linkage<internal>,
                    loom.parallel_extent = 64 : i64, no_inline} {
      %lo = arith.maxsi %c0, %begin : index
      %hi = arith.minsi %c64, %end : index
      scf.parallel (%i, %j) = (%lo, %c0) to (%hi, %c256) step (%c1, %c1) { ... }
    }
    ```
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"65536",
           "Outline only nests whose loads and stores name buffers of at "
           "least this many bytes in all">,
    Option<"share", "share", "bool", /*default=*/"true",
           "Let nests that compute the same thing share one function">,
    Option<"multiTensorRanges", "multi-tensor-ranges", "bool",
           /*default=*/"true",
           "Let the independent nests of a multi-tensor kernel share one "
           "range">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::func::FuncDialect",
                           "::mlir::LLVM::LLVMDialect",
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

def LoomMarkParallelLoops
    : Pass<"loom-mark-parallel-loops", "::mlir::ModuleOp"> {
  let summary = "Marks each innermost scf.parallel for LLVM's parallel-access loop metadata";
  let description = [{
    Runs after `--loom-kernel-ranges`, with the kernel calling convention
    only. Every `scf.parallel` without results whose body holds no other
    loop gets a call of `@loom_parallel_loop()` (a private declaration this
    pass adds) at the top of its body. The iterations of an `scf.parallel`
    touch no memory that another iteration writes, but LLVM cannot see it
    once the loop is branches: it vectorizes a loop over several buffers
    only behind run-time checks that the buffers do not overlap, and a
    kernel that writes its result over its input (an in-place optimizer
    update) fails them and runs the scalar loop. The object emitter
    (`emit/ParallelLoops.cpp`) finds the loop that holds each call, tags
    the loop's loads and stores with one access group and the loop with
    `llvm.loop.parallel_accesses` of it, and erases the calls, so the
    vectorizer needs no checks.

    ```mlir
    scf.parallel (%i, %j) = ... {
      %x = memref.load %a[%i, %j] ...
    }
    ==>
    scf.parallel (%i, %j) = ... {
      func.call @loom_parallel_loop() : () -> ()
      %x = memref.load %a[%i, %j] ...
    }
    func.func private @loom_parallel_loop()
    ```
  }];
  let dependentDialects = ["::mlir::func::FuncDialect"];
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

def LoomPromoteAccumulators
    : Pass<"loom-promote-accumulators", "::mlir::func::FuncOp"> {
  let summary = "Carries a sequential reduction loop's accumulator in a value, not in memory";
  let description = [{
    Runs on loops (`--convert-linalg-to-parallel-loops` lowers a reduction
    dimension to an `scf.for` whose body loads the result element, combines
    it and stores it back on every iteration). In an `scf.for` whose body is
    straight-line code, an element that the body loads once and then stores
    once at indices defined outside the loop, and whose buffer the body
    accesses nowhere else (no other element, no view of it), becomes an
    `iter_args` value: one load before the loop, one store after it. A
    reduction's result never shares memory with its inputs (the memory
    planner overwrites an input only with an elementwise result of its
    shape), so this is the loop's meaning. When the stored value is an
    `arith.addf` or `arith.mulf` of the carried value, that op gets the
    `reassoc` fast-math flag, so that LLVM vectorizes the reduction: one
    partial result per vector lane, combined at the end. The order of the
    additions changes from the source order to that fixed one; it is the
    same on every run.

    ```mlir
    scf.for %k = %c0 to %c64 step %c1 {
      %a = memref.load %acc[%i] : memref<16xf32>
      %x = memref.load %in[%i, %k] : memref<16x64xf32>
      %s = arith.addf %x, %a : f32
      memref.store %s, %acc[%i] : memref<16xf32>
    }
    ==>
    %a0 = memref.load %acc[%i] : memref<16xf32>
    %r = scf.for %k = %c0 to %c64 step %c1 iter_args(%a = %a0) -> (f32) {
      %x = memref.load %in[%i, %k] : memref<16x64xf32>
      %s = arith.addf %x, %a fastmath<reassoc> : f32
      scf.yield %s : f32
    }
    memref.store %r, %acc[%i] : memref<16xf32>
    ```
  }];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::memref::MemRefDialect",
                           "::mlir::scf::SCFDialect"];
}

def LoomSplitReductions : Pass<"loom-split-reductions", "::mlir::func::FuncOp"> {
  let summary = "Gives a large reduction an outer parallel loop that threads can split";
  let description = [{
    Runs on linalg on tensors, after `--loom-fuse-kernel-loops`. The
    runtime's threads split a kernel's loop nests over their outer parallel
    dimension (`--loom-kernel-ranges`); a reduction (a `linalg.generic`, or a
    `linalg.reduce`, which is generalized first) whose operands, and the
    tensors its body reads from outside (a gather's table), hold at least
    `min-bytes` bytes, and whose first loop is not a parallel dimension of 8
    iterations or more, is rewritten so that it has one:

    * a parallel dimension of 8 iterations or more that is not the
      innermost (which the vectorizer wants) becomes the first loop
      (`linalg::interchangeGenericOp`): each result is computed by the same
      operations in the same order as before. A bias gradient summed over
      the batch of `[B, T, N]` into `[T, N]` runs over T on the threads.
    * otherwise the outermost reduced dimension, of length R, is split into
      P parts, P the largest divisor of R up to 16. When R has none, it is
      first merged with the reduced dimensions right after it that every
      operand reads adjacent and in order (`linalg::collapseOpIterationDims`),
      the fewest whose lengths' product has such a divisor: a sum of
      squares over GPT-2's `[50257, 768]` embedding gradient (50257 = 29 *
      1733) becomes one over 38598144 elements in 16 contiguous parts, where
      a split of the 768 would have each part read 48 elements of every row
      (2.6 GB/s). No such run: the next reduced dimension with a divisor is
      split; none at all: the op is left alone. A generic of one more,
      outer, parallel dimension computes the P partial results over
      `[k R/P, (k+1) R/P)` into a new `[P, ...]` tensor filled with the
      combiner's neutral element, and one generic per
      result then combines the init and the partials, in the order k = 0, 1,
      ..., P-1, the parts innermost. Each result must be a reduction with
      one combining op of known neutral element (`arith.addf`, `mulf`,
      `maximumf`, `minimumf`, ...; `matchReduction`), else the op is left
      alone. A bias gradient over `[B*T, N]` into `[N]`, and a sum of
      squares to a scalar, run their parts on the threads.

    The split changes the order of the additions (P partial sums, then their
    sum), fixed by the shapes alone: the result does not depend on the
    number of threads or on the run. Splitting on linalg, before
    bufferization, keeps it a rewrite of the iteration space: the partials
    are an ordinary temporary (on the stack when small), and the runtime
    needs no combine step of its own.

    ```mlir
    // sum over [2048, 384] into [384]: partials of 16 parts of 128 rows
    %p0 = linalg.fill ins(%zero) outs(tensor.empty() : tensor<16x384xf32>)
    %p = linalg.generic {maps = [(k, r, n) -> (k * 128 + r, n), (k, r, n) -> (k, n)],
                         iterators = [parallel, reduction, parallel]}
        ins(%x) outs(%p0) { addf }
    %s = linalg.generic {maps = [(n, k) -> (k, n), (n, k) -> (n)],
                         iterators = [parallel, reduction]}
        ins(%p) outs(%init) { addf }
    ```
  }];
  let options = [
    Option<"minBytes", "min-bytes", "int64_t", /*default=*/"65536",
           "Rewrite only reductions whose operands (and tensors read by "
           "their body) hold at least this many bytes in all">,
  ];
  let dependentDialects = ["::mlir::arith::ArithDialect",
                           "::mlir::linalg::LinalgDialect",
                           "::mlir::tensor::TensorDialect"];
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
