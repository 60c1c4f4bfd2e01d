// RUN: loom-opt %s --split-input-file --pass-pipeline='builtin.module(func.func(sharding-propagation),loom-check-shardings)' --verify-diagnostics

// Tests that a sharding no rule can honour is an error at the op, never a
// silent full replication: an op without a sharding rule (dropout; upstream
// --sharding-propagation reports every such op of a function it visits),
// and ops whose rule keeps the split dimension whole (the softmax
// dimension, cross-entropy's classes, attention's sequence, the rows of a
// gathered table), which propagation passes over by dropping the operand's
// sharding and --loom-check-shardings reports.

mesh.mesh @mesh(shape = 1x2)
func.func @no_rule(%x: tensor<4x8xf32>, %key: tensor<2xi64>) -> tensor<4x8xf32> {
  %xs = mesh.shard %x to <@mesh, [[], [1]]> : tensor<4x8xf32>
  // expected-error @+1 {{'loom.dropout' op sharding interface is not implemented.}}
  %d = loom.dropout %xs, %key rate 1.000000e-01 stream 0 : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}

// -----

mesh.mesh @mesh(shape = 1x2)
func.func @softmax_dim(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %xs = mesh.shard %x to <@mesh, [[], [1]]> : tensor<4x8xf32>
  // expected-error @+1 {{'loom.softmax' cannot take its operands sharded as they are (operand 0: #mesh.shard<@mesh, [[], [1]]>): its sharding rule keeps some of these dimensions whole (docs/sharding.md)}}
  %s = loom.softmax %xs dim 1 : tensor<4x8xf32>
  return %s : tensor<4x8xf32>
}

// -----

mesh.mesh @mesh(shape = 1x2)
func.func @cross_entropy_classes(%x: tensor<4x8xf32>, %y: tensor<4xi32>) -> tensor<f32> {
  %xs = mesh.shard %x to <@mesh, [[], [1]]> : tensor<4x8xf32>
  // expected-error @+1 {{'loom.cross_entropy' cannot take its operands sharded as they are (operand 0: #mesh.shard<@mesh, [[], [1]]>)}}
  %l = loom.cross_entropy mean %xs, %y : (tensor<4x8xf32>, tensor<4xi32>) -> tensor<f32>
  return %l : tensor<f32>
}

// -----

mesh.mesh @mesh(shape = 1x2)
func.func @attention_sequence(%q: tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32> {
  %qs = mesh.shard %q to <@mesh, [[], [], [1]]> : tensor<2x2x4x4xf32>
  // expected-error @+1 {{'loom.attention' cannot take its operands sharded as they are (operand 0: #mesh.shard<@mesh, [[], [], [1]]>)}}
  %o = loom.attention %qs, %q, %q causal : (tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>, tensor<2x2x4x4xf32>) -> tensor<2x2x4x4xf32>
  return %o : tensor<2x2x4x4xf32>
}

// -----

mesh.mesh @mesh(shape = 1x2)
func.func @gather_rows(%table: tensor<16x8xf32>, %ids: tensor<4xi32>) -> tensor<4x8xf32> {
  %ts = mesh.shard %table to <@mesh, [[1]]> : tensor<16x8xf32>
  // expected-error @+1 {{'loom.gather' cannot take its operands sharded as they are (operand 0: #mesh.shard<@mesh, [[1]]>)}}
  %e = loom.gather %ts[%ids] axis 0 : (tensor<16x8xf32>, tensor<4xi32>) -> tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}
