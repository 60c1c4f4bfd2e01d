//===- LoomDialect.cpp - The loom dialect ---------------------------------===//
//
// Part of Loom. This file implements the dialect class: op and attribute
// registration and constant materialization (so that folders may return
// attributes).
//
//===----------------------------------------------------------------------===//

#include "ir/LoomDialect.h"
#include "ir/LoomOps.h"
#include "ir/LoomRecipe.h"

#include "mlir/IR/Builders.h"

using namespace mlir;
using namespace mlir::loom;

#include "ir/LoomDialect.cpp.inc"
#include "ir/LoomEnums.cpp.inc"
#include "ir/LoomInterfaces.cpp.inc"

void LoomDialect::initialize() {
  addOperations<
#define GET_OP_LIST
#include "ir/LoomOps.cpp.inc"
      >();
  registerRecipeAttributes();
}

Operation *LoomDialect::materializeConstant(OpBuilder &builder, Attribute value,
                                            Type type, Location loc) {
  auto elements = dyn_cast<ElementsAttr>(value);
  if (!elements || elements.getType() != type)
    return nullptr;
  return builder.create<ConstantOp>(loc, elements);
}
