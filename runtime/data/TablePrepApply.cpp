//===- TablePrepApply.cpp - Applying fitted prep steps --------------------===//
//
// Part of Loom. See TablePrep.h. Each step here uses only what was fitted,
// and says what it did, column by column, in a StepReport.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/TablePrepDetail.h"

#include <cmath>
#include <map>

using namespace loom;
using namespace loom::data;
using namespace loom::data::detail;
using Kind = TableColumn::Kind;

namespace {

/// What a step needs of a column.
enum class Need { Any, Numbers, Text };

/// The column a fitted statistic is for, which `table` must have, holding
/// numbers or text as the step needs. A column with no value at all is read
/// as a number column; it becomes a text column when one is needed.
StatusOr<size_t> columnOf(Table &table, const ColumnStat &stat,
                          const std::string &step, Need need) {
  int c = table.find(stat.column);
  if (c < 0)
    return Status::error(step + ": the table has no column '" + stat.column +
                         "', which the step was fitted with");
  TableColumn &col = table.columns[c];
  bool text = col.kind == Kind::Text;
  if (need == Need::Any || (need == Need::Text) == text)
    return static_cast<size_t>(c);
  bool empty = true;
  for (size_t r = 0; r < table.rows(); ++r)
    empty = empty && col.missing(r);
  if (empty && need == Need::Text && col.kind == Kind::Number) {
    col.kind = Kind::Text;
    col.numbers.clear();
    col.text.assign(table.rows(), std::string());
    return static_cast<size_t>(c);
  }
  return Status::error(step + ": column '" + stat.column + "' holds " +
                       (text ? "text" : "numbers") +
                       ", but the step was fitted on " +
                       (text ? "numbers" : "text"));
}

void dedup(const FittedStep &fit, Table &table, StepReport &report) {
  std::vector<size_t> cols;
  for (const std::string &k : fit.step.columns)
    cols.push_back(static_cast<size_t>(table.find(k)));
  if (cols.empty())
    for (size_t c = 0; c < table.columns.size(); ++c)
      cols.push_back(c);
  std::map<std::string, size_t> seen;
  std::vector<bool> keep(table.rows(), true);
  size_t removed = 0;
  for (size_t r = 0; r < table.rows(); ++r) {
    // A key that tells "" from a missing number and 1 from 1.0 apart
    // exactly: the bits of each number, the bytes of each text.
    std::string key;
    for (size_t c : cols) {
      const TableColumn &col = table.columns[c];
      if (col.kind == Kind::Text) {
        key += std::to_string(col.text[r].size()) + ":" + col.text[r];
      } else {
        double v = std::isnan(col.numbers[r]) ? NAN : col.numbers[r] + 0.0;
        key.append(reinterpret_cast<const char *>(&v), sizeof v);
      }
    }
    if (!seen.emplace(key, r).second) {
      keep[r] = false;
      ++removed;
    }
  }
  table.keepRows(keep);
  report.lines.push_back(plural(removed, "duplicate row", "duplicate rows") +
                         (fit.step.columns.empty() ? "" : " by key"));
  report.json["duplicates"] = removed;
}

Status impute(const FittedStep &fit, Table &table, StepReport &report) {
  std::vector<bool> keep(table.rows(), true);
  nlohmann::json cols = nlohmann::json::object();
  for (const ColumnStat &stat : fit.stats) {
    Need need = stat.fill.how == Fill::How::Text     ? Need::Text
                : stat.fill.how == Fill::How::Number ? Need::Numbers
                                                     : Need::Any;
    StatusOr<size_t> c = columnOf(table, stat, fit.step.text, need);
    if (!c)
      return c.status();
    TableColumn &col = table.columns[*c];
    size_t n = 0;
    for (size_t r = 0; r < table.rows(); ++r) {
      if (!col.missing(r))
        continue;
      ++n;
      if (stat.fill.how == Fill::How::Drop)
        keep[r] = false;
      else if (col.kind == Kind::Text)
        col.text[r] = stat.fill.text;
      else
        col.numbers[r] = stat.fill.number;
    }
    nlohmann::json j = {{"missing", n}, {"fill", stat.statistic}};
    std::string with;
    if (stat.fill.how == Fill::How::Text) {
      j["value"] = stat.fill.text;
      with = "\"" + stat.fill.text + "\"";
    } else if (stat.fill.how == Fill::How::Number) {
      j["value"] = stat.fill.number;
      with = num(stat.fill.number);
    }
    cols[stat.column] = j;
    if (n == 0)
      continue;
    report.lines.push_back(
        stat.column + ": " +
        (stat.fill.how == Fill::How::Drop
             ? plural(n, "missing cell", "missing cells") + ", row dropped"
             : "filled " + plural(n, "cell", "cells") + " with " +
                   (stat.statistic == "constant" ? "" : stat.statistic + " ") +
                   with));
  }
  table.keepRows(keep);
  report.json["columns"] = cols;
  return Status();
}

/// What outliers does to an outlier: drop its row, clip it, or flag it in a
/// new 0/1 column.
Status settle(const FittedStep &fit, Table &table,
              const std::vector<bool> &outlier, StepReport &report) {
  size_t found = 0;
  for (bool o : outlier)
    found += o;
  report.json["outlier_rows"] = found;
  if (fit.step.action == PrepStep::Action::Drop) {
    std::vector<bool> keep(outlier.size());
    for (size_t r = 0; r < outlier.size(); ++r)
      keep[r] = !outlier[r];
    table.keepRows(keep);
    report.lines.push_back(plural(found, "row", "rows") + " with an outlier, "
                                                          "dropped");
  } else if (fit.step.action == PrepStep::Action::Flag) {
    TableColumn flag;
    flag.name = fit.step.mahalanobis ? "outlier_mahalanobis" : "outlier_zscore";
    if (table.find(flag.name) >= 0)
      return Status::error(fit.step.text +
                           ": the table already has a column '" + flag.name +
                           "' to flag outliers in");
    flag.kind = Kind::Indicator;
    for (bool o : outlier)
      flag.numbers.push_back(o ? 1 : 0);
    table.columns.push_back(std::move(flag));
    report.lines.push_back(plural(found, "row", "rows") +
                           " with an outlier, flagged in column '" +
                           table.columns.back().name + "'");
  } else {
    report.lines.push_back(plural(found, "row", "rows") +
                           " with an outlier, clipped");
  }
  return Status();
}

Status zscore(const FittedStep &fit, Table &table, StepReport &report) {
  std::vector<bool> outlier(table.rows(), false);
  nlohmann::json cols = nlohmann::json::object();
  double t = fit.step.threshold;
  for (const ColumnStat &stat : fit.stats) {
    StatusOr<size_t> c = columnOf(table, stat, fit.step.text, Need::Numbers);
    if (!c)
      return c.status();
    TableColumn &col = table.columns[*c];
    size_t n = 0;
    for (size_t r = 0; r < table.rows(); ++r) {
      double v = col.numbers[r];
      // A constant column (sd 0) has no outliers.
      if (std::isnan(v) || stat.b == 0 || std::fabs(v - stat.a) <= t * stat.b)
        continue;
      ++n;
      outlier[r] = true;
      if (fit.step.action == PrepStep::Action::Clip)
        col.numbers[r] = v > stat.a ? stat.a + t * stat.b : stat.a - t * stat.b;
    }
    cols[stat.column] = {{"mean", stat.a}, {"sd", stat.b}, {"outliers", n}};
    if (n)
      report.lines.push_back(stat.column + ": " +
                             plural(n, "outlier", "outliers") + " (mean " +
                             num(stat.a) + ", sd " + num(stat.b) + ")");
  }
  report.json["columns"] = cols;
  return settle(fit, table, outlier, report);
}

Status mahalanobis(const FittedStep &fit, Table &table, StepReport &report) {
  std::vector<size_t> cols, rows;
  for (const ColumnStat &stat : fit.stats) {
    StatusOr<size_t> c = columnOf(table, stat, fit.step.text, Need::Numbers);
    if (!c)
      return c.status();
    cols.push_back(*c);
  }
  std::vector<double> x = completeRows(table, cols, rows);
  std::vector<bool> outlier(table.rows(), false);
  size_t p = cols.size();
  double t = fit.step.threshold;
  for (size_t i = 0; i < rows.size(); ++i) {
    double d = fit.robust.distance(&x[i * p]);
    if (d <= t)
      continue;
    outlier[rows[i]] = true;
    if (fit.step.action == PrepStep::Action::Clip)
      // Onto the ellipsoid at distance t, along the line to the center.
      for (size_t j = 0; j < p; ++j)
        table.columns[cols[j]].numbers[rows[i]] =
            fit.robust.center[j] +
            (x[i * p + j] - fit.robust.center[j]) * t / d;
  }
  size_t unscored = table.rows() - rows.size();
  report.json["columns"] = nlohmann::json::array();
  for (const ColumnStat &stat : fit.stats)
    report.json["columns"].push_back(stat.column);
  report.json["not_scored"] = unscored;
  report.lines.push_back("robust distance over " +
                         plural(p, "column", "columns") +
                         (unscored ? ", " + plural(unscored, "row", "rows") +
                                         " with a missing cell not scored"
                                   : std::string()));
  return settle(fit, table, outlier, report);
}

Status scale(const FittedStep &fit, Table &table, StepReport &report) {
  bool minmax = fit.step.kind == PrepStep::Kind::MinMax;
  nlohmann::json cols = nlohmann::json::object();
  for (const ColumnStat &stat : fit.stats) {
    StatusOr<size_t> c = columnOf(table, stat, fit.step.text, Need::Numbers);
    if (!c)
      return c.status();
    // A constant column: divided by 1, as scikit-learn's scalers do.
    double shift = stat.a;
    double div = minmax ? stat.b - stat.a : stat.b;
    if (div == 0)
      div = 1;
    std::vector<double> &col = table.columns[*c].numbers;
    for (size_t r = 0; r < col.size(); ++r) {
      double was = col[r];
      col[r] = (was - shift) / div; // a missing NaN stays missing
      if (std::isinf(col[r]))
        return Status::error(fit.step.text + ": line " +
                             std::to_string(table.lines[r]) + ": column '" +
                             stat.column + "' is " + num(was) +
                             ", too far out to scale (it overflows a double)");
    }
    cols[stat.column] = minmax
                            ? nlohmann::json{{"min", stat.a}, {"max", stat.b}}
                            : nlohmann::json{{"mean", stat.a}, {"sd", stat.b}};
    report.lines.push_back(
        stat.column + ": " +
        (minmax ? "min " + num(stat.a) + ", max " + num(stat.b)
                : "mean " + num(stat.a) + ", sd " + num(stat.b)));
  }
  report.json["columns"] = cols;
  return Status();
}

Status oneHot(const FittedStep &fit, Table &table, StepReport &report) {
  nlohmann::json cols = nlohmann::json::object();
  for (const ColumnStat &stat : fit.stats) {
    StatusOr<size_t> c = columnOf(table, stat, fit.step.text, Need::Text);
    if (!c)
      return c.status();
    TableColumn src = std::move(table.columns[*c]);
    std::map<std::string, size_t> index;
    std::vector<TableColumn> out(stat.categories.size());
    for (size_t k = 0; k < stat.categories.size(); ++k) {
      index[stat.categories[k]] = k;
      out[k].name = src.name + "=" + stat.categories[k];
      out[k].kind = Kind::Indicator;
      out[k].numbers.assign(table.rows(), 0);
    }
    size_t unseen = 0;
    for (size_t r = 0; r < table.rows(); ++r) {
      auto it = index.find(src.text[r]);
      if (it != index.end())
        out[it->second].numbers[r] = 1;
      else if (!src.text[r].empty())
        ++unseen;
    }
    for (const TableColumn &o : out)
      if (table.find(o.name) >= 0)
        return Status::error(fit.step.text +
                             ": the table already has a "
                             "column '" +
                             o.name + "'");
    table.columns.erase(table.columns.begin() + *c);
    table.columns.insert(table.columns.begin() + *c, out.begin(), out.end());
    cols[stat.column] = {{"categories", stat.categories}, {"unseen", unseen}};
    report.lines.push_back(
        stat.column + ": " +
        plural(stat.categories.size(), "category", "categories") +
        (unseen ? ", " + plural(unseen, "cell", "cells") +
                      " of a category not fitted (all 0)"
                : std::string()));
  }
  report.json["columns"] = cols;
  return Status();
}

} // namespace

Status loom::data::detail::applyStep(const FittedStep &fit, Table &table,
                                     StepReport &report) {
  report.step = fit.step.text;
  report.rowsIn = table.rows();
  report.json = {{"step", fit.step.text}};
  Status st;
  switch (fit.step.kind) {
  case PrepStep::Kind::Dedup:
    dedup(fit, table, report);
    break;
  case PrepStep::Kind::Impute:
    st = impute(fit, table, report);
    break;
  case PrepStep::Kind::Outliers:
    st = fit.step.mahalanobis ? mahalanobis(fit, table, report)
                              : zscore(fit, table, report);
    break;
  case PrepStep::Kind::Standardize:
  case PrepStep::Kind::MinMax:
    st = scale(fit, table, report);
    break;
  case PrepStep::Kind::OneHot:
    st = oneHot(fit, table, report);
    break;
  }
  report.rowsOut = table.rows();
  report.json["rows_in"] = report.rowsIn;
  report.json["rows_out"] = report.rowsOut;
  return st;
}
