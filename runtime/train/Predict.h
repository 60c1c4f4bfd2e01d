//===- Predict.h - A trained model's outputs for new rows -------*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom predict`: the rows of a CSV file (its
// label or target column optional), put through the prep statistics the
// checkpoint saved, then through the model's batch-1 evaluation program;
// for each row the predicted class and the probability of each class, or
// the predicted value of each target.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_PREDICT_H
#define LOOM_RUNTIME_TRAIN_PREDICT_H

#include "runtime/Status.h"
#include "runtime/exec/Executor.h"
#include "runtime/report/Metrics.h"
#include "runtime/train/Recipe.h"
#include "runtime/train/State.h"

#include <cstdint>
#include <map>
#include <string>

namespace loom::train {

struct PredictCounts {
  int64_t rows = 0;      ///< data rows of the file
  int64_t predicted = 0; ///< rows the model gave an output for
  int64_t labelled = 0;  ///< of those, with a label or target in the file
  int64_t correct = 0;   ///< of those, a classifier's right predictions
  /// With a group column: each value's confusion matrix of the labelled
  /// rows predicted.
  std::map<std::string, ConfusionMatrix> groups;
};

/// Predicts every row of CSV file `path` with `ex` (its parameters loaded)
/// and returns the output CSV: a row per data row, in order, with its line
/// in the file, its label when the file has the column, then the
/// prediction (`predicted` and `p_<class>` for each class; `predicted` and
/// `p_1` for a binary classifier; `predicted_<target>` for each regression
/// target) and `status`: "ok"; "dropped by prep" for a row the saved prep
/// statistics drop (a missing cell imputed by dropping, an outlier
/// dropped); or "missing COLUMN" for a row with a cell prep does not fill.
/// Those rows' prediction cells are empty. Deduplication is not applied:
/// every other row gets a prediction.
///
/// With `groupColumn`, a column of the file (a model input when the
/// training data's header names it; otherwise read and left out of the
/// features), each labelled row counts in its value's confusion matrix
/// (counts.groups); a regression model or a file without labels is an
/// error then.
StatusOr<std::string> predictCsv(StepExecutor &ex, const Recipe &recipe,
                                 const TrainState &state,
                                 const std::string &path, PredictCounts &counts,
                                 const std::string &groupColumn = "");

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_PREDICT_H
