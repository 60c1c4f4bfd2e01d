//===- OpBuilderTest.cpp - Unit tests of the loom op builders -------------===//
//
// Part of Loom. This file builds loom ops with mlir::OpBuilder and no result
// types, as passes and the frontend do, relying on InferTypeOpInterface: it
// checks the inferred types, that the module verifies, that the verifiers
// reject what the shape rules forbid, and that the folders fire under the
// canonicalizer and the greedy driver. Sections follow LoomOps.td.
//
//===----------------------------------------------------------------------===//

#include "ir/LoomDialect.h"
#include "ir/LoomOps.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Builders.h"
#include "mlir/IR/BuiltinAttributes.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/IR/OwningOpRef.h"
#include "mlir/IR/Verifier.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "mlir/Transforms/Passes.h"
#include "llvm/ADT/StringExtras.h"
#include "llvm/Support/raw_ostream.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <functional>
#include <string>
#include <vector>

using namespace mlir;
using namespace mlir::loom;
using ::testing::HasSubstr;

namespace {

using Ints = SmallVector<int64_t>;

/// The printed form of a type or an operation.
template <typename T> std::string str(T printable) {
  std::string out;
  llvm::raw_string_ostream os(out);
  os << printable;
  return out;
}

/// A module with one func.func under construction, and a builder inside it.
class OpBuilderTest : public ::testing::Test {
protected:
  OpBuilderTest()
      : handler(&ctx, [this](Diagnostic &diag) {
          diagnostics.push_back(diag.str());
          return success();
        }) {
    ctx.loadDialect<LoomDialect, func::FuncDialect>();
    module = ModuleOp::create(loc);
  }

  RankedTensorType t(ArrayRef<int64_t> shape, Type element = {}) {
    return RankedTensorType::get(shape, element ? element : f32);
  }

  /// Starts `func.func @name` taking `inputs`; the builder then appends to its
  /// body. Returns the arguments.
  Block::BlockArgListType begin(StringRef name, TypeRange inputs) {
    func = func::FuncOp::create(loc, name, builder.getFunctionType(inputs, {}));
    module->push_back(func);
    Block *body = func.addEntryBlock();
    builder.setInsertionPointToEnd(body);
    return body->getArguments();
  }

  /// Ends the function with `func.return results`, fixing its type.
  void end(ValueRange results) {
    builder.create<func::ReturnOp>(loc, results);
    func.setFunctionType(
        builder.getFunctionType(func.getArgumentTypes(), TypeRange(results)));
  }

  /// Verifies the module; returns "ok" or the diagnostics.
  std::string verifyModule() {
    diagnostics.clear();
    if (succeeded(verify(*module)))
      return "ok";
    return "error: " + llvm::join(diagnostics, " | ");
  }

  /// Runs the canonicalizer over the module; false (and a test failure) if the
  /// pass fails.
  bool canonicalize() {
    PassManager pm(&ctx);
    pm.addPass(createCanonicalizerPass());
    return succeeded(pm.run(*module));
  }

  /// The values the function returns.
  OperandRange returned() {
    return func.getBody().front().getTerminator()->getOperands();
  }

  /// The number of ops in the function body, the terminator excluded.
  size_t numBodyOps() {
    return func.getBody().front().getOperations().size() - 1;
  }

  /// The function's ops of type OpTy.
  template <typename OpTy> SmallVector<OpTy> opsOf() {
    SmallVector<OpTy> ops;
    func.walk([&](OpTy op) { ops.push_back(op); });
    return ops;
  }

  /// A splat loom.constant of `value` with type `type`.
  Value splat(RankedTensorType type, double value) {
    Attribute element =
        isa<FloatType>(type.getElementType())
            ? Attribute(builder.getFloatAttr(type.getElementType(), value))
            : Attribute(builder.getIntegerAttr(type.getElementType(),
                                               static_cast<int64_t>(value)));
    auto attr = cast<ElementsAttr>(DenseElementsAttr::get(type, element));
    return builder.create<ConstantOp>(loc, attr);
  }

  MLIRContext ctx;
  std::vector<std::string> diagnostics;
  ScopedDiagnosticHandler handler;
  Location loc = FileLineColLoc::get(&ctx, "op_builder_test.cpp", 1, 1);
  OpBuilder builder{&ctx};
  Type f32 = builder.getF32Type();
  Type f16 = builder.getF16Type();
  Type i1 = builder.getI1Type();
  Type i32 = builder.getI32Type();
  Type i64 = builder.getI64Type();
  OwningOpRef<ModuleOp> module;
  func::FuncOp func;
};

//===----------------------------------------------------------------------===//
// Inferred result types
//===----------------------------------------------------------------------===//

TEST_F(OpBuilderTest, Matmul) {
  auto args = begin("matmul", {t({8, 256, 768}), t({3072, 768}),
                               t({2, 1, 4, 5}), t({3, 5, 6}), t({5, 4})});
  auto plain = builder.create<MatmulOp>(loc, args[0], args[0],
                                        /*transpose_lhs=*/false,
                                        /*transpose_rhs=*/true);
  auto projected = builder.create<MatmulOp>(loc, args[0], args[1], false, true);
  auto batched = builder.create<MatmulOp>(loc, args[2], args[3]);
  auto transposed = builder.create<MatmulOp>(loc, args[4], args[4], true);
  end({plain, projected, batched, transposed});

  EXPECT_EQ(str(plain.getType()), "tensor<8x256x256xf32>");
  EXPECT_EQ(str(projected.getType()), "tensor<8x256x3072xf32>");
  EXPECT_TRUE(projected.getTransposeRhs());
  EXPECT_FALSE(projected.getTransposeLhs());
  EXPECT_EQ(str(batched.getType()), "tensor<2x3x4x6xf32>");
  EXPECT_EQ(str(transposed.getType()), "tensor<4x4xf32>");
  EXPECT_EQ(verifyModule(), "ok");
}

TEST_F(OpBuilderTest, ElementwiseCompareSelect) {
  auto args = begin("elementwise", {t({4, 8}), t({8}), t({}), t({4, 1}, i1)});
  Value x = args[0], bias = args[1], scalar = args[2], cond = args[3];
  auto add = builder.create<AddOp>(loc, x, bias);
  auto sub = builder.create<SubOp>(loc, bias, x);
  auto mul = builder.create<MulOp>(loc, scalar, x);
  auto div = builder.create<DivOp>(loc, x, scalar);
  auto max = builder.create<MaxOp>(loc, x, bias);
  auto pow = builder.create<PowOp>(loc, bias, scalar);
  auto cmp = builder.create<CompareOp>(loc, ComparePredicate::gt, x, scalar);
  auto sel = builder.create<SelectOp>(loc, cond, bias, scalar);
  auto neg = builder.create<NegOp>(loc, x);
  auto exp = builder.create<ExpOp>(loc, bias);
  auto gelu = builder.create<GeluOp>(loc, x, /*approximate=*/true);
  end({add, sub, mul, div, max, pow, cmp, sel, neg, exp, gelu});

  for (Value v : {add.getResult(), sub.getResult(), mul.getResult(),
                  div.getResult(), max.getResult()})
    EXPECT_EQ(str(v.getType()), "tensor<4x8xf32>");
  EXPECT_EQ(str(pow.getType()), "tensor<8xf32>");
  EXPECT_EQ(str(cmp.getType()), "tensor<4x8xi1>");
  EXPECT_EQ(str(sel.getType()), "tensor<4x8xf32>");
  EXPECT_EQ(str(neg.getType()), "tensor<4x8xf32>");
  EXPECT_EQ(str(exp.getType()), "tensor<8xf32>");
  EXPECT_EQ(str(gelu.getType()), "tensor<4x8xf32>");
  EXPECT_EQ(verifyModule(), "ok");
}

TEST_F(OpBuilderTest, DataMovement) {
  auto args = begin("data_movement", {t({2, 3, 4}), t({10, 6}), t({2, 5, 3}),
                                      t({4, 6}, i32), t({2, 4, 6, 3})});
  auto transpose = builder.create<TransposeOp>(loc, args[0], Ints{2, 0, 1});
  auto slice =
      builder.create<SliceOp>(loc, args[1], Ints{1, 0}, Ints{8, 6}, Ints{3, 4});
  auto concat0 = builder.create<ConcatOp>(loc, ValueRange{args[1], args[1]}, 0);
  auto concat1 = builder.create<ConcatOp>(loc, ValueRange{args[1], args[1]}, 1);
  auto gather = builder.create<GatherOp>(loc, args[2], args[3], 1);
  auto scatter =
      builder.create<ScatterAddOp>(loc, args[2], args[3], args[4], 1);
  // broadcast and reshape take their result type.
  auto broadcast = builder.create<BroadcastOp>(loc, t({7, 2, 3, 4}), args[0]);
  auto reshape = builder.create<ReshapeOp>(loc, t({6, 4}), args[0]);
  auto cast = builder.create<CastOp>(loc, t({2, 3, 4}, f16), args[0]);
  end({transpose, slice, concat0, concat1, gather, scatter, broadcast, reshape,
       cast});

  EXPECT_EQ(str(transpose.getType()), "tensor<4x2x3xf32>");
  EXPECT_EQ(str(slice.getType()), "tensor<3x2xf32>");
  EXPECT_EQ(str(concat0.getType()), "tensor<20x6xf32>");
  EXPECT_EQ(str(concat1.getType()), "tensor<10x12xf32>");
  EXPECT_EQ(str(gather.getType()), "tensor<2x4x6x3xf32>");
  EXPECT_EQ(str(scatter.getType()), "tensor<2x5x3xf32>");
  EXPECT_EQ(verifyModule(), "ok");
}

TEST_F(OpBuilderTest, ReduceConvPool) {
  auto args = begin("reduce_conv_pool",
                    {t({8, 256, 768}), t({1, 3, 224, 224}), t({64, 3, 7, 7})});
  auto sum =
      builder.create<ReduceOp>(loc, ReduceKind::sum, args[0], Ints{0, 1});
  auto max = builder.create<ReduceOp>(loc, ReduceKind::max, args[0], Ints{2},
                                      /*keep_dims=*/true);
  auto mean =
      builder.create<ReduceOp>(loc, ReduceKind::mean, args[0], Ints{0, 1, 2});
  auto conv = builder.create<Conv2dOp>(loc, args[1], args[2], Ints{2, 2},
                                       Ints{3, 3, 3, 3}, Ints{1, 1}, 1);
  auto convDefaults = builder.create<Conv2dOp>(loc, args[1], args[2]);
  auto pool = builder.create<Pool2dOp>(loc, PoolKind::max, conv, Ints{3, 3},
                                       Ints{2, 2}, Ints{1, 1, 1, 1});
  end({sum, max, mean, conv, convDefaults, pool});

  EXPECT_EQ(str(sum.getType()), "tensor<768xf32>");
  EXPECT_EQ(str(max.getType()), "tensor<8x256x1xf32>");
  EXPECT_EQ(str(mean.getType()), "tensor<f32>");
  EXPECT_EQ(str(conv.getType()), "tensor<1x64x112x112xf32>");
  EXPECT_EQ(str(convDefaults.getType()), "tensor<1x64x218x218xf32>");
  EXPECT_EQ(convDefaults.getGroups(), 1u);
  EXPECT_EQ(str(pool.getType()), "tensor<1x64x56x56xf32>");
  EXPECT_EQ(verifyModule(), "ok");
}

TEST_F(OpBuilderTest, NormalizationAttentionLosses) {
  auto args = begin("nn", {t({8, 256, 768}), t({768}), t({2, 10, 64}),
                           t({2, 20, 64}), t({2, 20, 32}), t({8, 256, 50257}),
                           t({8, 256}, i32), t({2}, i64)});
  auto softmax = builder.create<SoftmaxOp>(loc, args[0], 2);
  auto logSoftmax = builder.create<LogSoftmaxOp>(loc, args[0], 1);
  auto norm = builder.create<LayerNormOp>(loc, args[0], args[1], args[1],
                                          llvm::APFloat(1e-5));
  auto attention = builder.create<AttentionOp>(loc, args[2], args[3], args[4],
                                               /*causal=*/false, FloatAttr());
  auto none = builder.create<CrossEntropyOp>(loc, LossReduction::none, args[5],
                                             args[6]);
  auto sum =
      builder.create<CrossEntropyOp>(loc, LossReduction::sum, args[5], args[6]);
  auto mean = builder.create<CrossEntropyOp>(loc, LossReduction::mean, args[5],
                                             args[6]);
  auto dropout =
      builder.create<DropoutOp>(loc, args[0], args[7], llvm::APFloat(0.1), 3);
  Value zeros = splat(t({768}), 0.0);
  auto iota = builder.create<IotaOp>(loc, t({256}, i32), 0);
  end({softmax, logSoftmax, norm, attention, none, sum, mean, dropout, zeros,
       iota});

  EXPECT_EQ(str(softmax.getType()), "tensor<8x256x768xf32>");
  EXPECT_EQ(str(logSoftmax.getType()), "tensor<8x256x768xf32>");
  EXPECT_EQ(str(norm.getType()), "tensor<8x256x768xf32>");
  EXPECT_EQ(str(attention.getType()), "tensor<2x10x32xf32>");
  EXPECT_EQ(str(none.getType()), "tensor<8x256xf32>");
  EXPECT_EQ(str(sum.getType()), "tensor<f32>");
  EXPECT_EQ(str(mean.getType()), "tensor<f32>");
  EXPECT_EQ(str(dropout.getType()), "tensor<8x256x768xf32>");
  EXPECT_EQ(str(zeros.getType()), "tensor<768xf32>");
  EXPECT_EQ(verifyModule(), "ok");
}

TEST_F(OpBuilderTest, Collectives) {
  auto args = begin("collectives", {t({384, 768}), t({768, 768})});
  ArrayAttr data = builder.getStrArrayAttr({"data"});
  ArrayAttr model = builder.getStrArrayAttr({"model"});
  auto allReduce =
      builder.create<AllReduceOp>(loc, ReduceKind::sum, args[1], data, 4);
  auto allGather = builder.create<AllGatherOp>(loc, args[0], model, 2, 0);
  auto allGather1 = builder.create<AllGatherOp>(loc, args[0], model, 2, 1);
  auto reduceScatter = builder.create<ReduceScatterOp>(loc, ReduceKind::sum,
                                                       args[1], data, 4, 0);
  end({allReduce, allGather, allGather1, reduceScatter});

  EXPECT_EQ(str(allReduce.getType()), "tensor<768x768xf32>");
  EXPECT_EQ(str(allGather.getType()), "tensor<768x768xf32>");
  EXPECT_EQ(str(allGather1.getType()), "tensor<384x1536xf32>");
  EXPECT_EQ(str(reduceScatter.getType()), "tensor<192x768xf32>");
  EXPECT_EQ(verifyModule(), "ok");
}

TEST_F(OpBuilderTest, BuiltModulePrintsAndParsesBack) {
  auto args = begin("round_trip", {t({8, 256, 768}), t({3072, 768}), t({768})});
  auto y = builder.create<MatmulOp>(loc, args[0], args[1], false, true);
  auto z = builder.create<AddOp>(loc, args[0], args[2]);
  auto s = builder.create<ReduceOp>(loc, ReduceKind::mean, z, Ints{2}, true);
  end({y, s});
  ASSERT_EQ(verifyModule(), "ok");

  std::string printed = str(*module);
  OwningOpRef<ModuleOp> parsed = parseSourceString<ModuleOp>(printed, &ctx);
  ASSERT_TRUE(parsed) << llvm::join(diagnostics, " | ") << "\n" << printed;
  EXPECT_TRUE(succeeded(verify(*parsed)));
  EXPECT_EQ(str(*parsed), printed);
}

//===----------------------------------------------------------------------===//
// Inference failures and verifiers
//===----------------------------------------------------------------------===//

TEST_F(OpBuilderTest, InferReturnTypesReportsThroughTheAdaptor) {
  auto args =
      begin("bad", {t({2, 3}), t({4, 5}),
                    RankedTensorType::get({ShapedType::kDynamic, 3}, f32)});
  SmallVector<Type> results;
  MatmulOp::Properties props;
  MatmulOp::Adaptor shapes(ValueRange{args[0], args[1]}, DictionaryAttr(),
                           props);
  EXPECT_TRUE(failed(MatmulOp::inferReturnTypes(&ctx, loc, shapes, results)));
  EXPECT_EQ(llvm::join(diagnostics, " | "),
            "'loom.matmul' op contracting dimensions differ: lhs "
            "'tensor<2x3xf32>' has K = 3 but "
            "rhs 'tensor<4x5xf32>' has K = 4");

  // Properties reach the rule: with transpose_rhs, [2, 3] x [4, 5]^T still
  // fails, but naming the transposed operand.
  diagnostics.clear();
  props.transpose_rhs = builder.getUnitAttr();
  MatmulOp::Adaptor transposed(ValueRange{args[0], args[1]}, DictionaryAttr(),
                               props);
  EXPECT_TRUE(
      failed(MatmulOp::inferReturnTypes(&ctx, loc, transposed, results)));
  EXPECT_EQ(llvm::join(diagnostics, " | "),
            "'loom.matmul' op contracting dimensions differ: lhs "
            "'tensor<2x3xf32>' has K = 3 but "
            "rhs 'tensor<4x5xf32>' (transposed) has K = 5");

  // Builders may run inference before ODS checks the operand types.
  diagnostics.clear();
  MatmulOp::Properties plain;
  MatmulOp::Adaptor dynamic(ValueRange{args[2], args[0]}, DictionaryAttr(),
                            plain);
  EXPECT_TRUE(failed(MatmulOp::inferReturnTypes(&ctx, loc, dynamic, results)));
  EXPECT_EQ(llvm::join(diagnostics, " | "),
            "'loom.matmul' op lhs must be a statically shaped tensor, not "
            "'tensor<?x3xf32>'");

  // The generic (operands, attributes, properties) entry point agrees.
  diagnostics.clear();
  EXPECT_TRUE(failed(AddOp::inferReturnTypes(
      &ctx, loc, ValueRange{args[0], args[1]}, DictionaryAttr(),
      OpaqueProperties(nullptr), RegionRange(), results)));
  EXPECT_EQ(llvm::join(diagnostics, " | "),
            "'loom.add' op operands are not broadcast-compatible: lhs "
            "'tensor<2x3xf32>' has 3 "
            "at dimension 1 where rhs 'tensor<4x5xf32>' has 5 at dimension 1");
  EXPECT_TRUE(results.empty());
  end({});
}

TEST_F(OpBuilderTest, BuilderAbortsWhenInferenceFails) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  auto args = begin("abort", {t({2, 3}), t({4, 5})});
  EXPECT_DEATH(builder.create<MatmulOp>(loc, args[0], args[1]),
               "Failed to infer result type");
}

TEST_F(OpBuilderTest, VerifierRejectsAWrongExplicitResultType) {
  auto args = begin("wrong_type", {t({2, 3}), t({3, 4})});
  auto wrong =
      builder.create<MatmulOp>(loc, t({2, 5}), args[0], args[1], false, false);
  end({wrong});
  EXPECT_THAT(verifyModule(),
              HasSubstr("'loom.matmul' op inferred type(s) 'tensor<2x4xf32>' "
                        "are incompatible with return type(s) of operation "
                        "'tensor<2x5xf32>'"));
}

TEST_F(OpBuilderTest, VerifiersReportTheShapeRules) {
  struct Case {
    std::string name, expected;
    std::function<Value(Block::BlockArgListType)> build;
  };
  std::vector<Case> cases = {
      {"broadcast",
       "input 'tensor<3xf32>' does not broadcast to result "
       "'tensor<2x4xf32>': input dimension 0 is 3 but result "
       "dimension 1 is 4",
       [&](Block::BlockArgListType args) -> Value {
         return builder.create<BroadcastOp>(loc, t({2, 4}), args[0]);
       }},
      {"reshape",
       "input 'tensor<3xf32>' has 3 elements but result "
       "'tensor<2x2xf32>' has 4",
       [&](Block::BlockArgListType args) -> Value {
         return builder.create<ReshapeOp>(loc, t({2, 2}), args[0]);
       }},
      {"iota", "dim 1 is out of range for result 'tensor<256xi32>' of rank 1",
       [&](Block::BlockArgListType) -> Value {
         return builder.create<IotaOp>(loc, t({256}, i32), 1);
       }},
      {"softmax", "dim 1 is out of range for input 'tensor<3xf32>' of rank 1",
       [&](Block::BlockArgListType args) -> Value {
         return builder.create<SoftmaxOp>(loc, args[0], 1);
       }},
      {"all_gather", "axes must name at least one mesh axis",
       [&](Block::BlockArgListType args) -> Value {
         return builder.create<AllGatherOp>(loc, args[0],
                                            builder.getStrArrayAttr({}), 2, 0);
       }},
      {"dropout", "'loom.dropout' op rate 1.500000e+00 must lie in [0, 1)",
       [&](Block::BlockArgListType args) -> Value {
         return builder.create<DropoutOp>(loc, args[0], args[1],
                                          llvm::APFloat(1.5), 0);
       }},
  };
  for (const Case &c : cases) {
    auto args = begin(c.name, {t({3}), t({2}, i64)});
    Value v = c.build(args);
    end({v});
    EXPECT_THAT(verifyModule(), HasSubstr(c.expected)) << c.name;
    func.erase();
  }
}

//===----------------------------------------------------------------------===//
// Folders
//===----------------------------------------------------------------------===//

TEST_F(OpBuilderTest, TransposeOfTransposeComposes) {
  auto args = begin("transpose", {t({2, 3, 4})});
  auto inner = builder.create<TransposeOp>(loc, args[0], Ints{1, 0, 2});
  auto outer = builder.create<TransposeOp>(loc, inner, Ints{0, 2, 1});
  EXPECT_EQ(str(inner.getType()), "tensor<3x2x4xf32>");
  EXPECT_EQ(str(outer.getType()), "tensor<3x4x2xf32>");
  end({outer});
  ASSERT_TRUE(canonicalize());
  ASSERT_EQ(verifyModule(), "ok");

  // result[i] = inner[outer[i]]: [1, 0, 2] then [0, 2, 1] is [1, 2, 0].
  auto transposes = opsOf<TransposeOp>();
  ASSERT_EQ(transposes.size(), 1u);
  EXPECT_EQ(transposes[0].getInput(), args[0]);
  EXPECT_EQ(llvm::to_vector(transposes[0].getPerm()), (Ints{1, 2, 0}));
  EXPECT_EQ(str(transposes[0].getType()), "tensor<3x4x2xf32>");
  EXPECT_EQ(returned()[0], transposes[0].getResult());
}

TEST_F(OpBuilderTest, TransposeOfInverseTransposeFoldsAway) {
  auto args = begin("transpose_inverse", {t({2, 3, 4})});
  auto inner = builder.create<TransposeOp>(loc, args[0], Ints{1, 2, 0});
  auto outer = builder.create<TransposeOp>(loc, inner, Ints{2, 0, 1});
  auto identity = builder.create<TransposeOp>(loc, args[0], Ints{0, 1, 2});
  end({outer, identity});
  ASSERT_TRUE(canonicalize());
  EXPECT_EQ(numBodyOps(), 0u);
  EXPECT_EQ(returned()[0], args[0]);
  EXPECT_EQ(returned()[1], args[0]);
}

TEST_F(OpBuilderTest, NegAndIdentityOperandsFold) {
  auto args = begin("identities", {t({4, 8}), t({8})});
  Value x = args[0];
  Value zero = splat(t({4, 8}), 0.0);
  Value negZero = splat(t({}), -0.0);
  Value one = splat(t({8}), 1.0);
  auto negNeg = builder.create<NegOp>(loc, builder.create<NegOp>(loc, x));
  auto addZero = builder.create<AddOp>(loc, x, zero);
  auto zeroAdd = builder.create<AddOp>(loc, negZero, x);
  auto subZero = builder.create<SubOp>(loc, x, zero);
  auto mulOne = builder.create<MulOp>(loc, one, x);
  auto divOne = builder.create<DivOp>(loc, x, one);
  // Not folded: the result is broadcast beyond args[1]'s type.
  auto widened = builder.create<AddOp>(loc, args[1], zero);
  // Not folded: 0 - x is not x.
  auto zeroSub = builder.create<SubOp>(loc, zero, x);
  end({negNeg, addZero, zeroAdd, subZero, mulOne, divOne, widened, zeroSub});
  ASSERT_TRUE(canonicalize());
  ASSERT_EQ(verifyModule(), "ok");

  OperandRange r = returned();
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(r[i], x) << "result #" << i;
  EXPECT_TRUE(r[6].getDefiningOp<AddOp>());
  EXPECT_EQ(str(r[6].getType()), "tensor<4x8xf32>");
  EXPECT_TRUE(r[7].getDefiningOp<SubOp>());
  EXPECT_TRUE(opsOf<NegOp>().empty());
}

TEST_F(OpBuilderTest, BroadcastReshapeCastFold) {
  auto args = begin("movement", {t({3}), t({2, 3})});
  auto b1 = builder.create<BroadcastOp>(loc, t({2, 3}), args[0]);
  auto b2 = builder.create<BroadcastOp>(loc, t({5, 2, 3}), b1);
  auto sameB = builder.create<BroadcastOp>(loc, t({3}), args[0]);
  auto r1 = builder.create<ReshapeOp>(loc, t({3, 2}), args[1]);
  auto r2 = builder.create<ReshapeOp>(loc, t({6}), r1);
  auto sameR = builder.create<ReshapeOp>(loc, t({2, 3}), args[1]);
  // reshape(reshape(x)) back to x's type folds away entirely.
  auto there = builder.create<ReshapeOp>(loc, t({6}), args[1]);
  auto back = builder.create<ReshapeOp>(loc, t({2, 3}), there);
  auto sameCast = builder.create<CastOp>(loc, t({2, 3}), args[1]);
  auto splatB = builder.create<BroadcastOp>(loc, t({4, 3}), splat(t({3}), 2.0));
  end({b2, sameB, r2, sameR, sameCast, splatB, back});
  ASSERT_TRUE(canonicalize());
  ASSERT_EQ(verifyModule(), "ok");

  OperandRange r = returned();
  auto broadcast = r[0].getDefiningOp<BroadcastOp>();
  ASSERT_TRUE(broadcast);
  EXPECT_EQ(broadcast.getInput(), args[0]);
  EXPECT_EQ(str(broadcast.getType()), "tensor<5x2x3xf32>");
  EXPECT_EQ(r[1], args[0]);
  auto reshape = r[2].getDefiningOp<ReshapeOp>();
  ASSERT_TRUE(reshape);
  EXPECT_EQ(reshape.getInput(), args[1]);
  EXPECT_EQ(str(reshape.getType()), "tensor<6xf32>");
  EXPECT_EQ(r[3], args[1]);
  EXPECT_EQ(r[4], args[1]);
  auto constant = r[5].getDefiningOp<ConstantOp>();
  ASSERT_TRUE(constant);
  EXPECT_EQ(str(constant.getValue()), "dense<2.000000e+00> : tensor<4x3xf32>");
  EXPECT_EQ(r[6], args[1]);
  EXPECT_EQ(opsOf<BroadcastOp>().size(), 1u);
  EXPECT_EQ(opsOf<ReshapeOp>().size(), 1u);
  EXPECT_TRUE(opsOf<CastOp>().empty());
}

TEST_F(OpBuilderTest, WholeSliceAndSingleConcatFold) {
  auto args = begin("whole", {t({4, 6})});
  auto whole =
      builder.create<SliceOp>(loc, args[0], Ints{0, 0}, Ints{4, 6}, Ints{1, 1});
  auto part =
      builder.create<SliceOp>(loc, args[0], Ints{0, 0}, Ints{4, 6}, Ints{1, 2});
  auto single = builder.create<ConcatOp>(loc, ValueRange{args[0]}, 1);
  end({whole, part, single});
  ASSERT_TRUE(canonicalize());
  OperandRange r = returned();
  EXPECT_EQ(r[0], args[0]);
  EXPECT_TRUE(r[1].getDefiningOp<SliceOp>());
  EXPECT_EQ(str(r[1].getType()), "tensor<4x3xf32>");
  EXPECT_EQ(r[2], args[0]);
}

TEST_F(OpBuilderTest, GreedyDriverFoldsWithoutPatterns) {
  auto args = begin("greedy", {t({2, 3})});
  auto inner = builder.create<TransposeOp>(loc, args[0], Ints{1, 0});
  auto outer = builder.create<TransposeOp>(loc, inner, Ints{1, 0});
  auto negNeg = builder.create<NegOp>(loc, builder.create<NegOp>(loc, outer));
  end({negNeg});
  RewritePatternSet none(&ctx);
  ASSERT_TRUE(succeeded(applyPatternsAndFoldGreedily(
      func, FrozenRewritePatternSet(std::move(none)))));
  EXPECT_EQ(numBodyOps(), 0u);
  EXPECT_EQ(returned()[0], args[0]);
  EXPECT_EQ(verifyModule(), "ok");
}

TEST_F(OpBuilderTest, CanonicalizationKeepsLiveOps) {
  // Nothing here folds; the canonicalizer must leave the graph alone.
  auto args = begin("live", {t({8, 256, 768}), t({3072, 768})});
  auto y = builder.create<MatmulOp>(loc, args[0], args[1], false, true);
  auto g = builder.create<GeluOp>(loc, y, false);
  auto s = builder.create<ReduceOp>(loc, ReduceKind::sum, g, Ints{0, 1});
  builder.create<NegOp>(loc, s); // dead: removed
  end({s});
  ASSERT_TRUE(canonicalize());
  EXPECT_EQ(numBodyOps(), 3u);
  EXPECT_EQ(returned()[0], s.getResult());
  EXPECT_EQ(verifyModule(), "ok");
}

} // namespace
