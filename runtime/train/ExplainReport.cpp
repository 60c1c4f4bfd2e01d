//===- ExplainReport.cpp - loom explain's table and explain.json ----------===//
//
// Part of Loom. See Explain.h: explainText, explainJson.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Explain.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numeric>

using namespace loom;
using namespace loom::train;

namespace {

std::string fmt(const char *format, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, format, v);
  return buf;
}

/// `text` padded with spaces to `width` (left-aligned), or cut to it.
std::string pad(const std::string &text, size_t width) {
  if (text.size() >= width)
    return text.substr(0, width);
  return text + std::string(width - text.size(), ' ');
}

/// "class 1 (setosa)", "target 'y'".
std::string targetText(const ModelOutput &out, int64_t target) {
  const std::string &name = out.names[size_t(target)];
  if (out.regression)
    return "target '" + name + "'";
  std::string text = "class " + std::to_string(target);
  return name == std::to_string(target) ? text : text + " (" + name + ")";
}

size_t nameWidth(const ExplainData &data) {
  size_t w = 7;
  for (const std::string &n : data.names)
    w = std::max(w, std::min<size_t>(n.size(), 24));
  return w;
}

} // namespace

std::string
loom::train::explainText(const ExplainData &data, const Importance *importance,
                         const std::vector<Attribution> &attributions,
                         const std::string &baselineName, int64_t steps) {
  std::string out;
  size_t width = nameWidth(data);
  if (importance) {
    out += "permutation importance: the drop of " + importance->metric + " (" +
           fmt("%.4f", importance->baseline) +
           " with no feature shuffled) when a feature is shuffled, mean and "
           "std over " +
           std::to_string(importance->repeats) + " repeat" +
           (importance->repeats == 1 ? "" : "s") + " (seed " +
           std::to_string(importance->seed) + ")\n";
    out += "  rank  " + pad("feature", width) + "      drop       std\n";
    int64_t rank = 0;
    for (const FeatureImportance &f : importance->features)
      out += fmt("  %4.0f  ", double(++rank)) + pad(f.name, width) +
             fmt("  %8.4f", f.mean) + fmt("  %8.4f", f.std) + "\n";
  }
  if (attributions.empty())
    return out;
  out += std::string(importance ? "\n" : "") +
         "integrated gradients: " + std::to_string(steps) +
         " points from the " + baselineName + " baseline to each example\n";
  for (const Attribution &a : attributions) {
    out += "example " + std::to_string(a.example) + ": " +
           targetText(data.output, a.target);
    if (!data.output.regression)
      out += a.predicted ? ", the predicted class" : ", not the predicted one";
    out += "; f(x) = " + fmt("%.4f", a.fx) +
           ", f(baseline) = " + fmt("%.4f", a.fBaseline) + "\n";
    std::vector<size_t> order(a.values.size());
    std::iota(order.begin(), order.end(), size_t(0));
    std::sort(order.begin(), order.end(), [&](size_t i, size_t j) {
      double x = std::fabs(a.values[i]), y = std::fabs(a.values[j]);
      return x != y ? x > y : i < j;
    });
    size_t shown = std::min<size_t>(order.size(), 20);
    out += "  rank  " + pad("feature", width) + "  attribution\n";
    for (size_t r = 0; r < shown; ++r)
      out += fmt("  %4.0f  ", double(r + 1)) +
             pad(data.names[order[r]], width) +
             fmt("  %11.4f", a.values[order[r]]) + "\n";
    if (shown < order.size())
      out += "  ... " + std::to_string(order.size() - shown) +
             " more in explain.json\n";
    out +=
        "  completeness: sum of attributions " + fmt("%.4f", a.sum) +
        ", f(x) - f(baseline) " + fmt("%.4f", a.fx - a.fBaseline) +
        (std::isnan(a.relativeError)
             ? std::string(", equal outputs: no relative error")
             : ", relative error " + fmt("%.3f%%", 100.0 * a.relativeError)) +
        "\n";
  }
  return out;
}

std::string
loom::train::explainJson(const ExplainData &data, const Importance *importance,
                         const std::vector<Attribution> &attributions,
                         const std::string &baselineName,
                         const std::vector<float> &baseline, int64_t steps) {
  const ModelOutput &o = data.output;
  nlohmann::json j;
  j["source"] = data.source;
  j["examples"] = data.count;
  j["features"] = data.names;
  j["model"] = {{"kind", o.regression ? "regressor"
                         : o.binary   ? "binary classifier"
                                      : "classifier"},
                {"outputs", o.names}};
  j["metric"] = metricName(o);
  if (importance) {
    nlohmann::json features = nlohmann::json::array();
    for (const FeatureImportance &f : importance->features)
      features.push_back({{"feature", f.name},
                          {"index", f.index},
                          {"mean", f.mean},
                          {"std", f.std},
                          {"drops", f.drops}});
    j["importance"] = {{"metric", importance->metric},
                       {"baseline", importance->baseline},
                       {"repeats", importance->repeats},
                       {"seed", importance->seed},
                       {"features", features}};
  }
  if (!attributions.empty()) {
    nlohmann::json examples = nlohmann::json::array();
    for (const Attribution &a : attributions) {
      nlohmann::json e = {
          {"example", a.example},
          {"target", a.target},
          {"target_name", o.names[size_t(a.target)]},
          {"f_x", a.fx},
          {"f_baseline", a.fBaseline},
          {"sum", a.sum},
          {"difference", a.fx - a.fBaseline},
          {"relative_error", a.relativeError},
          {"x", std::vector<float>(data.x.begin() + a.example * data.features,
                                   data.x.begin() +
                                       (a.example + 1) * data.features)},
          {"attributions", a.values}};
      if (!o.regression)
        e["predicted"] = a.predicted;
      examples.push_back(e);
    }
    j["integrated_gradients"] = {{"steps", steps},
                                 {"baseline", baselineName},
                                 {"baseline_values", baseline},
                                 {"examples", examples}};
  }
  return j.dump(2) + "\n";
}
