// RUN: loom-opt %s --loom-cpu-pipeline="check-indices=false kernel-abi=false" | %mlir-cpu-runner | FileCheck %s
//
// Tests that without the run-time index checks, out-of-range gather indices
// and cross_entropy labels are clamped into their dimension (no access
// leaves a tensor): index 5 reads row 2, -1 reads row 0.

func.func @gather_clamped() -> (tensor<4xf32>, tensor<2xf32>) {
  %t = loom.constant dense<[10.0, 20.0, 30.0]> : tensor<3xf32>
  %i = loom.constant dense<[5, -1, 1, 3]> : tensor<4xi32>
  %0 = loom.gather %t[%i] axis 0 : (tensor<3xf32>, tensor<4xi32>) -> tensor<4xf32>
  %logits = loom.constant dense<[[0.0, 0.0, 2.0], [1.0, 0.0, 0.0]]> : tensor<2x3xf32>
  %labels = loom.constant dense<[7, -4]> : tensor<2xi64>
  %1 = loom.cross_entropy none %logits, %labels : (tensor<2x3xf32>, tensor<2xi64>) -> tensor<2xf32>
  return %0, %1 : tensor<4xf32>, tensor<2xf32>
}
// CHECK: sizes = [4] strides = [1] data =
// CHECK-NEXT: [30, 10, 20, 30]
// CHECK: sizes = [2] strides = [1] data =
// CHECK-NEXT: [0.239545, 0.551445]

func.func private @printMemrefF32(tensor<*xf32>) attributes {llvm.emit_c_interface}

func.func @main() {
  %r:2 = call @gather_clamped() : () -> (tensor<4xf32>, tensor<2xf32>)
  %u0 = tensor.cast %r#0 : tensor<4xf32> to tensor<*xf32>
  call @printMemrefF32(%u0) : (tensor<*xf32>) -> ()
  %u1 = tensor.cast %r#1 : tensor<2xf32> to tensor<*xf32>
  call @printMemrefF32(%u1) : (tensor<*xf32>) -> ()
  return
}
