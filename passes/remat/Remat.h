//===- Remat.h - Activation recomputation -----------------------*- C++ -*-===//
//
// Part of Loom. The analyses --loom-remat (Remat.cpp, Passes.td) is built
// from: which ops are a differentiated function's forward, which repeated
// block an op belongs to, and how many bytes of forward values a memory
// plan keeps live at once.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_REMAT_REMAT_H
#define LOOM_PASSES_REMAT_REMAT_H

#include "mlir/IR/Location.h"
#include "mlir/Support/LogicalResult.h"
#include "llvm/ADT/DenseSet.h"
#include "llvm/ADT/StringRef.h"

#include <cstdint>
#include <string>

namespace mlir {
class Operation;
namespace func {
class FuncOp;
} // namespace func

namespace loom {

struct ArenaPlan;

/// The repeated block `loc` is in: the shortest prefix of the instance path
/// the frontend records (`fused<{instance = "blocks.3.attn.qkv"}>`, inside
/// the call-site chain) that ends in an index ("blocks.3"); "" when the op
/// is in no repeat element.
std::string rematBlockOf(Location loc);

/// The forward of single-block function `fn`: the ops its loss depends on.
/// The loss is the first result that is neither a new parameter nor a new
/// optimizer state (no `loom.param`, no `loom.opt_state`). Fails, with an
/// error at `fn`, when every result is one.
FailureOr<llvm::DenseSet<Operation *>> forwardOps(func::FuncOp fn);

/// The most bytes that buffers of `plan` (of `fn`, every op a position)
/// holding results of `ops` take at any one position: the activation
/// memory when `ops` is the forward and its recomputations. Views count as
/// their source.
uint64_t liveBytesOf(const ArenaPlan &plan,
                     const llvm::DenseSet<Operation *> &ops);

/// Whether `loc` is the location of an op --loom-remat cloned
/// (`fused<"remat">[...]`).
bool isRematLocation(Location loc);

} // namespace loom
} // namespace mlir

#endif // LOOM_PASSES_REMAT_REMAT_H
