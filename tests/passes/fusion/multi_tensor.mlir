// RUN: loom-opt %s --split-input-file --loom-fuse | FileCheck %s
// RUN: loom-opt %s --split-input-file --loom-fuse=multi-tensor-bytes=256 | FileCheck %s --check-prefix=SMALL
// RUN: loom-opt %s --split-input-file --loom-fuse=multi-tensor-bytes=0 | FileCheck %s --check-prefix=OFF

// Tests that adjacent independent update groups (one per parameter, of
// different shapes) become one multi_tensor group at the last one, holding
// them as they are; a scalar read by both is one input.
// CHECK-LABEL: func.func @updates
// CHECK: %[[M:.*]]:2 = loom.multi_tensor_group(%arg1, %arg4, %arg0, %arg3, %arg2) : (tensor<16xf32>, tensor<f32>, tensor<16xf32>, tensor<4x8xf32>, tensor<4x8xf32>) -> (tensor<16xf32>, tensor<4x8xf32>) {
// CHECK-NEXT: ^bb0(%[[G:[^:]*]]: tensor<16xf32>, %[[LR:[^:]*]]: tensor<f32>, %[[P:[^:]*]]: tensor<16xf32>, %[[H:[^:]*]]: tensor<4x8xf32>, %[[Q:[^:]*]]: tensor<4x8xf32>):
// CHECK-NEXT: %[[A:.*]] = loom.fusion_group elementwise(%[[G]], %[[LR]], %[[P]])
// CHECK: %[[B:.*]] = loom.fusion_group elementwise(%[[H]], %[[LR]], %[[Q]])
// CHECK: loom.yield %[[A]], %[[B]] : tensor<16xf32>, tensor<4x8xf32>
// CHECK: return %[[M]]#0, %[[M]]#1
// The members move 16*4*3 + 4 + 32*4*3 bytes: a bound of 256 keeps them apart.
// SMALL-LABEL: func.func @updates
// SMALL-NOT: multi_tensor_group
// OFF-LABEL: func.func @updates
// OFF-NOT: multi_tensor_group
func.func @updates(%p: tensor<16xf32>, %g: tensor<16xf32>, %q: tensor<4x8xf32>, %h: tensor<4x8xf32>, %lr: tensor<f32>) -> (tensor<16xf32>, tensor<4x8xf32>) {
  %s = loom.mul %g, %lr : (tensor<16xf32>, tensor<f32>) -> tensor<16xf32>
  %p1 = loom.sub %p, %s : tensor<16xf32>
  %t = loom.mul %h, %lr : (tensor<4x8xf32>, tensor<f32>) -> tensor<4x8xf32>
  %q1 = loom.sub %q, %t : tensor<4x8xf32>
  return %p1, %q1 : tensor<16xf32>, tensor<4x8xf32>
}

// -----

// Tests that the squared norms of several gradients become one multi_tensor
// group of reduction groups, apart from the elementwise group that combines
// them (another kind, and it reads their results).
// CHECK-LABEL: func.func @norms
// SMALL-LABEL: func.func @norms
// OFF-LABEL: func.func @norms
// OFF-NOT: multi_tensor_group
// CHECK: %[[M:.*]]:2 = loom.multi_tensor_group(%arg0, %arg1)
// CHECK: loom.fusion_group reduction(
// CHECK: loom.fusion_group reduction(
// CHECK: loom.fusion_group elementwise(%[[M]]#0, %[[M]]#1)
func.func @norms(%g: tensor<16xf32>, %h: tensor<4x8xf32>) -> tensor<f32> {
  %a = loom.mul %g, %g : tensor<16xf32>
  %sa = loom.reduce sum %a dims [0] : tensor<16xf32> -> tensor<f32>
  %b = loom.mul %h, %h : tensor<4x8xf32>
  %sb = loom.reduce sum %b dims [0, 1] : tensor<4x8xf32> -> tensor<f32>
  %s = loom.add %sa, %sb : tensor<f32>
  %n = loom.sqrt %s : tensor<f32>
  return %n : tensor<f32>
}

// -----

// Tests that a group reading another's result is not in its multi_tensor
// group (it depends on it), and that groups an op that launches a kernel
// (the matmul) stands between are not either (a value would live longer).
// CHECK-LABEL: func.func @dependent
// CHECK-NOT: multi_tensor_group
func.func @dependent(%x: tensor<4x4xf32>, %y: tensor<4x4xf32>) -> (tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>) {
  %a = loom.neg %x : tensor<4x4xf32>
  %b = loom.exp %a : tensor<4x4xf32>
  %p = loom.matmul %y, %y : (tensor<4x4xf32>, tensor<4x4xf32>) -> tensor<4x4xf32>
  %c = loom.neg %p : tensor<4x4xf32>
  %d = loom.exp %c : tensor<4x4xf32>
  %e = loom.reduce sum %d dims [0] : tensor<4x4xf32> -> tensor<4xf32>
  %f = loom.neg %d : tensor<4x4xf32>
  %g = loom.tanh %f : tensor<4x4xf32>
  return %b, %g, %d : tensor<4x4xf32>, tensor<4x4xf32>, tensor<4x4xf32>
}
