//===- LoomAttrs.h - Attributes of the loom dialect -------------*- C++ -*-===//
//
// Part of Loom. The enumerations of LoomAttrs.td.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_IR_LOOMATTRS_H
#define LOOM_IR_LOOMATTRS_H

#include "mlir/IR/BuiltinAttributes.h"

#include "ir/LoomEnums.h.inc"

#endif // LOOM_IR_LOOMATTRS_H
