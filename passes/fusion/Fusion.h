//===- Fusion.h - The steps of --loom-fuse ----------------------*- C++ -*-===//
//
// Part of Loom. The steps of the fusion pass (passes/fusion/Fuse.cpp) that
// live in files of their own.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_FUSION_FUSION_H
#define LOOM_PASSES_FUSION_FUSION_H

#include "mlir/IR/Value.h"

#include <cstdint>

namespace mlir {
class Block;
class Operation;
namespace loom {

/// Whether `v` is a constant or computed from constants alone (a reshape of
/// one, say): it has no storage for a kernel to read, so a group clones it
/// in rather than taking it as an input, and a post-op cannot read it.
bool isConstantChain(Value v);

/// The cost rule of recomputation: whether `op` (an elementwise op without
/// side effects) is so cheap, one arithmetic instruction per element, that
/// a group reading its value computes it again from its operands instead.
/// Holds for the commutative binary ops (add, mul, max, min); not for
/// transcendentals, division or powers.
bool isCheapToRecompute(Operation *op);

/// Makes each run of two or more adjacent fusion groups of one kind
/// (elementwise or reduction), none reading another's result, one
/// `loom.multi_tensor_group` at the run's last member, bounded so
/// that the members' kernels read and write at most `maxBytes` together. A
/// group moving more than `maxBytes` alone stays as it is. Constants between
/// the members do not break a run; any other op does.
void formMultiTensorGroups(Block &block, uint64_t maxBytes);

} // namespace loom
} // namespace mlir

#endif // LOOM_PASSES_FUSION_FUSION_H
