//===- Autodiff.h - Reverse-mode differentiation as a function --*- C++ -*-===//
//
// Part of Loom. What --loom-autodiff does (Passes.td), callable from another
// pass without a nested pass manager (whose instrumentation would report a
// second loom-autodiff run): --loom-build-input-grad-step differentiates
// the model's output with respect to its input with it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_PASSES_AUTODIFF_AUTODIFF_H
#define LOOM_PASSES_AUTODIFF_AUTODIFF_H

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"

namespace mlir::loom {

/// Builds `@<fn>_grad` next to `fn` (which returns one floating-point
/// scalar): its arguments, and the results (value, d_arg...) for every
/// trainable parameter, or with `wrt` not empty for every argument whose
/// `loom.input` is `wrt`. Errors are emitted at the op; failure then.
FailureOr<func::FuncOp> differentiate(ModuleOp module, func::FuncOp fn,
                                      StringRef wrt);

} // namespace mlir::loom

#endif // LOOM_PASSES_AUTODIFF_AUTODIFF_H
