//===- LoomOps.h - Ops of the loom dialect ----------------------*- C++ -*-===//
//
// Part of Loom. Declares the op classes generated from LoomOps.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMOPS_H
#define LOOM_IR_LOOMOPS_H

#include "ir/LoomAttrs.h"
#include "ir/LoomDialect.h"
#include "ir/LoomInterfaces.h"

#include "mlir/Bytecode/BytecodeOpInterface.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/OpImplementation.h"
#include "mlir/Interfaces/InferTypeOpInterface.h"
#include "mlir/Interfaces/SideEffectInterfaces.h"

#define GET_OP_CLASSES
#include "ir/LoomOps.h.inc"

#endif // LOOM_IR_LOOMOPS_H
