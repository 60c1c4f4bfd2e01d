// RUN: loom-opt %s --loom-lower-to-linalg | FileCheck %s
// RUN: loom-opt %s --pass-pipeline='builtin.module(func.func(loom-lower-to-linalg))' | FileCheck %s
// RUN: loom-opt %s --loom-lower-to-linalg | mlir-opt --one-shot-bufferize=bufferize-function-boundaries | FileCheck %s --check-prefix=BUF
// RUN: loom-opt %s --loom-lower-to-linalg | mlir-opt --linalg-fuse-elementwise-ops | FileCheck %s --check-prefix=FUSED

// Tests that a group of several loom ops (an MLP block's epilogue, as the
// fusion passes hand it over) lowers op by op into structured ops connected
// by tensor values, that the result bufferizes with one-shot-bufferize
// without copies, and that upstream elementwise fusion then merges the
// whole epilogue (bias, GELU, dropout, residual) into one linalg.generic.
// CHECK-LABEL: func.func @mlp_block
// CHECK-NOT: loom.
// CHECK: %[[MM:.*]] = linalg.matmul_transpose_b ins(%arg0, %arg1
// CHECK: %[[BIAS:.*]] = linalg.generic {{.*}} ins(%[[MM]], %arg2 : tensor<8x32xf32>, tensor<32xf32>)
// CHECK: %[[ACT:.*]] = linalg.generic {{.*}} ins(%[[BIAS]] : tensor<8x32xf32>)
// CHECK: math.tanh
// CHECK: %[[DROP:.*]] = linalg.generic {{.*}} ins(%[[ACT]] : tensor<8x32xf32>)
// CHECK: arith.mului_extended
// CHECK: %[[RES:.*]] = linalg.generic {{.*}} ins(%[[DROP]], %[[BIAS]] : tensor<8x32xf32>, tensor<8x32xf32>)
// CHECK: return %[[RES]]
// BUF-LABEL: func.func @mlp_block
// BUF-NOT: tensor.
// BUF-NOT: memref.copy
// BUF: linalg.matmul_transpose_b
// BUF: return %{{.*}} : memref<8x32xf32>
// FUSED-LABEL: func.func @mlp_block
// FUSED: linalg.matmul_transpose_b
// FUSED-COUNT-1: linalg.generic
// FUSED-NOT: linalg.generic
// FUSED: return
func.func @mlp_block(%x: tensor<8x16xf32>, %w: tensor<32x16xf32>, %b: tensor<32xf32>, %key: tensor<2xi64>) -> tensor<8x32xf32> {
  %0 = loom.matmul %x, %w transpose_rhs : (tensor<8x16xf32>, tensor<32x16xf32>) -> tensor<8x32xf32>
  %1 = loom.add %0, %b : (tensor<8x32xf32>, tensor<32xf32>) -> tensor<8x32xf32>
  %2 = loom.gelu %1 approximate : tensor<8x32xf32>
  %3 = loom.dropout %2, %key rate 1.000000e-01 stream 7 : (tensor<8x32xf32>, tensor<2xi64>) -> tensor<8x32xf32>
  %4 = loom.add %3, %1 : tensor<8x32xf32>
  return %4 : tensor<8x32xf32>
}
