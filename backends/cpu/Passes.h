//===- Passes.h - Passes of the CPU backend ---------------------*- C++ -*-===//
//
// Part of Loom. Declarations and registration of the passes in
// backends/cpu/Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_PASSES_H
#define LOOM_BACKENDS_CPU_PASSES_H

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <memory>

namespace mlir {
class DialectRegistry;
} // namespace mlir

namespace mlir::loom::cpu {

#define GEN_PASS_DECL
#include "backends/cpu/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "backends/cpu/Passes.h.inc"

/// The function whose calls `--loom-mark-parallel-loops` puts in innermost
/// parallel loops and the object emitter replaces by loop metadata.
inline constexpr llvm::StringLiteral kParallelLoopMarker = "loom_parallel_loop";

/// Registers the CPU backend's passes and pipelines (Pipelines.h), and in
/// `registry` the upstream dialects their output uses and the bufferization
/// models the codegen pipeline needs, so that loom-opt runs, parses and
/// prints it.
void registerCpuBackend(DialectRegistry &registry);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_PASSES_H
