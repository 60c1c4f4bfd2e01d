// RUN: loom-opt %s --split-input-file --verify-diagnostics --loom-lower-to-linalg
// RUN: loom-opt %s --split-input-file --loom-lower-to-linalg=keep-collectives | FileCheck %s

// Tests that a collective, which the runtime runs, is an error at the op.
func.func @all_reduce(%g: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error@+1 {{'loom.all_reduce' op is a collective, which the runtime runs: it has no linalg lowering (keep-collectives leaves it in place)}}
  %0 = loom.all_reduce sum %g over ["data"] group_size 2 : tensor<4xf32>
  return %0 : tensor<4xf32>
}

// -----

// Tests that keep-collectives leaves collectives in place between lowered
// ops, which read and write them as tensors (and that without it, every
// collective is reported).
// CHECK-LABEL: func.func @keep
// CHECK: %[[S:.*]] = linalg.generic
// CHECK: %[[G:.*]] = loom.all_gather %[[S]] over ["model"] group_size 2 dim 0 : tensor<4xf32> -> tensor<8xf32>
// CHECK: %[[N:.*]] = linalg.generic {{.*}} ins(%[[G]] : tensor<8xf32>)
// CHECK: loom.reduce_scatter max %[[N]]
func.func @keep(%x: tensor<4xf32>) -> tensor<4xf32> {
  %0 = loom.exp %x : tensor<4xf32>
  // expected-error@+1 {{'loom.all_gather' op is a collective, which the runtime runs}}
  %1 = loom.all_gather %0 over ["model"] group_size 2 dim 0 : tensor<4xf32> -> tensor<8xf32>
  %2 = loom.neg %1 : tensor<8xf32>
  // expected-error@+1 {{'loom.reduce_scatter' op is a collective, which the runtime runs}}
  %3 = loom.reduce_scatter max %2 over ["model"] group_size 2 dim 0 : tensor<8xf32> -> tensor<4xf32>
  return %3 : tensor<4xf32>
}
