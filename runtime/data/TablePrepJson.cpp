//===- TablePrepJson.cpp - Fitted prep steps as JSON ----------------------===//
//
// Part of Loom. See TablePrep.h. A fitted step is saved as the step as
// written (parsed again on loading) and its statistics.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/TablePrep.h"

using namespace loom;
using namespace loom::data;
using json = nlohmann::json;

json loom::data::prepToJson(const FittedPrep &prep) {
  json steps = json::array();
  for (const FittedStep &f : prep.steps) {
    json stats = json::array();
    for (const ColumnStat &s : f.stats) {
      json j = {{"column", s.column}, {"a", s.a}, {"b", s.b}};
      if (f.step.kind == PrepStep::Kind::Impute) {
        j["statistic"] = s.statistic;
        if (s.fill.how == Fill::How::Text)
          j["text"] = s.fill.text;
        else if (s.fill.how == Fill::How::Number)
          j["number"] = s.fill.number;
      }
      if (f.step.kind == PrepStep::Kind::OneHot)
        j["categories"] = s.categories;
      stats.push_back(j);
    }
    json step = {{"step", f.step.text}, {"stats", stats}};
    if (f.step.kind == PrepStep::Kind::Outliers && f.step.mahalanobis)
      step["robust"] = {{"center", f.robust.center},
                        {"scatter", f.robust.scatter}};
    steps.push_back(step);
  }
  return {{"label", prep.label}, {"steps", steps}};
}

std::string loom::data::prepFromJson(const json &j, FittedPrep &prep) {
  try {
    prep = FittedPrep();
    prep.label = j.at("label").get<std::string>();
    for (const json &s : j.at("steps")) {
      std::string text = s.at("step").get<std::string>();
      StatusOr<std::vector<PrepStep>> parsed =
          parsePrepSteps(text, [](size_t) { return std::string(); });
      if (!parsed)
        return "step '" + text + "': " + parsed.status().message();
      if (parsed->size() != 1)
        return "step '" + text + "' is not one step";
      FittedStep f;
      f.step = parsed->front();
      for (const json &c : s.at("stats")) {
        ColumnStat st;
        st.column = c.at("column").get<std::string>();
        st.a = c.at("a").get<double>();
        st.b = c.at("b").get<double>();
        if (f.step.kind == PrepStep::Kind::Impute) {
          st.statistic = c.at("statistic").get<std::string>();
          if (c.contains("text")) {
            st.fill.how = Fill::How::Text;
            st.fill.text = c["text"].get<std::string>();
          } else if (c.contains("number")) {
            st.fill.how = Fill::How::Number;
            st.fill.number = c["number"].get<double>();
          } else {
            st.fill.how = Fill::How::Drop;
          }
        }
        if (f.step.kind == PrepStep::Kind::OneHot)
          st.categories = c.at("categories").get<std::vector<std::string>>();
        f.stats.push_back(st);
      }
      if (f.step.kind == PrepStep::Kind::Outliers && f.step.mahalanobis) {
        RobustFit &r = f.robust;
        r.center = s.at("robust").at("center").get<std::vector<double>>();
        r.scatter = s.at("robust").at("scatter").get<std::vector<double>>();
        r.dims = r.center.size();
        if (r.dims != f.stats.size() || r.scatter.size() != r.dims * r.dims)
          return "step '" + text + "': the robust estimate has the wrong size";
        r.chol = r.scatter;
        if (!choleskyInPlace(r.chol, r.dims))
          return "step '" + text + "': the robust scatter is singular";
      }
      prep.steps.push_back(std::move(f));
    }
  } catch (const json::exception &e) {
    return std::string("not a fitted prep: ") + e.what();
  }
  return "";
}
