// RUN: loom-opt %s --loom-cpu-pipeline=kernel-abi=false | %mlir-cpu-runner | FileCheck %s
//
// Numerics of the reducing lowerings (reduce, softmax, log_softmax,
// layer_norm, cross_entropy), compiled and run with upstream MLIR; expected
// values are the reference interpreter's.

// Tests reduce sum/max/min/mean over inner, outer and all dims, keep_dims,
// a NaN winning max, and integer max/sum.
func.func @reduce() -> (tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2xf32>, tensor<3xi32>, tensor<i64>) {
  %x = loom.constant dense<[[1.0, -2.0, 3.0], [4.0, 5.0, -6.0]]> : tensor<2x3xf32>
  %0 = loom.reduce sum %x dims [0] : tensor<2x3xf32> -> tensor<3xf32>
  %1 = loom.reduce max %x dims [1] keep_dims : tensor<2x3xf32> -> tensor<2x1xf32>
  %2 = loom.reduce min %x dims [0] : tensor<2x3xf32> -> tensor<3xf32>
  %3 = loom.reduce mean %x dims [1, 0] : tensor<2x3xf32> -> tensor<f32>
  %n = loom.constant dense<[[1.0, 0x7FC00000], [-1.0, -3.0]]> : tensor<2x2xf32>
  %4 = loom.reduce max %n dims [1] : tensor<2x2xf32> -> tensor<2xf32>
  %i = loom.constant dense<[[7, -2, 3], [-8, 5, 6]]> : tensor<2x3xi32>
  %5 = loom.reduce max %i dims [0] : tensor<2x3xi32> -> tensor<3xi32>
  %l = loom.constant dense<[[3000000000, -1], [2, 5]]> : tensor<2x2xi64>
  %6 = loom.reduce sum %l dims [0, 1] : tensor<2x2xi64> -> tensor<i64>
  %r1 = loom.reshape %1 : tensor<2x1xf32> to tensor<2xf32>
  return %0, %r1, %2, %3, %4, %5, %6 : tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2xf32>, tensor<3xi32>, tensor<i64>
}
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [5, 3, -3]
// CHECK: sizes = [2] strides = [1] data =
// CHECK-NEXT: [3, 5]
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [1, -2, -6]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [0.833333]
// CHECK: sizes = [2] strides = [1] data =
// CHECK-NEXT: [{{-?}}nan, -1]
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [7, 5, 6]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [3000000006]

// Tests softmax along the last and the first dim (large logits stay finite:
// the maximum is subtracted) and log_softmax.
func.func @softmax() -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>) {
  %x = loom.constant dense<[[1.0, 2.0, 3.0], [1000.0, 1000.0, -1000.0]]> : tensor<2x3xf32>
  %0 = loom.softmax %x dim 1 : tensor<2x3xf32>
  %1 = loom.softmax %x dim 0 : tensor<2x3xf32>
  %2 = loom.log_softmax %x dim 1 : tensor<2x3xf32>
  %r0 = loom.reshape %0 : tensor<2x3xf32> to tensor<6xf32>
  %r1 = loom.reshape %1 : tensor<2x3xf32> to tensor<6xf32>
  %r2 = loom.reshape %2 : tensor<2x3xf32> to tensor<6xf32>
  return %r0, %r1, %r2 : tensor<6xf32>, tensor<6xf32>, tensor<6xf32>
}
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0.0900306, 0.244728, 0.665241, 0.5, 0.5, 0]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 0, 1, 1, 1, 0]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [-2.40761, -1.40761, -0.407606, -0.693147, -0.693147, -2000.69]

// Tests layer_norm over the last dim and over the last two dims (biased
// variance, epsilon inside the square root).
func.func @layer_norm() -> (tensor<8xf32>, tensor<8xf32>) {
  %x = loom.constant dense<[[[1.0, 2.0], [3.0, 4.0]], [[-1.0, 5.0], [0.0, 0.5]]]> : tensor<2x2x2xf32>
  %g = loom.constant dense<[2.0, 0.5]> : tensor<2xf32>
  %b = loom.constant dense<[0.1, -0.1]> : tensor<2xf32>
  %0 = loom.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64} : (tensor<2x2x2xf32>, tensor<2xf32>, tensor<2xf32>) -> tensor<2x2x2xf32>
  %g2 = loom.constant dense<[[1.0, 2.0], [3.0, 4.0]]> : tensor<2x2xf32>
  %b2 = loom.constant dense<0.0> : tensor<2x2xf32>
  %1 = loom.layer_norm %x, %g2, %b2 {epsilon = 1.0e-01 : f64} : (tensor<2x2x2xf32>, tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2x2xf32>
  %r0 = loom.reshape %0 : tensor<2x2x2xf32> to tensor<8xf32>
  %r1 = loom.reshape %1 : tensor<2x2x2xf32> to tensor<8xf32>
  return %r0, %r1 : tensor<8xf32>, tensor<8xf32>
}
// CHECK: sizes = [8] strides = [1] data =
// CHECK-NEXT: [-1.89996, 0.39999, -1.89996, 0.39999, -1.9, 0.4, -1.89984, 0.39996]
// CHECK: sizes = [8] strides = [1] data =
// CHECK-NEXT: [-1.29099, -0.860663, 1.29099, 5.16398, -0.914719, 3.33603, -1.45279, -1.07614]

// Tests cross_entropy with rank-2 labels under none, sum and mean.
func.func @cross_entropy() -> (tensor<4xf32>, tensor<f32>, tensor<f32>) {
  %logits = loom.constant dense<[[[2.0, 1.0, 0.1], [0.0, 0.0, 0.0]], [[-1.0, 3.0, 0.5], [100.0, 0.0, -100.0]]]> : tensor<2x2x3xf32>
  %labels = loom.constant dense<[[0, 2], [1, 2]]> : tensor<2x2xi32>
  %0 = loom.cross_entropy none %logits, %labels : (tensor<2x2x3xf32>, tensor<2x2xi32>) -> tensor<2x2xf32>
  %1 = loom.cross_entropy sum %logits, %labels : (tensor<2x2x3xf32>, tensor<2x2xi32>) -> tensor<f32>
  %2 = loom.cross_entropy mean %logits, %labels : (tensor<2x2x3xf32>, tensor<2x2xi32>) -> tensor<f32>
  %r0 = loom.reshape %0 : tensor<2x2xf32> to tensor<4xf32>
  return %r0, %1, %2 : tensor<4xf32>, tensor<f32>, tensor<f32>
}
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [0.41703, 1.09861, 0.0956743, 200]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [201.611]
// CHECK: sizes = [] strides = [] data =
// CHECK-NEXT: [50.4028]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI32(tensor<*xi32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI64(tensor<*xi64>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:7 = call @reduce() : () -> (tensor<3xf32>, tensor<2xf32>, tensor<3xf32>, tensor<f32>, tensor<2xf32>, tensor<3xi32>, tensor<i64>)
  %u0_0 = tensor.cast %r0#0 : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %u0_2 = tensor.cast %r0#2 : tensor<3xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_2) : (tensor<*xf32>) -> ()
  %u0_3 = tensor.cast %r0#3 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%u0_3) : (tensor<*xf32>) -> ()
  %u0_4 = tensor.cast %r0#4 : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_4) : (tensor<*xf32>) -> ()
  %u0_5 = tensor.cast %r0#5 : tensor<3xi32> to tensor<*xi32>
  call @printMemrefI32(%u0_5) : (tensor<*xi32>) -> ()
  %u0_6 = tensor.cast %r0#6 : tensor<i64> to tensor<*xi64>
  call @printMemrefI64(%u0_6) : (tensor<*xi64>) -> ()
  %r1:3 = call @softmax() : () -> (tensor<6xf32>, tensor<6xf32>, tensor<6xf32>)
  %u1_0 = tensor.cast %r1#0 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_0) : (tensor<*xf32>) -> ()
  %u1_1 = tensor.cast %r1#1 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_1) : (tensor<*xf32>) -> ()
  %u1_2 = tensor.cast %r1#2 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_2) : (tensor<*xf32>) -> ()
  %r2:2 = call @layer_norm() : () -> (tensor<8xf32>, tensor<8xf32>)
  %u2_0 = tensor.cast %r2#0 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_0) : (tensor<*xf32>) -> ()
  %u2_1 = tensor.cast %r2#1 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_1) : (tensor<*xf32>) -> ()
  %r3:3 = call @cross_entropy() : () -> (tensor<4xf32>, tensor<f32>, tensor<f32>)
  %u3_0 = tensor.cast %r3#0 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u3_0) : (tensor<*xf32>) -> ()
  %u3_1 = tensor.cast %r3#1 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%u3_1) : (tensor<*xf32>) -> ()
  %u3_2 = tensor.cast %r3#2 : tensor<f32> to tensor<*xf32>
  call @printMemrefF32(%u3_2) : (tensor<*xf32>) -> ()
  return
}
