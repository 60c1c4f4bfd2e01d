// RUN: loom-opt %s --split-input-file --loom-check-shardings --verify-diagnostics

// Tests --loom-check-shardings on its own (IR annotated by hand or by
// another pass): a split value that reaches an op without a sharding rule
// is an error at that op, a replicated one is not, and an op with a rule
// whose operands fit it passes.

mesh.mesh @mesh(shape = 1x2)
func.func @no_rule(%x: tensor<4x8xf32>, %key: tensor<2xi64>) -> tensor<4x8xf32> {
  %xs = mesh.shard %x to <@mesh, [[], [1]]> : tensor<4x8xf32>
  // expected-error @+1 {{'loom.dropout' has no sharding rule, so operand 0 (sharded as #mesh.shard<@mesh, [[], [1]]>) cannot pass its sharding on; the ops with rules are listed in docs/sharding.md}}
  %d = loom.dropout %xs, %key rate 1.000000e-01 stream 0 : (tensor<4x8xf32>, tensor<2xi64>) -> tensor<4x8xf32>
  return %d : tensor<4x8xf32>
}

// -----

mesh.mesh @mesh(shape = 1x2)
func.func @fine(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %xr = mesh.shard %x to <@mesh, [[]]> : tensor<4x8xf32>
  %s = loom.slice %xr start [0, 0] limit [4, 8] stride [1, 1] : tensor<4x8xf32> -> tensor<4x8xf32>
  %xs = mesh.shard %s to <@mesh, [[1]]> : tensor<4x8xf32>
  %e = loom.exp %xs : tensor<4x8xf32>
  return %e : tensor<4x8xf32>
}
