// RUN: loom-opt --loom-build-decode-step=optional=true %s --verify-diagnostics | FileCheck %s

// Tests that with `optional` a forward that cannot be decoded one position
// at a time gets a remark saying why, and no @decode_step (loom compile
// then leaves generation to the whole-window program).
// CHECK-LABEL: func.func @forward(
// CHECK-NOT:   @decode_step
module {
  func.func @forward(%w: tensor<4x4xf32> {loom.param = "w"}, %x: tensor<1x3xi32> {loom.input = "x"}) -> tensor<1x4xf32> {
    %e = loom.gather %w[%x] axis 0 : (tensor<4x4xf32>, tensor<1x3xi32>) -> tensor<1x3x4xf32>
    // expected-remark@+1 {{no decoding program: 'loom.reduce' reduces over the positions; a decoding program computes one position at a time}}
    %m = loom.reduce mean %e dims [1] : tensor<1x3x4xf32> -> tensor<1x4xf32>
    return %m : tensor<1x4xf32>
  }
}
