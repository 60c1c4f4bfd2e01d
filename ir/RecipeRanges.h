//===- RecipeRanges.h - The valid values of recipe arguments ----*- C++ -*-===//
//
// Part of Loom. The ranges of the numeric arguments of a train block's
// optimizer and schedule (a negative clip_norm reverses the update, a
// momentum of 5 diverges): the frontend checks a train block's calls against
// them (frontend/RecipeRanges.cpp), and --loom-override-recipe and `loom
// train` the values that override the recipe.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_RECIPERANGES_H
#define LOOM_IR_RECIPERANGES_H

#include "llvm/ADT/StringRef.h"

#include <string>

namespace mlir::loom {

/// The valid values of a numeric recipe argument: a finite number in an
/// interval, an integer when `integer`, two such numbers when `pair`
/// (betas). `kind` null: every kind of the setting.
struct RecipeRange {
  const char *setting;
  const char *kind;
  const char *arg;
  double lo;
  bool loOpen;
  double hi;
  bool hiOpen;
  bool integer = false;
  bool pair = false;
};

/// The range of argument `arg` of kind `kind` of setting `setting`
/// ("optimizer" or "schedule"), or null when it has none.
const RecipeRange *findRecipeRange(llvm::StringRef setting,
                                   llvm::StringRef kind, llvm::StringRef arg);

/// Whether `value` (one number of a pair) is in `range`; `isInteger`: it
/// was written as an integer.
bool inRecipeRange(const RecipeRange &range, double value, bool isInteger);

/// The range as a phrase: "a number in (0, 1]", "an integer >= 1", "a
/// finite number > 0", ...
std::string describeRecipeRange(const RecipeRange &range);

/// A number as %g spells it: 0.1, 1e-08, -inf, 5.
std::string spellRecipeNumber(double value);

/// The valid values of numeric argument `arg` of recipe call `kind` (of
/// setting `setting`) as a phrase ("a finite number > 0") when `value` is
/// not one of them; "" when it is, or when the argument has no range.
std::string recipeRangeViolation(llvm::StringRef setting, llvm::StringRef kind,
                                 llvm::StringRef arg, double value);

} // namespace mlir::loom

#endif // LOOM_IR_RECIPERANGES_H
