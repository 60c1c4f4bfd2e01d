//===- Parallel.cpp - Generated loop nests on the runtime's threads -------===//
//
// Part of Loom. See Parallel.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/Parallel.h"

#include <algorithm>

// The GNU OpenMP runtime's entry points (libgomp, the pool oneDNN runs on),
// called directly so that a compiler with another OpenMP runtime (clang's
// libomp) never adds a second pool to the process.
extern "C" {
void GOMP_parallel(void (*fn)(void *), void *data, unsigned numThreads,
                   unsigned flags);
int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);
int omp_in_parallel(void);
}

using namespace loom;

namespace {

/// A loop nest and its arguments, shared by the threads that run it.
struct Loop {
  LoopBody body;
  void *context;
  int64_t extent;
};

/// Runs this thread's range of a loop nest.
void runRange(void *data) {
  const Loop &l = *static_cast<const Loop *>(data);
  int64_t threads = omp_get_num_threads(), t = omp_get_thread_num();
  int64_t chunk = (l.extent + threads - 1) / threads;
  int64_t begin = std::min(l.extent, t * chunk);
  int64_t end = std::min(l.extent, begin + chunk);
  if (begin < end)
    l.body(l.context, begin, end);
}

} // namespace

void loom::loomParallelFor(LoopBody body, void *context, int64_t extent) {
  if (extent < 2 || omp_in_parallel() || omp_get_max_threads() < 2) {
    body(context, 0, extent);
    return;
  }
  Loop loop{body, context, extent};
  GOMP_parallel(runRange, &loop, 0, 0);
  ++parallelLoopsRun();
}

uint64_t &loom::parallelLoopsRun() {
  static thread_local uint64_t count = 0;
  return count;
}
