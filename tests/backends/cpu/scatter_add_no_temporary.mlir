// RUN: loom-opt %s --split-input-file --loom-cpu-pipeline=check-indices=false | FileCheck %s

// Tests that a scatter_add kernel writes its result buffer in place: the
// copy of the destination (or the fill of a splat one) goes straight into
// the out-parameter, so the kernel allocates no temporary of the result's
// size (a 147 MiB one for GPT-2's embedding gradient).
// CHECK-LABEL: llvm.func @scatter_add_into_gradient
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.return
func.func @scatter_add_into_gradient(%g: tensor<100x8xf32>, %i: tensor<4x2xi32>, %u: tensor<4x2x8xf32>) -> tensor<100x8xf32> {
  %0 = loom.scatter_add %g[%i], %u axis 0 : (tensor<100x8xf32>, tensor<4x2xi32>, tensor<4x2x8xf32>) -> tensor<100x8xf32>
  return %0 : tensor<100x8xf32>
}

// -----

// Tests that a scatter_add into zeros fills the result buffer: no temporary,
// and no constant global of the result's size to read.
// CHECK-NOT: llvm.mlir.global
// CHECK-LABEL: llvm.func @scatter_add_into_zeros
// CHECK-NOT: llvm.call @malloc
// CHECK: llvm.return
func.func @scatter_add_into_zeros(%i: tensor<4x2xi32>, %u: tensor<4x2x8xf32>) -> tensor<100x8xf32> {
  %z = loom.constant dense<0.0> : tensor<100x8xf32>
  %0 = loom.scatter_add %z[%i], %u axis 0 : (tensor<100x8xf32>, tensor<4x2xi32>, tensor<4x2x8xf32>) -> tensor<100x8xf32>
  return %0 : tensor<100x8xf32>
}
