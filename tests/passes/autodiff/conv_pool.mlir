// RUN: loom-opt %s --split-input-file --loom-autodiff | FileCheck %s

// Tests that conv2d + relu + max pool differentiate to the backward ops with
// the forward's attributes: pool2d_backward max recomputes the argmax from
// the pool's input, and conv2d_backward_filter takes the batch; the batch's
// own adjoint (a conv2d_backward_input) is dead and removed.

// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[W:.*]]: tensor<4x1x3x3xf32> {loom.param = "w"}, %[[X:.*]]: tensor<2x1x6x6xf32>)
// CHECK: %[[Y:.*]] = loom.conv2d %[[X]], %[[W]] {padding = array<i64: 1, 1, 1, 1>}
// CHECK: %[[R:.*]] = loom.relu %[[Y]]
// CHECK: %[[DR:.*]] = loom.pool2d_backward max %{{.*}}, %[[R]] window [2, 2] strides [2, 2] : (tensor<2x4x3x3xf32>, tensor<2x4x6x6xf32>) -> tensor<2x4x6x6xf32>
// CHECK: %[[DY:.*]] = loom.select %{{.*}}, %[[DR]], %{{.*}}
// CHECK: %[[DW:.*]] = loom.conv2d_backward_filter %[[X]], %[[DY]] {padding = array<i64: 1, 1, 1, 1>} : (tensor<2x1x6x6xf32>, tensor<2x4x6x6xf32>) -> tensor<4x1x3x3xf32>
// CHECK-NOT: loom.conv2d_backward_input
// CHECK: return %{{.*}}, %[[DW]] : tensor<f32>, tensor<4x1x3x3xf32>
func.func @loss(%w: tensor<4x1x3x3xf32> {loom.param = "w"}, %x: tensor<2x1x6x6xf32>) -> tensor<f32> {
  %0 = loom.conv2d %x, %w {padding = array<i64: 1, 1, 1, 1>} : (tensor<2x1x6x6xf32>, tensor<4x1x3x3xf32>) -> tensor<2x4x6x6xf32>
  %1 = loom.relu %0 : tensor<2x4x6x6xf32>
  %2 = loom.pool2d max %1 window [2, 2] strides [2, 2] : tensor<2x4x6x6xf32> -> tensor<2x4x3x3xf32>
  %3 = loom.reduce mean %2 dims [0, 1, 2, 3] : tensor<2x4x3x3xf32> -> tensor<f32>
  return %3 : tensor<f32>
}

// -----

// Tests that a second convolution, grouped and dilated, passes its adjoint
// back through conv2d_backward_input to the first, strided one, and that
// avg pooling's backward takes no input and keeps count_include_pad.

// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: %[[W1:.*]]: tensor<4x2x3x3xf32> {loom.param = "w1"}, %[[W2:.*]]: tensor<4x2x2x2xf32> {loom.param = "w2"}, %[[X:.*]]: tensor<1x2x9x9xf32>)
// CHECK: %[[H:.*]] = loom.relu
// CHECK: %[[DP:.*]] = loom.pool2d_backward avg %{{.*}} window [3, 3] strides [1, 1] {count_include_pad, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x4xf32>) -> tensor<1x4x4x4xf32>
// CHECK: %[[DH:.*]] = loom.conv2d_backward_input %[[DP]], %[[W2]] {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x2x2x2xf32>) -> tensor<1x4x4x4xf32>
// CHECK: %[[DW2:.*]] = loom.conv2d_backward_filter %[[H]], %[[DP]] {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>}
// CHECK: %[[DY:.*]] = loom.select %{{.*}}, %[[DH]], %{{.*}}
// CHECK: %[[DW1:.*]] = loom.conv2d_backward_filter %[[X]], %[[DY]] {strides = array<i64: 2, 2>} : (tensor<1x2x9x9xf32>, tensor<1x4x4x4xf32>) -> tensor<4x2x3x3xf32>
// CHECK: return %{{.*}}, %[[DW1]], %[[DW2]] : tensor<f32>, tensor<4x2x3x3xf32>, tensor<4x2x2x2xf32>
func.func @loss(%w1: tensor<4x2x3x3xf32> {loom.param = "w1"}, %w2: tensor<4x2x2x2xf32> {loom.param = "w2"}, %x: tensor<1x2x9x9xf32>) -> tensor<f32> {
  %0 = loom.conv2d %x, %w1 {strides = array<i64: 2, 2>} : (tensor<1x2x9x9xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x4x4xf32>
  %1 = loom.relu %0 : tensor<1x4x4x4xf32>
  %2 = loom.conv2d %1, %w2 {dilations = array<i64: 2, 2>, groups = 2 : i64, padding = array<i64: 1, 1, 1, 1>} : (tensor<1x4x4x4xf32>, tensor<4x2x2x2xf32>) -> tensor<1x4x4x4xf32>
  %3 = loom.pool2d avg %2 window [3, 3] strides [1, 1] {count_include_pad, padding = array<i64: 1, 1, 1, 1>} : tensor<1x4x4x4xf32> -> tensor<1x4x4x4xf32>
  %4 = loom.reduce sum %3 dims [0, 1, 2, 3] : tensor<1x4x4x4xf32> -> tensor<f32>
  return %4 : tensor<f32>
}
