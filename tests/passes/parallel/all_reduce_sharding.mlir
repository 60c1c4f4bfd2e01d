// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(sharding-propagation),loom-check-shardings)' | FileCheck %s
// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(sharding-propagation),loom-check-shardings,loom-complete-shardings,func.func(mesh-spmdization))' | FileCheck %s --check-prefix=SPMD

// Tests the sharding rule of loom.all_reduce (passes/parallel/
// AllReduceSharding.cpp), which a 2-D mesh needs: --loom-data-parallel
// averages a gradient over the data axis (mesh axis 0) before
// --loom-partition-step splits the step over the model axis (mesh axis 1),
// and an all-reduce over `data` is elementwise from the model axis's view.
// A gradient split over `model` (column-parallel, as fc1's) keeps its
// split through the mean, and each rank averages its own slice with the
// data axis's ranks: after partitioning the all-reduce runs on the slice's
// type, with no collective over `model`.

mesh.mesh @mesh(shape = 2x2)
// CHECK-LABEL: func.func @data_mean_of_a_model_slice
// SPMD-LABEL: func.func @data_mean_of_a_model_slice
// SPMD-SAME: (%[[W:.*]]: tensor<4x4xf32>, %[[X:.*]]: tensor<2x4xf32>) -> tensor<4x4xf32>
func.func @data_mean_of_a_model_slice(%w: tensor<4x8xf32>, %x: tensor<2x4xf32>) -> tensor<4x8xf32> {
  %ws = mesh.shard %w to <@mesh, [[], [1]]> : tensor<4x8xf32>
  %h = loom.matmul %x, %ws : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  // CHECK: %[[G:.*]] = loom.matmul {{.*}} transpose_lhs
  // SPMD: %[[H:.*]] = loom.matmul %[[X]], %[[W]] : (tensor<2x4xf32>, tensor<4x4xf32>) -> tensor<2x4xf32>
  // SPMD-NEXT: %[[G:.*]] = loom.matmul %[[X]], %[[H]] transpose_lhs : (tensor<2x4xf32>, tensor<2x4xf32>) -> tensor<4x4xf32>
  %g = loom.matmul %x, %h transpose_lhs : (tensor<2x4xf32>, tensor<2x8xf32>) -> tensor<4x8xf32>
  // CHECK-NEXT: %[[GS:.*]] = mesh.shard %[[G]] to <@mesh, {{\[\[\], \[1\]\]}}> : tensor<4x8xf32>
  // CHECK-NEXT: %[[GU:.*]] = mesh.shard %[[GS]] to <@mesh, {{\[\[\], \[1\]\]}}> annotate_for_users : tensor<4x8xf32>
  // CHECK-NEXT: %[[M:.*]] = loom.all_reduce mean %[[GU]] over ["data"] group_size 2 : tensor<4x8xf32>
  // CHECK-NEXT: mesh.shard %[[M]] to <@mesh, {{\[\[\], \[1\]\]}}> : tensor<4x8xf32>
  // SPMD-NEXT: %[[M:.*]] = loom.all_reduce mean %[[G]] over ["data"] group_size 2 : tensor<4x4xf32>
  // SPMD-NEXT: return %[[M]] : tensor<4x4xf32>
  %m = loom.all_reduce mean %g over ["data"] group_size 2 : tensor<4x8xf32>
  %r = mesh.shard %m to <@mesh, [[], [1]]> annotate_for_users : tensor<4x8xf32>
  return %r : tensor<4x8xf32>
}

// -----

// A whole value (the loss) decides nothing, as for the other Loom ops'
// rules: the all-reduce of a whole scalar gets no annotation.

mesh.mesh @mesh(shape = 2x2)
// CHECK-LABEL: func.func @data_mean_of_a_whole_value
// CHECK-NEXT: %[[M:.*]] = loom.all_reduce mean %arg0 over ["data"] group_size 2 : tensor<f32>
// CHECK-NEXT: return %[[M]] : tensor<f32>
func.func @data_mean_of_a_whole_value(%loss: tensor<f32>) -> tensor<f32> {
  %m = loom.all_reduce mean %loss over ["data"] group_size 2 : tensor<f32>
  return %m : tensor<f32>
}
