//===- Explain.h - What a trained model's predictions rely on ---*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom explain`: for a classifier or a
// regressor over f32 features,
//
//   permutation importance   each feature shuffled across the evaluated
//                            examples (seeded, several repeats), the
//                            artifact's `eval` program run again, and the
//                            drop of the metric: accuracy for a
//                            classifier, R² for a regressor
//   integrated gradients     for chosen examples, the attribution of each
//                            feature to one output (a class's logit, a
//                            regression target), from the artifact's
//                            `input_grad` program (the gradient of that
//                            output with respect to the input, built by
//                            --loom-build-input-grad-step) at m midpoint
//                            interpolation points between a baseline and
//                            the example, run as batches of the program's
//                            batch size (the training batch, at most
//                            16); with the
//                            completeness check: the attributions sum to
//                            f(x) - f(baseline)
//
// and their report: a ranked text table, explain.json, importance.svg.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_EXPLAIN_H
#define LOOM_RUNTIME_TRAIN_EXPLAIN_H

#include "runtime/Status.h"
#include "runtime/exec/Executor.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace loom::train {

/// What the model's output is.
struct ModelOutput {
  bool regression = false;        ///< f32 targets
  bool binary = false;            ///< one logit per example (classes 0 and 1)
  int64_t width = 1;              ///< output values per example
  std::vector<std::string> names; ///< each class's or target's name
};

/// The examples explained, as the model takes them (after prep).
struct ExplainData {
  /// "the validation split of FILE", "the test set FILE", "FILE" (--data):
  /// `file` last.
  std::string source;
  std::string file; ///< the file read (the images file of IDX data)
  int64_t count = 0;
  int64_t features = 0;           ///< f32 values per example
  std::vector<float> x;           ///< count * features
  std::vector<uint8_t> y;         ///< count * yBytes: the eval program's y
  int64_t yBytes = 0;             ///< per example
  std::vector<int32_t> labels;    ///< count, a classifier's
  std::vector<float> targets;     ///< count * width, a regressor's
  std::vector<std::string> names; ///< each feature's name
  ModelOutput output;
};

/// Whether loom explain can explain the model in `ex`: an `eval` program
/// over f32 features (not a language model's token ids); an error says why
/// not.
Status checkExplainable(StepExecutor &ex, const Recipe &recipe);

/// Reads the examples to explain for the model in `ex` (its `eval` program
/// over f32 features): every row of CSV file `csvPath`, read as `loom eval
/// --data` reads it (the checkpoint's classes and prep statistics); without
/// it, the recipe's test set when its `eval` reports on it or no rows
/// validate (read the same way), else the validation split of the recipe's
/// data (the prep statistics fitted on its training rows must be the
/// checkpoint's). Features are named after the CSV header's columns (the
/// label or targets left out) when prep keeps one feature per column,
/// else "feature 0", "feature 1", ...
StatusOr<ExplainData> loadExplainData(StepExecutor &ex, const Recipe &recipe,
                                      const TrainState &state,
                                      const std::string &csvPath);

/// Each feature's mean over the training split of the recipe's data (the
/// rows the model trained on, after prep): integrated gradients' `mean`
/// baseline.
StatusOr<std::vector<float>>
trainingMean(StepExecutor &ex, const Recipe &recipe, const TrainState &state);

/// The metric of the model on `x` (data.count examples, data's layout) with
/// data's labels or targets: accuracy for a classifier, R² for a regressor.
/// `outputs`, when given, gets every example's output (count * width).
StatusOr<double> scoreExamples(StepExecutor &ex, const ExplainData &data,
                               const std::vector<float> &x,
                               std::vector<float> *outputs = nullptr);

/// The metric's name: "accuracy" or "r2".
std::string metricName(const ModelOutput &output);

struct FeatureImportance {
  int64_t index = 0;
  std::string name;
  double mean = 0, std = 0;  ///< of the drops (std: population, ddof 0)
  std::vector<double> drops; ///< metric unshuffled - metric shuffled
};

struct Importance {
  std::string metric;
  double baseline = 0; ///< the metric with no feature shuffled
  int64_t repeats = 0;
  uint64_t seed = 0;
  std::vector<FeatureImportance> features; ///< ranked: the largest drop first
};

/// Permutation importance: for each feature and repeat r, that feature's
/// column permuted across the examples (a permutation drawn from `seed`,
/// the feature and r), everything else as it is, and the metric's drop.
StatusOr<Importance> permutationImportance(StepExecutor &ex,
                                           const ExplainData &data,
                                           int64_t repeats, uint64_t seed);

struct Attribution {
  int64_t example = 0;
  /// The output attributed: a class (its logit; a binary classifier's
  /// class 0 is the negated logit) or a regression target's index.
  int64_t target = 0;
  bool predicted = false; ///< the class the model predicts for the example
  double fx = 0, fBaseline = 0; ///< that output at x and at the baseline
  double sum = 0;               ///< of the attributions
  /// |sum - (fx - fBaseline)| / |fx - fBaseline| (NaN when they are equal).
  double relativeError = 0;
  std::vector<double> values; ///< one per feature
};

/// "--target-class C: the model has N classes (0 to N-1)" when `target`
/// is not one of the model's outputs (classes, regression targets), else
/// "".
std::string targetRangeError(const ModelOutput &out, int64_t target);

/// Integrated gradients of example `example` with `steps` midpoint points
/// (alpha = (k + 0.5) / steps) between `baseline` and it: attribution_i =
/// (x_i - baseline_i) * the mean of d output / d x_i over the points.
/// `target` picks the output (a class; a regression target's index); by
/// default the predicted class, or a regressor's first target.
StatusOr<Attribution>
integratedGradients(StepExecutor &ex, const ExplainData &data, int64_t example,
                    const std::vector<float> &baseline, int64_t steps,
                    std::optional<int64_t> target);

/// The report's text: the ranked importance table, then each example's
/// attributions (all features up to 20, else the 20 largest) and its
/// completeness line.
std::string explainText(const ExplainData &data, const Importance *importance,
                        const std::vector<Attribution> &attributions,
                        const std::string &baselineName, int64_t steps);

/// explain.json: {"source", "examples", "features", "model", "metric",
/// "importance": {"metric", "baseline", "repeats", "seed", "features": [{
/// "feature", "index", "mean", "std", "drops"}] ranked},
/// "integrated_gradients": {"steps", "baseline", "baseline_values",
/// "examples": [{"example", "target", "target_name", "predicted", "f_x",
/// "f_baseline", "sum", "difference", "relative_error", "x",
/// "attributions"}]}}; without importance or examples, no such key.
std::string explainJson(const ExplainData &data, const Importance *importance,
                        const std::vector<Attribution> &attributions,
                        const std::string &baselineName,
                        const std::vector<float> &baseline, int64_t steps);

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_EXPLAIN_H
