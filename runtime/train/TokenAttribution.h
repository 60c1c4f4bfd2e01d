//===- TokenAttribution.h - A prompt's tokens and the next token -*- C++
//-*-===//
//
// Part of Loom. Plain C++17. `loom explain --prompt`: for a language model,
// how much each token of a prompt supports the model's next-token
// prediction, by occlusion: the token replaced by another (a space by
// default), the whole window run again through the artifact's `eval`
// program (the variants as the rows of its batches), and the drop of the
// predicted token's log-probability. Occlusion needs no gradient through
// the embedding lookup (a token id has none), nothing compiled beyond what
// `loom train` builds, and reads directly: "without this token, the model
// is this much less sure".
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_TOKENATTRIBUTION_H
#define LOOM_RUNTIME_TRAIN_TOKENATTRIBUTION_H

#include "runtime/Status.h"
#include "runtime/exec/Executor.h"

#include <cstdint>
#include <optional>
#include <vector>

namespace loom::train {

struct TokenAttribution {
  std::vector<int32_t> tokens; ///< the prompt's last `window` tokens or fewer
  int64_t dropped = 0;         ///< prompt tokens before them, left out
  int32_t target = 0;          ///< the token attributed
  bool predicted = false;      ///< the model's most likely next token
  int32_t occluder = 0;        ///< what replaces each token in turn
  double logprob = 0;          ///< of `target` after the prompt
  /// Per token: the log-probability of `target` with that token occluded,
  /// and logprob minus it (positive: the token supports the prediction).
  std::vector<double> occludedLogprob, drop;
};

/// Occlusion attributions of `prompt` (at least one token) for the next
/// token after it: `target`, or the most likely one. The model's output is
/// logits [B, T, vocabulary] of `eval`; prompt positions after the window's
/// end are padded with `occluder` (in a causal model they do not affect the
/// last prompt position). A token equal to `occluder` gets a drop of 0.
StatusOr<TokenAttribution> occludeTokens(StepExecutor &ex,
                                         const std::vector<int32_t> &prompt,
                                         int32_t occluder,
                                         std::optional<int32_t> target);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_TOKENATTRIBUTION_H
