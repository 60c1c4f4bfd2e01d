// RUN: loom-opt %s --loom-cpu-pipeline=kernel-abi=false | %mlir-cpu-runner | FileCheck %s
//
// Numerics of the data-movement lowerings (broadcast, reshape, transpose,
// slice, concat), compiled and run with upstream MLIR; expected values are
// the reference interpreter's.

// Tests broadcast of (3) and (2, 1) to (2, 2, 3), and reshapes that need a
// collapse and an expand ((2, 3) -> (3, 2)) or neither ((6) <-> rank 0 via
// (1)).
func.func @broadcast_reshape() -> (tensor<12xf32>, tensor<12xf32>, tensor<6xf32>, tensor<1xf32>) {
  %a = loom.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %b = loom.constant dense<[[10.0], [20.0]]> : tensor<2x1xf32>
  %0 = loom.broadcast %a : tensor<3xf32> to tensor<2x2x3xf32>
  %1 = loom.broadcast %b : tensor<2x1xf32> to tensor<2x2x3xf32>
  %m = loom.constant dense<[[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %2 = loom.reshape %m : tensor<2x3xf32> to tensor<3x2xf32>
  %s = loom.constant dense<7.0> : tensor<f32>
  %3 = loom.reshape %s : tensor<f32> to tensor<1x1xf32>
  %r0 = loom.reshape %0 : tensor<2x2x3xf32> to tensor<12xf32>
  %r1 = loom.reshape %1 : tensor<2x2x3xf32> to tensor<12xf32>
  %r2 = loom.reshape %2 : tensor<3x2xf32> to tensor<6xf32>
  %r3 = loom.reshape %3 : tensor<1x1xf32> to tensor<1xf32>
  return %r0, %r1, %r2, %r3 : tensor<12xf32>, tensor<12xf32>, tensor<6xf32>, tensor<1xf32>
}
// CHECK: sizes = [12] strides = [1] data =
// CHECK-NEXT: [1, 2, 3, 1, 2, 3, 1, 2, 3, 1, 2, 3]
// CHECK: sizes = [12] strides = [1] data =
// CHECK-NEXT: [10, 10, 10, 20, 20, 20, 10, 10, 10, 20, 20, 20]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [1, 2, 3, 4, 5, 6]
// CHECK: sizes = [1] strides = [1] data =
// CHECK-NEXT: [7]

// Tests transpose with a rank-3 permutation (result dim i = input dim
// perm[i]).
func.func @transpose() -> tensor<24xf32> {
  %x = loom.iota dim 2 : tensor<2x3x4xf32>
  %y = loom.iota dim 0 : tensor<2x3x4xf32>
  %ten = loom.constant dense<10.0> : tensor<f32>
  %y10 = loom.mul %y, %ten : (tensor<2x3x4xf32>, tensor<f32>) -> tensor<2x3x4xf32>
  %v = loom.add %x, %y10 : tensor<2x3x4xf32>
  %t = loom.transpose %v, [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %r = loom.reshape %t : tensor<4x2x3xf32> to tensor<24xf32>
  return %r : tensor<24xf32>
}
// CHECK: sizes = [24] strides = [1] data =
// CHECK-NEXT: [0, 0, 0, 10, 10, 10, 1, 1, 1, 11, 11, 11, 2, 2, 2, 12, 12, 12, 3, 3, 3, 13, 13, 13]

// Tests a transpose that moves only dimensions of size 1 (a reshape: the
// order stays) and one that also swaps the two larger ones.
func.func @transpose_unit_dims() -> (tensor<6xf32>, tensor<6xf32>) {
  %x = loom.iota dim 3 : tensor<1x2x1x3xf32>
  %y = loom.iota dim 1 : tensor<1x2x1x3xf32>
  %ten = loom.constant dense<10.0> : tensor<f32>
  %y10 = loom.mul %y, %ten : (tensor<1x2x1x3xf32>, tensor<f32>) -> tensor<1x2x1x3xf32>
  %v = loom.add %x, %y10 : tensor<1x2x1x3xf32>
  %t0 = loom.transpose %v, [0, 2, 1, 3] : tensor<1x2x1x3xf32> -> tensor<1x1x2x3xf32>
  %t1 = loom.transpose %v, [2, 3, 0, 1] : tensor<1x2x1x3xf32> -> tensor<1x3x1x2xf32>
  %r0 = loom.reshape %t0 : tensor<1x1x2x3xf32> to tensor<6xf32>
  %r1 = loom.reshape %t1 : tensor<1x3x1x2xf32> to tensor<6xf32>
  return %r0, %r1 : tensor<6xf32>, tensor<6xf32>
}
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 1, 2, 10, 11, 12]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 10, 1, 11, 2, 12]

// Tests strided slices and concats along dims 1.
func.func @slice_concat() -> (tensor<4xf32>, tensor<2xf32>, tensor<10xf32>) {
  %x = loom.constant dense<[[0.0, 1.0, 2.0, 3.0, 4.0], [5.0, 6.0, 7.0, 8.0, 9.0]]> : tensor<2x5xf32>
  %0 = loom.slice %x start [0, 1] limit [2, 5] stride [1, 2] : tensor<2x5xf32> -> tensor<2x2xf32>
  %1 = loom.slice %x start [1, 4] limit [2, 5] stride [1, 1] : tensor<2x5xf32> -> tensor<1x1xf32>
  %a = loom.constant dense<[[-1.0], [-2.0]]> : tensor<2x1xf32>
  %2 = loom.concat %0, %a, %0 dim 1 : (tensor<2x2xf32>, tensor<2x1xf32>, tensor<2x2xf32>) -> tensor<2x5xf32>
  %r0 = loom.reshape %0 : tensor<2x2xf32> to tensor<4xf32>
  %c = loom.concat %1, %1 dim 1 : (tensor<1x1xf32>, tensor<1x1xf32>) -> tensor<1x2xf32>
  %r1 = loom.reshape %c : tensor<1x2xf32> to tensor<2xf32>
  %r2 = loom.reshape %2 : tensor<2x5xf32> to tensor<10xf32>
  return %r0, %r1, %r2 : tensor<4xf32>, tensor<2xf32>, tensor<10xf32>
}
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [1, 3, 6, 8]
// CHECK: sizes = [2] strides = [1] data =
// CHECK-NEXT: [9, 9]
// CHECK: sizes = [10] strides = [1] data =
// CHECK-NEXT: [1, 3, -1, 1, 3, 6, 8, -2, 6, 8]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:4 = call @broadcast_reshape() : () -> (tensor<12xf32>, tensor<12xf32>, tensor<6xf32>, tensor<1xf32>)
  %u0_0 = tensor.cast %r0#0 : tensor<12xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<12xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %u0_2 = tensor.cast %r0#2 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_2) : (tensor<*xf32>) -> ()
  %u0_3 = tensor.cast %r0#3 : tensor<1xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_3) : (tensor<*xf32>) -> ()
  %r1 = call @transpose() : () -> (tensor<24xf32>)
  %u1_0 = tensor.cast %r1 : tensor<24xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_0) : (tensor<*xf32>) -> ()
  %r3:2 = call @transpose_unit_dims() : () -> (tensor<6xf32>, tensor<6xf32>)
  %u3_0 = tensor.cast %r3#0 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u3_0) : (tensor<*xf32>) -> ()
  %u3_1 = tensor.cast %r3#1 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u3_1) : (tensor<*xf32>) -> ()
  %r2:3 = call @slice_concat() : () -> (tensor<4xf32>, tensor<2xf32>, tensor<10xf32>)
  %u2_0 = tensor.cast %r2#0 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_0) : (tensor<*xf32>) -> ()
  %u2_1 = tensor.cast %r2#1 : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_1) : (tensor<*xf32>) -> ()
  %u2_2 = tensor.cast %r2#2 : tensor<10xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_2) : (tensor<*xf32>) -> ()
  return
}
