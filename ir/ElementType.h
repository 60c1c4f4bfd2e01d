//===- ElementType.h - MLIR element types as the runtime's DType -*- C++
//-*-===//
//
// Part of Loom. The one conversion between the IR's element types and the
// runtime's loom::DType (runtime/DType.h), which the backends, the reference
// interpreter and the tools use.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_ELEMENTTYPE_H
#define LOOM_IR_ELEMENTTYPE_H

#include "runtime/DType.h"

#include "mlir/IR/Types.h"

#include <optional>

namespace mlir::loom {

/// The DType of element type `type`; none for a type the IR does not allow
/// (LoomTypes.td: f32, f64, bf16, f16, i32, i64, i1).
std::optional<::loom::DType> toDType(Type type);

/// The element type of `dtype`.
Type toElementType(MLIRContext *ctx, ::loom::DType dtype);

} // namespace mlir::loom

#endif // LOOM_IR_ELEMENTTYPE_H
