//===- Interpreter.h - Running loom IR on the reference kernels -*- C++ -*-===//
//
// Part of Loom. Executes a verified func.func of loom ops on host tensors,
// op by op, with the reference kernels: slow, exact, and the oracle every
// other backend and every gradient is checked against. Collectives are the
// identity on one rank (a group of size 1).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_REFERENCE_INTERPRETER_H
#define LOOM_BACKENDS_REFERENCE_INTERPRETER_H

#include "backends/reference/Tensor.h"
#include "ir/ElementType.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinAttributes.h"

#include <optional>
#include <string>
#include <vector>

namespace mlir::loom::reference {

/// The element type of an MLIR element type, if supported (the compiler's
/// one conversion, ir/ElementType.h).
using mlir::loom::toDType;
/// A tensor holding the elements of a dense attribute.
std::optional<Tensor> fromAttr(mlir::DenseElementsAttr attr);

/// Runs `func` on `args`; on a run-time error (an index out of range, a
/// collective over more than one rank) reports it at the op through MLIR's
/// diagnostics and returns std::nullopt.
std::optional<std::vector<Tensor>> runFunction(mlir::func::FuncOp func,
                                               const std::vector<Tensor> &args);

} // namespace mlir::loom::reference

#endif // LOOM_BACKENDS_REFERENCE_INTERPRETER_H
