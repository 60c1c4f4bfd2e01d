//===- TablePrep.h - Cleaning and scaling a table ---------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. The prep steps of `loom prep csv --steps`:
//
//   steps   := step (',' step)*
//   step    := 'dedup' ['(' 'key' '=' COLUMN (',' COLUMN)* ')']
//            | 'impute' '(' fill (',' fill)* ')'
//            | 'outliers' '(' ('zscore' | 'mahalanobis') '>' NUMBER ','
//                             ('drop' | 'clip' | 'flag') ')'
//            | 'standardize' | 'minmax' | 'onehot' ['(' 'max' '=' N ')']
//   fill    := [COLUMN '='] ('mean' | 'median' | 'mode' | 'drop' | NUMBER
//                            | '"' TEXT '"')
//   COLUMN  := a name (letters, digits, '_', '.', '-') or a quoted "name"
//
// Each step is fitted on one table (the training rows) and then applied to
// it and to any other table with the same columns, with the statistics it
// fitted (FittedPrep, which converts to and from JSON). See docs/data.md for
// what each step does to which columns.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_DATA_TABLEPREP_H
#define LOOM_RUNTIME_DATA_TABLEPREP_H

#include "runtime/Status.h"
#include "runtime/data/RobustCov.h"
#include "runtime/data/Table.h"

#include <nlohmann/json.hpp>

#include <functional>
#include <string>
#include <vector>

namespace loom::data {

/// How impute fills a column.
struct Fill {
  enum class How { Mean, Median, Mode, Drop, Number, Text };
  How how = How::Mean;
  double number = 0; ///< How::Number
  std::string text;  ///< How::Text
};

/// One parsed step.
struct PrepStep {
  enum class Kind { Dedup, Impute, Outliers, Standardize, MinMax, OneHot };
  enum class Action { Drop, Clip, Flag };
  Kind kind = Kind::Dedup;
  std::string text;  ///< the step as written, "impute(median)"
  size_t offset = 0; ///< where it starts in the steps string
  /// dedup's key columns (empty: whole rows); impute's named columns.
  std::vector<std::string> columns;
  std::vector<size_t> columnOffsets;
  std::vector<Fill> fills; ///< impute: one per entry of `columns`
  bool hasDefault = false; ///< impute: a fill for the other columns
  Fill defaultFill;
  bool mahalanobis = false; ///< outliers: else zscore
  double threshold = 0;
  Action action = Action::Drop;
  int64_t maxCategories = 50; ///< onehot
};

/// Renders where offset `off` of the steps string is, as a message prefix
/// ("--steps:1:9: " for the command line).
using StepLocator = std::function<std::string(size_t off)>;

/// Parses a steps string; errors are located by `where`.
StatusOr<std::vector<PrepStep>> parsePrepSteps(const std::string &text,
                                               const StepLocator &where);

/// A column's fitted statistics: (mean, sd), (min, max), an impute value
/// or a one-hot column's categories.
struct ColumnStat {
  std::string column;
  double a = 0, b = 0;
  Fill fill; ///< impute: the value (Number or Text) or Drop
  std::string
      statistic; ///< impute: "mean", "median", "mode", "constant", "drop"
  std::vector<std::string> categories;
};

/// One step with what it fitted.
struct FittedStep {
  PrepStep step;
  std::vector<ColumnStat> stats; ///< per column, in table order
  RobustFit robust;              ///< outliers(mahalanobis ...)
};

/// Every step, fitted; `label` is the column no feature step touches.
struct FittedPrep {
  std::string label;
  std::vector<FittedStep> steps;
};

/// What one step did to one table.
struct StepReport {
  std::string step;
  size_t rowsIn = 0, rowsOut = 0;
  std::vector<std::string> lines; ///< "  feature_3: 1 outlier", ...
  nlohmann::json json; ///< {"step", "rows_in", "rows_out", "columns"}
};

/// Fits `steps` on `table` one after the other, each on the table the steps
/// before it made, and applies each to it. `label` ("" for none) is left
/// alone by every step but dedup and an impute naming it.
StatusOr<FittedPrep> fitPrep(const std::vector<PrepStep> &steps,
                             const std::string &label, Table &table,
                             std::vector<StepReport> &report,
                             const StepLocator &where);

/// Applies fitted steps to another table with the same columns.
Status applyPrep(const FittedPrep &prep, Table &table,
                 std::vector<StepReport> &report);

/// The report as text lines and as a JSON array.
std::vector<std::string> reportLines(const std::vector<StepReport> &report);
nlohmann::json reportJson(const std::vector<StepReport> &report);

/// The fitted statistics as JSON, and back ("" or why the JSON is not a
/// fitted prep).
nlohmann::json prepToJson(const FittedPrep &prep);
std::string prepFromJson(const nlohmann::json &json, FittedPrep &prep);

/// The statistics of a column's present values, as impute fits them:
/// mean; median (the mean of the two middle values for an even count);
/// mode (the most frequent value, the smallest among ties).
double meanOf(const std::vector<double> &values);
double medianOf(std::vector<double> values);
double modeOf(std::vector<double> values);
/// The most frequent text, the first in byte order among ties.
std::string modeOf(std::vector<std::string> values);

} // namespace loom::data

#endif // LOOM_RUNTIME_DATA_TABLEPREP_H
