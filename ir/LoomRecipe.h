//===- LoomRecipe.h - The training recipe attribute -------------*- C++ -*-===//
//
// Part of Loom. The recipe attributes of LoomRecipe.td and the schema of
// a train block's settings (data, optimizer, schedule): one table of each
// setting's fields with their types, ranges and allowed values, and each
// kind's arguments in order with their defaults. The frontend parses and
// checks calls by it, the attributes' verifiers and buildRecipeSetting read
// it, and `loom train --lr` checks its flag against it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMRECIPE_H
#define LOOM_IR_LOOMRECIPE_H

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/DialectImplementation.h"

#include "llvm/ADT/Hashing.h"
#include "llvm/ADT/bit.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::loom {
/// A double as the recipe attributes hold it: hashable, and equal only to
/// the same bits (so that -0.0 and 0.0 are distinct attributes).
struct F64 {
  double value = 0;
  F64() = default;
  F64(double value) : value(value) {}
  operator double() const { return value; }
  bool operator==(const F64 &other) const {
    return llvm::bit_cast<uint64_t>(value) ==
           llvm::bit_cast<uint64_t>(other.value);
  }
};
inline llvm::hash_code hash_value(F64 f) {
  return llvm::hash_value(llvm::bit_cast<uint64_t>(f.value));
}
} // namespace mlir::loom

#define GET_ATTRDEF_CLASSES
#include "ir/LoomRecipe.h.inc"

namespace mlir::loom {

/// The type of a recipe argument. StringOrStrings: a string or a list of
/// strings (csv's `classes`).
enum class RecipeArgType { F64, I64, Bool, String, F64Pair, StringOrStrings };

/// The valid values of a numeric field: finite numbers from `lo` to `hi`,
/// each end open or closed (`hi` infinite: no upper bound). An I64 field
/// takes the integers in it, an F64Pair field two numbers in it.
struct RecipeRange {
  double lo;
  bool loOpen;
  double hi;
  bool hiOpen;
  /// Whether `value` is finite and in the range.
  bool contains(double value) const;
};

/// One field of a setting's attribute (#loom.data, #loom.optimizer,
/// #loom.schedule), named as its parameter in LoomRecipe.td: its type and,
/// when it is restricted, its range or its allowed string values.
struct RecipeField {
  const char *name;
  RecipeArgType type;
  std::optional<RecipeRange> range = std::nullopt;
  std::vector<llvm::StringRef> values = {};
};

/// A recipe setting (data, optimizer or schedule) and the fields of its
/// attribute, in the order of the attribute's parameters after `kind` (and
/// before `loc`): the verifiers and buildRecipeSetting pass them in that
/// order; tests/unit/RecipeSchemaTest.cpp checks the names and the order
/// against LoomRecipe.td.
struct RecipeSetting {
  const char *name;
  std::vector<RecipeField> fields;
  /// The field named `name`, or null.
  const RecipeField *findField(llvm::StringRef name) const;
};

/// Every recipe setting that has kinds.
const std::vector<RecipeSetting> &recipeSettings();

/// The setting named `name`, or null.
const RecipeSetting *findRecipeSetting(llvm::StringRef name);

/// One argument of a recipe call: the field it sets and its default (as
/// Loom source text; "" when required, "-" when optional without a
/// default). Its type, range and allowed values are the field's.
struct RecipeArg {
  const char *name;
  const char *dflt;
  const RecipeField *field;
};

/// One kind of a recipe setting ("optimizer" "adam"), its arguments in
/// positional order.
struct RecipeKind {
  const char *setting; ///< data, optimizer or schedule
  const char *kind;
  std::vector<RecipeArg> args;
};

/// Every kind of every recipe setting.
const std::vector<RecipeKind> &recipeKinds();

/// The kind `kind` of `setting`, or null.
const RecipeKind *findRecipeKind(llvm::StringRef setting, llvm::StringRef kind);

/// The metrics an `eval` cadence may name.
llvm::ArrayRef<llvm::StringRef> recipeMetrics();
/// Whether `metric` applies to a regression target: loss, mae, rmse, r2
/// (the others are class metrics).
bool isRegressionMetric(llvm::StringRef metric);

/// The values of the recipe's `remat` setting (activation recomputation,
/// passes/remat/Remat.h): "none" (keep every activation the backward
/// reads), "blocks" (each repeated block keeps only its input and is
/// recomputed before its gradient), "dots" (as blocks, but the results of
/// contractions are kept and only the ops between them recomputed).
llvm::ArrayRef<llvm::StringRef> recipeRematPolicies();

/// A number as %g spells it in messages: 0.1, 1e-08, -inf, 5.
std::string formatRecipeNumber(double v);

/// The valid values of `field` as a phrase: "a finite number > 0", "a
/// number in [0, 1)", "an integer >= 1", "two numbers in [0, 1)"; "" when
/// it has no range.
std::string describeRecipeRange(const RecipeField &field);

/// The valid values of numeric argument `arg` of recipe call `kind` (of
/// train setting `setting`, "optimizer" or "schedule"; `kind` "" for any)
/// as describeRecipeRange's phrase when `value` is not one of them; "" when
/// it is, or when the argument has no range. The check train blocks get,
/// for the flags that override them (loom train --lr).
std::string recipeRangeViolation(llvm::StringRef setting, llvm::StringRef kind,
                                 llvm::StringRef arg, double value);

/// How `data` reads its labels: "target" (a csv's regression target),
/// "names" or "numbers" (a csv's classes); "" for the other kinds.
llvm::StringRef labelKind(DataAttr data);

/// A csv's regression target columns in order (one, or several); empty
/// without a target.
llvm::SmallVector<llvm::StringRef> targetColumns(DataAttr data);

/// The attribute of setting `setting` (data, optimizer, schedule) of kind
/// `kind` with the arguments `args` (name -> value, each of its
/// RecipeArgType: FloatAttr or IntegerAttr for F64, IntegerAttr for I64,
/// BoolAttr, StringAttr, ArrayAttr of two numbers for F64Pair) and the
/// setting's location `loc` (optimizer, schedule); null, with an error
/// through `emitError`, when the verifier rejects it.
Attribute buildRecipeSetting(function_ref<InFlightDiagnostic()> emitError,
                             MLIRContext *ctx, llvm::StringRef setting,
                             llvm::StringRef kind, DictionaryAttr args,
                             LocationAttr loc);

} // namespace mlir::loom

#endif // LOOM_IR_LOOMRECIPE_H
