// RUN: loom-opt %s --split-input-file --loom-autodiff | FileCheck %s

// Tests that @loss_grad returns the loss and one gradient per trainable
// parameter, skips frozen parameters and the batch, sums a broadcast
// operand's adjoint back to its shape, and leaves no dead backward ops.

// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: -> (tensor<f32>, tensor<3xf32> {loom.grad = "w"})
// CHECK: %[[MEAN:.*]] = loom.reduce mean
// CHECK: %[[SEED:.*]] = loom.constant dense<1.000000e+00> : tensor<f32>
// CHECK: %[[DW:.*]] = loom.reduce sum %{{.*}} dims [0] : tensor<2x3xf32> -> tensor<3xf32>
// CHECK-NOT: loom.reduce sum {{.*}} -> tensor<f32>
// CHECK: return %[[MEAN]], %[[DW]] : tensor<f32>, tensor<3xf32>
func.func @loss(%w: tensor<3xf32> {loom.param = "w"}, %b: tensor<f32> {loom.param = "b", loom.frozen}, %x: tensor<2x3xf32>) -> tensor<f32> {
  %0 = loom.mul %x, %w : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = loom.add %0, %b : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %2 = loom.tanh %1 : tensor<2x3xf32>
  %3 = loom.reduce mean %2 dims [0, 1] : tensor<2x3xf32> -> tensor<f32>
  return %3 : tensor<f32>
}

// -----

// Tests that a value used twice gets the sum of both adjoints, and that an
// unused parameter gets a zero gradient.

// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME: -> (tensor<f32>, tensor<2xf32> {loom.grad = "a"}, tensor<2xf32> {loom.grad = "unused"})
// CHECK: %[[G:.*]] = loom.broadcast
// CHECK: %[[D1:.*]] = loom.mul %[[G]], %arg0 : tensor<2xf32>
// CHECK: %[[D2:.*]] = loom.mul %[[G]], %arg0 : tensor<2xf32>
// CHECK: %[[SUM:.*]] = loom.add %[[D1]], %[[D2]] : tensor<2xf32>
// CHECK: %[[ZERO:.*]] = loom.constant dense<0.000000e+00> : tensor<2xf32>
// CHECK: return %{{.*}}, %[[SUM]], %[[ZERO]]
func.func @loss(%a: tensor<2xf32> {loom.param = "a"}, %u: tensor<2xf32> {loom.param = "unused"}) -> tensor<f32> {
  %0 = loom.mul %a, %a : tensor<2xf32>
  %1 = loom.reduce sum %0 dims [0] : tensor<2xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
