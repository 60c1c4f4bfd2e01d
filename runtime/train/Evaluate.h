//===- Evaluate.h - Evaluation on a held-out split --------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. Runs an artifact's `eval` program (the loss and
// the model's output, dropout off) over a split in batches of the training
// batch size, and the last partial batch one example at a time through
// `eval1`, so that every example counts once; accumulates the mean loss and,
// from the output's argmax, the confusion matrix (classes, or next tokens of
// a language model).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_EVALUATE_H
#define LOOM_RUNTIME_TRAIN_EVALUATE_H

#include "runtime/Status.h"
#include "runtime/data/Batches.h"
#include "runtime/exec/Executor.h"
#include "runtime/report/Metrics.h"

#include <functional>
#include <optional>

namespace loom::train {

struct EvalResult {
  MeanMeter loss; ///< per example (window), exact
  ConfusionMatrix confusion{1};
  int64_t examples = 0;
  bool stopped = false; ///< the progress callback stopped it early
};

/// The number of classes the model's output scores (its last dimension), or
/// an error when the artifact has no `eval` program.
StatusOr<int64_t> outputClasses(const StepExecutor &ex,
                                const std::string &name);

/// Called after each run of an evaluation with the examples done and the
/// examples it covers; false stops it there (EvalResult::stopped).
using EvalProgress = std::function<bool(int64_t done, int64_t total)>;

/// Evaluates the validation part of `data`: all of it, or with
/// `maxBatches` > 0 only the first that many full batches.
StatusOr<EvalResult> evaluate(StepExecutor &ex, data::BatchSource &data,
                              int64_t maxBatches,
                              const EvalProgress &progress = nullptr);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_EVALUATE_H
