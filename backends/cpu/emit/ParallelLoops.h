//===- ParallelLoops.h - Parallel-access metadata for marked loops -*- C++
//-*-===//
//
// Part of Loom. The LLVM IR half of --loom-mark-parallel-loops (see
// backends/cpu/Passes.td): the object emitter calls it on the translated
// kernels before LLVM's optimization pipeline.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_EMIT_PARALLELLOOPS_H
#define LOOM_BACKENDS_CPU_EMIT_PARALLELLOOPS_H

#include "llvm/ADT/StringRef.h"

namespace llvm {
class Module;
} // namespace llvm

namespace mlir::loom::cpu {

/// For every call of the function `marker` in `m`: tags each load and store
/// of the innermost loop that holds the call with one new access group,
/// adds `llvm.loop.parallel_accesses` of that group to the loop's metadata,
/// and erases the call (a call outside any loop is only erased). The
/// declaration of `marker` is erased too. Returns the number of loops
/// marked.
unsigned annotateParallelLoops(llvm::Module &m, llvm::StringRef marker);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_EMIT_PARALLELLOOPS_H
