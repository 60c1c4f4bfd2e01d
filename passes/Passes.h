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

#include <memory>

namespace mlir::loom {

#define GEN_PASS_DECL
#include "passes/Passes.h.inc"

#define GEN_PASS_REGISTRATION
#include "passes/Passes.h.inc"

} // namespace mlir::loom

#endif // LOOM_PASSES_PASSES_H
