// RUN: loom-opt %s --split-input-file --loom-autodiff --verify-diagnostics

// Tests that an op on the path from a trainable parameter to the loss
// without a gradient rule is reported at that op.
func.func @loss(%w: tensor<1x1x2x2xf32> {loom.param = "w"}, %x: tensor<1x1x4x4xf32>) -> tensor<f32> {
  // expected-error@+1 {{'loom.pool2d_backward' op cannot be differentiated: it has no gradient rule (the loss depends on a trainable parameter through it)}}
  %0 = loom.pool2d_backward max %w, %x window [2, 2] strides [2, 2] : (tensor<1x1x2x2xf32>, tensor<1x1x4x4xf32>) -> tensor<1x1x4x4xf32>
  %1 = loom.reduce sum %0 dims [0, 1, 2, 3] : tensor<1x1x4x4xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// Tests that a non-differentiable op off the parameters' path is fine.
func.func @loss(%w: tensor<4xf32> {loom.param = "w"}, %x: tensor<1x1x2x2xf32>) -> tensor<f32> {
  %0 = loom.pool2d_backward avg %x window [1, 1] strides [1, 1] : (tensor<1x1x2x2xf32>) -> tensor<1x1x2x2xf32>
  %1 = loom.reshape %0 : tensor<1x1x2x2xf32> to tensor<4xf32>
  %2 = loom.mul %1, %w : tensor<4xf32>
  %3 = loom.reduce sum %2 dims [0] : tensor<4xf32> -> tensor<f32>
  return %3 : tensor<f32>
}

// -----

// Tests that only a function returning one floating-point scalar is
// differentiated.
// expected-error@+1 {{can only differentiate a function that returns one floating-point scalar, not 'tensor<2xf32>'}}
func.func @loss(%w: tensor<2xf32> {loom.param = "w"}) -> tensor<2xf32> {
  return %w : tensor<2xf32>
}

// -----

// Tests that a missing function is reported.
// expected-error@+1 {{--loom-autodiff: no function @loss}}
module {
  func.func @other() {
    return
  }
}
