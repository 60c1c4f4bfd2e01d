// RUN: loom-opt --loom-build-input-grad-step %s --split-input-file --verify-diagnostics | FileCheck %s

// Tests --loom-build-input-grad-step (loom explain's integrated gradients):
// @input_grad_step returns sum(forward(x) * select) and its gradient with
// respect to x (not the parameters); @forward is unchanged and the helper
// @input_grad_target is gone.
// CHECK-LABEL: func.func @forward(
// CHECK-NEXT:    loom.matmul
// CHECK-NEXT:    return
// CHECK-LABEL: func.func @input_grad_step(
// CHECK-SAME:    %[[W:.*]]: tensor<3x4xf32> {loom.param = "w"},
// CHECK-SAME:    %[[X:.*]]: tensor<2x4xf32> {loom.input = "x"},
// CHECK-SAME:    %[[S:.*]]: tensor<2x3xf32> {loom.input = "select"})
// CHECK-SAME:    -> (tensor<f32>, tensor<2x4xf32> {loom.grad = "x"})
// CHECK:         %[[O:.*]] = loom.matmul %[[X]], %[[W]] transpose_rhs
// CHECK:         %[[P:.*]] = loom.mul %[[O]], %[[S]]
// CHECK:         %[[T:.*]] = loom.reduce sum %[[P]] dims [0, 1]
// The adjoint of the output is `select`; through the matmul it is select @ w.
// CHECK:         %[[D:.*]] = loom.mul %{{.*}}, %[[S]]
// CHECK:         %[[G:.*]] = loom.matmul %[[D]], %[[W]] :
// CHECK:         return %[[T]], %[[G]] : tensor<f32>, tensor<2x4xf32>
// CHECK-NOT:   @input_grad_target
module {
  func.func @forward(%w: tensor<3x4xf32> {loom.param = "w"}, %x: tensor<2x4xf32> {loom.input = "x"}) -> tensor<2x3xf32> {
    %o = loom.matmul %x, %w transpose_rhs : (tensor<2x4xf32>, tensor<3x4xf32>) -> tensor<2x3xf32>
    return %o : tensor<2x3xf32>
  }
}

// -----

// A model over token ids has no input to differentiate: an error
// (build_input_grad_step_optional.mlir: a remark with `optional`).
module {
  // expected-error @below {{cannot build an input-gradient program: the model's input is not a floating-point tensor}}
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x3x4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    return %e : tensor<1x3x4xf32>
  }
}

// -----

// expected-error @below {{cannot build an input-gradient program: --loom-build-input-grad-step needs @forward (lower a train block first)}}
module {
  func.func @loss(%x: tensor<f32> {loom.input = "x"}) -> tensor<f32> {
    return %x : tensor<f32>
  }
}
