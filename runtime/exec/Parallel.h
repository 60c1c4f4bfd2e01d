//===- Parallel.h - Generated loop nests on the runtime's threads -*- C++
//-*-===//
//
// Part of Loom. Plain C++17. The object emitter turns each large parallel
// loop nest of a generated kernel into a call of `loom_parallel_hook(body,
// context, extent)` (backends/cpu/emit/ObjectEmitter.h); KernelLibrary::load
// sets that hook to loomParallelFor, which runs the nest's iterations
// [0, extent) in equal contiguous ranges on GNU OpenMP's pool (libgomp, the
// pool oneDNN runs on; its entry points are called directly, so that no
// second OpenMP runtime enters the process) and returns when all are done.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EXEC_PARALLEL_H
#define LOOM_RUNTIME_EXEC_PARALLEL_H

#include <cstdint>

namespace loom {

/// A loop nest of a generated kernel: runs iterations [begin, end) of its
/// split dimension with the arguments in `context`.
using LoopBody = void (*)(void *context, int64_t begin, int64_t end);

/// Runs `body` over [0, extent): on the pool's threads, thread t of T taking
/// the t-th of T ranges of ceil(extent / T) iterations, when the pool has
/// more than one thread, extent is at least 2 and no parallel region is
/// active already; on the calling thread otherwise.
void loomParallelFor(LoopBody body, void *context, int64_t extent);

/// How many loop nests that the calling thread started ran on more than one
/// thread (a counter the executor reads around each kernel launch).
uint64_t &parallelLoopsRun();

} // namespace loom

#endif // LOOM_RUNTIME_EXEC_PARALLEL_H
