// RUN: loom-opt %s --split-input-file --loom-remat="func=loss_grad policy=blocks" --mlir-print-local-scope --mlir-print-debuginfo | FileCheck %s --check-prefix=BLOCKS
// RUN: loom-opt %s --split-input-file --loom-remat="func=loss_grad policy=dots" --mlir-print-local-scope --mlir-print-debuginfo | FileCheck %s --check-prefix=DOTS
// RUN: loom-opt %s --split-input-file --loom-remat="func=loss_grad" | FileCheck %s --check-prefix=NONE

// Tests two residual blocks, o = tanh(in @ w) + in, differentiated (as
// --loom-autodiff --canonicalize --cse leave them). The backward of tanh reads
// tanh's result, which is inside its block: with `blocks`, each block's
// matmul and tanh are cloned (fused<"remat">) just before the first backward
// op that reads the tanh, from the block's input; blocks.0's output, which
// blocks.1 reads, is kept (the gradient of blocks.1's weight reads it). With
// `dots` the matmul's result is kept and only the tanh is recomputed. With
// no policy and no recipe (none) nothing changes.
#f = loc("m.loom":4:12)
#b0 = loc(fused<{instance = "blocks.0.fc"}>[#f])
#b1 = loc(fused<{instance = "blocks.1.fc"}>[#f])
#g0 = loc(fused<"grad">[#b0])
#g1 = loc(fused<"grad">[#b1])
func.func @loss_grad(%w0: tensor<4x4xf32> {loom.param = "blocks.0.fc.w"},
                     %w1: tensor<4x4xf32> {loom.param = "blocks.1.fc.w"},
                     %x: tensor<2x4xf32> {loom.input = "x"})
    -> (tensor<f32>, tensor<4x4xf32> {loom.grad = "blocks.0.fc.w"},
        tensor<4x4xf32> {loom.grad = "blocks.1.fc.w"}) {
  %a0 = loom.matmul %x, %w0 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc(#b0)
  %t0 = loom.tanh %a0 : tensor<2x4xf32> loc(#b0)
  %o0 = loom.add %t0, %x : tensor<2x4xf32> loc(#b0)
  %a1 = loom.matmul %o0, %w1 : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc(#b1)
  %t1 = loom.tanh %a1 : tensor<2x4xf32> loc(#b1)
  %o1 = loom.add %t1, %o0 : tensor<2x4xf32> loc(#b1)
  %l = loom.reduce sum %o1 dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
  %one = loom.constant dense<1.000000e+00> : tensor<f32>
  %s1 = loom.mul %t1, %t1 : tensor<2x4xf32> loc(#g1)
  %d1 = loom.sub %one, %s1 : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc(#g1)
  %do0 = loom.matmul %d1, %w1 transpose_rhs : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc(#g1)
  %dw1 = loom.matmul %o0, %d1 transpose_lhs : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32> loc(#g1)
  %ones = loom.constant dense<1.000000e+00> : tensor<2x4xf32>
  %dt0 = loom.add %do0, %ones : tensor<2x4xf32> loc(#g1)
  %s0 = loom.mul %t0, %t0 : tensor<2x4xf32> loc(#g0)
  %d0p = loom.sub %one, %s0 : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32> loc(#g0)
  %d0 = loom.mul %dt0, %d0p : tensor<2x4xf32> loc(#g0)
  %dw0 = loom.matmul %x, %d0 transpose_lhs : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32> loc(#g0)
  return %l, %dw0, %dw1 : tensor<f32>, tensor<4x4xf32>, tensor<4x4xf32>
}

// BLOCKS-LABEL: func.func @loss_grad(
// BLOCKS-SAME: %[[W0:[^:]*]]: tensor<4x4xf32> {loom.param = "blocks.0.fc.w"}
// BLOCKS-SAME: %[[W1:[^:]*]]: tensor<4x4xf32> {loom.param = "blocks.1.fc.w"}
// BLOCKS-SAME: %[[X:[^:]*]]: tensor<2x4xf32> {loom.input = "x"}
// BLOCKS-SAME: attributes {loom.remat = {activation_bytes = array<i64: 320, 256>, blocks = 2 : i64, policy = "blocks", recomputed_ops = 4 : i64}}
// The forward, unchanged.
// BLOCKS:      %[[A0:.*]] = loom.matmul %[[X]], %[[W0]]
// BLOCKS-NEXT: %[[T0:.*]] = loom.tanh %[[A0]]
// BLOCKS-NEXT: %[[O0:.*]] = loom.add %[[T0]], %[[X]]
// BLOCKS-NEXT: %[[A1:.*]] = loom.matmul %[[O0]], %[[W1]]
// BLOCKS-NEXT: %[[T1:.*]] = loom.tanh %[[A1]]
// BLOCKS-NEXT: loom.add %[[T1]], %[[O0]]
// BLOCKS-NEXT: loom.reduce sum
// BLOCKS-NEXT: loom.constant
// blocks.1 from its input, before the gradient of its tanh.
// BLOCKS-NEXT: %[[RA1:.*]] = loom.matmul %[[O0]], %[[W1]] {{.*}} loc(fused<"remat">[fused<{instance = "blocks.1.fc"}>["m.loom":4:12]])
// BLOCKS-NEXT: %[[RT1:.*]] = loom.tanh %[[RA1]] {{.*}} loc(fused<"remat">[fused<{instance = "blocks.1.fc"}>["m.loom":4:12]])
// BLOCKS-NEXT: loom.mul %[[RT1]], %[[RT1]]
// BLOCKS:      loom.matmul %[[O0]], %{{.*}} transpose_lhs
// blocks.0, before the gradient of its tanh.
// BLOCKS:      %[[RA0:.*]] = loom.matmul %[[X]], %[[W0]] {{.*}} loc(fused<"remat">
// BLOCKS-NEXT: %[[RT0:.*]] = loom.tanh %[[RA0]] {{.*}} loc(fused<"remat">
// BLOCKS-NEXT: loom.mul %[[RT0]], %[[RT0]]

// DOTS-LABEL: func.func @loss_grad(
// DOTS-SAME: loom.remat = {activation_bytes = array<i64: 320, 320>, blocks = 2 : i64, policy = "dots", recomputed_ops = 2 : i64}
// DOTS:      %[[A0:.*]] = loom.matmul
// DOTS:      %[[A1:.*]] = loom.matmul
// DOTS:      loom.constant
// DOTS-NEXT: %[[RT1:.*]] = loom.tanh %[[A1]] {{.*}} loc(fused<"remat">
// DOTS-NEXT: loom.mul %[[RT1]], %[[RT1]]
// DOTS:      %[[RT0:.*]] = loom.tanh %[[A0]] {{.*}} loc(fused<"remat">
// DOTS-NEXT: loom.mul %[[RT0]], %[[RT0]]
// DOTS-NOT:  loom.matmul {{.*}} loc(fused<"remat">

// NONE-LABEL: func.func @loss_grad(
// NONE-NOT: loom.remat
// NONE-COUNT-2: loom.tanh
// NONE-NOT: loom.tanh
// NONE: return

// -----

// Tests that ops outside a repeat element (no instance, or an instance path
// with no index such as the head's) are never recomputed: their values stay.
#h = loc(fused<{instance = "head"}>["m.loom":9:3])
func.func @loss_grad(%w: tensor<4x4xf32> {loom.param = "head.w"},
                     %x: tensor<2x4xf32> {loom.input = "x"})
    -> (tensor<f32>, tensor<4x4xf32> {loom.grad = "head.w"}) {
  %a = loom.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc(#h)
  %t = loom.tanh %a : tensor<2x4xf32> loc(#h)
  %l = loom.reduce sum %t dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
  %one = loom.constant dense<1.000000e+00> : tensor<f32>
  %s = loom.mul %t, %t : tensor<2x4xf32>
  %d = loom.sub %one, %s : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
  %dw = loom.matmul %x, %d transpose_lhs : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  return %l, %dw : tensor<f32>, tensor<4x4xf32>
}

// BLOCKS-LABEL: func.func @loss_grad(
// BLOCKS-SAME: loom.remat = {activation_bytes = array<i64: 128, 128>, blocks = 0 : i64, policy = "blocks", recomputed_ops = 0 : i64}
// BLOCKS-COUNT-1: loom.tanh
// BLOCKS-NOT: loom.tanh
