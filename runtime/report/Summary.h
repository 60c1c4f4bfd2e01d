//===- Summary.h - The end-of-training summary ------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). What `loom train`
// prints and records when it finishes:
//
//   steps        1000 in 00:19:37, 3 epochs, 1.3k tok/s
//   train loss   2.3412 (final)
//   val loss     1.9876 (best, step 800), 2.0012 (final)
//   accuracy     0.9712
//   checkpoint   runs/gpt/step-1000.loomckpt
//
// and the same as a "summary" record of metrics.jsonl (MetricsLog.h).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_SUMMARY_H
#define LOOM_RUNTIME_REPORT_SUMMARY_H

#include "runtime/report/MetricsLog.h"

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace loom {

/// The results of a training run; an unset field is left out.
struct RunSummary {
  int64_t steps = 0;             ///< the last step done
  std::optional<int64_t> epochs; ///< epochs done
  double seconds = 0;            ///< wall-clock training time
  std::optional<double> itemsPerSecond;
  std::string itemUnit = "samples"; ///< "tok", "samples", ...
  std::optional<double> finalTrainLoss;
  /// The evaluations' loss: on split `evalSplit` ("val", "train" or
  /// "test"; labelled "val loss", "train eval loss", "test loss").
  std::string evalSplit = "val";
  std::optional<double> bestValLoss;
  int64_t bestValStep = 0; ///< the step of bestValLoss
  std::optional<double> finalValLoss;
  /// The final evaluation's metrics in order ("accuracy", "macro_f1",
  /// "perplexity", ...), printed with 4 decimals.
  std::vector<std::pair<std::string, double>> metrics;
  std::string checkpoint; ///< the last checkpoint written; "" if none
  /// This process's memory for the step (0: not reported): its arena, and
  /// in it the parameters and the optimizer state it holds (its slices of
  /// those split over a model axis).
  uint64_t arenaBytes = 0, parameterBytes = 0, optimizerStateBytes = 0;
};

/// The summary as text lines (no '\n'), labels padded to one column.
std::vector<std::string> summaryLines(const RunSummary &summary);

/// The summary as a metrics.jsonl record: kind summary, step = steps,
/// epoch = epochs (0 when unset), and the fields seconds,
/// items_per_second, item_unit, train_loss, best_val_loss, best_val_step,
/// val_loss (for evaluations on another split best_test_loss, ... or
/// best_train_eval_loss, ...), the metrics by name, checkpoint, and with
/// arenaBytes set arena_bytes, parameter_bytes and optimizer_state_bytes
/// (of the rank that writes the record).
LogRecord summaryRecord(const RunSummary &summary);

/// summaryRecord(summary) as indented JSON (for summary.json).
std::string summaryJson(const RunSummary &summary);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_SUMMARY_H
