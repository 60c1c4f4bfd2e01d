//===- Check.h - Checking a program without compiling it --------*- C++ -*-===//
//
// Part of Loom. What `loom check FILE.loom` does: every check that needs no
// data and no backend, on files of models as well as whole programs.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_FRONTEND_CHECK_H
#define LOOM_FRONTEND_CHECK_H

#include "frontend/Diagnostics.h"
#include "frontend/Program.h"

#include "mlir/IR/MLIRContext.h"

#include <optional>

namespace mlir::loom {

/// What checkProgram looked at.
struct CheckSummary {
  unsigned models = 0;       ///< models of the main file
  unsigned instantiated = 0; ///< of them, those with every default
  unsigned trains = 0;       ///< train blocks, each lowered
};

/// Checks the main file of `program`: the names every model uses (and that
/// none uses what Loom does not implement yet), then each model whose
/// hyper-parameters all have defaults, instantiated and its forward
/// elaborated on inputs whose free dimensions are 1, then each train block,
/// lowered as `loom compile` lowers it. `ctx` must have the loom and func
/// dialects loaded. std::nullopt after the first failing step (with
/// diagnostics).
std::optional<CheckSummary> checkProgram(mlir::MLIRContext &ctx,
                                         const Program &program,
                                         DiagnosticEngine &diags);

} // namespace mlir::loom

#endif // LOOM_FRONTEND_CHECK_H
