// RUN: loom-opt %s --split-input-file --loom-partition-step --verify-diagnostics --mlir-print-op-on-diagnostic=false

// Tests that a change of sharding other than the all-reduce of a partial
// sum is an error at the op that needs it, never a silent replication: a
// column-split product returned whole needs an all-gather, which the
// runtime does not have yet.

mesh.mesh @mesh(shape = 1x2)
func.func @gather_returned(%w: tensor<4x8xf32> {loom.param = "w", loom.shard = #mesh.shard<@mesh, [[], [1]]>}, %x: tensor<2x4xf32>) -> tensor<2x8xf32> {
  // expected-error@+1 {{'mesh.all_gather' (a change of sharding that is not the all-reduce of a partial sum) has no runtime collective yet; docs/sharding.md lists what partitioning supports}}
  %y = loom.matmul %x, %w : (tensor<2x4xf32>, tensor<4x8xf32>) -> tensor<2x8xf32>
  return %y : tensor<2x8xf32>
}

// -----

// Tests that a partial max (a max over a split dimension) read whole is an
// error at the reduction: the runtime all-reduces sums and means only.

mesh.mesh @mesh(shape = 1x2)
func.func @max_over_split(%w: tensor<4x8xf32> {loom.param = "w", loom.shard = #mesh.shard<@mesh, [[], [1]]>}) -> tensor<4xf32> {
  // expected-error@+1 {{an all-reduce by max over the mesh has no runtime collective yet (sum and mean do)}}
  %m = loom.reduce max %w dims [1] : tensor<4x8xf32> -> tensor<4xf32>
  return %m : tensor<4xf32>
}
