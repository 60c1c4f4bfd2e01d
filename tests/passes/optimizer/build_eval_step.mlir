// RUN: loom-opt --loom-build-eval-step %s --split-input-file --verify-diagnostics | FileCheck %s

// Dropout is the identity in @eval_step, its key input goes, and the forward
// pass that the loss and the output share runs once.
// @loss and @forward are unchanged; @eval_step follows @loss.
// CHECK-LABEL: func.func @loss
// CHECK:         loom.dropout
// CHECK-LABEL: func.func @eval_step(
// CHECK-SAME:    %[[W:.*]]: tensor<3x4xf32> {loom.param = "w"},
// CHECK-SAME:    %[[X:.*]]: tensor<2x4xf32> {loom.input = "x"},
// CHECK-SAME:    %[[Y:.*]]: tensor<2xi32> {loom.input = "y"})
// CHECK-SAME:    -> (tensor<f32>, tensor<2x3xf32>)
// CHECK-NEXT:    %[[R:.*]] = loom.relu %[[X]]
// CHECK-NEXT:    %[[O:.*]] = loom.matmul %[[R]], %[[W]] transpose_rhs
// CHECK-NEXT:    %[[L:.*]] = loom.cross_entropy mean %[[O]], %[[Y]]
// CHECK-NEXT:    return %[[L]], %[[O]] : tensor<f32>, tensor<2x3xf32>
// CHECK-NOT:   loom.dropout
module {
  func.func @forward(%w: tensor<3x4xf32> {loom.param = "w"}, %x: tensor<2x4xf32> {loom.input = "x"}) -> tensor<2x3xf32> {
    %r = loom.relu %x : tensor<2x4xf32>
    %o = loom.matmul %r, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
    return %o : tensor<2x3xf32>
  }
  func.func @loss(%w: tensor<3x4xf32> {loom.param = "w"}, %x: tensor<2x4xf32> {loom.input = "x"}, %y: tensor<2xi32> {loom.input = "y"}, %key: tensor<2xi64> {loom.input = "rng"}) -> tensor<f32> {
    %r = loom.relu %x : tensor<2x4xf32>
    %d = loom.dropout %r, %key rate 5.000000e-01 stream 0 : (tensor<2x4xf32>, tensor<2xi64>) -> tensor<2x4xf32>
    %o = loom.matmul %d, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
    %l = loom.cross_entropy mean %o, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
    return %l : tensor<f32>
  }
}

// -----

// expected-error @below {{--loom-build-eval-step needs @loss and @forward (lower a train block first)}}
module {
  func.func @loss(%x: tensor<f32> {loom.input = "x"}) -> tensor<f32> {
    return %x : tensor<f32>
  }
}

// -----

module {
  // expected-error @below {{argument 0 of @forward is not parameter 0 of @loss}}
  func.func @forward(%w: tensor<3x4xf32> {loom.param = "v"}, %x: tensor<2x4xf32> {loom.input = "x"}) -> tensor<2x3xf32> {
    %o = loom.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
    return %o : tensor<2x3xf32>
  }
  func.func @loss(%w: tensor<3x4xf32> {loom.param = "w"}, %x: tensor<2x4xf32> {loom.input = "x"}, %y: tensor<2xi32> {loom.input = "y"}) -> tensor<f32> {
    %o = loom.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
    %l = loom.cross_entropy mean %o, %y : (tensor<2x3xf32>, tensor<2xi32>) -> tensor<f32>
    return %l : tensor<f32>
  }
}
