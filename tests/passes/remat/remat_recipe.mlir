// RUN: loom-opt %s --split-input-file --loom-remat | FileCheck %s

// Tests that without a policy option --loom-remat follows the recipe's
// `remat` (here blocks): blocks.0's tanh (not its output, the add), which
// its gradient reads, is recomputed; the pass reports what it did on the
// function.
// CHECK-LABEL: func.func @train_step(
// CHECK-SAME: loom.remat = {activation_bytes = array<i64: 192, 192>, blocks = 1 : i64, policy = "blocks", recomputed_ops = 2 : i64}
// CHECK-COUNT-2: loom.tanh
#b0 = loc(fused<{instance = "blocks.0"}>["m.loom":4:12])
module attributes {loom.train = #loom.recipe<name = "t", data = <kind = "idx", images = "x", labels = "y">, batch = 1, steps = 10, optimizer = <kind = "sgd", lr = 0.1, momentum = 0.0, nesterov = false, weight_decay = 0.0>, remat = "blocks">} {
  func.func @train_step(%w: tensor<4x4xf32> {loom.param = "blocks.0.w"},
                        %x: tensor<2x4xf32> {loom.input = "x"})
      -> (tensor<4x4xf32> {loom.param = "blocks.0.w"}, tensor<f32>) {
    %a = loom.matmul %x, %w : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32> loc(#b0)
    %t = loom.tanh %a : tensor<2x4xf32> loc(#b0)
    %o = loom.add %t, %x : tensor<2x4xf32> loc(#b0)
    %l = loom.reduce sum %o dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
    %one = loom.constant dense<1.000000e+00> : tensor<f32>
    %s = loom.mul %t, %t : tensor<2x4xf32>
    %d = loom.sub %one, %s : (tensor<f32>, tensor<2x4xf32>) -> tensor<2x4xf32>
    %dw = loom.matmul %x, %d transpose_lhs : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
    %nw = loom.sub %w, %dw : tensor<4x4xf32>
    return %nw, %l : tensor<4x4xf32>, tensor<f32>
  }
}
