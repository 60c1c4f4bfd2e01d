//===- Passes.h - Loom's passes ---------------------------------*- C++ -*-===//
//
// Part of Loom. Declarations and registration of the passes in Passes.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_PASSES_H
#define LOOM_PASSES_PASSES_H

#include "ir/LoomDialect.h"

#include "mlir/IR/BuiltinOps.h"
#include "mlir/Pass/Pass.h"

#include <cstdint>
#include <memory>
#include <optional>

namespace mlir::loom {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

/// The overrides of --loom-override-recipe that are given; the others leave
/// the recipe's value.
struct RecipeOverrides {
  std::optional<int64_t> steps;
  std::optional<double> lr;
  std::optional<int64_t> seed;
};

/// --loom-override-recipe with the overrides in `overrides` only.
std::unique_ptr<Pass>
createLoomOverrideRecipe(const RecipeOverrides &overrides);

} // namespace mlir::loom

#endif // LOOM_PASSES_PASSES_H
