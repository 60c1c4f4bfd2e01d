//===- Recipe.h - Module attributes the artifact records ---------*- C++
//-*-===//
//
// Part of Loom. The recipe (`loom.train`) as the JSON text the artifact
// stores, and a parameter's `loom.init` attribute as the runtime's
// InitSpec.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_EMIT_RECIPE_H
#define LOOM_BACKENDS_CPU_EMIT_RECIPE_H

#include "runtime/Init.h"

#include "mlir/IR/Attributes.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <string>

namespace loom::cpu {

/// `attr` as JSON: dictionaries become objects, arrays and i64 arrays
/// arrays, strings, numbers and booleans themselves, unit attributes true.
std::string toJson(mlir::Attribute attr);

/// The init spec a `loom.init` dictionary records ({kind, mean, std, ...}).
loom::InitSpec initSpecOf(mlir::DictionaryAttr attr);

} // namespace loom::cpu

#endif // LOOM_BACKENDS_CPU_EMIT_RECIPE_H
