//===- Generate.h - Text from a trained language model -----------*- C++
//-*-===//
//
// Part of Loom. Plain C++17. `loom generate`: runs a language model's
// decoding program one token at a time (its KV caches kept in the arena), or
// its batch-1 evaluation program on a sliding context window, and samples
// the next token from the logits (temperature, top-k) with the
// counter-based generator, so that the same seed gives the same text.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_GENERATE_H
#define LOOM_RUNTIME_TRAIN_GENERATE_H

#include "runtime/Status.h"
#include "runtime/exec/Executor.h"

#include <cstdint>
#include <functional>
#include <vector>

namespace loom::train {

struct SampleOptions {
  double temperature = 0.8; ///< 0: always the most likely token
  int64_t topK = 0;         ///< 0: every token
  uint64_t seed = 0;
};

/// Draws a token from `logits` (`n` scores): the argmax at temperature 0,
/// else softmax(logits / temperature) over the `topK` best (ties broken by
/// the lower index), with uniform draw number `draw` of `seed`.
int32_t sampleToken(const float *logits, int64_t n, const SampleOptions &opt,
                    uint64_t draw);

/// Extends `tokens` (the prompt, at least one token) by `count` tokens from
/// `ex`'s batch-1 evaluation program, calling `emit` with each new one.
/// The context is the last T tokens (the model's window).
Status generate(StepExecutor &ex, std::vector<int32_t> &tokens, int64_t count,
                const SampleOptions &opt,
                const std::function<void(int32_t)> &emit);

/// The same with the artifact's "decode" program, one token at a time with
/// KV caches: while the sequence fits the window (T tokens), the logits
/// are those of `generate`'s recomputation. When the window is full, the
/// context restarts from the last T/2 + 1 tokens (recomputed one by one),
/// where `generate` slides it by one token.
Status generateCached(StepExecutor &ex, std::vector<int32_t> &tokens,
                      int64_t count, const SampleOptions &opt,
                      const std::function<void(int32_t)> &emit);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_GENERATE_H
