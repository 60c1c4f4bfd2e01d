// RUN: loom-opt %s --split-input-file --loom-partition-step | FileCheck %s

// Tests --loom-partition-step on a function that reads a value twice
// (`mul %y, %y`, a gradient norm's square), which makes LLVM 19's
// --sharding-propagation loop for ever: the second read goes through an
// identity reshape, and the sum of squares of a column-split product is a
// partial sum, all-reduced (Loom's all-reduce over the model axis) where it
// is returned whole. The parameter's argument becomes its slice, with its
// split and whole shape recorded; the mesh is gone.

mesh.mesh @mesh(shape = 1x2)
// CHECK-NOT: mesh.mesh
// CHECK-LABEL: func.func @square_sum(
// CHECK-SAME: %[[W:.*]]: tensor<4x4xf32> {loom.param = "w", loom.shard = {axis = "model", dim = 1 : i64, ranks = 2 : i64, shape = array<i64: 4, 8>}}
// CHECK-SAME: %[[X:.*]]: tensor<2x4xf32>) -> tensor<f32>
// CHECK-NEXT: %[[Y:.*]] = loom.matmul %[[X]], %[[W]] : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
// CHECK-NEXT: %[[Y2:.*]] = loom.reshape %[[Y]] : tensor<2x4xf32> to tensor<2x4xf32>
// CHECK-NEXT: %[[SQ:.*]] = loom.mul %[[Y]], %[[Y2]] : tensor<2x4xf32>
// CHECK-NEXT: %[[S:.*]] = loom.reduce sum %[[SQ]] dims [0, 1] : tensor<2x4xf32> -> tensor<f32>
// CHECK-NEXT: %[[R:.*]] = loom.all_reduce sum %[[S]] over ["model"] group_size 2 : tensor<f32>
// CHECK-NEXT: return %[[R]] : tensor<f32>
func.func @square_sum(%w: tensor<4x8xf32> {loom.param = "w", loom.shard = #mesh.shard<@mesh, [[], [1]]>}, %x: tensor<2x4xf32>) -> tensor<f32> {
  %y = loom.matmul %x, %w : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  %sq = loom.mul %y, %y : tensor<2x8xf32>
  %s = loom.reduce sum %sq dims [0, 1] : tensor<2x8xf32> -> tensor<f32>
  return %s : tensor<f32>
}

// -----

// Tests that without a mesh the pass changes nothing (data parallelism,
// one process).

// CHECK-LABEL: func.func @no_mesh(
// CHECK-SAME: %{{.*}}: tensor<4x8xf32> {loom.param = "w"}
func.func @no_mesh(%w: tensor<4x8xf32> {loom.param = "w"}, %x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  %y = loom.matmul %x, %w : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}
