//===- Scratch.h - Temporary memory of generated kernels --------*- C++ -*-===//
//
// Part of Loom. Plain C++17. A generated kernel that needs a temporary
// buffer too large for its stack (an attention kernel's scores) calls
// malloc and free; the object emitter routes those calls to hooks the
// runtime sets (KernelLibrary::load). The hooks take the memory from the
// calling thread's ScratchArena: a bump allocator reset before every kernel
// (the kernel frees all it allocates before it returns), which grows
// between kernels to the most any one kernel needed. After the first step
// it is large enough, and a step allocates nothing.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EXEC_SCRATCH_H
#define LOOM_RUNTIME_EXEC_SCRATCH_H

#include <cstdint>

namespace loom {

class ScratchArena {
public:
  ScratchArena() = default;
  ScratchArena(const ScratchArena &) = delete;
  ScratchArena &operator=(const ScratchArena &) = delete;
  ~ScratchArena();

  /// `n` bytes aligned to 64; from malloc (counted) when the arena is too
  /// small, or null if that fails too.
  void *allocate(uint64_t n);
  /// Frees `p` if malloc gave it; the arena's own bytes come back at reset.
  void release(void *p);
  /// Before a kernel: all of the arena is free again.
  void reset() { used = 0; }
  /// Between kernels: grows the arena to the most one kernel has needed.
  /// False if that allocation fails (the next kernels use malloc).
  bool fit();

  uint64_t capacity() const { return size; }
  /// Allocations that fell back to malloc since the arena was made.
  uint64_t fallbacks() const { return fallbackCount; }

private:
  uint8_t *base = nullptr;
  uint64_t size = 0, used = 0, needed = 0, fallbackCount = 0;
};

/// The arena the generated kernels running on this thread allocate from;
/// null: plain malloc and free.
ScratchArena *&currentScratch();

/// The hooks generated code calls (set by KernelLibrary::load).
void *loomScratchAlloc(uint64_t n);
void loomScratchFree(void *p);

} // namespace loom

#endif // LOOM_RUNTIME_EXEC_SCRATCH_H
