//===- CsvPrep.cpp - A recipe's CSV data through its prep steps -----------===//
//
// Part of Loom. See CsvPrep.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/CsvPrep.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>

using namespace loom;
using namespace loom::data;
using Kind = TableColumn::Kind;

namespace {

std::string quoteName(const std::string &s) {
  return "'" + (s.size() > 40 ? s.substr(0, 40) + "..." : s) + "'";
}

/// A label cell as text: the text, or the number with 9 significant digits.
std::string cellText(const TableColumn &col, size_t r) {
  if (col.kind == Kind::Text)
    return col.text[r];
  if (std::isnan(col.numbers[r]))
    return "";
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.9g", col.numbers[r]);
  return buf;
}

/// The rows of `table` whose `keep` is true, as a new table.
Table rowsOf(const Table &table, const std::vector<bool> &keep) {
  Table t = table;
  t.keepRows(keep);
  return t;
}

std::string rowsText(size_t n) {
  return std::to_string(n) + (n == 1 ? " row" : " rows");
}

} // namespace

StatusOr<Examples> loom::data::tableExamples(const Table &table,
                                             const std::string &source,
                                             const std::string &label,
                                             const LabelSpec &labels) {
  auto at = [&](size_t r) {
    return source + ":" + std::to_string(table.lines[r]) + ": ";
  };
  int labelAt = table.find(label);
  if (labelAt < 0)
    return Status::error(source + ": no column named " + quoteName(label) +
                         (labels.kind == LabelSpec::Kind::Values
                              ? " for the target"
                              : " for the label") +
                         " after the prep steps");
  Examples ex;
  ex.source = source;
  ex.labelSource = source;
  ex.count = static_cast<int64_t>(table.rows());
  std::vector<size_t> features;
  for (size_t c = 0; c < table.columns.size(); ++c) {
    if (static_cast<int>(c) == labelAt)
      continue;
    const TableColumn &col = table.columns[c];
    if (col.kind == Kind::Text) {
      size_t r = 0;
      while (r < table.rows() && col.text[r].empty())
        ++r;
      return Status::error(
          (r < table.rows() ? at(r) : source + ": ") + "column " +
          quoteName(col.name) + " holds text" +
          (r < table.rows() ? " (" + quoteName(col.text[r]) + ")" : "") +
          " after the prep steps; onehot encodes a text column as numbers");
    }
    features.push_back(c);
  }
  if (features.empty())
    return Status::error(source + ": no feature column is left after the "
                                  "prep steps, only the label");
  ex.featureShape = {static_cast<int64_t>(features.size())};
  ex.features.reserve(features.size() * table.rows());
  for (size_t r = 0; r < table.rows(); ++r)
    for (size_t c : features) {
      double v = table.columns[c].numbers[r];
      if (std::isnan(v))
        return Status::error(at(r) + "column " +
                             quoteName(table.columns[c].name) +
                             " is empty after the prep steps; impute fills "
                             "it or drops its row");
      ex.features.push_back(static_cast<float>(v));
    }

  const TableColumn &col = table.columns[labelAt];
  std::string column =
      (labels.kind == LabelSpec::Kind::Values ? "the target " : "the label ") +
      std::string("column ") + quoteName(label);
  for (size_t r = 0; r < table.rows(); ++r) {
    ex.labelLines.push_back(table.lines[r]);
    ex.labelText.push_back(cellText(col, r));
    if (ex.labelText.back().empty())
      return Status::error(at(r) + column + " is empty");
  }
  auto holds = [&](size_t r) {
    return at(r) + column + " holds " + quoteName(ex.labelText[r]);
  };
  switch (labels.kind) {
  case LabelSpec::Kind::Values:
    for (size_t r = 0; r < table.rows(); ++r) {
      if (col.kind == Kind::Text)
        return Status::error(holds(r) +
                             ", not a finite number (a regression target)");
      ex.targets.push_back(static_cast<float>(col.numbers[r]));
    }
    break;
  case LabelSpec::Kind::Numbers:
    // scikit-learn's header names the class numbers.
    ex.classNames = table.classNames;
    for (size_t r = 0; r < table.rows(); ++r) {
      double v = col.kind == Kind::Text ? NAN : col.numbers[r];
      if (!(v >= 0) || v >= 2147483648.0 || v != std::floor(v))
        return Status::error(
            holds(r) + ", not a class number (0, 1, ...); csv(..., classes = "
                       "\"names\") reads class names, csv(..., target = ...) a "
                       "regression target");
      if (!ex.classNames.empty() && v >= double(ex.classNames.size()))
        return Status::error(holds(r) + ", outside the " +
                             std::to_string(ex.classNames.size()) +
                             " classes the header names");
      ex.labels.push_back(static_cast<int32_t>(v));
    }
    break;
  case LabelSpec::Kind::Names: {
    ex.classNames = labels.names;
    std::map<std::string, int32_t> index;
    for (size_t c = 0; c < ex.classNames.size(); ++c)
      index.emplace(ex.classNames[c], static_cast<int32_t>(c));
    for (size_t r = 0; r < table.rows(); ++r) {
      auto it = index.find(ex.labelText[r]);
      if (it == index.end()) {
        std::string list;
        for (const std::string &n : ex.classNames)
          list += (list.empty() ? "" : ", ") + n;
        if (list.size() > 120)
          list = list.substr(0, 117) + "...";
        return Status::error(
            holds(r) + ", not one of " +
            (labels.namesFrom.empty() ? "the classes" : labels.namesFrom) +
            " (" + list + ")");
      }
      ex.labels.push_back(it->second);
    }
    break;
  }
  }
  return ex;
}

StatusOr<Examples> loom::data::prepareCsv(const DataSpec &spec,
                                          PrepOutcome &outcome,
                                          int64_t &trainRows) {
  const std::string &path = spec.path;
  if (spec.labelSpec.targets.size() > 1)
    return Status::error(path +
                         ": prep takes one label or target column, "
                         "and the recipe names " +
                         std::to_string(spec.labelSpec.targets.size()) +
                         " targets");
  StepLocator where = [&](size_t off) {
    return path + ": prep:1:" + std::to_string(off + 1) + ": ";
  };
  StatusOr<std::vector<PrepStep>> steps = parsePrepSteps(spec.prep, where);
  if (!steps)
    return steps.status();
  StatusOr<Table> table = readTableCsv(path);
  if (!table)
    return table.status();
  int labelAt = table->find(spec.label);
  if (labelAt < 0) {
    std::string all;
    for (const TableColumn &c : table->columns)
      all += (all.empty() ? "" : ", ") + c.name;
    return Status::error(path + ":1: no column named " + quoteName(spec.label) +
                         (spec.labelSpec.kind == LabelSpec::Kind::Values
                              ? " for the target"
                              : " for the label") +
                         "; the columns are " + all);
  }
  // Class names number the classes over the whole file (the recipe's list
  // or every row's label, sorted), so the two splits agree.
  LabelSpec labels = spec.labelSpec;
  if (labels.kind == LabelSpec::Kind::Names && labels.names.empty()) {
    const TableColumn &col = table->columns[labelAt];
    for (size_t r = 0; r < table->rows(); ++r)
      if (std::string t = cellText(col, r); !t.empty())
        labels.names.push_back(t);
    std::sort(labels.names.begin(), labels.names.end());
    labels.names.erase(std::unique(labels.names.begin(), labels.names.end()),
                       labels.names.end());
  }
  outcome.steps = spec.prep;

  if (spec.fitted) {
    // A test set: the training data's statistics, applied to every row.
    outcome.test = true;
    outcome.fitted = spec.fitted;
    outcome.applyRowsIn = table->rows();
    if (Status s = applyPrep(*spec.fitted, *table, outcome.applied); !s)
      return Status::error(path + ": " + s.message());
    outcome.applyRowsOut = table->rows();
    if (table->rows() == 0)
      return Status::error(path + ": no rows are left after the prep steps");
    trainRows = 0;
    return tableExamples(*table, path, spec.label, labels);
  }

  // The split, as Sampler makes it, over the file's rows.
  int64_t n = static_cast<int64_t>(table->rows());
  std::vector<int64_t> p = permutation(n, spec.splitSeed);
  int64_t nTrain =
      spec.fraction >= 1.0
          ? n
          : std::clamp<int64_t>(
                static_cast<int64_t>(std::llround(spec.fraction * n)), 1, n);
  std::vector<bool> isTrain(n, false);
  for (int64_t i = 0; i < nTrain; ++i)
    isTrain[p[i]] = true;
  std::vector<bool> isVal(n);
  for (int64_t i = 0; i < n; ++i)
    isVal[i] = !isTrain[i];
  Table train = rowsOf(*table, isTrain), val = rowsOf(*table, isVal);

  outcome.fitRowsIn = train.rows();
  StatusOr<FittedPrep> fitted =
      fitPrep(*steps, spec.label, train, outcome.fit, where);
  if (!fitted)
    return fitted.status();
  outcome.fitRowsOut = train.rows();
  if (train.rows() == 0)
    return Status::error(path +
                         ": no training rows are left after the prep "
                         "steps (of " +
                         rowsText(outcome.fitRowsIn) + ")");
  outcome.fitted = std::make_shared<FittedPrep>(std::move(*fitted));
  outcome.applyRowsIn = val.rows();
  if (val.rows() > 0)
    if (Status s = applyPrep(*outcome.fitted, val, outcome.applied); !s)
      return Status::error(path + ": " + s.message());
  outcome.applyRowsOut = val.rows();

  StatusOr<Examples> a = tableExamples(train, path, spec.label, labels);
  if (!a)
    return a.status();
  trainRows = a->count;
  if (val.rows() == 0)
    return a;
  StatusOr<Examples> b = tableExamples(val, path, spec.label, labels);
  if (!b)
    return b.status();
  if (b->featureShape != a->featureShape)
    return Status::error(path + ": the validation rows have " +
                         std::to_string(b->featureSize()) +
                         " features after the prep steps, the training rows " +
                         std::to_string(a->featureSize()));
  Examples &ex = *a;
  ex.count += b->count;
  ex.features.insert(ex.features.end(), b->features.begin(), b->features.end());
  ex.labels.insert(ex.labels.end(), b->labels.begin(), b->labels.end());
  ex.targets.insert(ex.targets.end(), b->targets.begin(), b->targets.end());
  ex.labelLines.insert(ex.labelLines.end(), b->labelLines.begin(),
                       b->labelLines.end());
  ex.labelText.insert(ex.labelText.end(), b->labelText.begin(),
                      b->labelText.end());
  return ex;
}

std::vector<std::string> PrepOutcome::lines() const {
  std::vector<std::string> out;
  auto section = [&](const std::string &title,
                     const std::vector<StepReport> &report) {
    out.push_back(title);
    for (const std::string &l : reportLines(report))
      out.push_back("  " + l);
  };
  if (test) {
    section("prep on the test set (" + rowsText(applyRowsIn) + " -> " +
                std::to_string(applyRowsOut) + ", the training statistics):",
            applied);
    return out;
  }
  section("prep fitted on the training rows (" + rowsText(fitRowsIn) + " -> " +
              std::to_string(fitRowsOut) + "):",
          fit);
  if (applyRowsIn > 0)
    section("prep applied to the validation rows (" + rowsText(applyRowsIn) +
                " -> " + std::to_string(applyRowsOut) +
                ", the training statistics):",
            applied);
  return out;
}

nlohmann::json PrepOutcome::json() const {
  auto part = [](size_t in, size_t out, const std::vector<StepReport> &r) {
    return nlohmann::json{
        {"rows_in", in}, {"rows_out", out}, {"report", reportJson(r)}};
  };
  nlohmann::json j = {{"steps", steps}};
  if (test) {
    j["test"] = part(applyRowsIn, applyRowsOut, applied);
    return j;
  }
  j["train"] = part(fitRowsIn, fitRowsOut, fit);
  if (applyRowsIn > 0)
    j["validation"] = part(applyRowsIn, applyRowsOut, applied);
  return j;
}
