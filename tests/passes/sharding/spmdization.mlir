// RUN: loom-opt %s --pass-pipeline='builtin.module(func.func(sharding-propagation),loom-check-shardings,func.func(mesh-spmdization))' | FileCheck %s

// Tests upstream --mesh-spmdization on a propagated Megatron MLP over
// model = 2 (mesh axis 1): each rank's program takes its slices of the
// weights (fc1's columns, fc1's bias, fc2's rows), runs the same Loom ops on
// slices, and all-reduces fc2's partial sum over the model axis right
// before the residual add, the one collective of the layer.

mesh.mesh @mesh(shape = 1x2)
// CHECK-LABEL: func.func @megatron_mlp(
// CHECK-SAME: %[[W1:.*]]: tensor<4x4xf32>, %[[B1:.*]]: tensor<4xf32>, %[[W2:.*]]: tensor<4x4xf32>, %[[X:.*]]: tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
func.func @megatron_mlp(%w1: tensor<4x8xf32>, %b1: tensor<8xf32>, %w2: tensor<8x4xf32>, %x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %w1s = mesh.shard %w1 to <@mesh, [[], [1]]> : tensor<4x8xf32>
  %b1s = mesh.shard %b1 to <@mesh, [[1]]> : tensor<8xf32>
  %w2s = mesh.shard %w2 to <@mesh, [[1]]> : tensor<8x4xf32>
  // CHECK-NEXT: %[[H:.*]] = loom.matmul %[[X]], %[[W1]] : (tensor<2x3x4xf32>, tensor<4x4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %[[HB:.*]] = loom.add %[[H]], %[[B1]] : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %[[R:.*]] = loom.relu %[[HB]] : tensor<2x3x4xf32>
  // CHECK-NEXT: %[[Y:.*]] = loom.matmul %[[R]], %[[W2]] : (tensor<2x3x4xf32>, tensor<4x4xf32>) -> tensor<2x3x4xf32>
  // CHECK-NEXT: %[[AR:.*]] = mesh.all_reduce %[[Y]] on @mesh mesh_axes = [1] : tensor<2x3x4xf32> -> tensor<2x3x4xf32>
  // CHECK-NEXT: %[[OUT:.*]] = loom.add %[[X]], %[[AR]] : tensor<2x3x4xf32>
  // CHECK-NEXT: return %[[OUT]]
  %h = loom.matmul %x, %w1s : (tensor<2x3x4xf32>, tensor<4x8xf32>) -> tensor<2x3x8xf32>
  %hb = loom.add %h, %b1s : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  %r = loom.relu %hb : tensor<2x3x8xf32>
  %y = loom.matmul %r, %w2s : (tensor<2x3x8xf32>, tensor<8x4xf32>) -> tensor<2x3x4xf32>
  %out = loom.add %x, %y : tensor<2x3x4xf32>
  return %out : tensor<2x3x4xf32>
}
