//===- Scratch.cpp - Temporary memory of generated kernels ----------------===//
//
// Part of Loom. See Scratch.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/Scratch.h"

#include <algorithm>
#include <cstdlib>

using namespace loom;

namespace {
constexpr uint64_t kAlign = 64;
} // namespace

ScratchArena::~ScratchArena() { std::free(base); }

void *ScratchArena::allocate(uint64_t n) {
  uint64_t rounded = (n + kAlign - 1) / kAlign * kAlign;
  // `used` counts what the kernel holds, from the arena or not, so that
  // `needed` is the sum of its live temporaries.
  uint64_t at = used;
  used += rounded;
  needed = std::max(needed, used);
  if (base && at + rounded <= size)
    return base + at;
  ++fallbackCount;
  return std::malloc(n ? n : 1);
}

void ScratchArena::release(void *p) {
  auto *b = static_cast<uint8_t *>(p);
  if (p && !(base && b >= base && b < base + size))
    std::free(p);
}

bool ScratchArena::fit() {
  if (needed <= size)
    return true;
  void *grown =
      std::aligned_alloc(kAlign, (needed + kAlign - 1) / kAlign * kAlign);
  if (!grown)
    return false;
  std::free(base);
  base = static_cast<uint8_t *>(grown);
  size = needed;
  used = 0;
  return true;
}

ScratchArena *&loom::currentScratch() {
  static thread_local ScratchArena *current = nullptr;
  return current;
}

void *loom::loomScratchAlloc(uint64_t n) {
  ScratchArena *a = currentScratch();
  return a ? a->allocate(n) : std::malloc(n ? n : 1);
}

void loom::loomScratchFree(void *p) {
  ScratchArena *a = currentScratch();
  if (a)
    a->release(p);
  else
    std::free(p);
}
