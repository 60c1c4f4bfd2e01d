//===- Groups.cpp - Class metrics per group of the data (bias) ------------===//
//
// Part of Loom. See Groups.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Groups.h"

#include <algorithm>
#include <cstdio>
#include <optional>

using namespace loom;

GroupReport
loom::groupMetrics(const std::map<std::string, ConfusionMatrix> &byGroup,
                   int32_t positive, double gap) {
  GroupReport report;
  report.positive = positive;
  report.gap = gap;
  std::optional<ConfusionMatrix> all;
  double minPositive = 1, maxPositive = 0, minTpr = 1, maxTpr = 0, minFpr = 1,
         maxFpr = 0;
  for (const auto &[group, m] : byGroup) {
    GroupRow row;
    row.group = group;
    row.rows = m.count();
    row.accuracy = m.accuracy();
    if (m.classes() == 2) {
      row.precision = m.precision(positive);
      row.recall = m.recall(positive);
      row.f1 = m.f1(positive);
    } else {
      row.precision = m.macroPrecision();
      row.recall = m.macroRecall();
      row.f1 = m.macroF1();
    }
    int64_t predicted = m.predictions(positive), support = m.support(positive),
            tp = m.at(positive, positive);
    if (row.rows > 0)
      row.positiveRate = double(predicted) / double(row.rows);
    if (support > 0)
      row.truePositiveRate = double(tp) / double(support);
    if (row.rows - support > 0)
      row.falsePositiveRate =
          double(predicted - tp) / double(row.rows - support);
    if (!all)
      all.emplace(m.classes());
    (void)all->merge(m); // the same classes
    minPositive = std::min(minPositive, row.positiveRate);
    maxPositive = std::max(maxPositive, row.positiveRate);
    minTpr = std::min(minTpr, row.truePositiveRate);
    maxTpr = std::max(maxTpr, row.truePositiveRate);
    minFpr = std::min(minFpr, row.falsePositiveRate);
    maxFpr = std::max(maxFpr, row.falsePositiveRate);
    report.rows.push_back(row);
  }
  if (all)
    report.accuracy = all->accuracy();
  if (!report.rows.empty()) {
    report.demographicParity = maxPositive - minPositive;
    report.equalizedOdds = std::max(maxTpr - minTpr, maxFpr - minFpr);
  }
  for (GroupRow &row : report.rows)
    row.behind = row.accuracy < report.accuracy - gap;
  return report;
}

std::string loom::renderGroups(const GroupReport &report,
                               const std::string &column,
                               const std::vector<std::string> &classNames) {
  std::string positive = size_t(report.positive) < classNames.size()
                             ? classNames[size_t(report.positive)]
                             : std::to_string(report.positive);
  size_t width = std::max<size_t>(column.size(), 5);
  for (const GroupRow &r : report.rows)
    width = std::max(width, r.group.size());
  char buf[256];
  std::string out;
  std::snprintf(buf, sizeof buf, "%-*s %6s %9s %9s %9s %9s %9s %9s %9s\n",
                int(width), column.c_str(), "rows", "accuracy", "precision",
                "recall", "f1", "pos.rate", "tpr", "fpr");
  out += buf;
  for (const GroupRow &r : report.rows) {
    std::snprintf(buf, sizeof buf,
                  "%-*s %6lld %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f %9.4f%s\n",
                  int(width), r.group.c_str(), (long long)r.rows, r.accuracy,
                  r.precision, r.recall, r.f1, r.positiveRate,
                  r.truePositiveRate, r.falsePositiveRate,
                  r.behind ? "  behind" : "");
    out += buf;
  }
  std::snprintf(buf, sizeof buf,
                "positive class %s; demographic-parity difference %.4f, "
                "equalized-odds difference %.4f\n",
                positive.c_str(), report.demographicParity,
                report.equalizedOdds);
  out += buf;
  std::string behind;
  for (const GroupRow &r : report.rows)
    if (r.behind)
      behind += (behind.empty() ? "" : ", ") + r.group;
  std::snprintf(buf, sizeof buf, "%.4f", report.accuracy);
  out += "accuracy of every row " + std::string(buf) + "; ";
  std::snprintf(buf, sizeof buf, "%.4f", report.gap);
  out += behind.empty()
             ? "no group more than " + std::string(buf) + " below it\n"
             : "more than " + std::string(buf) + " below it: " + behind + "\n";
  return out;
}
