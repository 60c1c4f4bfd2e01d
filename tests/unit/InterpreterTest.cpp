//===- InterpreterTest.cpp - The reference interpreter on loom IR ---------===//
//
// Part of Loom. Runs small loom functions, parsed from text, through the
// reference interpreter and checks the results, the rounding to element
// types, and the run-time errors it reports at the op.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Interpreter.h"
#include "ir/LoomDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace mlir;
using namespace mlir::loom::reference;

namespace {

class InterpreterTest : public ::testing::Test {
protected:
  InterpreterTest() {
    ctx.loadDialect<mlir::loom::LoomDialect, func::FuncDialect>();
  }

  /// Parses `ir`, runs its @f on `args`; collects diagnostics in `errors`.
  std::optional<std::vector<Tensor>> run(const char *ir,
                                         std::vector<Tensor> args) {
    module = parseSourceString<ModuleOp>(ir, &ctx);
    EXPECT_TRUE(module) << "the test IR does not parse";
    if (!module)
      return std::nullopt;
    auto f = module->lookupSymbol<func::FuncOp>("f");
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      errors += d.str();
      return success();
    });
    return runFunction(f, args);
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  std::string errors;
};

TEST_F(InterpreterTest, BroadcastingAddOfConstant) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
      %b = loom.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
      %y = loom.add %x, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
      return %y : tensor<2x3xf32>
    })mlir",
                 {Tensor(DType::F32, {2, 3}, {0, 10, 20, 30, 40, 50})});
  ASSERT_TRUE(out);
  ASSERT_EQ(out->size(), 1u);
  EXPECT_EQ((*out)[0].shape, (std::vector<int64_t>{2, 3}));
  EXPECT_EQ((*out)[0].data, (std::vector<double>{1, 12, 23, 31, 42, 53}));
}

TEST_F(InterpreterTest, ResultsRoundToTheirElementType) {
  // 0.1 + 0.2 computed in double, stored as f32: equals the f32 sum.
  auto out = run(R"mlir(
    func.func @f(%x: tensor<f32>, %y: tensor<f32>) -> tensor<f32> {
      %z = loom.add %x, %y : tensor<f32>
      return %z : tensor<f32>
    })mlir",
                 {Tensor(DType::F32, {}, {double(0.1f)}),
                  Tensor(DType::F32, {}, {double(0.2f)})});
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)[0].data[0], double(0.1f + 0.2f));
}

TEST_F(InterpreterTest, ChainOfOpsMatchesDirectComputation) {
  // y = softmax(x @ w^T + b) on 2x3 @ (4x3)^T, checked row by row.
  std::vector<double> x = {1, 2, 3, -1, 0, 1};
  std::vector<double> w = {1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1};
  std::vector<double> b = {0.5, -0.5, 0, 1};
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2x3xf64>, %w: tensor<4x3xf64>, %b: tensor<4xf64>) -> tensor<2x4xf64> {
      %h = loom.matmul %x, %w transpose_rhs : (tensor<2x3xf64>, tensor<4x3xf64>) -> tensor<2x4xf64>
      %hb = loom.add %h, %b : (tensor<2x4xf64>, tensor<4xf64>) -> tensor<2x4xf64>
      %p = loom.softmax %hb dim 1 : tensor<2x4xf64>
      return %p : tensor<2x4xf64>
    })mlir",
                 {Tensor(DType::F64, {2, 3}, x), Tensor(DType::F64, {4, 3}, w),
                  Tensor(DType::F64, {4}, b)});
  ASSERT_TRUE(out);
  for (int r = 0; r < 2; ++r) {
    double logits[4], sum = 0;
    for (int j = 0; j < 4; ++j) {
      logits[j] = b[j];
      for (int k = 0; k < 3; ++k)
        logits[j] += x[r * 3 + k] * w[j * 3 + k];
      sum += std::exp(logits[j]);
    }
    for (int j = 0; j < 4; ++j)
      EXPECT_NEAR((*out)[0].data[r * 4 + j], std::exp(logits[j]) / sum, 1e-15);
  }
}

TEST_F(InterpreterTest, GatherIndexOutOfRangeIsARunTimeErrorAtTheOp) {
  auto out =
      run(R"mlir(
    func.func @f(%t: tensor<4x2xf32>, %i: tensor<3xi32>) -> tensor<3x2xf32> {
      %g = loom.gather %t[%i] axis 0 : (tensor<4x2xf32>, tensor<3xi32>) -> tensor<3x2xf32>
      return %g : tensor<3x2xf32>
    })mlir",
          {Tensor(DType::F32, {4, 2}), Tensor(DType::I32, {3}, {0, 7, 1})});
  EXPECT_FALSE(out);
  EXPECT_NE(errors.find("run-time error: "), std::string::npos) << errors;
  EXPECT_NE(errors.find("7"), std::string::npos) << errors;
}

TEST_F(InterpreterTest, CollectivesAreTheIdentityOnOneRank) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
      %y = loom.all_reduce sum %x over ["data"] group_size 1 : tensor<2xf32>
      return %y : tensor<2xf32>
    })mlir",
                 {Tensor(DType::F32, {2}, {1.5, -2})});
  ASSERT_TRUE(out);
  EXPECT_EQ((*out)[0].data, (std::vector<double>{1.5, -2}));
}

TEST_F(InterpreterTest, CollectivesOverSeveralRanksAreRefused) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
      %y = loom.all_reduce sum %x over ["data"] group_size 4 : tensor<2xf32>
      return %y : tensor<2xf32>
    })mlir",
                 {Tensor(DType::F32, {2})});
  EXPECT_FALSE(out);
  EXPECT_EQ(errors, "run-time error: the reference interpreter runs one "
                    "rank, but this collective spans 4");
}

TEST_F(InterpreterTest, WrongArgumentCountIsReported) {
  auto out = run(R"mlir(
    func.func @f(%x: tensor<2xf32>) -> tensor<2xf32> {
      return %x : tensor<2xf32>
    })mlir",
                 {});
  EXPECT_FALSE(out);
  EXPECT_EQ(errors,
            "the reference interpreter got 0 arguments for 1 parameters");
}

TEST_F(InterpreterTest, DropoutIsDeterministicInItsKey) {
  const char *ir = R"mlir(
    func.func @f(%x: tensor<64xf32>, %k: tensor<2xi64>) -> tensor<64xf32> {
      %y = loom.dropout %x, %k rate 5.000000e-01 stream 3 : (tensor<64xf32>, tensor<2xi64>) -> tensor<64xf32>
      return %y : tensor<64xf32>
    })mlir";
  Tensor ones(DType::F32, {64}, std::vector<double>(64, 1.0));
  auto a = run(ir, {ones, Tensor(DType::I64, {2}, {42, 7})});
  auto b = run(ir, {ones, Tensor(DType::I64, {2}, {42, 7})});
  auto c = run(ir, {ones, Tensor(DType::I64, {2}, {42, 8})});
  ASSERT_TRUE(a && b && c);
  EXPECT_EQ((*a)[0].data, (*b)[0].data);
  EXPECT_NE((*a)[0].data, (*c)[0].data);
  for (double v : (*a)[0].data)
    EXPECT_TRUE(v == 0.0 || v == 2.0) << v;
}

} // namespace
