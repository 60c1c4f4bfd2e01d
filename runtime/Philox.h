//===- Philox.h - The Philox-4x32-10 counter-based generator ----*- C++ -*-===//
//
// Part of Loom. Plain C++ (the runtime links no MLIR): the counter-based
// random number generator of Salmon et al., "Parallel Random Numbers: As Easy
// as 1, 2, 3" (SC'11), 4x32 bits, 10 rounds. A draw is a pure function of a
// 64-bit key and a 128-bit counter, so every element of every tensor can be
// drawn independently and identically on any number of ranks or threads.
//
// Loom's streams (shared by the reference backend, the compiled kernels and
// the runtime, so they agree bit for bit):
//   dropout: key = seed; counter = (block lo, block hi, stream, step), where
//            element i uses lane i % 4 of block i / 4.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_PHILOX_H
#define LOOM_RUNTIME_PHILOX_H

#include <array>
#include <cstdint>

namespace loom {

/// Philox-4x32-10: four 32-bit outputs for (key, counter).
inline std::array<uint32_t, 4> philox4x32(std::array<uint32_t, 4> counter,
                                          std::array<uint32_t, 2> key) {
  constexpr uint32_t kMul0 = 0xD2511F53u, kMul1 = 0xCD9E8D57u;
  constexpr uint32_t kWeyl0 = 0x9E3779B9u, kWeyl1 = 0xBB67AE85u;
  for (int round = 0; round < 10; ++round) {
    if (round > 0) {
      key[0] += kWeyl0;
      key[1] += kWeyl1;
    }
    uint64_t p0 = uint64_t(kMul0) * counter[0];
    uint64_t p1 = uint64_t(kMul1) * counter[2];
    counter = {uint32_t(p1 >> 32) ^ counter[1] ^ key[0], uint32_t(p1),
               uint32_t(p0 >> 32) ^ counter[3] ^ key[1], uint32_t(p0)};
  }
  return counter;
}

/// A uniform draw in [0, 1) with 24 random bits (exact in f32).
inline double uniform24(uint32_t bits) {
  return double(bits >> 8) * (1.0 / 16777216.0);
}

/// The uniform draw of element `index` of dropout stream (seed, step,
/// stream).
inline double dropoutUniform(uint64_t seed, uint64_t step, uint64_t stream,
                             uint64_t index) {
  uint64_t block = index / 4;
  std::array<uint32_t, 4> out =
      philox4x32({uint32_t(block), uint32_t(block >> 32), uint32_t(stream),
                  uint32_t(step)},
                 {uint32_t(seed), uint32_t(seed >> 32)});
  return uniform24(out[index % 4]);
}

} // namespace loom

#endif // LOOM_RUNTIME_PHILOX_H
