//===- Passes.td - Loom's passes ---------------------------*- tablegen -*-===//
//
// Part of Loom. Every pass of the compiler, grouped under banners,
// alphabetical in each group. One pass per file; each states its contract.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_TD
#define LOOM_PASSES_TD

include "mlir/Pass/PassBase.td"

//===----------------------------------------------------------------------===//
// Autodiff
//===----------------------------------------------------------------------===//

def LoomAutodiff : Pass<"loom-autodiff", "::mlir::ModuleOp"> {
  let summary = "Reverse-mode differentiation of a loss function";
  let description = [{
    Builds `@<func>_grad` next to `@<func>` (default `@loss`): the same
    arguments, and results `(loss, d_param...)` with one gradient per
    trainable parameter (an argument carrying `loom.param` and no
    `loom.frozen`), in argument order, each result tagged
    `loom.grad = "<parameter path>"`.

    Precondition: `@<func>` returns one floating-point scalar.
    Postcondition: the forward ops are kept as they are; the adjoints follow,
    built by each op's `GradientOpInterface` rule in reverse order, with
    fan-out accumulated by `loom.add`. Only values that depend on a trainable
    parameter are differentiated (frozen parameters and the batch cost
    nothing); an unused parameter gets a zero gradient. An op on that path
    without a gradient rule is an error at the op.

    ```mlir
    func.func @loss(%w: tensor<3xf32> {loom.param = "w"}, %x: tensor<3xf32>) -> tensor<f32> {
      %0 = loom.mul %w, %x : tensor<3xf32>
      %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
      return %1 : tensor<f32>
    }
    ==>
    func.func @loss_grad(%w: ..., %x: ...) -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
      ... forward ...
      %seed = loom.constant dense<1.0> : tensor<f32>
      %b = loom.broadcast %seed : tensor<f32> to tensor<3xf32>   // d reduce
      %dw = loom.mul %b, %x : tensor<3xf32>                      // d mul
      return %1, %dw : tensor<f32>, tensor<3xf32>
    }
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"loss\"",
           "The function to differentiate">,
    Option<"wrt", "wrt", "std::string", /*default=*/"\"\"",
           "Differentiate with respect to the argument whose loom.input is "
           "this role (x) instead of the trainable parameters; its gradient "
           "is tagged loom.grad = the role">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

//===----------------------------------------------------------------------===//
// Fusion
//===----------------------------------------------------------------------===//

def LoomFuse : Pass<"loom-fuse", "::mlir::func::FuncOp"> {
  let summary = "Groups ops that run as one kernel into loom.fusion_group ops";
  let description = [{
    Walks each function in program order and forms fusion groups from the
    ops' `FusionOpInterface` classes (an op without one is never fused):

    - first, a contraction that accepts post-ops (loom.matmul) takes the
      chain of elementwise ops after it that each have a post-op
      (`getPostOp`: bias or residual add, sub, mul, div, relu, tanh,
      sigmoid, GELU) into a `contraction` group (fusion/Epilogue.cpp). The
      chain ends at a value another op also reads (the pre-activation that
      GELU's backward keeps: the group yields it and the activation is left
      to the rules below), at a binary op whose other operand is a constant
      or broadcasts other than as a row (`[N]`, `[1, N]`) or one element,
      and at a non-commutative op that reads the chain's value as its rhs;
    - an elementwise op (broadcasting included) joins the group of one of
      its operands' producers when that operand, its result and the group's
      domain have one shape; otherwise it starts a group of its own;
    - a reduction joins the group producing its input when nothing else
      reads the group's values, and ends the group;
    - a group whose value an op outside it reads takes no later op (it must
      stand before that op), so no group ever needs a value computed after
      it; ops are never duplicated, so nothing is recomputed.

    Each group of two or more ops becomes one `loom.fusion_group` at the
    position of its last member: inputs are the values its members read from
    outside (constants, and what is computed from constants alone, are cloned
    in), results the members' values read outside, and its location fuses
    the members' locations. Contractions without an epilogue, data
    movement, collectives and random-number ops stay outside groups.

    Then, horizontally: each run of two or more adjacent groups of one kind
    (elementwise or reduction; constants between them aside), none reading
    another's result, becomes one `loom.multi_tensor_group` at the
    run's last member, holding the groups as they are: one kernel with one
    loop nest per member, like a multi-tensor optimizer (the per-parameter
    updates, the per-parameter squared norms). A run is cut where its
    members would read and write more than `multi-tensor-bytes` together
    (0: no multi_tensor groups); a group moving more than that alone stays
    as it is. Nothing moves past an op that launches a kernel, so no value
    lives longer.

    ```mlir
    %s = loom.add %x, %b : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
    %t = loom.relu %s : tensor<8x16xf32>
    ==>
    %t = loom.fusion_group elementwise(%x, %b) : (...) -> tensor<8x16xf32> {
    ^bb0(%a: tensor<8x16xf32>, %c: tensor<16xf32>):
      %s = loom.add %a, %c : (tensor<8x16xf32>, tensor<16xf32>) -> tensor<8x16xf32>
      %t = loom.relu %s : tensor<8x16xf32>
      loom.yield %t : tensor<8x16xf32>
    }

    %m = loom.matmul %x, %w transpose_rhs : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
    %s = loom.add %m, %b : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
    ==>
    %s = loom.fusion_group contraction(%x, %w, %b) : (...) -> tensor<8x32xf32> {
      ... loom.matmul, loom.add; loom.yield
    }
    ```
  }];
  let options = [
    Option<"multiTensorBytes", "multi-tensor-bytes", "uint64_t",
           /*default=*/"64 << 20",
           "The most bytes the member groups of one multi_tensor group may "
           "read and write together (0: no multi_tensor groups)">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

//===----------------------------------------------------------------------===//
// Memory
//===----------------------------------------------------------------------===//

def LoomPlanMemory : Pass<"loom-plan-memory", "::mlir::func::FuncOp"> {
  let summary = "Plans the arena: liveness, offsets, in-place updates";
  let description = [{
    Computes the memory plan of every function with a body
    (passes/memory/MemoryPlan.h: one buffer per tensor value, live from its
    defining op to its last use, parameters and optimizer state in a
    persistent region at the start of the arena in argument order, the other
    buffers reusing bytes by best fit after it, `loom.reshape` results on
    their operand's bytes, new parameter and state values written in place
    where safe) and records it as attributes:

    - `loom.arena_size`, `loom.persistent_size` (i64) on the function;
    - `loom.copies` on the function: `array<i64: from, to, bytes, ...>`,
      the copies to run after the last op, in order (a new parameter or
      state value that could not be written in place, into the argument's
      bytes);
    - `loom.offset` (i64) on every argument, and on every result (where
      its value lies after the last op, before the copies);
    - `loom.offsets` (`array<i64>`, one per result) on every op with
      results.

    Precondition: a single block of ops on statically shaped ranked
    tensors; persistent arguments carry `loom.param`, `loom.opt_state` or
    `loom.state`, and a result carrying the same attribute and name is that
    argument's new value. Postcondition: the IR is unchanged but for these
    attributes (set anew on a second run); the plan passed its invariant
    check (no two buffers share a byte while both are live unless one is a
    view of the other or an in-place update).

    ```mlir
    func.func @sgd(%w: tensor<16xf32> {loom.param = "w"},
                   %g: tensor<16xf32> {loom.input = "g"}) -> (tensor<16xf32> {loom.param = "w"}) {
      %0 = loom.sub %w, %g : tensor<16xf32>
      return %0 : tensor<16xf32>
    }
    ==>
    func.func @sgd(%w: tensor<16xf32> {loom.offset = 0 : i64, loom.param = "w"},
                   %g: tensor<16xf32> {loom.input = "g", loom.offset = 64 : i64})
        -> (tensor<16xf32> {loom.offset = 0 : i64, loom.param = "w"})
        attributes {loom.arena_size = 128 : i64, loom.copies = array<i64>,
                    loom.persistent_size = 64 : i64} {
      %0 = loom.sub %w, %g {loom.offsets = array<i64: 0>} : tensor<16xf32>
      return %0 : tensor<16xf32>
    }
    ```
  }];
  let options = [
    Option<"alignment", "alignment", "uint64_t", /*default=*/"64",
           "Every offset and size is a multiple of this power of two">,
  ];
}

def LoomSinkConstants : Pass<"loom-sink-constants", "::mlir::func::FuncOp"> {
  let summary = "Moves each constant to just before its first user";
  let description = [{
    Canonicalization's folder puts every constant it makes or keeps at the
    start of the function. The memory plan gives a constant bytes from its
    definition to its last use, so a constant hoisted to the start is live
    over the whole step (a folded broadcast of a splat is as large as the
    broadcast). This pass moves every constant-like op of the function's
    block to just before its first user in that block (a constant nothing
    uses is left in place), which gives it the live range the op it replaced
    had.

    Precondition: none. Postcondition: the same ops; only constants moved.

    ```mlir
    %c = loom.constant dense<1.0> : tensor<4xf32>
    %a = loom.exp %x : tensor<4xf32>
    %b = loom.add %a, %c : tensor<4xf32>
    ==>
    %a = loom.exp %x : tensor<4xf32>
    %c = loom.constant dense<1.0> : tensor<4xf32>
    %b = loom.add %a, %c : tensor<4xf32>
    ```
  }];
}

def LoomPrintMemoryPlan
    : Pass<"loom-print-memory-plan", "::mlir::ModuleOp"> {
  let summary = "Prints the memory plan of every function (for tests)";
  let description = [{
    Prints, for every function with a body in module order, the plan of
    `--loom-plan-memory` as a table on stdout: each buffer's SSA value and
    name, kind, bytes, offset, live range and aliases (`view of #i`,
    `in place of #i`); each new parameter or state value, in place or
    copied and why; the persistent bytes, the sum of all buffers, the most
    bytes live at once and the peak (the arena size). Where the function
    carries `loom.arena_size` or `loom.offsets` from `--loom-plan-memory`,
    checks that they agree with the plan. The IR is unchanged.

    ```
    memory plan of @sgd: 1 ops, alignment 64
      id  value      kind        bytes  offset  live
      #0  %arg0 "w"  persistent  64     0       [0, 0]
      #1  %arg1 "g"  input       64     64      [0, 0]
      #2  %0         transient   64     0       [0, 1]      in place of #0
      update result #0: %0 -> %arg0 "w" in place
      persistent: 64 bytes
      all buffers: 192 bytes
      max live: 128 bytes
      peak: 128 bytes, 66.6% of all buffers
    ```

    (`--loom-plan-memory`'s example, which that pass turns into
    `loom.arena_size = 128`.) A copy shows as `update result #i: ... copied
    after the step: <why>` and `copy <bytes> bytes <from> -> <to>`, in the
    order the copies run.
  }];
  let options = [
    Option<"alignment", "alignment", "uint64_t", /*default=*/"64",
           "Every offset and size is a multiple of this power of two">,
  ];
}

//===----------------------------------------------------------------------===//
// Optimizer
//===----------------------------------------------------------------------===//

def LoomBuildDecodeStep : Pass<"loom-build-decode-step", "::mlir::ModuleOp"> {
  let summary = "Builds @decode_step: one position of @forward, with KV caches";
  let description = [{
    Builds `@decode_step` from the batch-1 `@forward` of a sequence model
    (token ids `[1, T]` in): the forward at one position, which a generator
    calls once per token instead of recomputing the whole window.

    `(params..., token: [1, 1], pos: tensor<1xi32>, cache.0.k, cache.0.v,
    ...) -> (output at pos, cache.0.k', cache.0.v', ...)`

    Every value of `@forward` is traced with the dimension that runs over
    the positions (dimension 1 of the input); that dimension becomes 1. Ops
    that act on each position alone keep their meaning: the elementwise and
    broadcasting ops, layer_norm and softmax over other dimensions, matmul
    with the positions among the lhs's rows or batch dimensions, reshape and
    transpose that keep the positions one dimension, slices that keep every
    position, gather by token ids, reductions over other dimensions. A
    position-free table that meets the positions with the window's extent
    (`wpe[0:T]`, an `iota` of positions) contributes its row at `pos` (a
    `loom.gather`). Each causal `loom.attention` L becomes the attention of
    the one query over caches `cache.L.k`, `cache.L.v` of the key and value
    shapes `[..., T, D]`: this position's key and value are written at row
    `pos` (`select(iota == pos, k, cache)`), rows after `pos` are masked
    with -inf, and the updated caches are results. Rows of a cache after
    `pos` get no weight; the runtime zeroes the caches when it starts a
    sequence. Arguments carry `loom.param` (as `@forward`), `loom.input`
    ("token", "pos") or `loom.state` ("cache.L.k", "cache.L.v": kept
    between runs, updated in place by the memory plan); results
    `loom.output = "output"`, then `loom.state` of each cache.

    Precondition: `@forward` exists, takes the parameters and integer token
    ids `[1, T]` (T >= 2), and returns one value that runs over the
    positions. An op that mixes positions (attention without `causal`,
    a reduction, slice, softmax or normalization over the positions, a
    matmul summing over them, an op with no rule) is an error at the op;
    with `optional`, a remark instead, and no `@decode_step`.
    Postcondition: `@forward` is unchanged.
  }];
  let options = [
    Option<"optional", "optional", "bool", /*default=*/"false",
           "A forward that cannot be decoded gets a remark, not an error">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

def LoomBuildEvalStep : Pass<"loom-build-eval-step", "::mlir::ModuleOp"> {
  let summary = "Builds @eval_step: the loss and the model's output, dropout off";
  let description = [{
    Builds `@eval_step` from `@loss` and `@forward` (as the frontend lowers
    them): what evaluation on a validation set runs.

    `(params..., batch...) -> (loss: tensor<f32>, output)`

    The body is `@loss`'s with every `loom.dropout` replaced by its input
    (inverted dropout is the identity at inference, as in
    `torch.nn.Module.eval()`), then `@forward`'s on the same parameters and
    `x`, whose result is the second result; CSE then merges the forward pass
    the two share, so the model runs once. `@loss`'s `rng` input is dropped
    when nothing reads it any more.

    Precondition: `@loss` and `@forward` exist, `@forward`'s arguments are
    the same parameters as `@loss`'s (the same count and `loom.param`
    names) followed by `x`, and `@loss` has an argument with
    `loom.input = "x"`. Postcondition: `@loss` and `@forward` are unchanged;
    `@eval_step`'s arguments keep `@loss`'s attributes; its ops keep their
    locations.
  }];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

def LoomBuildInputGradStep : Pass<"loom-build-input-grad-step", "::mlir::ModuleOp"> {
  let summary = "Builds @input_grad_step: d(selected output)/d(input), for attributions";
  let description = [{
    Builds `@input_grad_step` from `@forward`: the gradient of the part of
    the model's output that `select` picks with respect to the model's
    input, what `loom explain`'s integrated gradients evaluate at each
    interpolation point.

    `(params..., x {loom.input = "x"}, select {loom.input = "select"})
       -> (sum(forward(x) * select): tensor<f32>, d/dx {loom.grad = "x"})`

    `select` has the output's shape: a one-hot row per example picks a
    class's logit (or a regression target), a row of zeros leaves the
    example out. Examples do not mix in `@forward`, so row i of the
    gradient is example i's. The gradient is `--loom-autodiff{wrt=x}` of
    `@input_grad_target`, the function above, which is then removed.

    Precondition: `@forward` takes the parameters then a floating-point `x`
    and returns one floating-point tensor. With `optional`, a model that
    does not meet it, or whose forward reaches an op without a gradient
    rule from `x`, gets a remark and no `@input_grad_step`; otherwise that
    is an error.
  }];
  let options = [
    Option<"optional", "optional", "bool", /*default=*/"false",
           "A forward that cannot be differentiated w.r.t. its input gets a "
           "remark, not an error">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

def LoomBuildTrainStep : Pass<"loom-build-train-step", "::mlir::ModuleOp"> {
  let summary = "Builds @train_step: gradients, lr schedule, clipping, update";
  let description = [{
    Builds `@train_step` from `@loss_grad` (made by `--loom-autodiff`) and
    the module's `loom.train` recipe (its `optimizer`, `schedule` and
    `steps`):

    `(params..., opt_state..., batch..., %step: tensor<i64>[, %lr_scale:
    tensor<f32>]) -> (params'..., opt_state'..., loss: tensor<f32>, lr:
    tensor<f32>, grad_norm: tensor<f32>)`

    `@loss_grad`'s body is cloned inline (no call), then, in loom ops:
    the learning rate of the 0-based `%step` in f32 (`constant`;
    `step`: `lr * gamma^floor(step/every)`; `exponential`: `lr * gamma^step`;
    `warmup_cosine`: `lr * (step+1)/warmup` while `step < warmup`, then
    `min_lr + 0.5 (lr - min_lr)(1 + cos(pi min(1, (step-warmup)/(steps-warmup))))`;
    `reduce_on_plateau`: `lr * %lr_scale`, an input the runtime lowers);
    the global gradient norm `sqrt(sum of all g^2)` (before clipping;
    0 when nothing is trainable); with `clip_norm`, every gradient times
    `min(1, clip_norm / (norm + 1e-6))`; then the update of
    torch.optim's `sgd`, `adam`, `adamw` or `rmsprop`.

    Precondition: `@loss_grad` exists (arguments as `@loss`, results
    `(loss, d_param...)` for the parameters with `loom.param` and no
    `loom.frozen`, in order); the module has `loom.train` with a known
    optimizer and schedule, and `steps` (not `epochs`) for `warmup_cosine`.
    Postcondition: `@loss` and `@loss_grad` are unchanged; `@train_step`
    takes every parameter (frozen ones too, keeping their argument
    attributes), then the optimizer state, then the batch (the other
    arguments of `@loss`, attributes kept), then `%step`
    (`loom.input = "step"`) and, for `reduce_on_plateau`, `%lr_scale`
    (`loom.input = "lr_scale"`). State is one tensor of the parameter's type
    per slot, named `loom.opt_state = "<param path>.<slot>"`: sgd
    `momentum_buffer` (momentum > 0), adam/adamw `exp_avg`, `exp_avg_sq`,
    rmsprop `square_avg`, `momentum_buffer` (momentum > 0), `grad_avg`
    (centered); it starts at zero. Results: the new parameters
    (`loom.param`; frozen ones unchanged), the new state (`loom.opt_state`),
    the loss and the learning rate used. New ops carry the location the
    recipe records for their setting (the `loc` of `optimizer`, and of
    `schedule` for the learning rate), or `@loss_grad`'s location without
    one.

    ```mlir
    module attributes {loom.train = {optimizer = {kind = "sgd", lr = 0.1 : f64,
        momentum = 0.9 : f64, nesterov = false, weight_decay = 0.0 : f64},
        schedule = {kind = "constant"}, steps = 10 : i64}} {
      func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}, %x: tensor<3xf32>)
          -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) { ... }
    }
    ==>
    func.func @train_step(%w: tensor<3xf32> {loom.param = "w"},
        %buf: tensor<3xf32> {loom.opt_state = "w.momentum_buffer"},
        %x: tensor<3xf32>, %step: tensor<i64> {loom.input = "step"})
        -> (tensor<3xf32> {loom.param = "w"},
            tensor<3xf32> {loom.opt_state = "w.momentum_buffer"},
            tensor<f32>, tensor<f32>) {
      ... @loss_grad's body: %loss, %dw ...
      %lr = loom.constant dense<1.0e-01> : tensor<f32>
      %first = loom.compare eq, %step, %zero : ...
      %buf2 = loom.select %first, %dw, (0.9 * %buf + %dw) : ...
      %w2 = loom.sub %w, (%lr * %buf2) : ...
      return %w2, %buf2, %loss, %lr : ...
    }
    ```
  }];
  let dependentDialects = ["::mlir::loom::LoomDialect",
                           "::mlir::func::FuncDialect"];
}

//===----------------------------------------------------------------------===//
// Parallelism
//===----------------------------------------------------------------------===//

def LoomDataParallel : Pass<"loom-data-parallel", "::mlir::ModuleOp"> {
  let summary = "Averages the gradients and the loss over the data axis";
  let description = [{
    For a recipe compiled for `D` > 1 ranks of the mesh's data axis
    (`#loom.recipe<..., data_ranks = D>`, from `mesh = (data = D)` or the
    rank count of `loom train` under mpirun), every rank runs `@loss_grad` on
    its own `batch / D` examples; this pass makes each gradient and the loss
    the mean over the ranks, which is the gradient and the loss of the
    global batch (each rank's loss is the mean over an equal share). With
    `D` = 1 it changes nothing. `--loom-train-step-pipeline=data-parallel`
    runs it between autodiff and the step; the tools set that option when
    the recipe has more than one data rank.

    Precondition: `--loom-autodiff` built `@loss_grad` (results: the loss,
    then one gradient per trainable parameter tagged `loom.grad`);
    `--loom-build-train-step` has not inlined it yet, so the gradient norm
    of clipping and the optimizer read the averaged gradients.

    Postcondition: each returned gradient and the loss (but a constant,
    the same on every rank) is replaced by a
    `loom.all_reduce mean ... over ["data"] group_size D`, one op per
    value, located at the parameter it carries (its `.loom` location) and
    tagged `loom.bucket = k`. The gradients are bucketed in the order the
    backward produces them: a bucket closes once it holds `bucket-bytes` or
    more. A bucket's ops stand together right after the op that produces
    its last gradient, so that its communication can start while the rest
    of the backward runs; the runtime runs a bucket as one non-blocking
    all-reduce and waits for it where a result is first read. The loss is
    bucket 0, reduced right after the forward computes it. Collectives are
    never merged or reordered, so every rank issues the same sequence.
    A `loom.dropout` gets a warning: its mask is a function of the element's
    index in the rank's share of the batch, so every rank draws the masks
    one process draws for the first `batch / D` examples. On a mesh with a
    model axis too, `--loom-partition-step` runs after it and partitions
    the all-reduces with the rest of the step (each rank averages its slice
    of a split gradient): the pass registers `loom.all_reduce`'s sharding
    rule (passes/parallel/AllReduceSharding.cpp) for that.

    ```mlir
    func.func @loss_grad(%w: tensor<3xf32> {loom.param = "w"}, ...)
        -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"}) {
      %loss = ...
      %dw = loom.mul %b, %x : tensor<3xf32>
      return %loss, %dw : tensor<f32>, tensor<3xf32>
    }
    ==>  (data_ranks = 2)
      %loss = ...
      %l = loom.all_reduce mean %loss over ["data"] group_size 2 {loom.bucket = 0 : i64} : tensor<f32>
      ...
      %dw = loom.mul %b, %x : tensor<3xf32>
      %g = loom.all_reduce mean %dw over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<3xf32>
      return %l, %g : tensor<f32>, tensor<3xf32>
    ```
  }];
  let options = [
    Option<"bucketBytes", "bucket-bytes", "int64_t", /*default=*/"26214400",
           "The bytes of gradients one all-reduce carries, at least (the "
           "last bucket may hold less; default 25 MiB, PyTorch DDP's)">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

def LoomShardOptimizer : Pass<"loom-shard-optimizer", "::mlir::ModuleOp"> {
  let summary = "Shards the optimizer state over the data axis (ZeRO-1)";
  let description = [{
    ZeRO stage 1 for a recipe compiled for `D` > 1 data ranks with
    `shard_optimizer = true` (`#loom.recipe<..., data_ranks = D,
    shard_optimizer = true>`; otherwise it changes nothing;
    `--loom-train-step-pipeline=data-parallel` runs it after the step). In `@train_step`, each gradient's
    `loom.all_reduce mean` (from `--loom-data-parallel`; the loss's stays)
    becomes a `loom.reduce_scatter mean ... dim 0` of the gradient
    flattened and zero-padded to `D * ceil(N / D)` elements, at the same
    place and in the same `loom.bucket` (the flattening and padding go
    before the bucket's first collective, so that a bucket's collectives
    stay adjacent): rank `r` holds the mean of elements
    `[r * S, (r + 1) * S)`, `S = ceil(N / D)`. The optimizer's elementwise
    update then runs on slices of `S` elements: the state arguments and
    results (`loom.opt_state`) become `tensor<Sxf32>`, rank `r`'s slice of
    every moment (the memory saving); scalars stay as they are; the
    parameter (and any other whole tensor the update reads that is not an
    elementwise function of these) is sliced by a `loom.gather` of row
    `%rank` of its padded `D x S` form, where `%rank: tensor<1xi32>
    {loom.input = "rank"}` is a new last argument the runtime fills with
    the rank's coordinate on the data axis. A sum of every element of a
    sharded value (clipping's global norm) becomes the sum of the slice;
    adds of such sums stay local, and one `loom.all_reduce sum` over the
    ranks stands before the first other op that reads one (the norm's
    square root: one all-reduce of one f32 per step). Each new parameter is
    `loom.all_gather`ed (all in one new bucket, adjacent, before the
    return, located at the parameter's `.loom` declaration), unpadded and
    reshaped. The whole-tensor update is erased.

    Precondition: `--loom-build-train-step` built `@train_step` from a
    `@loss_grad` that `--loom-data-parallel` averaged. An op other than an
    elementwise one or a full sum that reads a gradient, an update that
    broadcasts a gradient to another shape, or state read outside its
    update is an error at that op.

    ```mlir
    %g = loom.all_reduce mean %dw over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<3xf32>
    %m2 = loom.mul %m, %g : tensor<3xf32>
    ==>  (data_ranks = 2; %m: tensor<2xf32>)
    %f = loom.reshape %dw : tensor<3xf32> to tensor<3xf32>
    %p = loom.concat %f, %zero dim 0 : (tensor<3xf32>, tensor<1xf32>) -> tensor<4xf32>
    %g = loom.reduce_scatter mean %p over ["data"] group_size 2 dim 0 {loom.bucket = 1 : i64} : tensor<4xf32> -> tensor<2xf32>
    %m2 = loom.mul %m, %g : tensor<2xf32>
    ```
  }];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

//===----------------------------------------------------------------------===//
// Recipe
//===----------------------------------------------------------------------===//

def LoomOverrideRecipe : Pass<"loom-override-recipe", "::mlir::ModuleOp"> {
  let summary = "Overrides the recipe's steps, learning rate or seed";
  let description = [{
    Rewrites the module's `loom.train` recipe (`#loom.recipe`) with the
    values `loom train --steps N --lr LR --seed S` give, before anything
    reads it; an option that is not given leaves its field as it is (the
    generated `createLoomOverrideRecipe(options)` gives all three; the tool
    uses `createLoomOverrideRecipe(RecipeOverrides)`, Passes.h).

    - `steps`: the run's length, replacing `steps` or `epochs`. A
      `warmup_cosine` schedule follows it: its cosine decays over the new
      run, and a warm-up that does not fit (`warmup >= steps`) is shortened
      to the fraction of the run the recipe gives it (`round(warmup * steps
      / recipe steps)`, at least 1 and less than `steps`), or, for a recipe
      counted in epochs, to `steps - 1`; a remark at the schedule says so.
    - `lr`: the optimizer's learning rate.
    - `seed`: the recipe's seed.

    Precondition: the module has `loom.train`. A value out of the range a
    train block's setting has is an error at the module, worded as `loom
    train`'s flags are (`--lr must be a finite number > 0, not inf`,
    `--steps must be at least 1, not 0`); the recipe is then unchanged.
    Postcondition: only `loom.train` changed.

    ```mlir
    module attributes {loom.train = #loom.recipe<name = "t", data = <...>,
        batch = 2, steps = 100, optimizer = <kind = "sgd", lr = 1.0e-01, ...>,
        schedule = <kind = "warmup_cosine", warmup = 10, min_lr = 0.0e+00>>} {}
    // --loom-override-recipe="steps=3 lr=0.5"
    ==>
    module attributes {loom.train = #loom.recipe<name = "t", data = <...>,
        batch = 2, steps = 3, optimizer = <kind = "sgd", lr = 5.0e-01, ...>,
        schedule = <kind = "warmup_cosine", warmup = 1, min_lr = 0.0e+00>>} {}
    ```
  }];
  let options = [
    Option<"steps", "steps", "int64_t", /*default=*/"0",
           "Train this many steps (at least 1)">,
    Option<"lr", "lr", "double", /*default=*/"0",
           "The learning rate (the range of the optimizer's lr)">,
    Option<"seed", "seed", "int64_t", /*default=*/"0", "The seed">,
  ];
}

//===----------------------------------------------------------------------===//
// Remat
//===----------------------------------------------------------------------===//

def LoomRemat : Pass<"loom-remat", "::mlir::ModuleOp"> {
  let summary = "Recomputes activations in the backward instead of keeping them";
  let description = [{
    Activation recomputation (gradient checkpointing) on a differentiated
    function (`@train_step` by default), as the recipe's `remat` setting
    (or the `policy` option) asks:

    - `none`: nothing changes;
    - `blocks`: each repeated block (the ops whose instance path,
      `fused<{instance = "blocks.3.attn"}>`, starts with a repeat element
      such as `blocks.3`: its shortest prefix that ends in an index) keeps
      only its inputs for the backward. Its values that the backward reads
      are computed again from those inputs, by clones of its ops placed
      just before the first backward op that reads one of them; the
      forward's own copies then die in the forward;
    - `dots`: as `blocks`, but the results of contractions (ops whose
      `FusionOpInterface` class is `contraction`: matmul, convolution) are
      kept too, so only the ops between them are recomputed (JAX's
      `dots_saveable`).

    The forward is what the loss depends on: the loss is the function's
    first result that is neither a new parameter nor a new optimizer state
    (`loom.param`, `loom.opt_state`), and the forward ops are those it
    depends on; every other op is the backward (or the update). A block's
    value that a forward op outside the block reads (its output, the next
    block's input) is kept, as is the result of an op with side effects;
    everything else the backward reads from a block is recomputed. The
    forward is deterministic (dropout draws from a counter-based stream by
    its seed and stream number), so the recomputed values, and the
    gradients, are bit-identical to the kept ones.

    Clones carry `fused<"remat">[forward op's location]`. Under a policy
    other than none the function gets `loom.remat = {policy, blocks,
    recomputed_ops, activation_bytes = array<i64: before, after>}`: the
    blocks and ops recomputed, and the most bytes of forward values (and
    their recomputations) live at once, op by op (every op a position of
    the memory plan), before and after; `loom compile` prints them. A
    model without repeated blocks is left as it is (`blocks = 0`).

    Precondition: a single block of ops on statically shaped tensors (as
    `--loom-plan-memory` takes). Errors: an unknown policy, no function
    `func`, no loss result.

    Runs after the last CSE (which would merge the clones back into the
    forward): the CPU backend's `--loom-cpu-step-pipeline` runs it before
    `--loom-fuse`.

    ```mlir
    // blocks.0: o = tanh(x @ w) + x; the gradient of tanh reads %t.
    %a = loom.matmul %x, %w ...                 loc(fused<{instance = "blocks.0"}>[...])
    %t = loom.tanh %a : tensor<2x4xf32>         loc(fused<{instance = "blocks.0"}>[...])
    %o = loom.add %t, %x : tensor<2x4xf32>      loc(fused<{instance = "blocks.0"}>[...])
    ... the loss, the backward of the ops after blocks.0 ...
    %s = loom.mul %t, %t : tensor<2x4xf32>      // backward
    ==>
    ... the same forward; %t dies at %o ...
    %a2 = loom.matmul %x, %w ...                loc(fused<"remat">[...])
    %t2 = loom.tanh %a2 : tensor<2x4xf32>       loc(fused<"remat">[...])
    %s = loom.mul %t2, %t2 : tensor<2x4xf32>
    ```
  }];
  let options = [
    Option<"funcName", "func", "std::string", /*default=*/"\"train_step\"",
           "The differentiated function">,
    Option<"policy", "policy", "std::string", /*default=*/"\"\"",
           "none, blocks or dots; empty: the recipe's remat (none without "
           "one)">,
  ];
  let dependentDialects = ["::mlir::loom::LoomDialect"];
}

//===----------------------------------------------------------------------===//
// Sharding
//===----------------------------------------------------------------------===//

def LoomCheckShardings : Pass<"loom-check-shardings", "::mlir::ModuleOp"> {
  let summary = "Reports a sharded value that reaches an op without a "
                "sharding rule";
  let description = [{
    Runs after upstream `--sharding-propagation`, which passes over an op
    without the mesh ShardingInterface and so leaves its results without a
    sharding: an error at the op (its `.loom` location) for each operand
    that a `mesh.shard` splits or marks partial, naming the op and the
    sharding, so that a parameter's sharding is never silently dropped
    (fully replicated). Ops with a rule (passes/sharding/ShardingRules.cpp)
    and the mesh and func ops are left alone; the IR is not changed.
  }];
  let dependentDialects = ["::mlir::mesh::MeshDialect"];
}

def LoomCompleteShardings : Pass<"loom-complete-shardings",
                                  "::mlir::ModuleOp"> {
  let summary = "Gives every tensor value the mesh.shard that "
                "--mesh-spmdization needs";
  let description = [{
    Runs between upstream `--sharding-propagation` and
    `--mesh-spmdization` (LLVM 19's asserts them; a release build goes on
    with garbage): every tensor argument and result gets exactly one use, a
    `mesh.shard` (whole for the values propagation left without one: an op
    that reads and makes only whole values decides nothing), duplicate
    equal shardings of one value merge, every op reads through
    `mesh.shard`s, and a returned value not annotated for the function's
    users is read whole (a slice or a partial sum returned as it is would
    be one rank's part). Does nothing
    without a `mesh.mesh @mesh`. --loom-partition-step runs it.

    ```mlir
    %h = loom.matmul %x, %w : ...
    return %h : tensor<2x16xf32>
    ==>
    %h = loom.matmul %x, %w : ...
    %s = mesh.shard %h to <@mesh, []> : tensor<2x16xf32>
    return %s : tensor<2x16xf32>
    ```
  }];
  let dependentDialects = ["::mlir::mesh::MeshDialect"];
}

def LoomPartitionStep : Pass<"loom-partition-step", "::mlir::ModuleOp"> {
  let summary = "Partitions the programs of a training run over the mesh "
                "(tensor parallelism)";
  let description = [{
    Runs on the whole programs (after --loom-build-train-step and the eval
    and decode builders); does nothing without a `mesh.mesh @mesh`. For
    each function with parameters the frontend marked `loom.shard` (a
    `#mesh.shard` argument attribute, from `shard [...]`): the parameters,
    and the optimizer moments of each (`loom.opt_state`, which take their
    parameter's sharding), enter through a `mesh.shard` and the returned
    updates leave through one; upstream `--sharding-propagation` carries
    the shardings through the forward, the gradients and the update with
    the Loom ops' rules, `--loom-check-shardings` refuses what no rule
    honours (an error at the op's `.loom` location), upstream
    `--mesh-spmdization` rewrites the function on each rank's slices, and
    each `mesh.all_reduce` (a partial sum read whole) becomes a
    `loom.all_reduce` over the named mesh axes. Any other change of
    sharding is an error at its op (no runtime collective yet). The
    sharded arguments' `loom.shard` becomes `{axis, dim, ranks, shape}`
    (the whole shape) for the backend; the mesh is erased.

    ```mlir
    mesh.mesh @mesh(shape = 1x2)
    func.func @train_step(%w2: tensor<8x4xf32> {loom.param = "w2",
        loom.shard = #mesh.shard<@mesh, [[1]]>}, ...) {
      %y = loom.matmul %h, %w2 : ... -> tensor<2x4xf32>
    ==>
    func.func @train_step(%w2: tensor<4x4xf32> {loom.param = "w2",
        loom.shard = {axis = "model", dim = 0 : i64, ranks = 2 : i64,
                      shape = array<i64: 8, 4>}}, ...) {
      %p = loom.matmul %h, %w2 : ... -> tensor<2x4xf32>
      %y = loom.all_reduce sum %p over ["model"] group_size 2 : tensor<2x4xf32>
    ```
  }];
  // Upstream's resharding builds tensor.cast (refused after it).
  let dependentDialects = ["::mlir::mesh::MeshDialect",
                           "::mlir::loom::LoomDialect",
                           "::mlir::tensor::TensorDialect"];
}

#endif // LOOM_PASSES_TD
