// RUN: loom-opt %s --pass-pipeline='builtin.module(func.func(sharding-propagation),loom-check-shardings)' --verify-diagnostics

// Tests that an all-reduce over a mesh axis that its operand is split over
// has no sharding option (passes/parallel/AllReduceSharding.cpp): summing
// the model axis's slices of different columns would mix them.
// Propagation passes over it, and --loom-check-shardings reports it at the
// op, never a silent replication.

mesh.mesh @mesh(shape = 2x2)
func.func @own_axis(%w: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %ws = mesh.shard %w to <@mesh, [[], [1]]> : tensor<4x8xf32>
  // expected-error @+1 {{'loom.all_reduce' cannot take its operands sharded as they are (operand 0: #mesh.shard<@mesh, [[], [1]]>): its sharding rule keeps some of these dimensions whole (docs/sharding.md)}}
  %m = loom.all_reduce sum %ws over ["model"] group_size 2 : tensor<4x8xf32>
  return %m : tensor<4x8xf32>
}
