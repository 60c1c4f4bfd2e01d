// RUN: loom-opt --loom-autodiff="wrt=x" %s --split-input-file --verify-diagnostics | FileCheck %s

// Tests --loom-autodiff's `wrt`: the gradient with respect to the input of
// that role instead of the trainable parameters (loom explain's
// attributions). d(sum(w * x))/dx = w, tagged loom.grad = "x"; the
// parameter gets no gradient.
// CHECK-LABEL: func.func @loss_grad(
// CHECK-SAME:    %[[W:.*]]: tensor<3xf32> {loom.param = "w"}, %[[X:.*]]: tensor<3xf32> {loom.input = "x"})
// CHECK-SAME:    -> (tensor<f32>, tensor<3xf32> {loom.grad = "x"})
// CHECK:         %[[B:.*]] = loom.broadcast
// CHECK:         %[[D:.*]] = loom.mul %[[B]], %[[W]]
// CHECK:         return %{{.*}}, %[[D]] : tensor<f32>, tensor<3xf32>
func.func @loss(%w: tensor<3xf32> {loom.param = "w"}, %x: tensor<3xf32> {loom.input = "x"}) -> tensor<f32> {
  %0 = loom.mul %w, %x : tensor<3xf32>
  %1 = loom.reduce sum %0 dims [0] : tensor<3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// expected-error @below {{no argument has loom.input = "x" to differentiate with respect to}}
func.func @loss(%w: tensor<3xf32> {loom.param = "w"}) -> tensor<f32> {
  %1 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}

// -----

// expected-error @below {{input 'x' (argument #1) must be floating-point to be differentiated}}
func.func @loss(%w: tensor<3xf32> {loom.param = "w"}, %x: tensor<3xi32> {loom.input = "x"}) -> tensor<f32> {
  %1 = loom.reduce sum %w dims [0] : tensor<3xf32> -> tensor<f32>
  return %1 : tensor<f32>
}
