//===- LoomDialect.h - The loom dialect -------------------------*- C++ -*-===//
//
// Part of Loom. Declares the `loom` dialect class.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMDIALECT_H
#define LOOM_IR_LOOMDIALECT_H

#include "mlir/IR/Dialect.h"

#include "ir/LoomDialect.h.inc"

#endif // LOOM_IR_LOOMDIALECT_H
