//===- RecipeSchema.cpp - The fields of the recipe settings ---------------===//
//
// Part of Loom. This file implements the schema of the recipe settings
// (ir/LoomRecipe.h): recipeSettings, the one table of the data, optimizer
// and schedule fields with their types, ranges and allowed values;
// recipeKinds, each kind's arguments and defaults; the queries on them; and
// the values of the settings without kinds that have a fixed set (the
// metrics, the remat policies).
//
//===----------------------------------------------------------------------===//

#include "ir/LoomRecipe.h"

#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/Twine.h"
#include "llvm/Support/ErrorHandling.h"

#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir;
using namespace mlir::loom;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// Numbers > lo, numbers >= lo, and numbers in an interval.
constexpr RecipeRange above(double lo) { return {lo, true, kInf, true}; }
constexpr RecipeRange atLeast(double lo) { return {lo, false, kInf, true}; }
constexpr RecipeRange within(char open, double lo, double hi, char close) {
  return {lo, open == '(', hi, close == ')'};
}

} // namespace

bool RecipeRange::contains(double value) const {
  return std::isfinite(value) && (loOpen ? value > lo : value >= lo) &&
         (hiOpen ? value < hi : value <= hi);
}

/// The one table of the recipe settings' fields: names (those of
/// LoomRecipe.td's parameters, in their order), types, ranges (the valid
/// values docs/language.md's table of optimizer and schedule arguments
/// gives) and allowed values.
const std::vector<RecipeSetting> &mlir::loom::recipeSettings() {
  using T = RecipeArgType;
  static const std::vector<RecipeSetting> all = {
      {"data",
       {{"path", T::String},
        {"seq", T::I64, atLeast(1)},
        {"dtype", T::String, std::nullopt, {"u16", "u32"}},
        {"label", T::String},
        {"target", T::StringOrStrings},
        {"classes", T::StringOrStrings},
        {"labels", T::String},
        {"images", T::String}}},
      {"optimizer",
       {{"lr", T::F64, above(0)},
        {"momentum", T::F64, within('[', 0, 1, ')')},
        {"nesterov", T::Bool},
        {"betas", T::F64Pair, within('[', 0, 1, ')')},
        {"eps", T::F64, above(0)},
        {"alpha", T::F64, within('[', 0, 1, ')')},
        {"centered", T::Bool},
        {"weight_decay", T::F64, atLeast(0)},
        {"clip_norm", T::F64, above(0)}}},
      {"schedule",
       {{"every", T::I64, atLeast(1)},
        {"gamma", T::F64, within('(', 0, 1, ']')},
        {"warmup", T::I64, atLeast(0)},
        {"min_lr", T::F64, atLeast(0)},
        {"factor", T::F64, within('(', 0, 1, ')')},
        {"patience", T::I64, atLeast(0)}}},
  };
  return all;
}

const RecipeField *RecipeSetting::findField(StringRef name) const {
  for (const RecipeField &f : fields)
    if (name == f.name)
      return &f;
  return nullptr;
}

const RecipeSetting *mlir::loom::findRecipeSetting(StringRef name) {
  for (const RecipeSetting &s : recipeSettings())
    if (name == s.name)
      return &s;
  return nullptr;
}

const std::vector<RecipeKind> &mlir::loom::recipeKinds() {
  /// A kind as written below: its arguments' names and defaults.
  struct Row {
    const char *setting;
    const char *kind;
    std::vector<std::pair<const char *, const char *>> args;
  };
  static const std::vector<RecipeKind> all = [] {
    const Row rows[] = {
        {"data", "tokens", {{"path", ""}, {"seq", ""}, {"dtype", "\"u16\""}}},
        // `label` (a column of classes, written as `classes` says) or
        // `target` (a column of regression targets), one of them.
        {"data",
         "csv",
         {{"path", ""}, {"label", "-"}, {"target", "-"}, {"classes", "-"}}},
        {"data", "idx", {{"images", ""}, {"labels", ""}}},
        {"optimizer",
         "sgd",
         {{"lr", ""},
          {"momentum", "0.0"},
          {"nesterov", "false"},
          {"weight_decay", "0.0"},
          {"clip_norm", "-"}}},
        {"optimizer",
         "adam",
         {{"lr", ""},
          {"betas", "(0.9, 0.999)"},
          {"eps", "1e-8"},
          {"weight_decay", "0.0"},
          {"clip_norm", "-"}}},
        {"optimizer",
         "adamw",
         {{"lr", ""},
          {"betas", "(0.9, 0.999)"},
          {"eps", "1e-8"},
          {"weight_decay", "0.01"},
          {"clip_norm", "-"}}},
        {"optimizer",
         "rmsprop",
         {{"lr", ""},
          {"alpha", "0.99"},
          {"eps", "1e-8"},
          {"momentum", "0.0"},
          {"centered", "false"},
          {"weight_decay", "0.0"},
          {"clip_norm", "-"}}},
        {"schedule", "constant", {}},
        {"schedule", "step", {{"every", ""}, {"gamma", "0.1"}}},
        {"schedule", "exponential", {{"gamma", ""}}},
        {"schedule", "warmup_cosine", {{"warmup", ""}, {"min_lr", "0.0"}}},
        {"schedule",
         "reduce_on_plateau",
         {{"factor", "0.1"}, {"patience", "10"}}},
    };
    std::vector<RecipeKind> kinds;
    for (const Row &row : rows) {
      const RecipeSetting *setting = findRecipeSetting(row.setting);
      RecipeKind &k = kinds.emplace_back(RecipeKind{row.setting, row.kind, {}});
      for (auto [name, dflt] : row.args) {
        const RecipeField *field = setting->findField(name);
        if (!field)
          llvm::report_fatal_error(llvm::Twine("recipe kind '") + row.kind +
                                   "' takes '" + name +
                                   "', which is no field of its setting");
        k.args.push_back({name, dflt, field});
      }
    }
    return kinds;
  }();
  return all;
}

const RecipeKind *mlir::loom::findRecipeKind(StringRef setting,
                                             StringRef kind) {
  for (const RecipeKind &k : recipeKinds())
    if (setting == k.setting && kind == k.kind)
      return &k;
  return nullptr;
}

std::string mlir::loom::formatRecipeNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string mlir::loom::describeRecipeRange(const RecipeField &field) {
  if (!field.range)
    return "";
  const RecipeRange &r = *field.range;
  bool integer = field.type == RecipeArgType::I64;
  bool pair = field.type == RecipeArgType::F64Pair;
  std::string what = integer ? "an integer" : pair ? "two numbers" : "a number";
  if (r.hi == kInf)
    return (integer ? what
                    : (pair ? "two finite numbers" : "a finite number")) +
           (r.loOpen ? " > " : " >= ") + formatRecipeNumber(r.lo);
  return what + " in " + (r.loOpen ? "(" : "[") + formatRecipeNumber(r.lo) +
         ", " + formatRecipeNumber(r.hi) + (r.hiOpen ? ")" : "]");
}

std::string mlir::loom::recipeRangeViolation(StringRef setting, StringRef kind,
                                             StringRef arg, double value) {
  const RecipeSetting *s = findRecipeSetting(setting);
  const RecipeField *field = s ? s->findField(arg) : nullptr;
  if (!field || !field->range || field->type == RecipeArgType::F64Pair)
    return "";
  if (!kind.empty()) {
    const RecipeKind *k = findRecipeKind(setting, kind);
    if (!k || llvm::none_of(k->args,
                            [&](const RecipeArg &a) { return arg == a.name; }))
      return "";
  }
  bool ok = field->range->contains(value);
  if (field->type == RecipeArgType::I64)
    ok = ok && value == std::floor(value) && std::fabs(value) < 9e18;
  return ok ? "" : describeRecipeRange(*field);
}

ArrayRef<StringRef> mlir::loom::recipeMetrics() {
  static const StringRef metrics[] = {"loss",   "accuracy", "precision",
                                      "recall", "f1",       "perplexity",
                                      "mae",    "rmse",     "r2"};
  return metrics;
}

bool mlir::loom::isRegressionMetric(StringRef metric) {
  return metric == "loss" || metric == "mae" || metric == "rmse" ||
         metric == "r2";
}

ArrayRef<StringRef> mlir::loom::recipeRematPolicies() {
  static const StringRef policies[] = {"none", "blocks", "dots"};
  return policies;
}
