// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(sharding-propagation),loom-check-shardings)' | FileCheck %s

// Tests that upstream --sharding-propagation carries parameter shardings
// through the Loom ops' rules (passes/sharding/ShardingRules.cpp).
//
// A Megatron MLP: fc1's weight split on its output dimension (column
// parallel) makes the hidden activation split on its last dimension through
// the bias add (the bias split alike) and relu; fc2's weight split on its
// input dimension (row parallel) contracts over the split dimension, so
// fc2's result is a partial sum over the model axis (mesh axis 1): the
// place of the all-reduce, which the add of the replicated residual then
// asks for (an annotate_for_users replicated sharding of the partial sum).

mesh.mesh @mesh(shape = 1x2)
// CHECK-LABEL: func.func @megatron_mlp
func.func @megatron_mlp(%w1: tensor<4x8xf32>, %b1: tensor<8xf32>, %w2: tensor<8x4xf32>, %x: tensor<2x3x4xf32>) -> tensor<2x3x4xf32> {
  %w1s = mesh.shard %w1 to <@mesh, [[], [1]]> : tensor<4x8xf32>
  %b1s = mesh.shard %b1 to <@mesh, [[1]]> : tensor<8xf32>
  %w2s = mesh.shard %w2 to <@mesh, [[1]]> : tensor<8x4xf32>
  // CHECK: %[[H:.*]] = loom.matmul
  // CHECK-NEXT: mesh.shard %[[H]] to <@mesh, {{\[\[\], \[\], \[1\]\]}}> : tensor<2x3x8xf32>
  %h = loom.matmul %x, %w1s : (tensor<2x3x4xf32>, tensor<4x8xf32>) -> tensor<2x3x8xf32>
  // CHECK: %[[B:.*]] = loom.add
  // CHECK-NEXT: mesh.shard %[[B]] to <@mesh, {{\[\[\], \[\], \[1\]\]}}> : tensor<2x3x8xf32>
  %hb = loom.add %h, %b1s : (tensor<2x3x8xf32>, tensor<8xf32>) -> tensor<2x3x8xf32>
  // CHECK: %[[R:.*]] = loom.relu
  // CHECK-NEXT: mesh.shard %[[R]] to <@mesh, {{\[\[\], \[\], \[1\]\]}}> : tensor<2x3x8xf32>
  %r = loom.relu %hb : tensor<2x3x8xf32>
  // CHECK: %[[Y:.*]] = loom.matmul
  // CHECK-NEXT: %[[P:.*]] = mesh.shard %[[Y]] to <@mesh, [], partial = sum[1]> : tensor<2x3x4xf32>
  %y = loom.matmul %r, %w2s : (tensor<2x3x8xf32>, tensor<8x4xf32>) -> tensor<2x3x4xf32>
  // CHECK: %[[AR:.*]] = mesh.shard %[[P]] to <@mesh, []> annotate_for_users : tensor<2x3x4xf32>
  // CHECK: loom.add %{{.*}}, %[[AR]]
  %out = loom.add %x, %y : tensor<2x3x4xf32>
  return %out : tensor<2x3x4xf32>
}

// -----

// An elementwise chain over the batch axis (mesh axis 0): a split first
// dimension goes through sub, exp, a broadcast multiply (the broadcast
// [1, 8] operand stays whole), tanh and a transposed matmul's batch
// dimension; a sum over the split dimension is a partial sum, a mean over
// it a partial average.

mesh.mesh @mesh(shape = 2x1)
// CHECK-LABEL: func.func @elementwise_chain
func.func @elementwise_chain(%x: tensor<4x8xf32>, %s: tensor<1x8xf32>, %w: tensor<6x8xf32>) -> (tensor<8xf32>, tensor<6xf32>) {
  %xs = mesh.shard %x to <@mesh, [[0]]> : tensor<4x8xf32>
  // CHECK: %[[A:.*]] = loom.sub
  // CHECK-NEXT: mesh.shard %[[A]] to <@mesh, {{\[\[0\]\]}}>
  %a = loom.sub %xs, %xs : tensor<4x8xf32>
  // CHECK: %[[E:.*]] = loom.exp
  // CHECK-NEXT: mesh.shard %[[E]] to <@mesh, {{\[\[0\]\]}}>
  %e = loom.exp %a : tensor<4x8xf32>
  // CHECK: mesh.shard %arg1 to <@mesh, []> annotate_for_users : tensor<1x8xf32>
  // CHECK: %[[M:.*]] = loom.mul
  // CHECK-NEXT: mesh.shard %[[M]] to <@mesh, {{\[\[0\]\]}}>
  %m = loom.mul %e, %s : (tensor<4x8xf32>, tensor<1x8xf32>) -> tensor<4x8xf32>
  // CHECK: %[[T:.*]] = loom.tanh
  // CHECK-NEXT: mesh.shard %[[T]] to <@mesh, {{\[\[0\]\]}}>
  %t = loom.tanh %m : tensor<4x8xf32>
  // CHECK: %[[MM:.*]] = loom.matmul {{.*}} transpose_rhs
  // CHECK-NEXT: mesh.shard %[[MM]] to <@mesh, {{\[\[0\]\]}}> : tensor<4x6xf32>
  %mm = loom.matmul %t, %w transpose_rhs : (tensor<4x8xf32>, tensor<6x8xf32>) -> tensor<4x6xf32>
  // CHECK: %[[S:.*]] = loom.reduce sum
  // CHECK-NEXT: mesh.shard %[[S]] to <@mesh, [], partial = sum[0]> : tensor<8xf32>
  %sum = loom.reduce sum %t dims [0] : tensor<4x8xf32> -> tensor<8xf32>
  // CHECK: %[[AV:.*]] = loom.reduce mean
  // CHECK-NEXT: mesh.shard %[[AV]] to <@mesh, [], partial = average[0]> : tensor<6xf32>
  %avg = loom.reduce mean %mm dims [0] : tensor<4x6xf32> -> tensor<6xf32>
  return %sum, %avg : tensor<8xf32>, tensor<6xf32>
}

// -----

// Softmax and layer norm split along a dimension they do not normalize
// over; gather's result split where its indices are (the table whole).

mesh.mesh @mesh(shape = 2x2)
// CHECK-LABEL: func.func @rows
func.func @rows(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %b: tensor<8xf32>, %table: tensor<16x8xf32>, %ids: tensor<4xi32>) -> (tensor<4x8xf32>, tensor<4x8xf32>) {
  %xs = mesh.shard %x to <@mesh, [[1]]> : tensor<4x8xf32>
  // CHECK: %[[SM:.*]] = loom.softmax
  // CHECK-NEXT: mesh.shard %[[SM]] to <@mesh, {{\[\[1\]\]}}>
  %sm = loom.softmax %xs dim 1 : tensor<4x8xf32>
  // CHECK: %[[LN:.*]] = loom.layer_norm
  // CHECK-NEXT: mesh.shard %[[LN]] to <@mesh, {{\[\[1\]\]}}>
  %ln = loom.layer_norm %sm, %g, %b : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
  %ids_s = mesh.shard %ids to <@mesh, [[0]]> : tensor<4xi32>
  // CHECK: mesh.shard %arg3 to <@mesh, []> annotate_for_users : tensor<16x8xf32>
  // CHECK: %[[E:.*]] = loom.gather
  // CHECK-NEXT: mesh.shard %[[E]] to <@mesh, {{\[\[0\]\]}}> : tensor<4x8xf32>
  %e = loom.gather %table[%ids_s] axis 0 : (tensor<16x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  return %ln, %e : tensor<4x8xf32>, tensor<4x8xf32>
}
