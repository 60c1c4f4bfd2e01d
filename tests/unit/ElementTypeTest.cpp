//===- ElementTypeTest.cpp - MLIR element types as loom::DType ------------===//
//
// Part of Loom. The compiler's one conversion between the IR's element types
// and the runtime's DType (ir/ElementType.h): every type the IR allows maps
// to a DType and back to itself, every DType to a type and back, and the
// on-disk codes and sizes stay what artifacts and checkpoints hold.
//
//===----------------------------------------------------------------------===//

#include "ir/ElementType.h"

#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/MLIRContext.h"

#include <gtest/gtest.h>

using ::loom::DType;

namespace {

TEST(ElementType, EveryIrTypeMapsToADTypeAndBack) {
  mlir::MLIRContext ctx;
  mlir::Builder b(&ctx);
  const std::pair<mlir::Type, DType> pairs[] = {
      {b.getF32Type(), DType::F32}, {b.getF64Type(), DType::F64},
      {b.getF16Type(), DType::F16}, {b.getBF16Type(), DType::BF16},
      {b.getI32Type(), DType::I32}, {b.getI64Type(), DType::I64},
      {b.getI1Type(), DType::I1}};
  for (auto [type, dtype] : pairs) {
    EXPECT_EQ(mlir::loom::toDType(type), dtype) << ::loom::dtypeName(dtype);
    EXPECT_EQ(mlir::loom::toElementType(&ctx, dtype), type)
        << ::loom::dtypeName(dtype);
  }
}

TEST(ElementType, TypesTheIrDoesNotAllowHaveNone) {
  mlir::MLIRContext ctx;
  mlir::Builder b(&ctx);
  EXPECT_FALSE(mlir::loom::toDType(b.getI8Type()).has_value());
  EXPECT_FALSE(mlir::loom::toDType(b.getIndexType()).has_value());
}

TEST(ElementType, CodesAndSizesAreStable) {
  // The codes are on disk in every artifact and checkpoint.
  EXPECT_EQ(static_cast<int>(DType::F32), 1);
  EXPECT_EQ(static_cast<int>(DType::I1), 7);
  EXPECT_EQ(::loom::dtypeSize(DType::BF16), 2u);
  EXPECT_EQ(::loom::dtypeSize(DType::I1), 1u);
  EXPECT_EQ(::loom::dtypeSize(DType(0)), 0u);
  EXPECT_STREQ(::loom::dtypeName(DType::BF16), "bf16");
  EXPECT_TRUE(::loom::isFloat(DType::F16));
  EXPECT_FALSE(::loom::isFloat(DType::I64));
}

} // namespace
