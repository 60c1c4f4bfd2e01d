//===- Recipe.cpp - The training recipe the runtime follows ---------------===//
//
// Part of Loom. See Recipe.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Recipe.h"

#include "runtime/report/JsonObject.h"

#include <nlohmann/json.hpp>

#include <algorithm>

using namespace loom;
using namespace loom::train;
using json = nlohmann::json;

namespace {

std::string str(const json &o, const char *key) {
  auto it = o.find(key);
  return it != o.end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<double> num(const json &o, const char *key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number())
    return std::nullopt;
  return it->get<double>();
}

std::optional<int64_t> integer(const json &o, const char *key) {
  auto it = o.find(key);
  if (it == o.end() || !it->is_number_integer())
    return std::nullopt;
  return it->get<int64_t>();
}

data::DataSpec dataSpec(const json &d) {
  data::DataSpec spec;
  spec.kind = str(d, "kind");
  spec.images = str(d, "images");
  spec.labels = str(d, "labels");
  spec.path = str(d, "path");
  spec.label = str(d, "label");
  if (std::string dtype = str(d, "dtype"); !dtype.empty())
    spec.dtype = dtype;
  return spec;
}

Cadence cadence(const json &c) {
  Cadence out;
  out.every = integer(c, "every").value_or(0);
  out.epochs = str(c, "unit") == "epochs";
  return out;
}

/// The first string in `j` that holds a NUL byte, as the path to it
/// ("data.path"); "" if there is none. A NUL would cut a file name short
/// and open another file.
std::string nulString(const json &j, const std::string &at) {
  if (j.is_string())
    return j.get_ref<const std::string &>().find('\0') != std::string::npos
               ? (at.empty() ? std::string("the recipe") : at)
               : "";
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it)
      if (std::string in = nulString(
              it.value(), at.empty() ? it.key() : at + "." + it.key());
          !in.empty())
        return in;
  } else if (j.is_array()) {
    for (size_t i = 0; i < j.size(); ++i)
      if (std::string in = nulString(j[i], at + "[" + std::to_string(i) + "]");
          !in.empty())
        return in;
  }
  return "";
}

} // namespace

bool Recipe::wants(const std::string &metric) const {
  return std::find(metrics.begin(), metrics.end(), metric) != metrics.end();
}

StatusOr<Recipe> loom::train::parseRecipe(const std::string &text,
                                          const std::string &name) {
  json j;
  if (std::string why = report::parseJsonObject(text, j); !why.empty())
    return Status::error(name + ": the recipe is " + why);
  if (std::string at = nulString(j, ""); !at.empty())
    return Status::error(name + ": the recipe's '" + at + "' holds a NUL byte");
  Recipe r;
  r.name = str(j, "name");
  auto data = j.find("data");
  if (data == j.end() || !data->is_object())
    return Status::error(name + ": the recipe has no data to train on");
  r.data = dataSpec(*data);
  if (auto split = j.find("split"); split != j.end() && split->is_object()) {
    r.data.fraction = num(*split, "fraction").value_or(1.0);
    r.data.splitSeed =
        static_cast<uint64_t>(integer(*split, "seed").value_or(0));
  }
  if (auto test = j.find("test"); test != j.end() && test->is_object()) {
    r.test = dataSpec(*test);
    r.test->fraction = 0; // all of it evaluates
  }
  r.batch = integer(j, "batch").value_or(0);
  if (r.batch <= 0)
    return Status::error(name + ": the recipe has no batch size");
  if (auto s = integer(j, "steps"))
    r.steps = *s;
  if (auto e = integer(j, "epochs"))
    r.epochs = *e;
  if (!r.steps && !r.epochs)
    return Status::error(name + ": the recipe sets neither steps nor epochs");
  if (auto e = j.find("eval"); e != j.end() && e->is_object()) {
    r.eval = cadence(*e);
    if (std::string on = str(*e, "on"); !on.empty())
      r.evalOn = on;
    if (r.evalOn != "val" && r.evalOn != "train" && r.evalOn != "test")
      return Status::error(name + ": the recipe evaluates on '" + r.evalOn +
                           "'; the splits are val, train and test");
    if (r.evalOn == "test" && !r.test)
      return Status::error(name + ": the recipe evaluates on test but names "
                                  "no test set (test = ...)");
    if (auto m = e->find("metrics"); m != e->end() && m->is_array())
      for (const json &v : *m)
        if (v.is_string())
          r.metrics.push_back(v.get<std::string>());
  }
  if (auto c = j.find("checkpoint"); c != j.end() && c->is_object()) {
    r.checkpoint = cadence(*c);
    r.keep = integer(*c, "keep").value_or(0);
  }
  r.seed = static_cast<uint64_t>(integer(j, "seed").value_or(0));
  r.initFrom = str(j, "init_from");
  if (auto s = j.find("schedule"); s != j.end() && s->is_object()) {
    r.schedule = str(*s, "kind");
    r.plateauFactor = num(*s, "factor").value_or(0.1);
    r.plateauPatience = integer(*s, "patience").value_or(10);
  }
  if (auto o = j.find("optimizer"); o != j.end() && o->is_object()) {
    r.optimizer = str(*o, "kind");
    r.lr = num(*o, "lr").value_or(0);
  }
  return r;
}
