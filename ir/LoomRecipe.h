//===- LoomRecipe.h - The training recipe attribute -------------*- C++ -*-===//
//
// Part of Loom. The recipe attributes of LoomRecipe.td and the schema of
// a train block's calls (data, optimizer, schedule): each kind's arguments
// in order, with their types and defaults, which the frontend parses calls
// by and the attributes' verifiers check against.
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

/// One argument of a recipe call: its name, type and default (as Loom
/// source text; "" when required, "-" when optional without a default),
/// and for a string argument with a fixed set of values, those values.
struct RecipeArg {
  const char *name;
  RecipeArgType type;
  const char *dflt;
  std::vector<llvm::StringRef> values = {};
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

/// How `data` reads its labels: "target" (a csv's regression target),
/// "names" or "numbers" (a csv's classes); "" for the other kinds.
llvm::StringRef labelKind(DataAttr data);

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
