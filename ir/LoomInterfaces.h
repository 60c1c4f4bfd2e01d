//===- LoomInterfaces.h - Op interfaces of the loom dialect -----*- C++ -*-===//
//
// Part of Loom. The op interfaces of LoomInterfaces.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMINTERFACES_H
#define LOOM_IR_LOOMINTERFACES_H

#include "ir/LoomAttrs.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/OpDefinition.h"
#include "mlir/IR/TypeUtilities.h"

#include "ir/LoomInterfaces.h.inc"

#endif // LOOM_IR_LOOMINTERFACES_H
