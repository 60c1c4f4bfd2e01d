//===- TokenAttribution.cpp - A prompt's tokens and the next token --------===//
//
// Part of Loom. See TokenAttribution.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/TokenAttribution.h"

#include <algorithm>
#include <cmath>
#include <cstring>

using namespace loom;
using namespace loom::train;

namespace {

/// log softmax(logits)[k], in double.
double logProb(const float *logits, int64_t n, int64_t k) {
  double top = *std::max_element(logits, logits + n), sum = 0;
  for (int64_t i = 0; i < n; ++i)
    sum += std::exp(double(logits[i]) - top);
  return double(logits[k]) - top - std::log(sum);
}

} // namespace

StatusOr<TokenAttribution>
loom::train::occludeTokens(StepExecutor &ex, const std::vector<int32_t> &prompt,
                           int32_t occluder, std::optional<int32_t> target) {
  const IoRecord *xr = nullptr, *yr = nullptr, *out = nullptr;
  auto *x = static_cast<int32_t *>(ex.programInput("eval", "x", &xr));
  void *y = ex.programInput("eval", "y", &yr);
  if (!x || !y || !ex.programOutput("eval", "output", &out) ||
      xr->dtype != DType::I32 || xr->shape.size() != 2 ||
      out->shape.size() != 3)
    return Status::error("--prompt takes a language model (token ids "
                         "[B, T] in, logits [B, T, vocabulary] out)");
  int64_t batch = xr->shape[0], window = xr->shape[1], vocab = out->shape[2];
  if (occluder < 0 || occluder >= vocab)
    return Status::error("the occluding token " + std::to_string(occluder) +
                         " is not one of the model's " + std::to_string(vocab) +
                         " tokens");
  TokenAttribution a;
  a.occluder = occluder;
  int64_t n = std::min<int64_t>(int64_t(prompt.size()), window);
  a.dropped = int64_t(prompt.size()) - n;
  a.tokens.assign(prompt.end() - n, prompt.end());
  for (int32_t t : a.tokens)
    if (t < 0 || t >= vocab)
      return Status::error("the prompt's token " + std::to_string(t) +
                           " is not one of the model's " +
                           std::to_string(vocab) + " tokens");

  // Variant 0 is the prompt; variant 1 + t has token t occluded. They run
  // as the rows of the eval program's batches; the logits of the last
  // prompt position are kept.
  int64_t variants = n + 1;
  std::vector<float> last(size_t(variants * vocab));
  for (int64_t v0 = 0; v0 < variants; v0 += batch) {
    for (int64_t r = 0; r < batch; ++r) {
      int64_t v = std::min(v0 + r, variants - 1);
      int32_t *row = x + r * window;
      std::fill(row, row + window, occluder);
      std::copy(a.tokens.begin(), a.tokens.end(), row);
      if (v > 0)
        row[v - 1] = occluder;
    }
    std::memset(y, 0, size_t(batch * window) * dtypeSize(yr->dtype));
    if (Status s = ex.run("eval"); !s)
      return s;
    const float *o =
        static_cast<const float *>(ex.programOutput("eval", "output"));
    for (int64_t r = 0; r < batch && v0 + r < variants; ++r)
      std::memcpy(last.data() + (v0 + r) * vocab,
                  o + (r * window + n - 1) * vocab,
                  size_t(vocab) * sizeof(float));
  }
  int64_t best =
      std::max_element(last.begin(), last.begin() + vocab) - last.begin();
  if (target && (*target < 0 || *target >= vocab))
    return Status::error("--target-class " + std::to_string(*target) +
                         ": the model has " + std::to_string(vocab) +
                         " tokens (0 to " + std::to_string(vocab - 1) + ")");
  a.target = target ? *target : int32_t(best);
  a.predicted = a.target == best;
  a.logprob = logProb(last.data(), vocab, a.target);
  for (int64_t t = 0; t < n; ++t) {
    double lp = logProb(last.data() + (t + 1) * vocab, vocab, a.target);
    a.occludedLogprob.push_back(lp);
    a.drop.push_back(a.logprob - lp);
  }
  return a;
}
