//===- TablePrep.cpp - Fitting and applying prep steps --------------------===//
//
// Part of Loom. See TablePrep.h. Fitting a step computes its statistics on
// one table; applying uses only those statistics, so the training rows and
// any later rows get exactly the same transform.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/TablePrep.h"
#include "runtime/data/TablePrepDetail.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <set>

using namespace loom;
using namespace loom::data;
using Kind = TableColumn::Kind;

double loom::data::meanOf(const std::vector<double> &values) {
  double sum = 0;
  for (double v : values)
    sum += v;
  return sum / static_cast<double>(values.size());
}

double loom::data::medianOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

double loom::data::modeOf(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  double best = values[0];
  size_t bestRun = 0;
  for (size_t i = 0; i < values.size();) {
    size_t j = i;
    while (j < values.size() && values[j] == values[i])
      ++j;
    if (j - i > bestRun) {
      bestRun = j - i;
      best = values[i];
    }
    i = j;
  }
  return best;
}

std::string loom::data::modeOf(std::vector<std::string> values) {
  std::map<std::string, size_t> counts;
  for (const std::string &v : values)
    ++counts[v];
  std::string best;
  size_t bestCount = 0;
  for (const auto &[v, n] : counts)
    if (n > bestCount) {
      best = v;
      bestCount = n;
    }
  return best;
}

namespace loom::data::detail {

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

std::string plural(size_t n, const char *one, const char *many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

std::vector<double> present(const TableColumn &c) {
  std::vector<double> out;
  for (double v : c.numbers)
    if (!std::isnan(v))
      out.push_back(v);
  return out;
}

/// Number feature columns: the ones outliers, standardize and minmax change.
bool isFeatureNumber(const TableColumn &c, const std::string &label) {
  return c.kind == Kind::Number && c.name != label;
}

const char *fillName(Fill::How how) {
  switch (how) {
  case Fill::How::Mean:
    return "mean";
  case Fill::How::Median:
    return "median";
  case Fill::How::Mode:
    return "mode";
  case Fill::How::Drop:
    return "drop";
  case Fill::How::Number:
  case Fill::How::Text:
    return "constant";
  }
  return "";
}

/// The complete rows of `cols`, row-major; `rows` their indices.
std::vector<double> completeRows(const Table &table,
                                 const std::vector<size_t> &cols,
                                 std::vector<size_t> &rows) {
  std::vector<double> x;
  rows.clear();
  for (size_t r = 0; r < table.rows(); ++r) {
    bool complete = true;
    for (size_t c : cols)
      complete = complete && !table.columns[c].missing(r);
    if (!complete)
      continue;
    rows.push_back(r);
    for (size_t c : cols)
      x.push_back(table.columns[c].numbers[r]);
  }
  return x;
}

} // namespace loom::data::detail

using namespace loom::data::detail;

namespace {

//===----------------------------------------------------------------------===//
// Fitting
//===----------------------------------------------------------------------===//

/// impute: the value each column gets.
Status fitImpute(const PrepStep &step, const std::string &label,
                 const Table &table, FittedStep &fit,
                 const StepLocator &where) {
  std::map<std::string, std::pair<Fill, size_t>> named;
  for (size_t i = 0; i < step.columns.size(); ++i) {
    if (table.find(step.columns[i]) < 0)
      return Status::error(where(step.columnOffsets[i]) +
                           "impute: no column "
                           "named '" +
                           step.columns[i] + "'");
    named[step.columns[i]] = {step.fills[i], step.columnOffsets[i]};
  }
  for (const TableColumn &c : table.columns) {
    auto it = named.find(c.name);
    bool explicitFill = it != named.end();
    size_t off = explicitFill ? it->second.second : step.offset;
    Fill fill;
    if (explicitFill) {
      fill = it->second.first;
    } else if (step.hasDefault && c.name != label &&
               c.kind != Kind::Indicator) {
      fill = step.defaultFill;
      // The default's statistic, as text columns can take it.
      bool text = c.kind == Kind::Text;
      if (text &&
          (fill.how == Fill::How::Mean || fill.how == Fill::How::Median))
        fill.how = Fill::How::Mode;
      if ((text && fill.how == Fill::How::Number) ||
          (!text && fill.how == Fill::How::Text))
        continue;
    } else {
      continue;
    }
    bool text = c.kind == Kind::Text;
    if (text && (fill.how == Fill::How::Mean || fill.how == Fill::How::Median ||
                 fill.how == Fill::How::Number))
      return Status::error(where(off) + "impute: column '" + c.name +
                           "' holds text; fill it with mode, drop or a quoted "
                           "\"text\"");
    if (!text && fill.how == Fill::How::Text)
      return Status::error(where(off) + "impute: column '" + c.name +
                           "' holds numbers; fill it with a number, not \"" +
                           fill.text + "\"");
    ColumnStat stat;
    stat.column = c.name;
    stat.statistic = fillName(fill.how);
    if (fill.how == Fill::How::Mean || fill.how == Fill::How::Median ||
        fill.how == Fill::How::Mode) {
      size_t have = 0;
      for (size_t r = 0; r < table.rows(); ++r)
        have += !c.missing(r);
      if (have == 0)
        return Status::error(where(off) + "impute: column '" + c.name +
                             "' has no values (every cell is empty) to take "
                             "the " +
                             fillName(fill.how) + " of");
      if (text) {
        std::vector<std::string> vals;
        for (const std::string &v : c.text)
          if (!v.empty())
            vals.push_back(v);
        fill.text = modeOf(vals);
        fill.how = Fill::How::Text;
      } else {
        std::vector<double> vals = present(c);
        fill.number = fill.how == Fill::How::Mean     ? meanOf(vals)
                      : fill.how == Fill::How::Median ? medianOf(vals)
                                                      : modeOf(vals);
        if (!std::isfinite(fill.number))
          return Status::error(where(off) + "impute: column '" + c.name +
                               "' holds values too large for its " +
                               fillName(fill.how) +
                               " (they overflow a double)");
        fill.how = Fill::How::Number;
      }
    }
    stat.fill = fill;
    fit.stats.push_back(stat);
  }
  return Status();
}

/// outliers(zscore ...), standardize: (mean, sd); minmax: (min, max).
Status fitMoments(const PrepStep &step, const std::string &label,
                  const Table &table, FittedStep &fit,
                  const StepLocator &where) {
  for (const TableColumn &c : table.columns) {
    if (!isFeatureNumber(c, label))
      continue;
    std::vector<double> vals = present(c);
    if (vals.empty())
      return Status::error(where(step.offset) + step.text + ": column '" +
                           c.name + "' has no values (every cell is empty)");
    ColumnStat stat;
    stat.column = c.name;
    if (step.kind == PrepStep::Kind::MinMax) {
      stat.a = *std::min_element(vals.begin(), vals.end());
      stat.b = *std::max_element(vals.begin(), vals.end());
    } else {
      stat.a = meanOf(vals);
      double ss = 0;
      for (double v : vals)
        ss += (v - stat.a) * (v - stat.a);
      stat.b = std::sqrt(ss / static_cast<double>(vals.size()));
    }
    if (!std::isfinite(stat.a) || !std::isfinite(stat.b) ||
        !std::isfinite(stat.b - stat.a))
      return Status::error(
          where(step.offset) + step.text + ": column '" + c.name +
          "' holds values too large for its " +
          (step.kind == PrepStep::Kind::MinMax ? "range" : "mean and sd") +
          " (they overflow a double)");
    fit.stats.push_back(stat);
  }
  return Status();
}

Status fitMahalanobis(const PrepStep &step, const std::string &label,
                      const Table &table, FittedStep &fit,
                      const StepLocator &where) {
  std::vector<size_t> cols, rows;
  for (size_t c = 0; c < table.columns.size(); ++c)
    if (isFeatureNumber(table.columns[c], label)) {
      cols.push_back(c);
      ColumnStat stat;
      stat.column = table.columns[c].name;
      fit.stats.push_back(stat);
    }
  if (cols.empty())
    return Status::error(where(step.offset) + step.text +
                         ": the table has no number feature column");
  std::vector<double> x = completeRows(table, cols, rows);
  StatusOr<RobustFit> robust = fitMcd(x, rows.size(), cols.size());
  if (!robust)
    return Status::error(where(step.offset) + step.text + ": " +
                         robust.status().message());
  fit.robust = *robust;
  return Status();
}

Status fitOneHot(const PrepStep &step, const std::string &label,
                 const Table &table, FittedStep &fit,
                 const StepLocator &where) {
  for (const TableColumn &c : table.columns) {
    if (c.kind != Kind::Text || c.name == label)
      continue;
    std::set<std::string> cats;
    for (const std::string &v : c.text)
      if (!v.empty())
        cats.insert(v);
    if (static_cast<int64_t>(cats.size()) > step.maxCategories)
      return Status::error(
          where(step.offset) + "onehot: column '" + c.name + "' has " +
          std::to_string(cats.size()) + " categories, more than the " +
          std::to_string(step.maxCategories) +
          " a one-hot column may have (onehot(max = N) raises the limit)");
    ColumnStat stat;
    stat.column = c.name;
    stat.categories.assign(cats.begin(), cats.end());
    fit.stats.push_back(stat);
  }
  return Status();
}

} // namespace

StatusOr<FittedPrep> loom::data::fitPrep(const std::vector<PrepStep> &steps,
                                         const std::string &label, Table &table,
                                         std::vector<StepReport> &report,
                                         const StepLocator &where) {
  FittedPrep prep;
  prep.label = label;
  if (!label.empty() && table.find(label) < 0)
    return Status::error("no column named '" + label + "' for the label");
  for (const PrepStep &step : steps) {
    FittedStep fit;
    fit.step = step;
    Status st;
    switch (step.kind) {
    case PrepStep::Kind::Dedup:
      for (size_t i = 0; i < step.columns.size(); ++i)
        if (table.find(step.columns[i]) < 0)
          return Status::error(where(step.columnOffsets[i]) +
                               "dedup: no column named '" + step.columns[i] +
                               "'");
      break;
    case PrepStep::Kind::Impute:
      st = fitImpute(step, label, table, fit, where);
      break;
    case PrepStep::Kind::Outliers:
      st = step.mahalanobis ? fitMahalanobis(step, label, table, fit, where)
                            : fitMoments(step, label, table, fit, where);
      break;
    case PrepStep::Kind::Standardize:
    case PrepStep::Kind::MinMax:
      st = fitMoments(step, label, table, fit, where);
      break;
    case PrepStep::Kind::OneHot:
      st = fitOneHot(step, label, table, fit, where);
      break;
    }
    if (!st)
      return st;
    report.emplace_back();
    if (Status a = applyStep(fit, table, report.back()); !a)
      return a;
    prep.steps.push_back(std::move(fit));
  }
  return prep;
}

Status loom::data::applyPrep(const FittedPrep &prep, Table &table,
                             std::vector<StepReport> &report) {
  for (const FittedStep &fit : prep.steps) {
    report.emplace_back();
    if (Status st = applyStep(fit, table, report.back()); !st)
      return st;
  }
  return Status();
}

std::vector<std::string>
loom::data::reportLines(const std::vector<StepReport> &report) {
  std::vector<std::string> out;
  for (const StepReport &r : report) {
    std::string head = r.step + ": ";
    head += r.rowsIn == r.rowsOut
                ? plural(r.rowsOut, "row", "rows")
                : "removed " + plural(r.rowsIn - r.rowsOut, "row", "rows") +
                      " (" + std::to_string(r.rowsIn) + " -> " +
                      std::to_string(r.rowsOut) + ")";
    out.push_back(head);
    for (const std::string &l : r.lines)
      out.push_back("  " + l);
  }
  return out;
}

nlohmann::json loom::data::reportJson(const std::vector<StepReport> &report) {
  nlohmann::json out = nlohmann::json::array();
  for (const StepReport &r : report)
    out.push_back(r.json);
  return out;
}
