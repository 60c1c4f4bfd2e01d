// RUN: loom-opt %s --loom-cpu-pipeline="kernel-abi=false approximate-math=false" | %mlir-cpu-runner | FileCheck %s
// (approximate-math=false: the expected digits are those of the library
// calls; loom compile's polynomial approximations are held to the reference
// with a tolerance in tests/unit/CpuLoweringTest.cpp and e2e/*parity.test.)
//
// Numerics of the pooling lowerings (pool2d and pool2d_backward), compiled
// and run with upstream MLIR; expected values are the reference
// interpreter's.

// Tests max and avg pooling with padding (padded positions never win a max;
// avg divides by the in-bounds count, or by the window size under
// count_include_pad) on x (1, 1, 5, 5), window 3, stride 2, padding 1.
func.func @pool2d() -> (tensor<9xf32>, tensor<9xf32>, tensor<9xf32>) {
  %i = loom.iota dim 0 : tensor<25xf32>
  %s = loom.sin %i : tensor<25xf32>
  %x = loom.reshape %s : tensor<25xf32> to tensor<1x1x5x5xf32>
  %0 = loom.pool2d max %x window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  %1 = loom.pool2d avg %x window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  %2 = loom.pool2d avg %x window [3, 3] strides [2, 2] {padding = array<i64: 1, 1, 1, 1>, count_include_pad} : tensor<1x1x5x5xf32> -> tensor<1x1x3x3xf32>
  %r0 = loom.reshape %0 : tensor<1x1x3x3xf32> to tensor<9xf32>
  %r1 = loom.reshape %1 : tensor<1x1x3x3xf32> to tensor<9xf32>
  %r2 = loom.reshape %2 : tensor<1x1x3x3xf32> to tensor<9xf32>
  return %r0, %r1, %r2 : tensor<9xf32>, tensor<9xf32>, tensor<9xf32>
}
// CHECK: sizes = [9] strides = [1] data =
// CHECK-NEXT: [0.841471, 0.989358, 0.989358, 0.650288, 0.989358, 0.990607, 0.912945, 0.836656, 0.149877]
// CHECK: sizes = [9] strides = [1] data =
// CHECK-NEXT: [-0.0992172, 0.543136, 0.196449, -0.403328, -0.194417, 0.368524, 0.527996, -0.336451, -0.588227]
// CHECK: sizes = [9] strides = [1] data =
// CHECK-NEXT: [-0.0440965, 0.362091, 0.0873105, -0.268885, -0.194417, 0.245682, 0.234665, -0.2243, -0.261434]

// Tests pool2d_backward: max routes each gradient to its window's first
// maximum (ties: x holds repeated values; overlapping windows add up), avg
// shares it by the forward's divisor; uneven padding [1, 0, 0, 1].
func.func @pool2d_backward() -> (tensor<25xf32>, tensor<25xf32>, tensor<25xf32>) {
  %x = loom.constant dense<[[[[1.0, 3.0, 3.0, 0.0, 2.0], [3.0, 1.0, 0.0, 3.0, 2.0], [0.0, 0.0, 5.0, 5.0, 1.0], [2.0, 1.0, 5.0, 4.0, 4.0], [-1.0, -1.0, -1.0, -1.0, -1.0]]]]> : tensor<1x1x5x5xf32>
  %dy = loom.constant dense<[[[[1.0, 2.0], [3.0, 4.0]]]]> : tensor<1x1x2x2xf32>
  %0 = loom.pool2d_backward max %dy, %x window [3, 3] strides [2, 2] {padding = array<i64: 1, 0, 0, 1>} : (tensor<1x1x2x2xf32>, tensor<1x1x5x5xf32>) -> tensor<1x1x5x5xf32>
  %1 = loom.pool2d_backward avg %dy window [3, 3] strides [2, 2] {padding = array<i64: 1, 0, 0, 1>} : (tensor<1x1x2x2xf32>) -> tensor<1x1x5x5xf32>
  %2 = loom.pool2d_backward avg %dy window [3, 3] strides [2, 2] {padding = array<i64: 1, 0, 0, 1>, count_include_pad} : (tensor<1x1x2x2xf32>) -> tensor<1x1x5x5xf32>
  %r0 = loom.reshape %0 : tensor<1x1x5x5xf32> to tensor<25xf32>
  %r1 = loom.reshape %1 : tensor<1x1x5x5xf32> to tensor<25xf32>
  %r2 = loom.reshape %2 : tensor<1x1x5x5xf32> to tensor<25xf32>
  return %r0, %r1, %r2 : tensor<25xf32>, tensor<25xf32>, tensor<25xf32>
}
// CHECK: sizes = [25] strides = [1] data =
// CHECK-NEXT: [0, 1, 2, 0, 0, 0, 0, 0, 0, 0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]
// CHECK: sizes = [25] strides = [1] data =
// CHECK-NEXT: [0.166667, 0.166667, 0.5, 0.333333, 0.333333, 0.5, 0.5, 1.27778, 0.777778, 0.777778, 0.333333, 0.333333, 0.777778, 0.444444, 0.444444, 0.333333, 0.333333, 0.777778, 0.444444, 0.444444, 0, 0, 0, 0, 0]
// CHECK: sizes = [25] strides = [1] data =
// CHECK-NEXT: [0.111111, 0.111111, 0.333333, 0.222222, 0.222222, 0.444444, 0.444444, 1.11111, 0.666667, 0.666667, 0.333333, 0.333333, 0.777778, 0.444444, 0.444444, 0.333333, 0.333333, 0.777778, 0.444444, 0.444444, 0, 0, 0, 0, 0]

// Tests max pooling's adjoint where a window holds only -inf and NaN: the
// first NaN wins, and a window of -inf gives its first in-bounds element.
func.func @pool2d_backward_special() -> tensor<8xf32> {
  %x = loom.constant dense<[[[[0xFF800000, 0xFF800000, 1.0, 0x7FC00000], [0xFF800000, 0xFF800000, 0x7FC00000, 2.0]]]]> : tensor<1x1x2x4xf32>
  %dy = loom.constant dense<[[[[1.0, 10.0]]]]> : tensor<1x1x1x2xf32>
  %0 = loom.pool2d_backward max %dy, %x window [2, 2] strides [2, 2] : (tensor<1x1x1x2xf32>, tensor<1x1x2x4xf32>) -> tensor<1x1x2x4xf32>
  %r = loom.reshape %0 : tensor<1x1x2x4xf32> to tensor<8xf32>
  return %r : tensor<8xf32>
}
// CHECK: sizes = [8] strides = [1] data =
// CHECK-NEXT: [1, 0, 0, 10, 0, 0, 0, 0]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:3 = call @pool2d() : () -> (tensor<9xf32>, tensor<9xf32>, tensor<9xf32>)
  %u0_0 = tensor.cast %r0#0 : tensor<9xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<9xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %u0_2 = tensor.cast %r0#2 : tensor<9xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_2) : (tensor<*xf32>) -> ()
  %r1:3 = call @pool2d_backward() : () -> (tensor<25xf32>, tensor<25xf32>, tensor<25xf32>)
  %u1_0 = tensor.cast %r1#0 : tensor<25xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_0) : (tensor<*xf32>) -> ()
  %u1_1 = tensor.cast %r1#1 : tensor<25xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_1) : (tensor<*xf32>) -> ()
  %u1_2 = tensor.cast %r1#2 : tensor<25xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_2) : (tensor<*xf32>) -> ()
  %r2 = call @pool2d_backward_special() : () -> (tensor<8xf32>)
  %u2_0 = tensor.cast %r2 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_0) : (tensor<*xf32>) -> ()
  return
}
