//===- ShapeInferenceTest.cpp - Unit tests of the shape rules -------------===//
//
// Part of Loom. This file tests the free functions of ir/ShapeInference.h
// directly, without building ops: the type each rule infers on valid inputs
// (edge cases included: size-1 and zero-size dimensions, rank 0) and the exact
// diagnostic of every failure. Every failing case is also rerun without a
// location, which must fail without a diagnostic. Sections follow
// ShapeInference.h, which follows LoomOps.td.
//
//===----------------------------------------------------------------------===//

#include "ir/ShapeInference.h"

#include "mlir/IR/Block.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinTypes.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "llvm/ADT/STLExtras.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::loom;

namespace {

using Ints = SmallVector<int64_t>;
using Types = SmallVector<RankedTensorType>;
using Names = SmallVector<StringRef>;
using ::testing::StartsWith;

/// Attributes may hold any int64 value; the rules must not wrap around.
constexpr int64_t kMax = std::numeric_limits<int64_t>::max();

/// The printed form of a type, so that expectations read like IR.
std::string str(Type type) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << type;
  return out;
}

/// A shape printed as "[a, b]", as the diagnostics print attribute arrays.
std::string str(ArrayRef<int64_t> shape) {
  std::string out = "[";
  for (auto [i, d] : llvm::enumerate(shape))
    out += (i ? ", " : "") + std::to_string(d);
  return out + "]";
}

/// broadcastShapes() as one printable value: the shape, or "failure".
std::string bcast(ArrayRef<int64_t> lhs, ArrayRef<int64_t> rhs) {
  FailureOr<SmallVector<int64_t>> shape = broadcastShapes(lhs, rhs);
  return failed(shape) ? "failure" : str(*shape);
}

/// The type-level overload of inferBinaryElementwiseOp(), which a template
/// cannot take by name because the Value-level overload shares it.
LogicalResult inferBinaryTypes(std::optional<Location> loc,
                               RankedTensorType lhs, RankedTensorType rhs,
                               SmallVectorImpl<Type> &results) {
  return inferBinaryElementwiseOp(loc, lhs, rhs, results);
}

/// The PyTorch output size of a convolution or pooling along one dimension:
/// floor((in + pads - dilation * (kernel - 1) - 1) / stride) + 1.
int64_t torchOutputSize(int64_t in, int64_t padBefore, int64_t padAfter,
                        int64_t kernel, int64_t stride, int64_t dilation) {
  return (in + padBefore + padAfter - dilation * (kernel - 1) - 1) / stride + 1;
}

/// Collects the context's diagnostics and runs rules at an unknown location.
class ShapeInferenceTest : public ::testing::Test {
protected:
  ShapeInferenceTest()
      : handler(&ctx, [this](Diagnostic &diag) {
          diagnostics.push_back(diag.str());
          return success();
        }) {}

  /// A statically shaped tensor type, f32 unless `element` is given.
  RankedTensorType t(ArrayRef<int64_t> shape, Type element = {}) {
    return RankedTensorType::get(shape, element ? element : f32);
  }

  /// Runs an inference rule `rule(loc, args..., results)`. Returns the printed
  /// inferred type, or "error: " and the diagnostic text (several joined by
  /// " | "). A failure is rerun with std::nullopt as location; if that
  /// succeeds or reports anything, the returned text says so, so that the
  /// expectation fails.
  template <typename Rule, typename... Args>
  std::string infer(Rule rule, const Args &...args) {
    SmallVector<Type> results;
    return outcome(
        [&](std::optional<Location> where) {
          results.clear();
          return rule(where, args..., results);
        },
        results);
  }

  /// Like infer() for a verifier `rule(loc, args...)`: "ok" or "error: ...".
  template <typename Rule, typename... Args>
  std::string check(Rule rule, const Args &...args) {
    SmallVector<Type> none;
    return outcome(
        [&](std::optional<Location> where) { return rule(where, args...); },
        none);
  }

  /// Runs `run` at `loc`, then (on failure) without a location; see infer().
  std::string outcome(function_ref<LogicalResult(std::optional<Location>)> run,
                      SmallVectorImpl<Type> &results) {
    diagnostics.clear();
    if (succeeded(run(loc))) {
      if (!diagnostics.empty())
        return "success with diagnostics: " + llvm::join(diagnostics, " | ");
      if (results.empty())
        return "ok";
      std::vector<std::string> printed;
      for (Type type : results)
        printed.push_back(str(type));
      return llvm::join(printed, ", ");
    }
    std::string out = diagnostics.empty()
                          ? std::string("error without a diagnostic")
                          : "error: " + llvm::join(diagnostics, " | ");
    if (!results.empty())
      out += " (but left results behind)";
    diagnostics.clear();
    if (succeeded(run(std::nullopt)))
      out += " (but succeeded without a location)";
    else if (!diagnostics.empty())
      out += " (but reported without a location: " +
             llvm::join(diagnostics, " | ") + ")";
    return out;
  }

  MLIRContext ctx;
  std::vector<std::string> diagnostics;
  ScopedDiagnosticHandler handler;
  Location loc = UnknownLoc::get(&ctx);
  Builder b{&ctx};
  Type f32 = b.getF32Type();
  Type f16 = b.getF16Type();
  Type bf16 = b.getBF16Type();
  Type i1 = b.getI1Type();
  Type i32 = b.getI32Type();
  Type i64 = b.getI64Type();
};

//===----------------------------------------------------------------------===//
// Broadcasting
//===----------------------------------------------------------------------===//

TEST(BroadcastShapes, EqualShapes) {
  EXPECT_EQ(bcast({2, 3}, {2, 3}), "[2, 3]");
  EXPECT_EQ(bcast({7}, {7}), "[7]");
  EXPECT_EQ(bcast({1, 1}, {1, 1}), "[1, 1]");
}

TEST(BroadcastShapes, RankZeroScalars) {
  EXPECT_EQ(bcast({}, {}), "[]");
  EXPECT_EQ(bcast({}, {4, 5}), "[4, 5]");
  EXPECT_EQ(bcast({4, 5}, {}), "[4, 5]");
  EXPECT_EQ(bcast({}, {1}), "[1]");
}

TEST(BroadcastShapes, SizeOneOnEitherSide) {
  EXPECT_EQ(bcast({1}, {7}), "[7]");
  EXPECT_EQ(bcast({7}, {1}), "[7]");
  EXPECT_EQ(bcast({2, 1}, {1, 3}), "[2, 3]");
  EXPECT_EQ(bcast({1, 3}, {2, 1}), "[2, 3]");
  EXPECT_EQ(bcast({4, 1, 6}, {4, 5, 1}), "[4, 5, 6]");
}

TEST(BroadcastShapes, DifferentRanks) {
  // The examples of NumPy's broadcasting documentation.
  EXPECT_EQ(bcast({8, 1, 6, 1}, {7, 1, 5}), "[8, 7, 6, 5]");
  EXPECT_EQ(bcast({256, 256, 3}, {3}), "[256, 256, 3]");
  EXPECT_EQ(bcast({15, 3, 5}, {15, 1, 5}), "[15, 3, 5]");
  EXPECT_EQ(bcast({15, 3, 5}, {3, 1}), "[15, 3, 5]");
  EXPECT_EQ(bcast({5, 4}, {1}), "[5, 4]");
  EXPECT_EQ(bcast({4}, {5, 4}), "[5, 4]");
  EXPECT_EQ(bcast({1}, {2, 3, 4}), "[2, 3, 4]");
}

TEST(BroadcastShapes, IncompatibleDims) {
  EXPECT_EQ(bcast({3}, {4}), "failure");
  EXPECT_EQ(bcast({2, 3}, {3, 2}), "failure");
  EXPECT_EQ(bcast({2, 1}, {8, 4, 3}), "failure");
  EXPECT_EQ(bcast({4, 3}, {4}), "failure");
  EXPECT_EQ(bcast({2, 3}, {5, 1, 1}), "[5, 2, 3]");
}

TEST(BroadcastShapes, ZeroSizeDims) {
  // 0 behaves like any size other than 1: it absorbs a 1, conflicts with 2.
  EXPECT_EQ(bcast({0}, {0}), "[0]");
  EXPECT_EQ(bcast({0}, {1}), "[0]");
  EXPECT_EQ(bcast({1}, {0}), "[0]");
  EXPECT_EQ(bcast({0, 3}, {3}), "[0, 3]");
  EXPECT_EQ(bcast({}, {0}), "[0]");
  EXPECT_EQ(bcast({0}, {2}), "failure");
  EXPECT_EQ(bcast({2, 0}, {2, 3}), "failure");
}

TEST(BroadcastShapes, IsSymmetric) {
  std::vector<Ints> shapes = {{},     {1},    {3},       {0},      {2, 1},
                              {1, 3}, {2, 3}, {4, 1, 3}, {1, 0, 1}};
  for (const Ints &lhs : shapes)
    for (const Ints &rhs : shapes)
      EXPECT_EQ(bcast(lhs, rhs), bcast(rhs, lhs))
          << str(lhs) << " with " << str(rhs);
}

TEST(IsBroadcastableTo, EqualAndScalar) {
  EXPECT_TRUE(isBroadcastableTo({2, 3}, {2, 3}));
  EXPECT_TRUE(isBroadcastableTo({}, {}));
  EXPECT_TRUE(isBroadcastableTo({}, {2, 3}));
  EXPECT_FALSE(isBroadcastableTo({2, 3}, {}));
}

TEST(IsBroadcastableTo, SizeOneAndRanks) {
  EXPECT_TRUE(isBroadcastableTo({1, 3}, {2, 3}));
  EXPECT_TRUE(isBroadcastableTo({2, 1}, {2, 3}));
  EXPECT_TRUE(isBroadcastableTo({3}, {2, 3}));
  EXPECT_TRUE(isBroadcastableTo({1}, {4, 5, 6}));
  EXPECT_TRUE(isBroadcastableTo({768}, {8, 256, 768}));
  // One direction only: the target never broadcasts back.
  EXPECT_FALSE(isBroadcastableTo({2, 3}, {2, 1}));
  EXPECT_FALSE(isBroadcastableTo({2, 3}, {3}));
  EXPECT_FALSE(isBroadcastableTo({3}, {1}));
}

TEST(IsBroadcastableTo, IncompatibleAndZeroSize) {
  EXPECT_FALSE(isBroadcastableTo({3}, {4}));
  EXPECT_FALSE(isBroadcastableTo({4, 3}, {4}));
  EXPECT_FALSE(isBroadcastableTo({2}, {2, 3}));
  EXPECT_TRUE(isBroadcastableTo({0}, {0}));
  EXPECT_TRUE(isBroadcastableTo({1}, {0}));
  EXPECT_TRUE(isBroadcastableTo({0}, {5, 0}));
  EXPECT_FALSE(isBroadcastableTo({0}, {1}));
  EXPECT_FALSE(isBroadcastableTo({0}, {2}));
}

TEST_F(ShapeInferenceTest, InferBroadcastShapeOfThreeOperands) {
  auto shape = inferBroadcastShape(
      loc, {{"a", t({4, 1, 1})}, {"b", t({3, 1})}, {"c", t({5})}});
  ASSERT_TRUE(succeeded(shape));
  EXPECT_EQ(str(*shape), "[4, 3, 5]");
  EXPECT_TRUE(diagnostics.empty());

  shape = inferBroadcastShape(loc, {{"a", t({})}, {"b", t({})}, {"c", t({})}});
  ASSERT_TRUE(succeeded(shape));
  EXPECT_EQ(str(*shape), "[]");

  shape = inferBroadcastShape(loc, {});
  ASSERT_TRUE(succeeded(shape));
  EXPECT_EQ(str(*shape), "[]");
}

TEST_F(ShapeInferenceTest, InferBroadcastShapeNamesConflictingOperands) {
  // c conflicts with a (b is compatible with both).
  EXPECT_TRUE(failed(inferBroadcastShape(
      loc, {{"a", t({2, 3})}, {"b", t({1, 3})}, {"c", t({4, 1})}})));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0],
            "operands are not broadcast-compatible: a 'tensor<2x3xf32>' has 2 "
            "at dimension 0 where c 'tensor<4x1xf32>' has 4 at dimension 0");

  // The conflicting 3 comes from b, not a.
  diagnostics.clear();
  EXPECT_TRUE(failed(inferBroadcastShape(
      loc, {{"a", t({1, 5})}, {"b", t({3, 1})}, {"c", t({4, 1})}})));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0],
            "operands are not broadcast-compatible: b 'tensor<3x1xf32>' has 3 "
            "at dimension 0 where c 'tensor<4x1xf32>' has 4 at dimension 0");

  // Dimensions are numbered within each operand, not in the broadcast shape.
  diagnostics.clear();
  EXPECT_TRUE(failed(inferBroadcastShape(
      loc, {{"a", t({6})}, {"b", t({2, 1, 1})}, {"c", t({2, 5})}})));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0],
            "operands are not broadcast-compatible: a 'tensor<6xf32>' has 6 at "
            "dimension 0 where c 'tensor<2x5xf32>' has 5 at dimension 1");

  // The second operand already conflicts.
  diagnostics.clear();
  EXPECT_TRUE(failed(
      inferBroadcastShape(loc, {{"x", t({0})}, {"y", t({2})}, {"z", t({1})}})));
  ASSERT_EQ(diagnostics.size(), 1u);
  EXPECT_EQ(diagnostics[0],
            "operands are not broadcast-compatible: x 'tensor<0xf32>' has 0 at "
            "dimension 0 where y 'tensor<2xf32>' has 2 at dimension 0");

  diagnostics.clear();
  EXPECT_TRUE(failed(inferBroadcastShape(
      std::nullopt, {{"a", t({2, 3})}, {"b", t({1, 3})}, {"c", t({4, 1})}})));
  EXPECT_TRUE(diagnostics.empty());
}

//===----------------------------------------------------------------------===//
// Entry points over values
//===----------------------------------------------------------------------===//

TEST_F(ShapeInferenceTest, GetStaticTensorType) {
  Block block;
  Value good = block.addArgument(t({2, 3}), loc);
  Value unranked = block.addArgument(UnrankedTensorType::get(f32), loc);
  Value dynamic = block.addArgument(
      RankedTensorType::get({ShapedType::kDynamic, 4}, f32), loc);
  Value scalar = block.addArgument(f32, loc);

  FailureOr<RankedTensorType> type = getStaticTensorType(loc, good, "lhs");
  ASSERT_TRUE(succeeded(type));
  EXPECT_EQ(*type, t({2, 3}));
  EXPECT_TRUE(diagnostics.empty());

  auto error = [&](Value value, StringRef name) {
    diagnostics.clear();
    if (succeeded(getStaticTensorType(loc, value, name)))
      return std::string("success");
    std::string out = llvm::join(diagnostics, " | ");
    diagnostics.clear();
    if (succeeded(getStaticTensorType(std::nullopt, value, name)) ||
        !diagnostics.empty())
      out += " (but not silent without a location)";
    return out;
  };
  EXPECT_EQ(error(Value(), "lhs"), "lhs is missing");
  EXPECT_EQ(error(unranked, "lhs"),
            "lhs must be a statically shaped tensor, not 'tensor<*xf32>'");
  EXPECT_EQ(error(dynamic, "rhs"),
            "rhs must be a statically shaped tensor, not 'tensor<?x4xf32>'");
  EXPECT_EQ(error(scalar, "input"),
            "input must be a statically shaped tensor, not 'f32'");
}

TEST_F(ShapeInferenceTest, InferSameTypeAsOperand) {
  Block block;
  Value good = block.addArgument(t({8, 256, 768}, bf16), loc);
  Value scalar = block.addArgument(t({}), loc);
  Value dynamic = block.addArgument(
      RankedTensorType::get({ShapedType::kDynamic}, f32), loc);
  EXPECT_EQ(infer(inferSameTypeAsOperand, good), "tensor<8x256x768xbf16>");
  EXPECT_EQ(infer(inferSameTypeAsOperand, scalar), "tensor<f32>");
  EXPECT_EQ(infer(inferSameTypeAsOperand, dynamic),
            "error: operand must be a statically shaped tensor, not "
            "'tensor<?xf32>'");
}

TEST_F(ShapeInferenceTest, InferBinaryElementwiseOpOverValues) {
  Block block;
  Value x = block.addArgument(t({4, 8}), loc);
  Value bias = block.addArgument(t({8}), loc);
  Value other = block.addArgument(t({3}), loc);
  Value dynamic = block.addArgument(
      RankedTensorType::get({ShapedType::kDynamic}, f32), loc);
  LogicalResult (*rule)(RuleLoc, Value, Value, SmallVectorImpl<Type> &) =
      inferBinaryElementwiseOp;
  EXPECT_EQ(infer(rule, x, bias), "tensor<4x8xf32>");
  EXPECT_EQ(infer(rule, bias, x), "tensor<4x8xf32>");
  EXPECT_EQ(infer(rule, dynamic, x),
            "error: lhs must be a statically shaped tensor, not "
            "'tensor<?xf32>'");
  EXPECT_EQ(infer(rule, x, dynamic),
            "error: rhs must be a statically shaped tensor, not "
            "'tensor<?xf32>'");
  EXPECT_EQ(infer(rule, x, Value()), "error: rhs is missing");
  EXPECT_EQ(
      infer(rule, bias, other),
      "error: operands are not broadcast-compatible: lhs "
      "'tensor<8xf32>' has 8 at dimension 0 where rhs 'tensor<3xf32>' has "
      "3 at dimension 0");
}

TEST_F(ShapeInferenceTest, DiagnosticsCarryTheGivenLocation) {
  Location fileLoc = FileLineColLoc::get(&ctx, "model.loom", 3, 7);
  std::vector<Location> locations;
  ScopedDiagnosticHandler capture(&ctx, [&](Diagnostic &diag) {
    locations.push_back(diag.getLocation());
    return success();
  });
  SmallVector<Type> results;
  EXPECT_TRUE(failed(
      inferMatmulOp(fileLoc, t({2, 3}), t({4, 5}), false, false, results)));
  ASSERT_EQ(locations.size(), 1u);
  EXPECT_EQ(locations[0], fileLoc);
  EXPECT_TRUE(results.empty());
}

TEST_F(ShapeInferenceTest, NoLocationMeansNoDiagnostic) {
  // infer()/check() rerun every failing case without a location; this spells
  // the contract out once for a few rules.
  SmallVector<Type> results;
  EXPECT_TRUE(failed(inferBinaryTypes(std::nullopt, t({3}), t({4}), results)));
  EXPECT_TRUE(failed(inferMatmulOp(std::nullopt, t({2, 3}), t({4, 5}), false,
                                   false, results)));
  EXPECT_TRUE(failed(inferConcatOp(std::nullopt, {}, 0, results)));
  EXPECT_TRUE(failed(verifyReshapeOp(std::nullopt, t({2, 3}), t({7}))));
  EXPECT_TRUE(failed(verifyCollectiveGroup(std::nullopt, {}, 4)));
  EXPECT_TRUE(results.empty());
  EXPECT_TRUE(diagnostics.empty());
}

//===----------------------------------------------------------------------===//
// Elementwise binary, compare, select
//===----------------------------------------------------------------------===//

TEST_F(ShapeInferenceTest, BinaryElementwiseValid) {
  EXPECT_EQ(infer(inferBinaryTypes, t({4, 8}), t({4, 8})), "tensor<4x8xf32>");
  EXPECT_EQ(infer(inferBinaryTypes, t({8, 256, 768}), t({768})),
            "tensor<8x256x768xf32>");
  EXPECT_EQ(infer(inferBinaryTypes, t({}), t({2, 3})), "tensor<2x3xf32>");
  EXPECT_EQ(infer(inferBinaryTypes, t({}), t({})), "tensor<f32>");
  EXPECT_EQ(infer(inferBinaryTypes, t({4, 1}), t({1, 5})), "tensor<4x5xf32>");
  EXPECT_EQ(infer(inferBinaryTypes, t({0, 1}), t({3})), "tensor<0x3xf32>");
  EXPECT_EQ(infer(inferBinaryTypes, t({2}, i32), t({1}, i32)), "tensor<2xi32>");
  EXPECT_EQ(infer(inferBinaryTypes, t({2}, bf16), t({2}, bf16)),
            "tensor<2xbf16>");
}

TEST_F(ShapeInferenceTest, BinaryElementwiseErrors) {
  EXPECT_EQ(infer(inferBinaryTypes, t({4}), t({4}, f16)),
            "error: element types differ: lhs is 'tensor<4xf32>' but rhs is "
            "'tensor<4xf16>'");
  // The element types are checked before the shapes.
  EXPECT_EQ(infer(inferBinaryTypes, t({3}, i32), t({4})),
            "error: element types differ: lhs is 'tensor<3xi32>' but rhs is "
            "'tensor<4xf32>'");
  EXPECT_EQ(infer(inferBinaryTypes, t({3}), t({4})),
            "error: operands are not broadcast-compatible: lhs 'tensor<3xf32>' "
            "has 3 at dimension 0 where rhs 'tensor<4xf32>' has 4 at "
            "dimension 0");
  EXPECT_EQ(
      infer(inferBinaryTypes, t({2, 3}), t({5, 2, 4})),
      "error: operands are not broadcast-compatible: lhs "
      "'tensor<2x3xf32>' has 3 at dimension 1 where rhs 'tensor<5x2x4xf32>' "
      "has 4 at dimension 2");
}

TEST_F(ShapeInferenceTest, CompareValid) {
  EXPECT_EQ(infer(inferCompareOp, t({4, 8}), t({})), "tensor<4x8xi1>");
  EXPECT_EQ(infer(inferCompareOp, t({4, 1}, i32), t({1, 3}, i32)),
            "tensor<4x3xi1>");
  EXPECT_EQ(infer(inferCompareOp, t({2}, i1), t({2}, i1)), "tensor<2xi1>");
  EXPECT_EQ(infer(inferCompareOp, t({}), t({})), "tensor<i1>");
}

TEST_F(ShapeInferenceTest, CompareErrors) {
  EXPECT_EQ(infer(inferCompareOp, t({4}, i32), t({4}, i64)),
            "error: element types differ: lhs is 'tensor<4xi32>' but rhs is "
            "'tensor<4xi64>'");
  EXPECT_EQ(
      infer(inferCompareOp, t({2, 3}), t({3, 2})),
      "error: operands are not broadcast-compatible: lhs "
      "'tensor<2x3xf32>' has 3 at dimension 1 where rhs 'tensor<3x2xf32>' "
      "has 2 at dimension 1");
}

TEST_F(ShapeInferenceTest, SelectValid) {
  EXPECT_EQ(infer(inferSelectOp, t({4, 1}, i1), t({1, 8}), t({})),
            "tensor<4x8xf32>");
  EXPECT_EQ(infer(inferSelectOp, t({}, i1), t({2, 3}, i32), t({2, 3}, i32)),
            "tensor<2x3xi32>");
  EXPECT_EQ(infer(inferSelectOp, t({5}, i1), t({}, bf16), t({}, bf16)),
            "tensor<5xbf16>");
}

TEST_F(ShapeInferenceTest, SelectErrors) {
  EXPECT_EQ(infer(inferSelectOp, t({4}, i1), t({4}), t({4}, f16)),
            "error: element types differ: on_true is 'tensor<4xf32>' but "
            "on_false is 'tensor<4xf16>'");
  EXPECT_EQ(infer(inferSelectOp, t({3}, i1), t({4}), t({4})),
            "error: operands are not broadcast-compatible: condition "
            "'tensor<3xi1>' has 3 at dimension 0 where on_true 'tensor<4xf32>' "
            "has 4 at dimension 0");
  EXPECT_EQ(infer(inferSelectOp, t({4, 1}, i1), t({1, 8}), t({5, 1})),
            "error: operands are not broadcast-compatible: condition "
            "'tensor<4x1xi1>' has 4 at dimension 0 where on_false "
            "'tensor<5x1xf32>' has 5 at dimension 0");
  EXPECT_EQ(infer(inferSelectOp, t({1}, i1), t({1, 8}), t({7})),
            "error: operands are not broadcast-compatible: on_true "
            "'tensor<1x8xf32>' has 8 at dimension 1 where on_false "
            "'tensor<7xf32>' has 7 at dimension 0");
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

TEST_F(ShapeInferenceTest, BroadcastValid) {
  EXPECT_EQ(check(verifyBroadcastOp, t({768}), t({8, 256, 768})), "ok");
  EXPECT_EQ(check(verifyBroadcastOp, t({}), t({2, 3})), "ok");
  EXPECT_EQ(check(verifyBroadcastOp, t({}), t({})), "ok");
  EXPECT_EQ(check(verifyBroadcastOp, t({1, 3}), t({2, 3})), "ok");
  EXPECT_EQ(check(verifyBroadcastOp, t({2, 1}), t({5, 2, 7})), "ok");
  EXPECT_EQ(check(verifyBroadcastOp, t({2, 3}, i32), t({2, 3}, i32)), "ok");
  EXPECT_EQ(check(verifyBroadcastOp, t({1}), t({0})), "ok");
}

TEST_F(ShapeInferenceTest, BroadcastErrors) {
  EXPECT_EQ(check(verifyBroadcastOp, t({3}), t({3}, f16)),
            "error: element types differ: input is 'tensor<3xf32>' but result "
            "is 'tensor<3xf16>'");
  EXPECT_EQ(check(verifyBroadcastOp, t({2, 3}), t({3})),
            "error: input 'tensor<2x3xf32>' has rank 2, more than result "
            "'tensor<3xf32>' of rank 1");
  EXPECT_EQ(check(verifyBroadcastOp, t({3, 1}), t({2, 4, 5})),
            "error: input 'tensor<3x1xf32>' does not broadcast to result "
            "'tensor<2x4x5xf32>': input dimension 0 is 3 but result dimension "
            "1 is 4");
  // One direction only: a 1 in the result does not take a larger input.
  EXPECT_EQ(check(verifyBroadcastOp, t({2, 3}), t({2, 1})),
            "error: input 'tensor<2x3xf32>' does not broadcast to result "
            "'tensor<2x1xf32>': input dimension 1 is 3 but result dimension 1 "
            "is 1");
  EXPECT_EQ(check(verifyBroadcastOp, t({0}), t({1})),
            "error: input 'tensor<0xf32>' does not broadcast to result "
            "'tensor<1xf32>': input dimension 0 is 0 but result dimension 0 is "
            "1");
}

TEST_F(ShapeInferenceTest, ReshapeValid) {
  EXPECT_EQ(check(verifyReshapeOp, t({8, 256, 768}), t({2048, 768})), "ok");
  EXPECT_EQ(check(verifyReshapeOp, t({}), t({1, 1})), "ok");
  EXPECT_EQ(check(verifyReshapeOp, t({1}), t({})), "ok");
  EXPECT_EQ(check(verifyReshapeOp, t({0, 4}), t({2, 0})), "ok");
  EXPECT_EQ(check(verifyReshapeOp, t({6}, i64), t({2, 3}, i64)), "ok");
}

TEST_F(ShapeInferenceTest, ReshapeErrors) {
  EXPECT_EQ(check(verifyReshapeOp, t({2, 3}), t({7})),
            "error: input 'tensor<2x3xf32>' has 6 elements but result "
            "'tensor<7xf32>' has 7");
  EXPECT_EQ(check(verifyReshapeOp, t({0}), t({})),
            "error: input 'tensor<0xf32>' has 0 elements but result "
            "'tensor<f32>' has 1");
  EXPECT_EQ(check(verifyReshapeOp, t({6}), t({2, 3}, i32)),
            "error: element types differ: input is 'tensor<6xf32>' but result "
            "is 'tensor<2x3xi32>'");
}

TEST_F(ShapeInferenceTest, ReshapeElementCountOverflow) {
  int64_t big = int64_t(1) << 40;
  EXPECT_EQ(check(verifyReshapeOp, t({big, big}), t({1})),
            "error: the element count of input "
            "'tensor<1099511627776x1099511627776xf32>' overflows a 64-bit "
            "size");
}

TEST_F(ShapeInferenceTest, TransposeValid) {
  EXPECT_EQ(infer(inferTransposeOp, t({2, 3, 4}), Ints{2, 0, 1}),
            "tensor<4x2x3xf32>");
  EXPECT_EQ(infer(inferTransposeOp, t({8, 256, 12, 64}), Ints{0, 2, 1, 3}),
            "tensor<8x12x256x64xf32>");
  EXPECT_EQ(infer(inferTransposeOp, t({2, 3}), Ints{0, 1}), "tensor<2x3xf32>");
  EXPECT_EQ(infer(inferTransposeOp, t({1, 0}, i1), Ints{1, 0}),
            "tensor<0x1xi1>");
  EXPECT_EQ(infer(inferTransposeOp, t({}), Ints{}), "tensor<f32>");
}

TEST_F(ShapeInferenceTest, TransposeErrors) {
  EXPECT_EQ(
      infer(inferTransposeOp, t({2, 3, 4}), Ints{1, 0}),
      "error: perm [1, 0] has 2 entries but input 'tensor<2x3x4xf32>' has "
      "rank 3");
  EXPECT_EQ(infer(inferTransposeOp, t({}), Ints{0}),
            "error: perm [0] has 1 entry but input 'tensor<f32>' has rank 0");
  EXPECT_EQ(infer(inferTransposeOp, t({2, 3}), Ints{0, 0}),
            "error: perm [0, 0] is not a permutation of [0, 2)");
  EXPECT_EQ(infer(inferTransposeOp, t({2, 3}), Ints{0, 2}),
            "error: perm [0, 2] is not a permutation of [0, 2)");
  EXPECT_EQ(infer(inferTransposeOp, t({2, 3}), Ints{-1, 0}),
            "error: perm [-1, 0] is not a permutation of [0, 2)");
}

TEST_F(ShapeInferenceTest, SliceValid) {
  // ceil((limit - start) / stride) elements per dimension.
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{1}, Ints{8}, Ints{3}),
            "tensor<3xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{0}, Ints{10}, Ints{4}),
            "tensor<3xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{0}, Ints{10}, Ints{5}),
            "tensor<2xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{9}, Ints{10}, Ints{7}),
            "tensor<1xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{0}, Ints{10}, Ints{1}),
            "tensor<10xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{4}, Ints{4}, Ints{2}),
            "tensor<0xf32>");
  EXPECT_EQ(
      infer(inferSliceOp, t({4, 6}, i32), Ints{1, 0}, Ints{3, 6}, Ints{1, 2}),
      "tensor<2x3xi32>");
  EXPECT_EQ(infer(inferSliceOp, t({8, 1, 7}), Ints{0, 0, 2}, Ints{8, 1, 7},
                  Ints{3, 1, 2}),
            "tensor<3x1x3xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({0}), Ints{0}, Ints{0}, Ints{1}),
            "tensor<0xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({}), Ints{}, Ints{}, Ints{}), "tensor<f32>");
}

TEST_F(ShapeInferenceTest, SliceErrors) {
  EXPECT_EQ(infer(inferSliceOp, t({4, 6}), Ints{0}, Ints{4, 6}, Ints{1, 1}),
            "error: start [0] has 1 entry but needs 2 (the input's rank)");
  EXPECT_EQ(
      infer(inferSliceOp, t({4, 6}), Ints{0, 0}, Ints{4, 6, 1}, Ints{1, 1}),
      "error: limit [4, 6, 1] has 3 entries but needs 2 (the input's "
      "rank)");
  EXPECT_EQ(infer(inferSliceOp, t({4, 6}), Ints{0, 0}, Ints{4, 6}, Ints{}),
            "error: stride [] has 0 entries but needs 2 (the input's rank)");
  EXPECT_EQ(infer(inferSliceOp, t({4, 6}), Ints{0, 0}, Ints{4, 6}, Ints{1, 0}),
            "error: stride [1, 0] must be positive in dimension 1");
  EXPECT_EQ(infer(inferSliceOp, t({4}), Ints{0}, Ints{4}, Ints{-1}),
            "error: stride [-1] must be positive in dimension 0");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{2}, Ints{11}, Ints{1}),
            "error: slice [2, 11) of dimension 0 is out of bounds for "
            "'tensor<10xf32>' (need 0 <= start <= limit <= 10)");
  EXPECT_EQ(infer(inferSliceOp, t({4, 6}), Ints{0, 5}, Ints{4, 3}, Ints{1, 1}),
            "error: slice [5, 3) of dimension 1 is out of bounds for "
            "'tensor<4x6xf32>' (need 0 <= start <= limit <= 6)");
  EXPECT_EQ(infer(inferSliceOp, t({4}), Ints{-1}, Ints{2}, Ints{1}),
            "error: slice [-1, 2) of dimension 0 is out of bounds for "
            "'tensor<4xf32>' (need 0 <= start <= limit <= 4)");
}

TEST_F(ShapeInferenceTest, SliceHugeStride) {
  // A stride beyond the extent takes the first element only; the ceiling
  // division must not overflow for strides near INT64_MAX.
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{0}, Ints{10}, Ints{1000}),
            "tensor<1xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{3}, Ints{10}, Ints{kMax - 5}),
            "tensor<1xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{0}, Ints{10}, Ints{kMax}),
            "tensor<1xf32>");
  EXPECT_EQ(infer(inferSliceOp, t({10}), Ints{10}, Ints{10}, Ints{kMax}),
            "tensor<0xf32>");
}

TEST_F(ShapeInferenceTest, ConcatAlongEachDim) {
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3, 4}), t({5, 3, 4})}, 0),
            "tensor<7x3x4xf32>");
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3, 4}), t({2, 1, 4})}, 1),
            "tensor<2x4x4xf32>");
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3, 4}), t({2, 3, 6})}, 2),
            "tensor<2x3x10xf32>");
}

TEST_F(ShapeInferenceTest, ConcatValid) {
  EXPECT_EQ(infer(inferConcatOp, Types{t({4, 3}), t({4, 5})}, 1),
            "tensor<4x8xf32>");
  EXPECT_EQ(infer(inferConcatOp, Types{t({4, 3}, i1)}, 0), "tensor<4x3xi1>");
  EXPECT_EQ(infer(inferConcatOp, Types{t({1}), t({2}), t({3})}, 0),
            "tensor<6xf32>");
  EXPECT_EQ(infer(inferConcatOp, Types{t({0, 3}), t({2, 3}), t({0, 3})}, 0),
            "tensor<2x3xf32>");
}

TEST_F(ShapeInferenceTest, ConcatErrors) {
  EXPECT_EQ(infer(inferConcatOp, Types{}, 0),
            "error: needs at least one input");
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3}), t({2, 3})}, 2),
            "error: dim 2 is out of range for input #0 'tensor<2x3xf32>' of "
            "rank 2");
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3})}, -1),
            "error: dim -1 is out of range for input #0 'tensor<2x3xf32>' of "
            "rank 2");
  EXPECT_EQ(
      infer(inferConcatOp, Types{t({}), t({})}, 0),
      "error: dim 0 is out of range for input #0 'tensor<f32>' of rank 0");
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3}), t({2, 3}, i32)}, 0),
            "error: element types differ: input #0 is 'tensor<2x3xf32>' but "
            "input #1 is 'tensor<2x3xi32>'");
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3}), t({2, 3}), t({6})}, 0),
            "error: ranks differ: input #0 is 'tensor<2x3xf32>' but input #2 "
            "is 'tensor<6xf32>'");
  EXPECT_EQ(infer(inferConcatOp, Types{t({2, 3}), t({4, 5})}, 0),
            "error: input #0 'tensor<2x3xf32>' and input #1 'tensor<4x5xf32>' "
            "differ in dimension 1, which is not the concatenation dim 0");
}

TEST_F(ShapeInferenceTest, ConcatOverflow) {
  EXPECT_EQ(infer(inferConcatOp, Types{t({kMax - 1}), t({1})}, 0),
            "tensor<9223372036854775807xf32>");
  EXPECT_EQ(infer(inferConcatOp, Types{t({kMax - 1}), t({2})}, 0),
            "error: the concatenated dimension overflows a 64-bit size");
}

TEST_F(ShapeInferenceTest, GatherValid) {
  // An embedding lookup.
  EXPECT_EQ(infer(inferGatherOp, t({50257, 768}), t({8, 64}, i32), 0),
            "tensor<8x64x768xf32>");
  // A middle axis: table.shape[:1] + indices.shape + table.shape[2:].
  EXPECT_EQ(infer(inferGatherOp, t({2, 5, 3}), t({4}, i64), 1),
            "tensor<2x4x3xf32>");
  EXPECT_EQ(infer(inferGatherOp, t({2, 5, 3}), t({4, 6}, i32), 1),
            "tensor<2x4x6x3xf32>");
  EXPECT_EQ(infer(inferGatherOp, t({2, 5, 3}, i32), t({7}, i32), 2),
            "tensor<2x5x7xi32>");
  // Rank-0 indices drop the axis; size-1 indices keep it.
  EXPECT_EQ(infer(inferGatherOp, t({5, 3}), t({}, i32), 0), "tensor<3xf32>");
  EXPECT_EQ(infer(inferGatherOp, t({5, 3}), t({1}, i32), 1), "tensor<5x1xf32>");
  EXPECT_EQ(infer(inferGatherOp, t({5, 3}), t({0}, i32), 0), "tensor<0x3xf32>");
}

TEST_F(ShapeInferenceTest, GatherErrors) {
  EXPECT_EQ(infer(inferGatherOp, t({2, 5, 3}), t({4}, i32), 3),
            "error: axis 3 is out of range for table 'tensor<2x5x3xf32>' of "
            "rank 3");
  EXPECT_EQ(infer(inferGatherOp, t({2, 5}), t({4}, i32), -1),
            "error: axis -1 is out of range for table 'tensor<2x5xf32>' of "
            "rank 2");
  EXPECT_EQ(infer(inferGatherOp, t({}), t({4}, i32), 0),
            "error: axis 0 is out of range for table 'tensor<f32>' of rank 0");
}

TEST_F(ShapeInferenceTest, ScatterAddValid) {
  EXPECT_EQ(infer(inferScatterAddOp, t({50257, 768}), t({8, 64}, i32),
                  t({8, 64, 768}), 0),
            "tensor<50257x768xf32>");
  // A middle axis.
  EXPECT_EQ(
      infer(inferScatterAddOp, t({2, 5, 3}), t({4}, i32), t({2, 4, 3}), 1),
      "tensor<2x5x3xf32>");
  EXPECT_EQ(infer(inferScatterAddOp, t({2, 5, 3}, i64), t({4, 6}, i32),
                  t({2, 4, 6, 3}, i64), 1),
            "tensor<2x5x3xi64>");
  EXPECT_EQ(infer(inferScatterAddOp, t({5, 3}), t({}, i32), t({3}), 0),
            "tensor<5x3xf32>");
}

TEST_F(ShapeInferenceTest, ScatterAddErrors) {
  EXPECT_EQ(
      infer(inferScatterAddOp, t({2, 5, 3}), t({4}, i32), t({2, 5, 3}), 1),
      "error: updates 'tensor<2x5x3xf32>' should have shape [2, 4, 3] "
      "(dest 'tensor<2x5x3xf32>' with dimension 1 replaced by the shape "
      "of indices 'tensor<4xi32>')");
  EXPECT_EQ(
      infer(inferScatterAddOp, t({2, 5, 3}), t({4}, i32), t({2, 4, 3}, f16), 1),
      "error: element types differ: dest is 'tensor<2x5x3xf32>' but "
      "updates is 'tensor<2x4x3xf16>'");
  EXPECT_EQ(
      infer(inferScatterAddOp, t({2, 5, 3}), t({4}, i32), t({2, 4, 3}), 3),
      "error: axis 3 is out of range for dest 'tensor<2x5x3xf32>' of "
      "rank 3");
}

//===----------------------------------------------------------------------===//
// Reductions
//===----------------------------------------------------------------------===//

TEST_F(ShapeInferenceTest, ReduceValid) {
  EXPECT_EQ(infer(inferReduceOp, ReduceKind::sum, t({8, 256, 768}), Ints{0, 1},
                  false),
            "tensor<768xf32>");
  EXPECT_EQ(
      infer(inferReduceOp, ReduceKind::max, t({8, 256, 768}), Ints{2}, true),
      "tensor<8x256x1xf32>");
  EXPECT_EQ(
      infer(inferReduceOp, ReduceKind::mean, t({4, 5}), Ints{1, 0}, false),
      "tensor<f32>");
  EXPECT_EQ(
      infer(inferReduceOp, ReduceKind::mean, t({4, 5}, bf16), Ints{0, 1}, true),
      "tensor<1x1xbf16>");
  EXPECT_EQ(
      infer(inferReduceOp, ReduceKind::min, t({4, 5}, i32), Ints{}, false),
      "tensor<4x5xi32>");
  EXPECT_EQ(infer(inferReduceOp, ReduceKind::sum, t({4, 0, 3}), Ints{1}, false),
            "tensor<4x3xf32>");
  EXPECT_EQ(infer(inferReduceOp, ReduceKind::sum, t({4, 1}), Ints{1}, true),
            "tensor<4x1xf32>");
  EXPECT_EQ(infer(inferReduceOp, ReduceKind::sum, t({}), Ints{}, true),
            "tensor<f32>");
}

TEST_F(ShapeInferenceTest, ReduceErrors) {
  EXPECT_EQ(infer(inferReduceOp, ReduceKind::mean, t({4}, i32), Ints{0}, false),
            "error: mean needs a floating-point input, not 'tensor<4xi32>'");
  EXPECT_EQ(
      infer(inferReduceOp, ReduceKind::sum, t({2, 3}), Ints{2}, false),
      "error: dims entry 2 is out of range for input 'tensor<2x3xf32>' of "
      "rank 2");
  EXPECT_EQ(infer(inferReduceOp, ReduceKind::sum, t({2, 3}), Ints{-1}, true),
            "error: dims entry -1 is out of range for input 'tensor<2x3xf32>' "
            "of rank 2");
  EXPECT_EQ(infer(inferReduceOp, ReduceKind::max, t({2, 3}), Ints{1, 1}, false),
            "error: dims [1, 1] repeats dimension 1");
}

//===----------------------------------------------------------------------===//
// Contractions and pooling
//===----------------------------------------------------------------------===//

TEST_F(ShapeInferenceTest, MatmulValid) {
  EXPECT_EQ(infer(inferMatmulOp, t({2, 3}), t({3, 4}), false, false),
            "tensor<2x4xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({1, 5}), t({5, 1}), false, false),
            "tensor<1x1xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({2, 0}), t({0, 3}), false, false),
            "tensor<2x3xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({2, 3}, i32), t({3, 4}, i32), false, false),
            "tensor<2x4xi32>");
}

TEST_F(ShapeInferenceTest, MatmulTransposed) {
  // lhs [K, M] with transpose_lhs, rhs [N, K] with transpose_rhs.
  EXPECT_EQ(infer(inferMatmulOp, t({3, 2}), t({3, 4}), true, false),
            "tensor<2x4xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({2, 3}), t({4, 3}), false, true),
            "tensor<2x4xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({3, 2}), t({4, 3}), true, true),
            "tensor<2x4xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({8, 256, 768}), t({3072, 768}), false, true),
            "tensor<8x256x3072xf32>");
}

TEST_F(ShapeInferenceTest, MatmulBatched) {
  EXPECT_EQ(
      infer(inferMatmulOp, t({8, 256, 768}), t({768, 3072}), false, false),
      "tensor<8x256x3072xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({4, 5}), t({7, 5, 6}), false, false),
            "tensor<7x4x6xf32>");
  // Batch dimensions broadcast: [2, 1] with [3] gives [2, 3].
  EXPECT_EQ(infer(inferMatmulOp, t({2, 1, 4, 5}), t({3, 5, 6}), false, false),
            "tensor<2x3x4x6xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({1, 4, 5}), t({7, 6, 5}), false, true),
            "tensor<7x4x6xf32>");
  EXPECT_EQ(infer(inferMatmulOp, t({8, 12, 64, 256}), t({8, 12, 64, 32}), true,
                  false),
            "tensor<8x12x256x32xf32>");
}

TEST_F(ShapeInferenceTest, MatmulErrors) {
  EXPECT_EQ(infer(inferMatmulOp, t({2, 3}), t({3, 4}, f16), false, false),
            "error: element types differ: lhs is 'tensor<2x3xf32>' but rhs is "
            "'tensor<3x4xf16>'");
  EXPECT_EQ(
      infer(inferMatmulOp, t({3}), t({3, 4}), false, false),
      "error: operands need rank >= 2, but lhs is 'tensor<3xf32>' and rhs "
      "is 'tensor<3x4xf32>'");
  EXPECT_EQ(infer(inferMatmulOp, t({2, 3}), t({}), false, false),
            "error: operands need rank >= 2, but lhs is 'tensor<2x3xf32>' and "
            "rhs is 'tensor<f32>'");
  EXPECT_EQ(infer(inferMatmulOp, t({2, 3}), t({4, 5}), false, false),
            "error: contracting dimensions differ: lhs 'tensor<2x3xf32>' has K "
            "= 3 but rhs 'tensor<4x5xf32>' has K = 4");
  EXPECT_EQ(infer(inferMatmulOp, t({3, 2}), t({2, 4}), true, false),
            "error: contracting dimensions differ: lhs 'tensor<3x2xf32>' "
            "(transposed) has K = 3 but rhs 'tensor<2x4xf32>' has K = 2");
  EXPECT_EQ(infer(inferMatmulOp, t({2, 3}), t({3, 4}), false, true),
            "error: contracting dimensions differ: lhs 'tensor<2x3xf32>' has K "
            "= 3 but rhs 'tensor<3x4xf32>' (transposed) has K = 4");
  EXPECT_EQ(infer(inferMatmulOp, t({2, 4, 5}), t({3, 5, 6}), false, false),
            "error: batch dimensions of lhs 'tensor<2x4x5xf32>' and rhs "
            "'tensor<3x5x6xf32>' are not broadcast-compatible");
}

TEST_F(ShapeInferenceTest, Conv2dValid) {
  // The op's example: 3x3 "same" convolution.
  EXPECT_EQ(infer(inferConv2dOp, t({8, 3, 32, 32}), t({16, 3, 3, 3}),
                  Ints{1, 1}, Ints{1, 1, 1, 1}, Ints{1, 1}, int64_t(1)),
            "tensor<8x16x32x32xf32>");
  // ResNet's stem: 7x7, stride 2, padding 3.
  EXPECT_EQ(infer(inferConv2dOp, t({1, 3, 224, 224}), t({64, 3, 7, 7}),
                  Ints{2, 2}, Ints{3, 3, 3, 3}, Ints{1, 1}, int64_t(1)),
            "tensor<1x64x112x112xf32>");
  // Grouped and depthwise.
  EXPECT_EQ(infer(inferConv2dOp, t({2, 4, 5, 5}), t({6, 2, 3, 3}), Ints{1, 1},
                  Ints{0, 0, 0, 0}, Ints{1, 1}, int64_t(2)),
            "tensor<2x6x3x3xf32>");
  EXPECT_EQ(infer(inferConv2dOp, t({1, 8, 5, 5}, bf16), t({8, 1, 3, 3}, bf16),
                  Ints{1, 1}, Ints{1, 1, 1, 1}, Ints{1, 1}, int64_t(8)),
            "tensor<1x8x5x5xbf16>");
  // The filter spans the whole padded input.
  EXPECT_EQ(infer(inferConv2dOp, t({1, 1, 3, 3}), t({2, 1, 5, 5}), Ints{1, 1},
                  Ints{1, 1, 1, 1}, Ints{1, 1}, int64_t(1)),
            "tensor<1x2x1x1xf32>");
  // A 1x1 filter on a 1x1 input.
  EXPECT_EQ(infer(inferConv2dOp, t({4, 3, 1, 1}), t({5, 3, 1, 1}), Ints{1, 1},
                  Ints{0, 0, 0, 0}, Ints{1, 1}, int64_t(1)),
            "tensor<4x5x1x1xf32>");
}

TEST_F(ShapeInferenceTest, Conv2dFollowsThePyTorchFormula) {
  struct Case {
    int64_t h, w, kh, kw;
    Ints strides, padding, dilations;
  };
  std::vector<Case> cases = {
      {7, 7, 3, 3, {2, 3}, {1, 1, 1, 1}, {1, 1}},
      {8, 9, 3, 3, {2, 2}, {0, 0, 0, 0}, {1, 1}},
      {10, 10, 3, 3, {1, 1}, {0, 0, 0, 0}, {2, 2}},
      {9, 9, 3, 2, {1, 2}, {0, 0, 0, 0}, {2, 3}},
      {5, 5, 3, 3, {1, 1}, {1, 0, 0, 2}, {1, 1}},
      {32, 17, 5, 4, {3, 2}, {2, 1, 0, 3}, {2, 1}},
      {13, 11, 2, 3, {4, 3}, {0, 1, 2, 2}, {3, 2}},
  };
  for (const Case &c : cases) {
    int64_t ho = torchOutputSize(c.h, c.padding[0], c.padding[1], c.kh,
                                 c.strides[0], c.dilations[0]);
    int64_t wo = torchOutputSize(c.w, c.padding[2], c.padding[3], c.kw,
                                 c.strides[1], c.dilations[1]);
    std::string expected =
        "tensor<2x6x" + std::to_string(ho) + "x" + std::to_string(wo) + "xf32>";
    EXPECT_EQ(infer(inferConv2dOp, t({2, 4, c.h, c.w}), t({6, 2, c.kh, c.kw}),
                    c.strides, c.padding, c.dilations, int64_t(2)),
              expected)
        << "input " << c.h << "x" << c.w << ", kernel " << c.kh << "x" << c.kw
        << ", strides " << str(c.strides) << ", padding " << str(c.padding)
        << ", dilations " << str(c.dilations);
  }
  // Spot checks of the formula itself.
  EXPECT_EQ(torchOutputSize(7, 1, 1, 3, 2, 1), 4);
  EXPECT_EQ(torchOutputSize(10, 0, 0, 3, 1, 2), 6);
  EXPECT_EQ(torchOutputSize(224, 3, 3, 7, 2, 1), 112);
}

TEST_F(ShapeInferenceTest, Conv2dErrors) {
  RankedTensorType input = t({2, 4, 5, 5});
  RankedTensorType filter = t({6, 2, 3, 3});
  Ints one{1, 1}, none{0, 0, 0, 0};
  int64_t g = 2;
  EXPECT_EQ(infer(inferConv2dOp, t({4, 5, 5}), filter, one, none, one, g),
            "error: input 'tensor<4x5x5xf32>' and filter 'tensor<6x2x3x3xf32>' "
            "must both have rank 4 (NCHW and OIHW)");
  EXPECT_EQ(infer(inferConv2dOp, input, t({6, 2, 3}), one, none, one, g),
            "error: input 'tensor<2x4x5x5xf32>' and filter 'tensor<6x2x3xf32>' "
            "must both have rank 4 (NCHW and OIHW)");
  EXPECT_EQ(
      infer(inferConv2dOp, input, t({6, 2, 3, 3}, f16), one, none, one, g),
      "error: element types differ: input is 'tensor<2x4x5x5xf32>' but "
      "filter is 'tensor<6x2x3x3xf16>'");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, Ints{1}, none, one, g),
            "error: strides [1] has 1 entry but needs 2 ([h, w])");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one, Ints{1, 1}, one, g),
            "error: padding [1, 1] has 2 entries but needs 4 ([top, bottom, "
            "left, right])");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one, none, Ints{1, 1, 1}, g),
            "error: dilations [1, 1, 1] has 3 entries but needs 2 ([h, w])");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, Ints{0, 1}, none, one, g),
            "error: strides [0, 1] has an entry below 1");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one, Ints{0, -1, 0, 0}, one, g),
            "error: padding [0, -1, 0, 0] has an entry below 0");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one, none, Ints{1, 0}, g),
            "error: dilations [1, 0] has an entry below 1");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one, none, one, int64_t(0)),
            "error: groups 0 must be positive and divide the input channels 4 "
            "and the output channels 6");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one, none, one, int64_t(3)),
            "error: groups 3 must be positive and divide the input channels 4 "
            "and the output channels 6");
  EXPECT_EQ(
      infer(inferConv2dOp, input, t({6, 4, 3, 3}), one, none, one, g),
      "error: filter 'tensor<6x4x3x3xf32>' has 4 input channels per group "
      "but input 'tensor<2x4x5x5xf32>' with groups 2 needs 2");
  EXPECT_EQ(infer(inferConv2dOp, t({1, 1, 5, 5}), t({1, 1, 3, 3}), one, none,
                  Ints{3, 1}, int64_t(1)),
            "error: filter 'tensor<1x1x3x3xf32>' with dilations [3, 1] spans 7 "
            "but the padded input 'tensor<1x1x5x5xf32>' has only 5 in "
            "dimension 2");
  EXPECT_EQ(infer(inferConv2dOp, t({1, 1, 5, 2}), t({1, 1, 3, 3}), one,
                  Ints{0, 0, 0, 0}, one, int64_t(1)),
            "error: filter 'tensor<1x1x3x3xf32>' with dilations [1, 1] spans 3 "
            "but the padded input 'tensor<1x1x5x2xf32>' has only 2 in "
            "dimension 3");
}

TEST_F(ShapeInferenceTest, Conv2dOverflow) {
  RankedTensorType input = t({1, 1, 5, 5});
  RankedTensorType filter = t({1, 1, 3, 3});
  Ints one{1, 1}, none{0, 0, 0, 0};
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one, Ints{kMax, 1, 0, 0}, one,
                  int64_t(1)),
            "error: the padded input overflows a 64-bit size");
  EXPECT_EQ(infer(inferConv2dOp, input, filter, one,
                  Ints{0, 0, kMax - 5, kMax - 5}, one, int64_t(1)),
            "error: the padded input overflows a 64-bit size");
  EXPECT_EQ(
      infer(inferConv2dOp, input, filter, one, none, Ints{kMax, 1}, int64_t(1)),
      "error: the dilated filter overflows a 64-bit size");
}

TEST_F(ShapeInferenceTest, Conv2dDilatedSpanOverflow) {
  // span = dilation * (KH - 1) + 1: with dilation INT64_MAX and KH = 2 the
  // product fits but the "+ 1" does not.
  EXPECT_EQ(infer(inferConv2dOp, t({1, 1, 5, 5}), t({1, 1, 2, 2}), Ints{1, 1},
                  Ints{0, 0, 0, 0}, Ints{kMax, 1}, int64_t(1)),
            "error: the dilated filter overflows a 64-bit size");
}

TEST_F(ShapeInferenceTest, Conv2dZeroSizeKernel) {
  // A zero-size kernel would make span <= 0 and the output larger than the
  // input; it is rejected like pool2d's zero window.
  EXPECT_EQ(infer(inferConv2dOp, t({1, 1, 5, 5}), t({1, 1, 0, 3}), Ints{1, 1},
                  Ints{0, 0, 0, 0}, Ints{1, 1}, int64_t(1)),
            "error: filter 'tensor<1x1x0x3xf32>' must have a positive kernel "
            "size (KH, KW)");
  EXPECT_EQ(infer(inferConv2dOp, t({1, 1, 5, 5}), t({1, 1, 3, 0}), Ints{1, 1},
                  Ints{0, 0, 0, 0}, Ints{3, 1}, int64_t(1)),
            "error: filter 'tensor<1x1x3x0xf32>' must have a positive kernel "
            "size (KH, KW)");
}

TEST_F(ShapeInferenceTest, Conv2dBackwardInputValid) {
  Ints one{1, 1}, none{0, 0, 0, 0};
  // The backward of the op's example.
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, t({8, 16, 32, 32}),
                  t({16, 3, 3, 3}), t({8, 3, 32, 32}), one, Ints{1, 1, 1, 1},
                  one, int64_t(1)),
            "ok");
  // Stride 2 floors: inputs of height 7 and 8 both give HO = 3, so both
  // result types are valid.
  for (int64_t h : {7, 8})
    EXPECT_EQ(check(verifyConv2dBackwardInputOp, t({2, 6, 3, 4}, bf16),
                    t({6, 2, 3, 3}, bf16), t({2, 4, h, 9}, bf16), Ints{2, 2},
                    none, one, int64_t(2)),
              "ok")
        << "h " << h;
  // Dilation and asymmetric padding.
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, t({1, 2, 5, 5}), t({2, 1, 2, 2}),
                  t({1, 1, 6, 5}), one, Ints{1, 0, 0, 2}, Ints{2, 2},
                  int64_t(1)),
            "ok");
}

TEST_F(ShapeInferenceTest, Conv2dBackwardInputErrors) {
  Ints one{1, 1}, none{0, 0, 0, 0};
  RankedTensorType dy = t({2, 6, 3, 3}), w = t({6, 2, 3, 3});
  RankedTensorType x = t({2, 4, 5, 5});
  int64_t g = 2;
  EXPECT_EQ(
      check(verifyConv2dBackwardInputOp, t({6, 3, 3}), w, x, one, none, one, g),
      "error: grad_out 'tensor<6x3x3xf32>' must have rank 4 (NCHW)");
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, dy, t({6, 2, 3}), x, one, none,
                  one, g),
            "error: filter 'tensor<6x2x3xf32>' must have rank 4 (OIHW)");
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, dy, w, t({4, 5, 5}), one, none,
                  one, g),
            "error: result 'tensor<4x5x5xf32>' must have rank 4 (NCHW)");
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, dy, t({6, 2, 3, 3}, f16), x, one,
                  none, one, g),
            "error: element types differ: grad_out is 'tensor<2x6x3x3xf32>' "
            "but filter is 'tensor<6x2x3x3xf16>'");
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, dy, w, t({2, 4, 5, 5}, bf16),
                  one, none, one, g),
            "error: element types differ: grad_out is 'tensor<2x6x3x3xf32>' "
            "but result is 'tensor<2x4x5x5xbf16>'");
  // The forward's rule, on the result as its input.
  EXPECT_EQ(
      check(verifyConv2dBackwardInputOp, dy, w, x, one, none, one, int64_t(3)),
      "error: groups 3 must be positive and divide the input channels 4 "
      "and the output channels 6");
  EXPECT_EQ(
      check(verifyConv2dBackwardInputOp, dy, w, x, Ints{0, 1}, none, one, g),
      "error: strides [0, 1] has an entry below 1");
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, dy, w, t({2, 4, 2, 5}), one,
                  none, one, g),
            "error: filter 'tensor<6x2x3x3xf32>' with dilations [1, 1] spans 3 "
            "but the padded input 'tensor<2x4x2x5xf32>' has only 2 in "
            "dimension 2");
  // Then grad_out against the forward's result.
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, dy, w, t({2, 4, 6, 5}), one,
                  none, one, g),
            "error: grad_out 'tensor<2x6x3x3xf32>' is not the conv2d result "
            "'tensor<2x6x4x3xf32>' of an input of the result type "
            "'tensor<2x4x6x5xf32>' and filter 'tensor<6x2x3x3xf32>'");
  EXPECT_EQ(check(verifyConv2dBackwardInputOp, t({1, 6, 3, 3}), w, x, one, none,
                  one, g),
            "error: grad_out 'tensor<1x6x3x3xf32>' is not the conv2d result "
            "'tensor<2x6x3x3xf32>' of an input of the result type "
            "'tensor<2x4x5x5xf32>' and filter 'tensor<6x2x3x3xf32>'");
}

TEST_F(ShapeInferenceTest, Conv2dBackwardFilterValid) {
  Ints one{1, 1}, none{0, 0, 0, 0};
  EXPECT_EQ(check(verifyConv2dBackwardFilterOp, t({8, 3, 32, 32}),
                  t({8, 16, 32, 32}), t({16, 3, 3, 3}), one, Ints{1, 1, 1, 1},
                  one, int64_t(1)),
            "ok");
  // Stride 2: filters of height 2 and 3 both give HO = 3 from 7 rows.
  for (int64_t kh : {2, 3})
    EXPECT_EQ(check(verifyConv2dBackwardFilterOp, t({1, 4, 7, 7}, f16),
                    t({1, 4, 3, 3}, f16), t({4, 1, kh, 3}, f16), Ints{2, 2},
                    none, one, int64_t(4)),
              "ok")
        << "kh " << kh;
}

TEST_F(ShapeInferenceTest, Conv2dBackwardFilterErrors) {
  Ints one{1, 1}, none{0, 0, 0, 0};
  RankedTensorType x = t({2, 4, 5, 5}), dy = t({2, 6, 3, 3});
  RankedTensorType w = t({6, 2, 3, 3});
  int64_t g = 2;
  EXPECT_EQ(check(verifyConv2dBackwardFilterOp, t({4, 5, 5}), dy, w, one, none,
                  one, g),
            "error: input 'tensor<4x5x5xf32>' must have rank 4 (NCHW)");
  EXPECT_EQ(check(verifyConv2dBackwardFilterOp, x, dy, t({6, 2, 3}), one, none,
                  one, g),
            "error: result 'tensor<6x2x3xf32>' must have rank 4 (OIHW)");
  EXPECT_EQ(check(verifyConv2dBackwardFilterOp, x, t({2, 6, 3, 3}, f16), w, one,
                  none, one, g),
            "error: element types differ: input is 'tensor<2x4x5x5xf32>' but "
            "grad_out is 'tensor<2x6x3x3xf16>'");
  EXPECT_EQ(check(verifyConv2dBackwardFilterOp, x, dy, t({6, 4, 3, 3}), one,
                  none, one, g),
            "error: filter 'tensor<6x4x3x3xf32>' has 4 input channels per "
            "group but input 'tensor<2x4x5x5xf32>' with groups 2 needs 2");
  EXPECT_EQ(
      check(verifyConv2dBackwardFilterOp, x, dy, w, one, Ints{1, 1}, one, g),
      "error: padding [1, 1] has 2 entries but needs 4 ([top, bottom, "
      "left, right])");
  EXPECT_EQ(check(verifyConv2dBackwardFilterOp, x, dy, t({6, 2, 2, 3}), one,
                  none, one, g),
            "error: grad_out 'tensor<2x6x3x3xf32>' is not the conv2d result "
            "'tensor<2x6x4x3xf32>' of input 'tensor<2x4x5x5xf32>' and a filter "
            "of the result type 'tensor<6x2x2x3xf32>'");
}

TEST_F(ShapeInferenceTest, Pool2dValid) {
  EXPECT_EQ(infer(inferPool2dOp, t({8, 16, 32, 32}), Ints{2, 2}, Ints{2, 2},
                  Ints{0, 0, 0, 0}),
            "tensor<8x16x16x16xf32>");
  // ResNet's max pool: 3x3, stride 2, padding 1 (PyTorch gives 56).
  EXPECT_EQ(infer(inferPool2dOp, t({1, 64, 112, 112}), Ints{3, 3}, Ints{2, 2},
                  Ints{1, 1, 1, 1}),
            "tensor<1x64x56x56xf32>");
  // Floor: the last partial window is dropped.
  EXPECT_EQ(infer(inferPool2dOp, t({1, 1, 7, 9}), Ints{2, 3}, Ints{2, 3},
                  Ints{0, 0, 0, 0}),
            "tensor<1x1x3x3xf32>");
  // Global pooling.
  EXPECT_EQ(infer(inferPool2dOp, t({4, 512, 7, 7}, f16), Ints{7, 7}, Ints{1, 1},
                  Ints{0, 0, 0, 0}),
            "tensor<4x512x1x1xf16>");
  EXPECT_EQ(infer(inferPool2dOp, t({1, 1, 5, 5}), Ints{3, 3}, Ints{1, 1},
                  Ints{1, 1, 0, 2}),
            "tensor<1x1x5x5xf32>");
  for (int64_t h : {5, 6, 7, 28, 31})
    for (int64_t k : {1, 2, 3})
      for (int64_t s : {1, 2, 3})
        for (int64_t p : {int64_t(0), k / 2}) {
          int64_t o = torchOutputSize(h, p, p, k, s, 1);
          EXPECT_EQ(infer(inferPool2dOp, t({1, 2, h, h}), Ints{k, k},
                          Ints{s, s}, Ints{p, p, p, p}),
                    "tensor<1x2x" + std::to_string(o) + "x" +
                        std::to_string(o) + "xf32>")
              << "h " << h << " k " << k << " s " << s << " p " << p;
        }
}

TEST_F(ShapeInferenceTest, Pool2dErrors) {
  RankedTensorType input = t({1, 1, 4, 4});
  Ints two{2, 2}, none{0, 0, 0, 0};
  EXPECT_EQ(infer(inferPool2dOp, t({16, 32, 32}), two, two, none),
            "error: input 'tensor<16x32x32xf32>' must have rank 4 (NCHW)");
  EXPECT_EQ(infer(inferPool2dOp, input, Ints{2}, two, none),
            "error: window [2] has 1 entry but needs 2 ([h, w])");
  EXPECT_EQ(infer(inferPool2dOp, input, two, Ints{2, 2, 2}, none),
            "error: strides [2, 2, 2] has 3 entries but needs 2 ([h, w])");
  EXPECT_EQ(infer(inferPool2dOp, input, two, two, Ints{}),
            "error: padding [] has 0 entries but needs 4 ([top, bottom, left, "
            "right])");
  EXPECT_EQ(infer(inferPool2dOp, input, Ints{0, 2}, two, none),
            "error: window [0, 2] has an entry below 1");
  EXPECT_EQ(infer(inferPool2dOp, input, two, Ints{2, 0}, none),
            "error: strides [2, 0] has an entry below 1");
  EXPECT_EQ(infer(inferPool2dOp, input, two, two, Ints{0, 0, -1, 0}),
            "error: padding [0, 0, -1, 0] has an entry below 0");
  EXPECT_EQ(infer(inferPool2dOp, input, two, two, Ints{2, 0, 0, 0}),
            "error: padding [2, 0, 0, 0] must be smaller than window [2, 2] "
            "in dimension 2");
  EXPECT_EQ(infer(inferPool2dOp, input, Ints{3, 2}, two, Ints{0, 0, 0, 2}),
            "error: padding [0, 0, 0, 2] must be smaller than window [3, 2] "
            "in dimension 3");
  EXPECT_EQ(infer(inferPool2dOp, input, Ints{5, 5}, two, none),
            "error: window [5, 5] is larger than the padded input "
            "'tensor<1x1x4x4xf32>' (4) in dimension 2");
}

TEST_F(ShapeInferenceTest, Pool2dOverflow) {
  EXPECT_EQ(infer(inferPool2dOp, t({1, 1, 5, 5}), Ints{kMax, 1}, Ints{1, 1},
                  Ints{kMax - 1, kMax - 1, 0, 0}),
            "error: the padded input overflows a 64-bit size");
}

TEST_F(ShapeInferenceTest, Pool2dBackwardValid) {
  Ints two{2, 2}, none{0, 0, 0, 0};
  RankedTensorType none4;
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::max, t({8, 16, 16, 16}),
                  t({8, 16, 32, 32}), t({8, 16, 32, 32}), two, two, none),
            "ok");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::avg, t({8, 16, 16, 16}),
                  none4, t({8, 16, 32, 32}), two, two, none),
            "ok");
  // Floor: 7 and 8 rows both pool to 3 with window 2, stride 2.
  for (int64_t h : {6, 7})
    EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::avg, t({1, 2, 3, 3}, f16),
                    none4, t({1, 2, h, 6}, f16), two, two, none),
              "ok")
        << "h " << h;
  // ResNet's max pool.
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::max, t({1, 64, 56, 56}),
                  t({1, 64, 112, 112}), t({1, 64, 112, 112}), Ints{3, 3}, two,
                  Ints{1, 1, 1, 1}),
            "ok");
}

TEST_F(ShapeInferenceTest, Pool2dBackwardErrors) {
  Ints two{2, 2}, none{0, 0, 0, 0};
  RankedTensorType none4;
  RankedTensorType dy = t({1, 1, 2, 2}), x = t({1, 1, 4, 4});
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::max, dy, none4, x, two, two,
                  none),
            "error: max needs the forward input as its second operand");
  EXPECT_EQ(
      check(verifyPool2dBackwardOp, PoolKind::avg, dy, x, x, two, two, none),
      "error: avg takes no input operand, only grad_out");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::avg, t({1, 2, 2}), none4, x,
                  two, two, none),
            "error: grad_out 'tensor<1x2x2xf32>' must have rank 4 (NCHW)");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::max, dy, t({1, 4, 4}),
                  t({1, 4, 4}), two, two, none),
            "error: result 'tensor<1x4x4xf32>' must have rank 4 (NCHW)");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::avg, dy, none4,
                  t({1, 1, 4, 4}, bf16), two, two, none),
            "error: element types differ: grad_out is 'tensor<1x1x2x2xf32>' "
            "but result is 'tensor<1x1x4x4xbf16>'");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::max, dy, t({1, 1, 5, 4}), x,
                  two, two, none),
            "error: input 'tensor<1x1x5x4xf32>' and result "
            "'tensor<1x1x4x4xf32>' must have the same type");
  // The forward's rule, on the result as its input.
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::avg, dy, none4, x, Ints{2},
                  two, none),
            "error: window [2] has 1 entry but needs 2 ([h, w])");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::avg, dy, none4, x, two, two,
                  Ints{2, 0, 0, 0}),
            "error: padding [2, 0, 0, 0] must be smaller than window [2, 2] "
            "in dimension 2");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::max, dy, x, x, Ints{5, 5},
                  two, none),
            "error: window [5, 5] is larger than the padded input "
            "'tensor<1x1x4x4xf32>' (4) in dimension 2");
  // Then grad_out against the forward's result.
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::max, dy, x, x, two,
                  Ints{1, 1}, none),
            "error: grad_out 'tensor<1x1x2x2xf32>' is not the pool2d result "
            "'tensor<1x1x3x3xf32>' of an input of the result type "
            "'tensor<1x1x4x4xf32>'");
  EXPECT_EQ(check(verifyPool2dBackwardOp, PoolKind::avg, t({1, 2, 2, 2}), none4,
                  x, two, two, none),
            "error: grad_out 'tensor<1x2x2x2xf32>' is not the pool2d result "
            "'tensor<1x1x2x2xf32>' of an input of the result type "
            "'tensor<1x1x4x4xf32>'");
}

//===----------------------------------------------------------------------===//
// Normalization, attention, losses
//===----------------------------------------------------------------------===//

TEST_F(ShapeInferenceTest, SoftmaxValid) {
  EXPECT_EQ(check(verifySoftmaxOp, t({8, 10}), int64_t(0)), "ok");
  EXPECT_EQ(check(verifySoftmaxOp, t({8, 10}), int64_t(1)), "ok");
  EXPECT_EQ(check(verifySoftmaxOp, t({1}, bf16), int64_t(0)), "ok");
}

TEST_F(ShapeInferenceTest, SoftmaxErrors) {
  EXPECT_EQ(check(verifySoftmaxOp, t({8, 10}), int64_t(2)),
            "error: dim 2 is out of range for input 'tensor<8x10xf32>' of rank "
            "2");
  EXPECT_EQ(
      check(verifySoftmaxOp, t({8, 10}), int64_t(-1)),
      "error: dim -1 is out of range for input 'tensor<8x10xf32>' of rank "
      "2");
  EXPECT_EQ(check(verifySoftmaxOp, t({}), int64_t(0)),
            "error: dim 0 is out of range for input 'tensor<f32>' of rank 0");
}

TEST_F(ShapeInferenceTest, LayerNormValid) {
  EXPECT_EQ(infer(inferLayerNormOp, t({8, 256, 768}), t({768}), t({768})),
            "tensor<8x256x768xf32>");
  EXPECT_EQ(
      infer(inferLayerNormOp, t({8, 256, 768}), t({256, 768}), t({256, 768})),
      "tensor<8x256x768xf32>");
  EXPECT_EQ(infer(inferLayerNormOp, t({4, 8}, bf16), t({4, 8}, bf16),
                  t({4, 8}, bf16)),
            "tensor<4x8xbf16>");
  EXPECT_EQ(infer(inferLayerNormOp, t({4, 1}), t({1}), t({1})),
            "tensor<4x1xf32>");
}

TEST_F(ShapeInferenceTest, LayerNormErrors) {
  EXPECT_EQ(
      infer(inferLayerNormOp, t({4, 768}), t({768}), t({512})),
      "error: scale 'tensor<768xf32>' and bias 'tensor<512xf32>' must have "
      "the same type");
  EXPECT_EQ(
      infer(inferLayerNormOp, t({4, 8}), t({8}), t({8}, f16)),
      "error: scale 'tensor<8xf32>' and bias 'tensor<8xf16>' must have the "
      "same type");
  EXPECT_EQ(infer(inferLayerNormOp, t({4, 8}, f16), t({8}), t({8})),
            "error: element types differ: input is 'tensor<4x8xf16>' but scale "
            "is 'tensor<8xf32>'");
  EXPECT_EQ(
      infer(inferLayerNormOp, t({4, 8}), t({4}), t({4})),
      "error: scale 'tensor<4xf32>' must match the trailing dimensions of "
      "input 'tensor<4x8xf32>'");
  EXPECT_EQ(infer(inferLayerNormOp, t({4, 8}), t({}), t({})),
            "error: scale 'tensor<f32>' must match the trailing dimensions of "
            "input 'tensor<4x8xf32>'");
  EXPECT_EQ(infer(inferLayerNormOp, t({8}), t({2, 8}), t({2, 8})),
            "error: scale 'tensor<2x8xf32>' must match the trailing dimensions "
            "of input 'tensor<8xf32>'");
}

TEST_F(ShapeInferenceTest, AttentionValid) {
  RankedTensorType qkv = t({8, 12, 256, 64});
  EXPECT_EQ(infer(inferAttentionOp, qkv, qkv, qkv, true),
            "tensor<8x12x256x64xf32>");
  // Cross-attention: T = 10 queries over S = 20 keys, value size DV = 32.
  EXPECT_EQ(infer(inferAttentionOp, t({2, 10, 64}), t({2, 20, 64}),
                  t({2, 20, 32}), false),
            "tensor<2x10x32xf32>");
  EXPECT_EQ(infer(inferAttentionOp, t({10, 64}, f16), t({20, 64}, f16),
                  t({20, 64}, f16), false),
            "tensor<10x64xf16>");
  EXPECT_EQ(infer(inferAttentionOp, t({1, 1}), t({1, 1}), t({1, 1}), true),
            "tensor<1x1xf32>");
}

TEST_F(ShapeInferenceTest, AttentionErrors) {
  EXPECT_EQ(infer(inferAttentionOp, t({2, 10, 64}), t({2, 20, 64}, f16),
                  t({2, 20, 64}), false),
            "error: element types differ: query is 'tensor<2x10x64xf32>' but "
            "key is 'tensor<2x20x64xf16>'");
  EXPECT_EQ(infer(inferAttentionOp, t({2, 10, 64}), t({2, 20, 64}),
                  t({2, 20, 64}, bf16), false),
            "error: element types differ: query is 'tensor<2x10x64xf32>' but "
            "value is 'tensor<2x20x64xbf16>'");
  EXPECT_EQ(infer(inferAttentionOp, t({64}), t({64}), t({64}), false),
            "error: query 'tensor<64xf32>', key 'tensor<64xf32>' and value "
            "'tensor<64xf32>' must have one rank of at least 2");
  EXPECT_EQ(infer(inferAttentionOp, t({2, 10, 64}), t({20, 64}), t({2, 20, 64}),
                  false),
            "error: query 'tensor<2x10x64xf32>', key 'tensor<20x64xf32>' and "
            "value 'tensor<2x20x64xf32>' must have one rank of at least 2");
  EXPECT_EQ(
      infer(inferAttentionOp, t({2, 10, 64}), t({3, 20, 64}), t({3, 20, 64}),
            false),
      "error: leading dimensions of query 'tensor<2x10x64xf32>', key "
      "'tensor<3x20x64xf32>' and value 'tensor<3x20x64xf32>' must be equal");
  EXPECT_EQ(infer(inferAttentionOp, t({2, 10, 64}), t({2, 20, 32}),
                  t({2, 20, 64}), false),
            "error: query 'tensor<2x10x64xf32>' and key 'tensor<2x20x32xf32>' "
            "must have the same head size D");
  EXPECT_EQ(infer(inferAttentionOp, t({2, 10, 64}), t({2, 20, 64}),
                  t({2, 21, 64}), false),
            "error: key 'tensor<2x20x64xf32>' and value 'tensor<2x21x64xf32>' "
            "must have the same sequence length S");
  EXPECT_EQ(
      infer(inferAttentionOp, t({2, 10, 64}), t({2, 20, 64}), t({2, 20, 64}),
            true),
      "error: causal attention needs as many queries as keys, but query "
      "'tensor<2x10x64xf32>' has T = 10 and key 'tensor<2x20x64xf32>' has "
      "S = 20");
}

TEST_F(ShapeInferenceTest, CrossEntropyEachReduction) {
  RankedTensorType logits = t({8, 256, 50257});
  RankedTensorType labels = t({8, 256}, i32);
  EXPECT_EQ(infer(inferCrossEntropyOp, LossReduction::none, logits, labels),
            "tensor<8x256xf32>");
  EXPECT_EQ(infer(inferCrossEntropyOp, LossReduction::sum, logits, labels),
            "tensor<f32>");
  EXPECT_EQ(infer(inferCrossEntropyOp, LossReduction::mean, logits, labels),
            "tensor<f32>");
  // A single example: rank-1 logits, rank-0 label.
  EXPECT_EQ(infer(inferCrossEntropyOp, LossReduction::none, t({10}, bf16),
                  t({}, i64)),
            "tensor<bf16>");
  EXPECT_EQ(infer(inferCrossEntropyOp, LossReduction::mean, t({4, 1}, f16),
                  t({4}, i64)),
            "tensor<f16>");
}

TEST_F(ShapeInferenceTest, CrossEntropyErrors) {
  EXPECT_EQ(infer(inferCrossEntropyOp, LossReduction::mean, t({}), t({}, i32)),
            "error: logits 'tensor<f32>' need a class dimension (rank >= 1)");
  EXPECT_EQ(
      infer(inferCrossEntropyOp, LossReduction::none, t({8, 10}), t({10}, i32)),
      "error: labels 'tensor<10xi32>' must have the shape of logits "
      "'tensor<8x10xf32>' without its last (class) dimension");
  EXPECT_EQ(infer(inferCrossEntropyOp, LossReduction::sum, t({8, 10}),
                  t({8, 10}, i32)),
            "error: labels 'tensor<8x10xi32>' must have the shape of logits "
            "'tensor<8x10xf32>' without its last (class) dimension");
}

//===----------------------------------------------------------------------===//
// Constants and collectives
//===----------------------------------------------------------------------===//

TEST_F(ShapeInferenceTest, IotaValid) {
  EXPECT_EQ(check(verifyIotaOp, t({256}, i32), int64_t(0)), "ok");
  EXPECT_EQ(check(verifyIotaOp, t({4, 8}), int64_t(1)), "ok");
}

TEST_F(ShapeInferenceTest, IotaErrors) {
  EXPECT_EQ(check(verifyIotaOp, t({256}, i32), int64_t(1)),
            "error: dim 1 is out of range for result 'tensor<256xi32>' of rank "
            "1");
  EXPECT_EQ(check(verifyIotaOp, t({}, i32), int64_t(0)),
            "error: dim 0 is out of range for result 'tensor<i32>' of rank 0");
  EXPECT_EQ(check(verifyIotaOp, t({4}), int64_t(-1)),
            "error: dim -1 is out of range for result 'tensor<4xf32>' of rank "
            "1");
}

TEST_F(ShapeInferenceTest, CollectiveGroupValid) {
  EXPECT_EQ(check(verifyCollectiveGroup, Names{"data"}, int64_t(4)), "ok");
  EXPECT_EQ(check(verifyCollectiveGroup, Names{"data", "model"}, int64_t(8)),
            "ok");
  EXPECT_EQ(check(verifyCollectiveGroup, Names{"data"}, int64_t(1)), "ok");
}

TEST_F(ShapeInferenceTest, CollectiveGroupErrors) {
  EXPECT_EQ(check(verifyCollectiveGroup, Names{"data"}, int64_t(0)),
            "error: group_size 0 must be positive");
  EXPECT_EQ(check(verifyCollectiveGroup, Names{"data"}, int64_t(-2)),
            "error: group_size -2 must be positive");
  EXPECT_EQ(check(verifyCollectiveGroup, Names{}, int64_t(2)),
            "error: axes must name at least one mesh axis");
  EXPECT_EQ(check(verifyCollectiveGroup, Names{"data", ""}, int64_t(2)),
            "error: axes has an empty axis name");
  EXPECT_EQ(
      check(verifyCollectiveGroup, Names{"data", "model", "data"}, int64_t(2)),
      "error: axes names 'data' twice");
}

TEST_F(ShapeInferenceTest, AllGatherValid) {
  EXPECT_EQ(infer(inferAllGatherOp, t({384, 768}), int64_t(2), int64_t(0)),
            "tensor<768x768xf32>");
  EXPECT_EQ(infer(inferAllGatherOp, t({384, 768}), int64_t(2), int64_t(1)),
            "tensor<384x1536xf32>");
  EXPECT_EQ(infer(inferAllGatherOp, t({1, 4}, i1), int64_t(8), int64_t(0)),
            "tensor<8x4xi1>");
  EXPECT_EQ(infer(inferAllGatherOp, t({3, 5}), int64_t(1), int64_t(1)),
            "tensor<3x5xf32>");
  EXPECT_EQ(infer(inferAllGatherOp, t({0, 5}), int64_t(4), int64_t(0)),
            "tensor<0x5xf32>");
}

TEST_F(ShapeInferenceTest, AllGatherErrors) {
  EXPECT_EQ(infer(inferAllGatherOp, t({384, 768}), int64_t(0), int64_t(0)),
            "error: group_size 0 must be positive");
  EXPECT_EQ(infer(inferAllGatherOp, t({384, 768}), int64_t(2), int64_t(2)),
            "error: dim 2 is out of range for input 'tensor<384x768xf32>' of "
            "rank 2");
  EXPECT_EQ(infer(inferAllGatherOp, t({}), int64_t(2), int64_t(0)),
            "error: dim 0 is out of range for input 'tensor<f32>' of rank 0");
}

TEST_F(ShapeInferenceTest, AllGatherOverflow) {
  EXPECT_EQ(infer(inferAllGatherOp, t({3, 2}), kMax, int64_t(0)),
            "error: the gathered dimension overflows a 64-bit size");
  EXPECT_EQ(
      infer(inferAllGatherOp, t({int64_t(1) << 62, 2}), int64_t(4), int64_t(0)),
      "error: the gathered dimension overflows a 64-bit size");
}

TEST_F(ShapeInferenceTest, ReduceScatterValid) {
  EXPECT_EQ(infer(inferReduceScatterOp, t({768, 768}), int64_t(4), int64_t(0)),
            "tensor<192x768xf32>");
  EXPECT_EQ(infer(inferReduceScatterOp, t({6, 8}, i32), int64_t(4), int64_t(1)),
            "tensor<6x2xi32>");
  EXPECT_EQ(infer(inferReduceScatterOp, t({3, 5}), int64_t(1), int64_t(0)),
            "tensor<3x5xf32>");
  EXPECT_EQ(infer(inferReduceScatterOp, t({4}), int64_t(4), int64_t(0)),
            "tensor<1xf32>");
  EXPECT_EQ(infer(inferReduceScatterOp, t({0, 2}), int64_t(3), int64_t(0)),
            "tensor<0x2xf32>");
}

TEST_F(ShapeInferenceTest, ReduceScatterErrors) {
  EXPECT_EQ(infer(inferReduceScatterOp, t({10, 4}), int64_t(4), int64_t(0)),
            "error: dimension 0 of input 'tensor<10x4xf32>' (10) is not "
            "divisible by group_size 4");
  EXPECT_EQ(infer(inferReduceScatterOp, t({10, 4}), int64_t(0), int64_t(0)),
            "error: group_size 0 must be positive");
  EXPECT_EQ(infer(inferReduceScatterOp, t({10, 4}), int64_t(-4), int64_t(0)),
            "error: group_size -4 must be positive");
  EXPECT_EQ(
      infer(inferReduceScatterOp, t({10, 4}), int64_t(2), int64_t(-1)),
      "error: dim -1 is out of range for input 'tensor<10x4xf32>' of rank "
      "2");
}

} // namespace
