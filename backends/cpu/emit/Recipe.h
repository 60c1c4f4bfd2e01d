//===- Recipe.h - Module attributes the artifact records --------*- C++ -*-===//
//
// Part of Loom. The recipe (`loom.train`, a #loom.recipe) as the runtime's
// loom::train::Recipe and its JSON, a parameter's `loom.init` attribute as
// the runtime's InitSpec, and other attributes as JSON.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_EMIT_RECIPE_H
#define LOOM_BACKENDS_CPU_EMIT_RECIPE_H

#include "ir/LoomRecipe.h"
#include "runtime/Init.h"
#include "runtime/train/Recipe.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <string>

namespace mlir::loom::cpu {

/// `attr` as JSON: dictionaries become objects, arrays and i64 arrays
/// arrays, strings, numbers and booleans themselves, unit attributes true.
std::string toJson(mlir::Attribute attr);

/// The recipe the runtime follows, field for field.
::loom::train::Recipe recipeOf(mlir::loom::RecipeAttr recipe);

/// The recipe as the artifact stores it: recipeOf written by the runtime's
/// codec (loom::train::writeRecipe).
std::string recipeJson(mlir::loom::RecipeAttr recipe);

/// The init spec a `loom.init` dictionary records ({kind, mean, std, ...}).
::loom::InitSpec initSpecOf(mlir::DictionaryAttr attr);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_EMIT_RECIPE_H
