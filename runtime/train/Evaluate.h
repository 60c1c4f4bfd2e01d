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

#include <optional>

namespace loom::train {

struct EvalResult {
  MeanMeter loss; ///< per example (window), exact
  ConfusionMatrix confusion{1};
  int64_t examples = 0;
};

/// The number of classes the model's output scores (its last dimension), or
/// an error when the artifact has no `eval` program.
StatusOr<int64_t> outputClasses(const StepExecutor &ex,
                                const std::string &name);

/// Evaluates the validation part of `data`: all of it, or with
/// `maxBatches` > 0 only the first that many full batches.
StatusOr<EvalResult> evaluate(StepExecutor &ex, data::BatchSource &data,
                              int64_t maxBatches);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_EVALUATE_H
