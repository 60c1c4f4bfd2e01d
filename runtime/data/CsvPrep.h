//===- CsvPrep.h - A recipe's CSV data through its prep steps ---*- C++ -*-===//
//
// Part of Loom. Plain C++17. The recipe's `prep = ...` setting run on its CSV
// source: the file read as a table whose cells may be missing
// (readTableCsv), split into the training and validation rows, every prep
// step fitted on the training rows alone and applied, with those statistics,
// to the validation rows (and to a test set), then turned into the examples
// training reads.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_CSVPREP_H
#define LOOM_RUNTIME_DATA_CSVPREP_H

#include "runtime/data/Batches.h"
#include "runtime/data/TablePrep.h"

#include <memory>
#include <string>
#include <vector>

namespace loom::data {

/// What the prep steps did to a CSV source: what they fitted (on the
/// training rows) and the reports of fitting on the training rows and of
/// applying to the validation rows, or to a whole test set.
struct PrepOutcome {
  std::string steps; ///< the recipe's steps, as written
  std::shared_ptr<const FittedPrep> fitted;
  size_t fitRowsIn = 0, fitRowsOut = 0;     ///< training rows before, after
  size_t applyRowsIn = 0, applyRowsOut = 0; ///< validation (test) rows
  std::vector<StepReport> fit, applied;
  bool test = false; ///< applied to a test set (nothing fitted here)

  /// The report as text lines: what fitting did to the training rows, then
  /// what applying did to the validation (or test) rows.
  std::vector<std::string> lines() const;
  /// {"steps", "train": {"rows_in", "rows_out", "report"},
  ///  "validation" (or "test"): {...}}.
  nlohmann::json json() const;
};

/// Reads the CSV file of `spec` and runs `spec.prep`: the first
/// round(fraction * rows) rows of the split's permutation (Sampler's rule)
/// train and the rest validate; the steps are fitted on the training rows
/// and applied to both, or, when `spec.fitted` is set (a test set), that
/// fitted prep is applied to every row. The examples hold the training rows
/// first: `trainRows` of them, then the validation rows. Errors name the
/// file and, for a step that cannot be fitted, its column in the steps
/// ("prep:1:9: ").
StatusOr<Examples> prepareCsv(const DataSpec &spec, PrepOutcome &outcome,
                              int64_t &trainRows);

/// The examples of a prepared table: every column but `label` a number
/// feature with no missing cell, the label read as `labels` says (as
/// loadCsv reads it). `source` names the file for messages.
StatusOr<Examples> tableExamples(const Table &table, const std::string &source,
                                 const std::string &label,
                                 const LabelSpec &labels);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_CSVPREP_H
