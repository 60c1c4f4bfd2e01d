// RUN: loom-opt %s --loom-cpu-pipeline=kernel-abi=false | %mlir-cpu-runner | FileCheck %s
//
// Numerics of the indexing lowerings (gather, scatter_add, iota, constant),
// compiled and run with upstream MLIR; expected values are the reference
// interpreter's.

// Tests an embedding lookup (gather along axis 0 with rank-2 indices) and a
// gather along axis 1 with i64 indices.
func.func @gather() -> (tensor<12xf32>, tensor<6xf32>) {
  %table = loom.constant dense<[[0.0, 0.5, 1.0], [10.0, 10.5, 11.0], [20.0, 20.5, 21.0]]> : tensor<3x3xf32>
  %tokens = loom.constant dense<[[2, 0], [1, 2]]> : tensor<2x2xi32>
  %0 = loom.gather %table[%tokens] axis 0 : (tensor<3x3xf32>, tensor<2x2xi32>) -> tensor<2x2x3xf32>
  %cols = loom.constant dense<[2, 2]> : tensor<2xi64>
  %1 = loom.gather %table[%cols] axis 1 : (tensor<3x3xf32>, tensor<2xi64>) -> tensor<3x2xf32>
  %r0 = loom.reshape %0 : tensor<2x2x3xf32> to tensor<12xf32>
  %r1 = loom.reshape %1 : tensor<3x2xf32> to tensor<6xf32>
  return %r0, %r1 : tensor<12xf32>, tensor<6xf32>
}
// CHECK: sizes = [12] strides = [1] data =
// CHECK-NEXT: [20, 20.5, 21, 0, 0.5, 1, 10, 10.5, 11, 20, 20.5, 21]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [1, 1, 11, 11, 21, 21]

// Tests scatter_add with a repeated index (its updates accumulate) along
// axis 0, and along axis 1 on i32.
func.func @scatter_add() -> (tensor<8xf32>, tensor<6xi32>) {
  %dest = loom.constant dense<[[1.0, 1.0], [2.0, 2.0], [3.0, 3.0], [4.0, 4.0]]> : tensor<4x2xf32>
  %idx = loom.constant dense<[3, 0, 3]> : tensor<3xi32>
  %upd = loom.constant dense<[[0.5, 1.0], [10.0, 20.0], [0.25, 0.25]]> : tensor<3x2xf32>
  %0 = loom.scatter_add %dest[%idx], %upd axis 0 : (tensor<4x2xf32>, tensor<3xi32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %d = loom.constant dense<0> : tensor<2x3xi32>
  %i = loom.constant dense<[1, 1]> : tensor<2xi64>
  %u = loom.constant dense<[[1, 2], [3, 4]]> : tensor<2x2xi32>
  %1 = loom.scatter_add %d[%i], %u axis 1 : (tensor<2x3xi32>, tensor<2xi64>, tensor<2x2xi32>) -> tensor<2x3xi32>
  %r0 = loom.reshape %0 : tensor<4x2xf32> to tensor<8xf32>
  %r1 = loom.reshape %1 : tensor<2x3xi32> to tensor<6xi32>
  return %r0, %r1 : tensor<8xf32>, tensor<6xi32>
}
// CHECK: sizes = [8] strides = [1] data =
// CHECK-NEXT: [11, 21, 2, 2, 3, 3, 4.75, 5.25]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 3, 0, 0, 7, 0]

// Tests iota (integer and float results, inner and outer dims) and a
// constant.
func.func @iota_constant() -> (tensor<6xi64>, tensor<6xf32>, tensor<3xf64>) {
  %0 = loom.iota dim 1 : tensor<2x3xi64>
  %1 = loom.iota dim 0 : tensor<2x3xf32>
  %2 = loom.constant dense<[1.5, -2.25, 1.0e+100]> : tensor<3xf64>
  %r0 = loom.reshape %0 : tensor<2x3xi64> to tensor<6xi64>
  %r1 = loom.reshape %1 : tensor<2x3xf32> to tensor<6xf32>
  return %r0, %r1, %2 : tensor<6xi64>, tensor<6xf32>, tensor<3xf64>
}
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 1, 2, 0, 1, 2]
// CHECK: sizes = [6] strides = [1] data =
// CHECK-NEXT: [0, 0, 0, 1, 1, 1]
// CHECK: sizes = [3] strides = [1] data =
// CHECK-NEXT: [1.5, -2.25, 1e+100]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefF64(tensor<*xf64>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI32(tensor<*xi32>) attributes {llvm.emit_c_interface}
func.func private @printMemrefI64(tensor<*xi64>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r0:2 = call @gather() : () -> (tensor<12xf32>, tensor<6xf32>)
  %u0_0 = tensor.cast %r0#0 : tensor<12xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_0) : (tensor<*xf32>) -> ()
  %u0_1 = tensor.cast %r0#1 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u0_1) : (tensor<*xf32>) -> ()
  %r1:2 = call @scatter_add() : () -> (tensor<8xf32>, tensor<6xi32>)
  %u1_0 = tensor.cast %r1#0 : tensor<8xf32> to tensor<*xf32>
  call @printMemrefF32(%u1_0) : (tensor<*xf32>) -> ()
  %u1_1 = tensor.cast %r1#1 : tensor<6xi32> to tensor<*xi32>
  call @printMemrefI32(%u1_1) : (tensor<*xi32>) -> ()
  %r2:3 = call @iota_constant() : () -> (tensor<6xi64>, tensor<6xf32>, tensor<3xf64>)
  %u2_0 = tensor.cast %r2#0 : tensor<6xi64> to tensor<*xi64>
  call @printMemrefI64(%u2_0) : (tensor<*xi64>) -> ()
  %u2_1 = tensor.cast %r2#1 : tensor<6xf32> to tensor<*xf32>
  call @printMemrefF32(%u2_1) : (tensor<*xf32>) -> ()
  %u2_2 = tensor.cast %r2#2 : tensor<3xf64> to tensor<*xf64>
  call @printMemrefF64(%u2_2) : (tensor<*xf64>) -> ()
  return
}
