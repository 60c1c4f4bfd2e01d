//===- Predict.cpp - A trained model's outputs for new rows ---------------===//
//
// Part of Loom. See Predict.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Predict.h"

#include "runtime/data/CsvPrep.h"
#include "runtime/data/Table.h"
#include "runtime/train/Evaluate.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <map>

using namespace loom;
using namespace loom::train;

namespace {

std::string csvField(const std::string &s) {
  if (s.find_first_of(",\"\n\r") == std::string::npos &&
      (s.empty() || (s.front() != ' ' && s.back() != ' ')))
    return s;
  std::string out = "\"";
  for (char c : s)
    out += c == '"' ? std::string("\"\"") : std::string(1, c);
  return out + "\"";
}

std::string number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

} // namespace

StatusOr<std::string>
loom::train::predictCsv(StepExecutor &ex, const Recipe &recipe,
                        const TrainState &state, const std::string &path,
                        PredictCounts &counts, const std::string &groupColumn) {
  const data::DataSpec &spec = recipe.data;
  if (spec.kind != "csv")
    return Status::error(path +
                         ": loom predict reads CSV rows, and the "
                         "model trained on " +
                         spec.kind + " data");
  std::vector<std::string> labels = spec.labelSpec.targets.empty()
                                        ? std::vector<std::string>{spec.label}
                                        : spec.labelSpec.targets;
  bool regression = spec.labelSpec.kind == data::LabelSpec::Kind::Values;
  StatusOr<data::Table> read = data::readTableCsv(path);
  if (!read)
    return read.status();
  data::Table table = std::move(*read);
  counts.rows = static_cast<int64_t>(table.rows());
  // The label's text as the file writes it, by line; a file without the
  // column gets a stand-in (read, never predicted from).
  std::map<int64_t, std::string> labelText;
  bool hasLabel = true;
  for (const std::string &l : labels) {
    int c = table.find(l);
    if (c >= 0) {
      if (l == labels.front())
        for (size_t r = 0; r < table.rows(); ++r) {
          const data::TableColumn &col = table.columns[size_t(c)];
          labelText[table.lines[r]] =
              col.missing(r) ? std::string()
              : col.kind == data::TableColumn::Kind::Text
                  ? col.text[r]
                  : number(col.numbers[r]);
        }
      continue;
    }
    hasLabel = false;
    data::TableColumn stand;
    stand.name = l;
    if (spec.labelSpec.kind == data::LabelSpec::Kind::Names &&
        !state.classNames.empty()) {
      stand.kind = data::TableColumn::Kind::Text;
      stand.text.assign(table.rows(), state.classNames.front());
    } else {
      stand.numbers.assign(table.rows(), 0.0);
    }
    table.columns.push_back(std::move(stand));
  }
  std::vector<int64_t> lines = table.lines; // before prep drops any
  // The group of each line; the column leaves the features unless the
  // training data has it.
  std::map<int64_t, std::string> groupOf;
  if (!groupColumn.empty()) {
    if (regression)
      return Status::error("--groups reports class metrics, and the model "
                           "predicts a regression target");
    int c = table.find(groupColumn);
    if (c < 0) {
      std::string all;
      for (const data::TableColumn &col : table.columns)
        all += (all.empty() ? "" : ", ") + col.name;
      return Status::error(path + ": no column named '" + groupColumn +
                           "' for --groups; the columns are " + all);
    }
    if (!hasLabel)
      return Status::error(path +
                           ": --groups needs the labels, and the file "
                           "has no column '" +
                           labels.front() + "'");
    const data::TableColumn &col = table.columns[size_t(c)];
    for (size_t r = 0; r < table.rows(); ++r)
      groupOf[table.lines[r]] = col.missing(r) ? std::string("(missing)")
                                : col.kind == data::TableColumn::Kind::Text
                                    ? col.text[r]
                                    : number(col.numbers[r]);
    StatusOr<std::vector<std::string>> trained = data::csvHeader(spec.path);
    if (!trained)
      return trained.status();
    if (std::find(trained->begin(), trained->end(), groupColumn) ==
        trained->end())
      table.columns.erase(table.columns.begin() + c);
  }
  // The saved prep statistics, every step but dedup.
  if (!state.prep.empty()) {
    data::FittedPrep fitted;
    nlohmann::json j = nlohmann::json::parse(state.prep, nullptr, false);
    if (std::string why =
            j.is_discarded() ? "not JSON" : data::prepFromJson(j, fitted);
        !why.empty())
      return Status::error("the checkpoint's prep statistics do not load: " +
                           why);
    fitted.steps.erase(std::remove_if(fitted.steps.begin(), fitted.steps.end(),
                                      [](const data::FittedStep &s) {
                                        return s.step.kind ==
                                               data::PrepStep::Kind::Dedup;
                                      }),
                       fitted.steps.end());
    std::vector<data::StepReport> report;
    if (Status s = data::applyPrep(fitted, table, report); !s)
      return Status::error(path + ": " + s.message());
  }
  // A row still missing a feature cannot be predicted: it is reported.
  std::map<int64_t, std::string> why;
  std::vector<bool> keep(table.rows(), true);
  for (const data::TableColumn &col : table.columns) {
    if (std::find(labels.begin(), labels.end(), col.name) != labels.end())
      continue;
    for (size_t r = 0; r < table.rows(); ++r)
      if (keep[r] && col.missing(r)) {
        keep[r] = false;
        why[table.lines[r]] = "missing " + col.name;
      }
  }
  table.keepRows(keep);
  data::LabelSpec labelSpec = spec.labelSpec;
  if (labelSpec.kind == data::LabelSpec::Kind::Names &&
      labelSpec.names.empty()) {
    labelSpec.names = state.classNames;
    labelSpec.namesFrom = "the classes of the model";
  }
  StatusOr<data::Examples> examples =
      table.rows() == 0
          ? StatusOr<data::Examples>(data::Examples())
          : data::tableExamples(table, path, labels.front(), labelSpec);
  if (!examples)
    return examples.status();

  const IoRecord *xr = nullptr, *yr = nullptr, *out = nullptr;
  void *x = ex.programInput("eval1", "x", &xr);
  void *y = ex.programInput("eval1", "y", &yr);
  if (!x || !y || !ex.programOutput("eval1", "output", &out) ||
      xr->dtype != DType::F32)
    return Status::error("the artifact has no batch-1 evaluation program "
                         "over f32 features (eval1)");
  int64_t features = shapeElements(xr->shape);
  if (examples->count > 0 && examples->featureSize() != features)
    return Status::error(path + ": a row has " +
                         std::to_string(examples->featureSize()) +
                         " features after prep, and the model takes " +
                         std::to_string(features));
  int64_t width = shapeElements(out->shape);
  bool binary = !regression && isBinaryOutput(out->shape);
  std::vector<std::string> names;
  if (!regression)
    for (int64_t c = 0; c < (binary ? 2 : width); ++c)
      names.push_back(size_t(c) < state.classNames.size()
                          ? state.classNames[size_t(c)]
                          : std::to_string(c));

  std::string csv = "line";
  if (hasLabel)
    csv += "," + csvField(labels.front());
  if (regression) {
    for (int64_t t = 0; t < width; ++t)
      csv += "," + csvField("predicted_" + (size_t(t) < labels.size()
                                                ? labels[size_t(t)]
                                                : std::to_string(t)));
  } else {
    csv += ",predicted";
    if (binary)
      csv += ",p_1";
    else
      for (const std::string &n : names)
        csv += "," + csvField("p_" + n);
  }
  csv += ",status\n";

  std::map<int64_t, int64_t> exampleOf; // line -> example
  for (int64_t e = 0; e < examples->count; ++e)
    exampleOf[examples->labelLines[size_t(e)]] = e;
  int64_t empties = regression ? width : 1 + (binary ? 1 : width);
  // Every row of the file, in order: those prep kept and those it dropped.
  for (int64_t line : lines) {
    csv += std::to_string(line);
    if (hasLabel)
      csv += "," + csvField(labelText[line]);
    auto it = exampleOf.find(line);
    if (it == exampleOf.end()) {
      auto reason = why.find(line);
      csv +=
          std::string(size_t(empties), ',') + "," +
          csvField(reason == why.end() ? "dropped by prep" : reason->second) +
          "\n";
      continue;
    }
    int64_t e = it->second;
    std::memcpy(x, examples->features.data() + e * features,
                size_t(features) * sizeof(float));
    std::memset(y, 0, size_t(shapeElements(yr->shape)) * dtypeSize(yr->dtype));
    if (Status s = ex.run("eval1"); !s)
      return s;
    const float *o =
        static_cast<const float *>(ex.programOutput("eval1", "output"));
    ++counts.predicted;
    if (regression) {
      for (int64_t t = 0; t < width; ++t)
        csv += "," + number(o[t]);
      if (hasLabel)
        ++counts.labelled;
    } else if (binary) {
      double p = 1.0 / (1.0 + std::exp(-double(o[0])));
      int64_t cls = o[0] > kBinaryThreshold ? 1 : 0;
      csv += "," + csvField(names[size_t(cls)]) + "," + number(p);
      if (hasLabel) {
        ++counts.labelled;
        counts.correct += examples->labels[size_t(e)] == cls;
        if (!groupColumn.empty())
          (void)counts.groups.try_emplace(groupOf[line], 2)
              .first->second.add(examples->labels[size_t(e)], int32_t(cls));
      }
    } else {
      int64_t cls = std::max_element(o, o + width) - o;
      double top = o[cls], total = 0;
      std::vector<double> p(size_t(width), 0.0);
      for (int64_t c = 0; c < width; ++c)
        total += p[size_t(c)] = std::exp(double(o[c]) - top);
      csv += "," + csvField(names[size_t(cls)]);
      for (double v : p)
        csv += "," + number(v / total);
      if (hasLabel) {
        ++counts.labelled;
        counts.correct += examples->labels[size_t(e)] == cls;
        if (!groupColumn.empty())
          (void)counts.groups.try_emplace(groupOf[line], width)
              .first->second.add(examples->labels[size_t(e)], int32_t(cls));
      }
    }
    csv += ",ok\n";
  }
  return csv;
}
