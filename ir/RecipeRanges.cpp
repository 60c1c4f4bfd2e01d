//===- RecipeRanges.cpp - The valid values of recipe arguments ------------===//
//
// Part of Loom. This file implements RecipeRanges.h: the table of ranges and
// the checks against it.
//
//===----------------------------------------------------------------------===//

#include "ir/RecipeRanges.h"

#include <cmath>
#include <cstdio>
#include <limits>

using namespace mlir::loom;

namespace {

constexpr double kInf = std::numeric_limits<double>::infinity();

/// docs/language.md's table of optimizer and schedule arguments says the
/// same.
const RecipeRange kRanges[] = {
    {"optimizer", nullptr, "lr", 0, true, kInf, true},
    {"optimizer", nullptr, "weight_decay", 0, false, kInf, true},
    {"optimizer", nullptr, "clip_norm", 0, true, kInf, true},
    {"optimizer", nullptr, "momentum", 0, false, 1, true},
    {"optimizer", nullptr, "eps", 0, true, kInf, true},
    {"optimizer", nullptr, "betas", 0, false, 1, true, false, true},
    {"optimizer", "rmsprop", "alpha", 0, false, 1, true},
    {"schedule", "step", "every", 1, false, kInf, true, true},
    {"schedule", "step", "gamma", 0, true, 1, false},
    {"schedule", "exponential", "gamma", 0, true, 1, false},
    {"schedule", "warmup_cosine", "warmup", 0, false, kInf, true, true},
    {"schedule", "warmup_cosine", "min_lr", 0, false, kInf, true},
    {"schedule", "reduce_on_plateau", "factor", 0, true, 1, true},
    {"schedule", "reduce_on_plateau", "patience", 0, false, kInf, true, true},
};

} // namespace

const RecipeRange *mlir::loom::findRecipeRange(llvm::StringRef setting,
                                               llvm::StringRef kind,
                                               llvm::StringRef arg) {
  for (const RecipeRange &r : kRanges)
    if (setting == r.setting && arg == r.arg && (!r.kind || kind == r.kind))
      return &r;
  return nullptr;
}

bool mlir::loom::inRecipeRange(const RecipeRange &r, double x, bool isInteger) {
  if (r.integer && !isInteger)
    return false;
  return std::isfinite(x) && (r.loOpen ? x > r.lo : x >= r.lo) &&
         (r.hiOpen ? x < r.hi : x <= r.hi);
}

std::string mlir::loom::spellRecipeNumber(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string mlir::loom::describeRecipeRange(const RecipeRange &r) {
  std::string what = r.integer ? "an integer"
                     : r.pair  ? "two numbers"
                               : "a number";
  if (r.hi == kInf)
    return (r.integer ? what
                      : (r.pair ? "two finite numbers"
                                : "a finite "
                                  "number")) +
           (r.loOpen ? " > " : " >= ") + spellRecipeNumber(r.lo);
  return what + " in " + (r.loOpen ? "(" : "[") + spellRecipeNumber(r.lo) +
         ", " + spellRecipeNumber(r.hi) + (r.hiOpen ? ")" : "]");
}

std::string mlir::loom::recipeRangeViolation(llvm::StringRef setting,
                                             llvm::StringRef kind,
                                             llvm::StringRef arg,
                                             double value) {
  const RecipeRange *r = findRecipeRange(setting, kind, arg);
  if (!r || r->pair)
    return "";
  bool isInteger = value == std::floor(value) && std::fabs(value) < 9e18;
  return inRecipeRange(*r, value, isInteger) ? "" : describeRecipeRange(*r);
}
