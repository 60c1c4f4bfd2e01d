//===- AllReduceSharding.h - The sharding rule of loom.all_reduce -*- C++ -*-=//
//
// Part of Loom. The mesh ShardingInterface of `loom.all_reduce`
// (AllReduceSharding.cpp), so that a step averaged over the data axis
// (--loom-data-parallel) can be partitioned over the model axis
// (--loom-partition-step): a 2-D mesh.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_PARALLEL_ALLREDUCESHARDING_H
#define LOOM_PASSES_PARALLEL_ALLREDUCESHARDING_H

namespace mlir {
class DialectRegistry;
namespace loom {

/// Adds the mesh dialect to `registry` and, when the loom dialect loads,
/// attaches `loom.all_reduce`'s sharding rule: elementwise (one parallel
/// loop per dimension) over the mesh axes it does not reduce over; a
/// sharding that splits a dimension over one of its own axes has no
/// option. --loom-data-parallel registers it (its dependent dialects), so
/// that --loom-partition-step after it in the same pipeline finds it.
void registerAllReduceShardingRule(DialectRegistry &registry);

} // namespace loom
} // namespace mlir

#endif // LOOM_PASSES_PARALLEL_ALLREDUCESHARDING_H
