// RUN: loom-opt --loom-build-input-grad-step=optional=true %s --verify-diagnostics | FileCheck %s

// Tests that with `optional` (what loom compile runs) a model over token ids
// gets a remark saying why, and no @input_grad_step.
// CHECK-LABEL: func.func @forward(
// CHECK-NOT:   @input_grad
module {
  // expected-remark @below {{no input-gradient program: the model's input is not a floating-point tensor}}
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x3x4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    return %e : tensor<1x3x4xf32>
  }
}
