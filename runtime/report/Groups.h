//===- Groups.h - Class metrics per group of the data (bias) ----*- C++ -*-===//
//
// Part of Loom. Plain C++17. `loom predict --groups COLUMN`: a classifier's
// accuracy, precision, recall, F1 and positive rate for each value of a
// column, the demographic-parity difference (the spread of the positive
// rate over the groups) and the equalized-odds difference (the larger
// spread of the true-positive and false-positive rates; fairlearn's
// definitions), and the groups whose accuracy falls more than a gap below
// the whole data's.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_GROUPS_H
#define LOOM_RUNTIME_REPORT_GROUPS_H

#include "runtime/report/Metrics.h"

#include <map>
#include <string>
#include <vector>

namespace loom {

struct GroupRow {
  std::string group;
  int64_t rows = 0;
  double accuracy = 0;
  /// Of the positive class for a binary classifier (scikit-learn's
  /// average="binary"), else macro averages over the group's seen classes.
  double precision = 0, recall = 0, f1 = 0;
  /// Predicted positive / rows; true-positive rate (recall of the positive
  /// class) and false-positive rate (predicted positive among the other
  /// rows). 0 when the group has none to divide by.
  double positiveRate = 0, truePositiveRate = 0, falsePositiveRate = 0;
  bool behind = false; ///< accuracy below the whole data's by more than gap
};

struct GroupReport {
  std::vector<GroupRow> rows; ///< by group value, byte order
  double accuracy = 0;        ///< of every row together
  int32_t positive = 1;       ///< the positive class
  double gap = 0;
  double demographicParity = 0, equalizedOdds = 0;
};

/// The report of `byGroup` (each group's confusion matrix, all with the
/// same classes), `positive` the positive class.
GroupReport groupMetrics(const std::map<std::string, ConfusionMatrix> &byGroup,
                         int32_t positive, double gap);

/// The report as aligned text: a row per group, then the two differences
/// and the groups behind. `classNames` names the positive class.
std::string renderGroups(const GroupReport &report, const std::string &column,
                         const std::vector<std::string> &classNames);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_GROUPS_H
