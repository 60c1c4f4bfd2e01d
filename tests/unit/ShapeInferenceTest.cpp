//===- ShapeInferenceTest.cpp - Unit tests of the shape rules -------------===//
//
// Part of Loom. Placeholder replaced below.
//
//===----------------------------------------------------------------------===//
#include "ir/ShapeInference.h"
#include <gtest/gtest.h>
TEST(BroadcastShapes, Trivial) {
  auto r = mlir::loom::broadcastShapes({2, 1}, {3});
  ASSERT_TRUE(succeeded(r));
  EXPECT_EQ((*r)[0], 2);
  EXPECT_EQ((*r)[1], 3);
}
