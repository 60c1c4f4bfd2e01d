//===- Evaluate.h - Evaluation on a held-out split --------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. Runs an artifact's `eval` program (the loss and
// the model's output, dropout off) over a split in batches of the training
// batch size, and the last partial batch one example at a time through
// `eval1`, so that every example counts once; accumulates the mean loss and
// the confusion matrix: from the output's argmax over its last dimension
// (classes, or next tokens of a language model), or, for a binary classifier
// (one logit per example: an output [B] or [B, 1]), from the logit against
// kBinaryThreshold.
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
#include <string>
#include <vector>

namespace loom::train {

/// A binary classifier predicts class 1 when its logit is above this
/// (probability 0.5).
constexpr float kBinaryThreshold = 0.0f;

/// A regression's errors, summed per target column over a whole split (in
/// double): what MAE, RMSE and R² are computed from. With several target
/// columns each metric is the columns' average, as scikit-learn's
/// multioutput="uniform_average".
struct RegressionSums {
  struct Column {
    double absError = 0, sqError = 0; ///< sum |p - t|, sum (p - t)^2
    double sum = 0, sumSq = 0;        ///< sum t, sum t^2
  };
  std::vector<Column> columns;
  int64_t rows = 0;
  /// `rows` examples of `width` predictions and targets, row-major.
  void add(const float *pred, const float *target, int64_t rows, int64_t width);
  double mae() const;
  double rmse() const;
  /// 1 - SSE / SST, SST about the split's own mean (NaN for a constant
  /// target).
  double r2() const;
};

struct EvalResult {
  MeanMeter loss;                ///< per example (window), exact
  RegressionSums regressionSums; ///< f32 targets
  ConfusionMatrix confusion{1};
  int64_t examples = 0;
  bool binary = false;     ///< one logit per example, classes 0 and 1
  bool regression = false; ///< f32 targets: a loss, no classes
  bool stopped = false;    ///< the progress callback stopped it early
};

/// The number of elements of a tensor of `shape` (1 for a scalar).
inline int64_t shapeElements(const std::vector<int64_t> &shape) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  return n;
}

/// Whether an output of shape `shape` (batch first) is a binary classifier's:
/// one logit per example, [B] or [B, 1].
bool isBinaryOutput(const std::vector<int64_t> &shape);

/// The number of classes the model's output scores: 2 for a binary
/// classifier, else the output's last dimension; an error when the artifact
/// has no `eval` program.
StatusOr<int64_t> outputClasses(const StepExecutor &ex,
                                const std::string &name);

/// A class metric as `loom train` reports it: `key` in metrics.jsonl and
/// the summary, `name` as the recipe's `eval` line asks for it.
struct ClassMetric {
  std::string key, name;
  double value;
};

/// Precision, recall and F1 of `r`: of class 1 for a binary classifier
/// (keys precision, recall, f1: scikit-learn's average="binary"), else the
/// macro averages over the classes seen (macro_precision, ...).
std::vector<ClassMetric> classMetrics(const EvalResult &r);
/// Called after each run of an evaluation with the examples done and the
/// examples it covers; false stops it there (EvalResult::stopped).
using EvalProgress = std::function<bool(int64_t done, int64_t total)>;

/// The share of an evaluation that one rank of a data-parallel run takes:
/// the full batches, and then the examples of the last partial batch, whose
/// number i has i % ranks == rank. The ranks' results summed (their loss
/// sums, example and confusion counts) are one process' over the whole.
struct EvalShare {
  int rank = 0, ranks = 1;
};

/// Evaluates the validation part of `data`: all of it, or with
/// `maxBatches` > 0 only the first that many full batches; of those, the
/// batches and examples of `share`. `progress` counts the share's
/// examples.
StatusOr<EvalResult> evaluate(StepExecutor &ex, data::BatchSource &data,
                              int64_t maxBatches,
                              const EvalProgress &progress = nullptr,
                              EvalShare share = {});

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_EVALUATE_H
