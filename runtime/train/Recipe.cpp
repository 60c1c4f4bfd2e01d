//===- Recipe.cpp - The training recipe the runtime follows ---------------===//
//
// Part of Loom. See Recipe.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Recipe.h"

#include "runtime/report/JsonObject.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <limits>

using namespace loom;
using namespace loom::train;
using json = nlohmann::json;

namespace {

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

/// `j` as the message quotes it: its JSON, cut short.
std::string spelled(const json &j) {
  std::string text = j.dump();
  return text.size() > 40 ? text.substr(0, 37) + "..." : text;
}

/// A finite number as %g spells it.
std::string numText(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

/// Reads the fields of one object of the recipe, each checked as strictly
/// as the compiler checks what it writes (frontend/Recipe.cpp): a field of
/// the wrong type or out of range is an error naming it, never a default.
/// The first error is kept in `error`; every read after it fails.
class Fields {
public:
  Fields(const json &o, std::string at, std::string &error,
         const std::string &file)
      : o(o), at(std::move(at)), error(error), file(file) {}

  /// The field `key`, or null when it is absent.
  const json *find(const char *key) const {
    auto it = o.find(key);
    return it == o.end() ? nullptr : &*it;
  }
  bool fail(const char *key, const std::string &why) {
    if (error.empty())
      error = file + ": the recipe's '" + at + key + "' " + why;
    return false;
  }
  /// An integer in [lo, hi]; absent leaves `out` as it is.
  template <typename T>
  bool integer(const char *key, T &out, int64_t lo = INT64_MIN,
               int64_t hi = INT64_MAX) {
    const json *v = find(key);
    if (!error.empty())
      return false;
    if (!v)
      return true;
    if (!v->is_number_integer() ||
        (v->is_number_unsigned() && v->get<uint64_t>() > uint64_t(INT64_MAX)))
      return fail(key, "must be an integer, not " + spelled(*v));
    int64_t x = v->get<int64_t>();
    if (x < lo || x > hi)
      return fail(key,
                  "must be " +
                      (hi == INT64_MAX ? "at least " + std::to_string(lo)
                                       : "between " + std::to_string(lo) +
                                             " and " + std::to_string(hi)) +
                      ", not " + std::to_string(x));
    out = x;
    return true;
  }
  /// A finite number in (lo, hi) (`closedHi`: (lo, hi]); absent leaves
  /// `out` as it is.
  bool number(const char *key, double &out, double lo, double hi,
              bool closedHi = false) {
    const json *v = find(key);
    if (!error.empty())
      return false;
    if (!v)
      return true;
    double x = v->is_number() ? v->get<double>() : 0;
    bool ok = v->is_number() && std::isfinite(x) && x > lo &&
              (closedHi ? x <= hi : x < hi);
    if (!ok)
      return fail(key, "must be a finite number " +
                           (std::isinf(hi)
                                ? "> " + numText(lo)
                                : "in (" + numText(lo) + ", " + numText(hi) +
                                      (closedHi ? "]" : ")")) +
                           ", not " + spelled(*v));
    out = x;
    return true;
  }
  /// A finite number >= lo; absent leaves `out` as it is.
  bool atLeast(const char *key, double &out, double lo) {
    const json *v = find(key);
    if (!error.empty())
      return false;
    if (!v)
      return true;
    double x = v->is_number() ? v->get<double>() : 0;
    if (!v->is_number() || !std::isfinite(x) || x < lo)
      return fail(key, "must be a finite number >= " + numText(lo) + ", not " +
                           spelled(*v));
    out = x;
    return true;
  }
  /// true or false; absent leaves `out` as it is.
  bool boolean(const char *key, bool &out) {
    const json *v = find(key);
    if (!error.empty())
      return false;
    if (!v)
      return true;
    if (!v->is_boolean())
      return fail(key, "must be true or false, not " + spelled(*v));
    out = v->get<bool>();
    return true;
  }
  /// Two numbers in [0, 1); absent leaves `a` and `b` as they are.
  bool pair(const char *key, double &a, double &b) {
    const json *v = find(key);
    if (!error.empty())
      return false;
    if (!v)
      return true;
    auto ok = [](const json &x) {
      return x.is_number() && x.get<double>() >= 0 && x.get<double>() < 1;
    };
    if (!v->is_array() || v->size() != 2 || !ok((*v)[0]) || !ok((*v)[1]))
      return fail(key, "must be two numbers in [0, 1), not " + spelled(*v));
    a = (*v)[0].get<double>();
    b = (*v)[1].get<double>();
    return true;
  }
  /// A string, one of `allowed` unless it is empty; `required`: absent is
  /// an error.
  bool string(const char *key, std::string &out,
              const std::vector<std::string> &allowed = {},
              bool required = false) {
    const json *v = find(key);
    if (!error.empty())
      return false;
    if (!v)
      return required ? fail(key, "is missing") : true;
    if (!v->is_string())
      return fail(key, "must be a string, not " + spelled(*v));
    std::string x = v->get<std::string>();
    if (!allowed.empty() &&
        std::find(allowed.begin(), allowed.end(), x) == allowed.end()) {
      std::string list;
      for (const std::string &a : allowed)
        list += (list.empty() ? "" : ", ") + a;
      return fail(key, "must be one of " + list + ", not " + spelled(*v));
    }
    out = x;
    return true;
  }
  /// An object, or null (absent, or after an error).
  const json *object(const char *key) {
    const json *v = find(key);
    if (!error.empty() || !v)
      return nullptr;
    if (!v->is_object()) {
      fail(key, "must be an object, not " + spelled(*v));
      return nullptr;
    }
    return v;
  }

private:
  const json &o;
  std::string at;
  std::string &error;
  const std::string &file;
};

/// The data settings `key` ("data", "test") names: the kind and the files
/// each kind needs (ir/RecipeSchema.cpp's recipeKinds).
bool dataSpec(const char *key, const json &d, data::DataSpec &spec,
              std::string &error, const std::string &file) {
  Fields f(d, std::string(key) + ".", error, file);
  if (!f.string("kind", spec.kind, {"csv", "idx", "tokens"}, true))
    return false;
  if (spec.kind == "csv") {
    if (!f.string("path", spec.path, {}, true))
      return false;
    // The label column (class numbers or names) or a regression target.
    bool label = f.find("label"), target = f.find("target");
    if (label == target)
      return f.fail("label", label ? "and 'target' are both given; a CSV "
                                     "file has one or the other"
                                   : "is missing (or 'target')");
    if (target) {
      if (f.find("classes"))
        return f.fail("classes", "is given with a regression 'target'");
      spec.labelSpec.kind = data::LabelSpec::Kind::Values;
      // Several target columns: an array of distinct names.
      if (const json *many = f.find("target"); many && many->is_array()) {
        for (const json &c : *many) {
          std::string name = c.is_string() ? c.get<std::string>() : "";
          if (name.empty() || std::find(spec.labelSpec.targets.begin(),
                                        spec.labelSpec.targets.end(),
                                        name) != spec.labelSpec.targets.end())
            return f.fail("target",
                          "must hold distinct column names, not " + spelled(c));
          spec.labelSpec.targets.push_back(name);
        }
        if (spec.labelSpec.targets.empty())
          return f.fail("target", "is an empty array");
        spec.label = spec.labelSpec.targets.front();
        if (spec.labelSpec.targets.size() == 1)
          spec.labelSpec.targets.clear();
        return true;
      }
      return f.string("target", spec.label, {}, true);
    }
    if (!f.string("label", spec.label, {}, true))
      return false;
    const json *classes = f.find("classes");
    if (!classes || classes->is_string()) {
      std::string how = "numbers";
      if (!f.string("classes", how, {"numbers", "names"}))
        return false;
      if (how == "names")
        spec.labelSpec.kind = data::LabelSpec::Kind::Names;
      return true;
    }
    if (!classes->is_array() || classes->empty())
      return f.fail("classes", "must be \"numbers\", \"names\" or a list "
                               "of class names, not " +
                                   spelled(*classes));
    spec.labelSpec.kind = data::LabelSpec::Kind::Names;
    spec.labelSpec.namesFrom = "the recipe's classes";
    for (const json &n : *classes) {
      if (!n.is_string() || n.get_ref<const std::string &>().empty())
        return f.fail("classes",
                      "must list non-empty class names, not " + spelled(n));
      const std::string &name = n.get_ref<const std::string &>();
      if (std::find(spec.labelSpec.names.begin(), spec.labelSpec.names.end(),
                    name) != spec.labelSpec.names.end())
        return f.fail("classes", "names '" + name + "' twice");
      spec.labelSpec.names.push_back(name);
    }
    return true;
  }
  if (spec.kind == "idx")
    return f.string("images", spec.images, {}, true) &&
           f.string("labels", spec.labels, {}, true);
  return f.string("path", spec.path, {}, true) &&
         f.integer("seq", spec.seq, 1) &&
         f.string("dtype", spec.dtype, {"u16", "u32"});
}

/// "every N steps|epochs" of `key` ("eval", "checkpoint").
bool cadence(Fields &f, Cadence &out) {
  std::string unit;
  if (!f.integer("every", out.every, 1) ||
      !f.string("unit", unit, {"steps", "epochs"}, true))
    return false;
  out.epochs = unit == "epochs";
  return true;
}

/// A train block's name, as the lexer reads identifiers: it names files in
/// the output directory, so nothing else (no '/', no "..").
bool isTrainName(const std::string &s) {
  if (s.empty() || std::isdigit(static_cast<unsigned char>(s[0])))
    return false;
  for (char c : s)
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_')
      return false;
  return true;
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
  std::string error;
  Fields top(j, "", error, name);
  Recipe r;
  auto failed = [&] { return Status::error(error); };
  if (!top.string("name", r.name, {}, true))
    return failed();
  if (!isTrainName(r.name))
    return Status::error(name +
                         ": the recipe's 'name' must be a train "
                         "block's name (letters, digits and '_'), not " +
                         spelled(j["name"]));
  const json *data = top.object("data");
  if (!error.empty())
    return failed();
  if (!data)
    return Status::error(name + ": the recipe has no data to train on");
  if (!dataSpec("data", *data, r.data, error, name))
    return failed();
  if (const json *split = top.object("split")) {
    Fields f(*split, "split.", error, name);
    // A fraction of 0 trained on an empty split's zero-filled batches.
    if (!f.number("fraction", r.data.fraction, 0, 1) ||
        !f.integer("seed", r.data.splitSeed))
      return failed();
  }
  if (const json *test = top.object("test")) {
    r.test.emplace();
    if (!dataSpec("test", *test, *r.test, error, name))
      return failed();
    r.test->fraction = 0; // all of it evaluates
  }
  if (!error.empty())
    return failed();
  if (!top.find("batch"))
    return Status::error(name + ": the recipe has no batch size");
  int64_t steps = 0, epochs = 0;
  if (!top.integer("batch", r.batch, 1) || !top.integer("steps", steps, 1) ||
      !top.integer("epochs", epochs, 1) ||
      !top.integer("data_ranks", r.dataRanks, 1, int64_t(1) << 20))
    return failed();
  if (r.batch % r.dataRanks != 0)
    return Status::error(name + ": the recipe's batch " +
                         std::to_string(r.batch) +
                         " does not split evenly over its " +
                         std::to_string(r.dataRanks) + " data ranks");
  if (top.find("steps"))
    r.steps = steps;
  if (top.find("epochs"))
    r.epochs = epochs;
  if (!r.steps && !r.epochs)
    return Status::error(name + ": the recipe sets neither steps nor epochs");
  if (const json *e = top.object("eval")) {
    Fields f(*e, "eval.", error, name);
    if (!cadence(f, r.eval) || !f.string("on", r.evalOn))
      return failed();
    if (r.evalOn != "val" && r.evalOn != "train" && r.evalOn != "test")
      return Status::error(name + ": the recipe evaluates on '" + r.evalOn +
                           "'; the splits are val, train and test");
    if (r.evalOn == "test" && !r.test)
      return Status::error(name + ": the recipe evaluates on test but names "
                                  "no test set (test = ...)");
    if (const json *m = f.find("metrics")) {
      if (!m->is_array())
        return Status::error(name +
                             ": the recipe's 'eval.metrics' must be "
                             "an array, not " +
                             spelled(*m));
      static const std::vector<std::string> kMetrics = {
          "loss",       "accuracy", "precision", "recall", "f1",
          "perplexity", "mae",      "rmse",      "r2"};
      for (const json &v : *m) {
        std::string metric = v.is_string() ? v.get<std::string>() : "";
        if (std::find(kMetrics.begin(), kMetrics.end(), metric) ==
            kMetrics.end())
          return Status::error(name + ": the recipe's 'eval.metrics' holds " +
                               spelled(v) +
                               ", not one of loss, accuracy, precision, "
                               "recall, f1, perplexity, mae, rmse, r2");
        bool regression = metric == "mae" || metric == "rmse" || metric == "r2";
        bool target = r.data.labelSpec.kind == data::LabelSpec::Kind::Values;
        if (metric != "loss" && regression != target)
          return Status::error(name + ": the recipe's 'eval.metrics' holds " +
                               spelled(v) +
                               (regression ? ", a regression metric, but the "
                                             "data is class labels"
                                           : ", a class metric, but the data "
                                             "is a regression target"));
        r.metrics.push_back(metric);
      }
    }
  }
  if (r.test && r.test->labelSpec.kind != r.data.labelSpec.kind)
    return Status::error(name + ": the recipe's test set reads its labels "
                                "unlike its training data (a regression "
                                "target, class numbers or class names: "
                                "both the same)");
  if (const json *c = top.object("checkpoint")) {
    Fields f(*c, "checkpoint.", error, name);
    if (!cadence(f, r.checkpoint) || !f.integer("keep", r.keep, 1))
      return failed();
  }
  int64_t seed = 0;
  if (!top.integer("seed", seed) || !top.string("init_from", r.initFrom) ||
      !top.string("prep", r.prep))
    return failed();
  if (!r.prep.empty()) {
    if (r.data.kind != "csv")
      return Status::error(name +
                           ": the recipe's 'prep' applies to CSV data, "
                           "and the data is " +
                           r.data.kind);
    r.data.prep = r.prep;
    if (r.test)
      r.test->prep = r.prep;
  }
  r.seed = static_cast<uint64_t>(seed);
  if (const json *fz = top.find("freeze")) {
    if (!fz->is_array())
      return Status::error(name +
                           ": the recipe's 'freeze' must be an array, "
                           "not " +
                           spelled(*fz));
    for (const json &p : *fz) {
      if (!p.is_string())
        return Status::error(name + ": the recipe's 'freeze' holds " +
                             spelled(p) + ", not a parameter pattern");
      r.freeze.push_back(p.get<std::string>());
    }
  }
  constexpr double kInf = std::numeric_limits<double>::infinity();
  if (const json *s = top.object("schedule")) {
    Fields f(*s, "schedule.", error, name);
    Schedule &sc = r.schedule;
    if (!f.string("kind", sc.kind,
                  {"constant", "step", "exponential", "warmup_cosine",
                   "reduce_on_plateau"},
                  true) ||
        !f.integer("every", sc.every, 1) ||
        !f.number("gamma", sc.gamma, 0, 1, /*closedHi=*/true) ||
        !f.integer("warmup", sc.warmup, 0) ||
        !f.atLeast("min_lr", sc.minLr, 0) ||
        !f.number("factor", sc.factor, 0, 1) ||
        !f.integer("patience", sc.patience, 0))
      return failed();
  }
  if (const json *o = top.object("optimizer")) {
    Fields f(*o, "optimizer.", error, name);
    Optimizer &op = r.optimizer;
    double clip = 0;
    if (!f.string("kind", op.kind, {"sgd", "adam", "adamw", "rmsprop"}, true) ||
        !f.number("lr", op.lr, 0, kInf) ||
        !f.atLeast("momentum", op.momentum, 0) ||
        !f.boolean("nesterov", op.nesterov) ||
        !f.pair("betas", op.beta1, op.beta2) ||
        !f.number("eps", op.eps, 0, kInf) || !f.atLeast("alpha", op.alpha, 0) ||
        !f.boolean("centered", op.centered) ||
        !f.atLeast("weight_decay", op.weightDecay, 0) ||
        !f.number("clip_norm", clip, 0, kInf))
      return failed();
    if (f.find("clip_norm"))
      op.clipNorm = clip;
  }
  if (!error.empty())
    return failed();
  return r;
}

std::string loom::train::writeRecipe(const Recipe &r) {
  auto dataJson = [](const data::DataSpec &d) {
    json j = {{"kind", d.kind}};
    if (d.kind == "csv") {
      j["path"] = d.path;
      using Kind = data::LabelSpec::Kind;
      j[d.labelSpec.kind == Kind::Values ? "target" : "label"] = d.label;
      if (d.labelSpec.targets.size() > 1)
        j["target"] = d.labelSpec.targets;
      if (d.labelSpec.kind == Kind::Names && d.labelSpec.names.empty())
        j["classes"] = "names";
      else if (d.labelSpec.kind == Kind::Names)
        j["classes"] = d.labelSpec.names;
    } else if (d.kind == "idx") {
      j["images"] = d.images;
      j["labels"] = d.labels;
    } else {
      j["path"] = d.path;
      if (d.seq)
        j["seq"] = d.seq;
      j["dtype"] = d.dtype;
    }
    return j;
  };
  auto cadenceJson = [](const Cadence &c) {
    return json{{"every", c.every}, {"unit", c.epochs ? "epochs" : "steps"}};
  };
  json j = {{"name", r.name}, {"data", dataJson(r.data)}, {"batch", r.batch}};
  if (r.dataRanks != 1)
    j["data_ranks"] = r.dataRanks;
  if (r.data.fraction < 1)
    j["split"] = {{"fraction", r.data.fraction}, {"seed", r.data.splitSeed}};
  if (r.test)
    j["test"] = dataJson(*r.test);
  if (r.steps)
    j["steps"] = *r.steps;
  if (r.epochs)
    j["epochs"] = *r.epochs;
  if (r.eval.every) {
    j["eval"] = cadenceJson(r.eval);
    j["eval"]["on"] = r.evalOn;
    j["eval"]["metrics"] = r.metrics;
  }
  if (r.checkpoint.every) {
    j["checkpoint"] = cadenceJson(r.checkpoint);
    if (r.keep)
      j["checkpoint"]["keep"] = r.keep;
  }
  if (r.seed)
    j["seed"] = static_cast<int64_t>(r.seed);
  if (!r.initFrom.empty())
    j["init_from"] = r.initFrom;
  if (!r.prep.empty())
    j["prep"] = r.prep;
  if (!r.freeze.empty())
    j["freeze"] = r.freeze;
  const Optimizer &o = r.optimizer;
  json opt = {{"kind", o.kind}, {"lr", o.lr}, {"weight_decay", o.weightDecay}};
  if (o.kind == "sgd" || o.kind == "rmsprop")
    opt["momentum"] = o.momentum;
  if (o.kind == "sgd")
    opt["nesterov"] = o.nesterov;
  if (o.kind == "adam" || o.kind == "adamw")
    opt["betas"] = {o.beta1, o.beta2};
  if (o.kind != "sgd")
    opt["eps"] = o.eps;
  if (o.kind == "rmsprop") {
    opt["alpha"] = o.alpha;
    opt["centered"] = o.centered;
  }
  if (o.clipNorm)
    opt["clip_norm"] = *o.clipNorm;
  j["optimizer"] = opt;
  const Schedule &s = r.schedule;
  json sched = {{"kind", s.kind}};
  if (s.kind == "step")
    sched["every"] = s.every;
  if (s.kind == "step" || s.kind == "exponential")
    sched["gamma"] = s.gamma;
  if (s.kind == "warmup_cosine") {
    sched["warmup"] = s.warmup;
    sched["min_lr"] = s.minLr;
  }
  if (s.kind == "reduce_on_plateau") {
    sched["factor"] = s.factor;
    sched["patience"] = s.patience;
  }
  j["schedule"] = sched;
  return j.dump();
}
