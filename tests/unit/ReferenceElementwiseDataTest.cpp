//===- ReferenceElementwiseDataTest.cpp - Elementwise and data kernels ----===//
//
// Part of Loom. Checks the reference kernels of the elementwise ops (unary,
// binary, compare, select, cast, broadcastShape) and of the data movement
// ops (broadcast, reshape, transpose, slice, concat, gather, scatter_add)
// against values worked out by hand on small tensors, including the edge
// cases (signed zeros, NaN, infinities, integer division, saturation) and
// the run-time errors of gather and scatter_add.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Kernels.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mlir::loom::reference;

namespace {

const double kNaN = std::numeric_limits<double>::quiet_NaN();
const double kInf = std::numeric_limits<double>::infinity();

using Shape = std::vector<int64_t>;
using Data = std::vector<double>;

Tensor f32(Shape shape, Data data) {
  return Tensor(DType::F32, std::move(shape), std::move(data));
}

/// Expects `t` to be exactly `dtype[shape]` holding `data` (NaN matches NaN).
void expectTensor(const Tensor &t, DType dtype, const Shape &shape,
                  const Data &data) {
  EXPECT_EQ(t.dtype, dtype) << t.typeString();
  EXPECT_EQ(t.shape, shape) << t.typeString();
  ASSERT_EQ(t.data.size(), data.size()) << t.typeString();
  for (size_t i = 0; i < data.size(); ++i) {
    if (std::isnan(data[i]))
      EXPECT_TRUE(std::isnan(t.data[i])) << "element " << i;
    else
      EXPECT_EQ(t.data[i], data[i]) << "element " << i;
  }
}

/// Like expectTensor, with each element within `tol` of `data`.
void expectNear(const Tensor &t, DType dtype, const Shape &shape,
                const Data &data, double tol) {
  EXPECT_EQ(t.dtype, dtype);
  EXPECT_EQ(t.shape, shape);
  ASSERT_EQ(t.data.size(), data.size());
  for (size_t i = 0; i < data.size(); ++i)
    EXPECT_NEAR(t.data[i], data[i], tol) << "element " << i;
}

//===----------------------------------------------------------------------===//
// Elementwise unary
//===----------------------------------------------------------------------===//

TEST(RefUnary, NegAbsKeepShapeAndIntegerType) {
  Tensor x(DType::I32, {2, 2}, {-3, 0, 5, -1});
  expectTensor(unary(UnaryKind::Neg, x), DType::I32, {2, 2}, {3, 0, -5, 1});
  expectTensor(unary(UnaryKind::Abs, x), DType::I32, {2, 2}, {3, 0, 5, 1});
  Tensor r(DType::I64, {3}, {-4, 0, 7});
  expectTensor(unary(UnaryKind::Relu, r), DType::I64, {3}, {0, 0, 7});
}

TEST(RefUnary, SignOfZerosNaNAndInfinities) {
  Tensor y =
      unary(UnaryKind::Sign, f32({6}, {-2.5, -0.0, 0.0, 3, kNaN, -kInf}));
  expectTensor(y, DType::F32, {6}, {-1, 0, 0, 1, kNaN, -1});
  // Both zeros give +0.
  EXPECT_FALSE(std::signbit(y.data[1]));
  EXPECT_FALSE(std::signbit(y.data[2]));
}

TEST(RefUnary, ExpLogSqrtRsqrt) {
  expectNear(unary(UnaryKind::Exp, f32({3}, {0, 1, -kInf})), DType::F32, {3},
             {1, 2.718281828459045, 0}, 1e-15);
  expectTensor(unary(UnaryKind::Log, f32({4}, {1, 0, -1, kInf})), DType::F32,
               {4}, {0, -kInf, kNaN, kInf});
  expectTensor(unary(UnaryKind::Sqrt, f32({4}, {4, 0, 2.25, -1})), DType::F32,
               {4}, {2, 0, 1.5, kNaN});
  expectTensor(unary(UnaryKind::Rsqrt, f32({4}, {4, 0.25, 0, kInf})),
               DType::F32, {4}, {0.5, 2, kInf, 0});
}

TEST(RefUnary, TanhSigmoidRelu) {
  expectNear(unary(UnaryKind::Tanh, f32({3}, {0, 1, -1})), DType::F32, {3},
             {0, 0.7615941559557649, -0.7615941559557649}, 1e-15);
  // sigmoid(ln 3) = 1 / (1 + 1/3) = 0.75; saturates without NaN.
  expectNear(
      unary(UnaryKind::Sigmoid, f32({4}, {0, std::log(3.0), -1000, 1000})),
      DType::F32, {4}, {0.5, 0.75, 0, 1}, 1e-15);
  Tensor r = unary(UnaryKind::Relu, f32({5}, {-2, -0.0, 0.5, kNaN, -kInf}));
  expectTensor(r, DType::F32, {5}, {0, 0, 0.5, kNaN, 0});
  EXPECT_FALSE(std::signbit(r.data[1]));
}

TEST(RefUnary, ErfGeluExactAndTanh) {
  Tensor x = Tensor(DType::F64, {4}, {0, 1, -1, 2});
  expectNear(unary(UnaryKind::Erf, x), DType::F64, {4},
             {0, 0.8427007929497149, -0.8427007929497149, 0.9953222650189527},
             1e-15);
  // 0.5 x (1 + erf(x / sqrt 2)) = x * Phi(x); Phi(1) = 0.8413447460685429.
  expectNear(unary(UnaryKind::Gelu, x), DType::F64, {4},
             {0, 0.8413447460685429, -0.15865525393145707, 1.9544997361036416},
             1e-15);
  // 0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3))).
  expectNear(unary(UnaryKind::GeluTanh, x), DType::F64, {4},
             {0, 0.8411919906082768, -0.15880800939172324, 1.954597694087775},
             1e-15);
}

TEST(RefUnary, RankZero) {
  expectTensor(unary(UnaryKind::Neg, f32({}, {2})), DType::F32, {}, {-2});
}

//===----------------------------------------------------------------------===//
// Elementwise binary
//===----------------------------------------------------------------------===//

TEST(RefBinary, BroadcastShape) {
  EXPECT_EQ(broadcastShape({2, 1}, {3}), (Shape{2, 3}));
  EXPECT_EQ(broadcastShape({}, {4}), (Shape{4}));
  EXPECT_EQ(broadcastShape({5, 1, 3}, {4, 1}), (Shape{5, 4, 3}));
  EXPECT_EQ(broadcastShape({1}, {1, 0}), (Shape{1, 0}));
  EXPECT_EQ(broadcastShape({}, {}), (Shape{}));
}

TEST(RefBinary, AddBroadcastsSizeOneDims) {
  // (2, 1) + (3) -> (2, 3).
  expectTensor(
      binary(BinaryKind::Add, f32({2, 1}, {10, 20}), f32({3}, {1, 2, 3})),
      DType::F32, {2, 3}, {11, 12, 13, 21, 22, 23});
  // (1, 3) - (2, 1) -> (2, 3).
  expectTensor(
      binary(BinaryKind::Sub, f32({1, 3}, {1, 2, 3}), f32({2, 1}, {1, 10})),
      DType::F32, {2, 3}, {0, 1, 2, -9, -8, -7});
}

TEST(RefBinary, RankZeroOperands) {
  // () * (2, 2) and (2, 2) * () -> (2, 2); () * () -> ().
  expectTensor(binary(BinaryKind::Mul, f32({}, {3}), f32({2, 2}, {1, 2, 3, 4})),
               DType::F32, {2, 2}, {3, 6, 9, 12});
  expectTensor(binary(BinaryKind::Div, f32({2, 2}, {1, 2, 3, 4}), f32({}, {2})),
               DType::F32, {2, 2}, {0.5, 1, 1.5, 2});
  expectTensor(binary(BinaryKind::Add, f32({}, {1}), f32({}, {2})), DType::F32,
               {}, {3});
}

TEST(RefBinary, MiddleDimBroadcast) {
  // (2, 1, 2) + (3, 1) -> (2, 3, 2): y[a, b, c] = x[a, 0, c] + z[b, 0].
  expectTensor(binary(BinaryKind::Add, f32({2, 1, 2}, {0, 1, 100, 101}),
                      f32({3, 1}, {10, 20, 30})),
               DType::F32, {2, 3, 2},
               {10, 11, 20, 21, 30, 31, 110, 111, 120, 121, 130, 131});
}

TEST(RefBinary, IntegerDivTruncatesTowardZero) {
  Tensor a(DType::I32, {6}, {7, -7, 7, -7, 5, 0});
  Tensor b(DType::I32, {6}, {2, 2, -2, -2, 0, 3});
  expectTensor(binary(BinaryKind::Div, a, b), DType::I32, {6},
               {3, -3, -3, 3, 0, 0});
  Tensor c(DType::I64, {2}, {-9, 9});
  expectTensor(binary(BinaryKind::Div, c, Tensor(DType::I64, {}, {4})),
               DType::I64, {2}, {-2, 2});
}

TEST(RefBinary, FloatDivByZero) {
  expectTensor(binary(BinaryKind::Div, f32({3}, {1, -1, 0}), f32({}, {0})),
               DType::F32, {3}, {kInf, -kInf, kNaN});
}

TEST(RefBinary, MaxMinPropagateNaN) {
  Tensor a = f32({4}, {kNaN, 1, 2, -kInf});
  Tensor b = f32({4}, {1, kNaN, 3, 5});
  expectTensor(binary(BinaryKind::Max, a, b), DType::F32, {4},
               {kNaN, kNaN, 3, 5});
  expectTensor(binary(BinaryKind::Max, b, a), DType::F32, {4},
               {kNaN, kNaN, 3, 5});
  expectTensor(binary(BinaryKind::Min, a, b), DType::F32, {4},
               {kNaN, kNaN, 2, -kInf});
  expectTensor(binary(BinaryKind::Min, b, a), DType::F32, {4},
               {kNaN, kNaN, 2, -kInf});
}

TEST(RefBinary, MaxMinOrderSignedZeros) {
  // -0 < +0 whatever the operand order, so max is +0 and min is -0.
  Tensor p = f32({2}, {-0.0, 0.0});
  Tensor q = f32({2}, {0.0, -0.0});
  for (const Tensor &y :
       {binary(BinaryKind::Max, p, q), binary(BinaryKind::Max, q, p)}) {
    EXPECT_FALSE(std::signbit(y.data[0]));
    EXPECT_FALSE(std::signbit(y.data[1]));
  }
  for (const Tensor &y :
       {binary(BinaryKind::Min, p, q), binary(BinaryKind::Min, q, p)}) {
    EXPECT_TRUE(std::signbit(y.data[0]));
    EXPECT_TRUE(std::signbit(y.data[1]));
  }
}

TEST(RefBinary, IntegerMaxMin) {
  Tensor a(DType::I64, {3}, {-5, 2, 7});
  Tensor b(DType::I64, {3}, {-6, 4, 7});
  expectTensor(binary(BinaryKind::Max, a, b), DType::I64, {3}, {-5, 4, 7});
  expectTensor(binary(BinaryKind::Min, a, b), DType::I64, {3}, {-6, 2, 7});
}

TEST(RefBinary, Pow) {
  expectTensor(binary(BinaryKind::Pow, f32({5}, {2, 4, 0, -8, -2}),
                      f32({5}, {3, 0.5, 0, 1.0 / 3, 2})),
               DType::F32, {5}, {8, 2, 1, kNaN, 4});
}

//===----------------------------------------------------------------------===//
// Compare, select, cast
//===----------------------------------------------------------------------===//

TEST(RefCompare, AllPredicatesWithNaNAndZeros) {
  // Pairs: (1, 2), (2, 2), (NaN, 1), (-0, +0), (inf, 1e308).
  Tensor a = f32({5}, {1, 2, kNaN, -0.0, kInf});
  Tensor b = f32({5}, {2, 2, 1, 0.0, 1e308});
  expectTensor(compare(CompareKind::Eq, a, b), DType::I1, {5}, {0, 1, 0, 1, 0});
  expectTensor(compare(CompareKind::Ne, a, b), DType::I1, {5}, {1, 0, 1, 0, 1});
  expectTensor(compare(CompareKind::Lt, a, b), DType::I1, {5}, {1, 0, 0, 0, 0});
  expectTensor(compare(CompareKind::Le, a, b), DType::I1, {5}, {1, 1, 0, 1, 0});
  expectTensor(compare(CompareKind::Gt, a, b), DType::I1, {5}, {0, 0, 0, 0, 1});
  expectTensor(compare(CompareKind::Ge, a, b), DType::I1, {5}, {0, 1, 0, 1, 1});
}

TEST(RefCompare, NaNAgainstNaN) {
  Tensor n = f32({}, {kNaN});
  expectTensor(compare(CompareKind::Eq, n, n), DType::I1, {}, {0});
  expectTensor(compare(CompareKind::Ne, n, n), DType::I1, {}, {1});
  expectTensor(compare(CompareKind::Ge, n, n), DType::I1, {}, {0});
}

TEST(RefCompare, BroadcastsAgainstRankZeroAndIntegers) {
  // (2, 2) > () -> (2, 2) of i1.
  expectTensor(
      compare(CompareKind::Gt, f32({2, 2}, {-1, 0, 0.5, 2}), f32({}, {0})),
      DType::I1, {2, 2}, {0, 0, 1, 1});
  // (3, 1) == (2) -> (3, 2).
  expectTensor(compare(CompareKind::Eq, Tensor(DType::I32, {3, 1}, {1, 2, 3}),
                       Tensor(DType::I32, {2}, {2, 3})),
               DType::I1, {3, 2}, {0, 0, 1, 0, 0, 1});
}

TEST(RefSelect, ThreeWayBroadcast) {
  // cond (2, 1), a (3), b () -> (2, 3).
  Tensor cond(DType::I1, {2, 1}, {1, 0});
  expectTensor(select(cond, f32({3}, {1, 2, 3}), f32({}, {-1})), DType::F32,
               {2, 3}, {1, 2, 3, -1, -1, -1});
  // cond (3), a (2, 1), b (1, 3) -> (2, 3), a's element type.
  Tensor c2(DType::I1, {3}, {1, 0, 1});
  Tensor a2(DType::I64, {2, 1}, {10, 20});
  Tensor b2(DType::I64, {1, 3}, {7, 8, 9});
  expectTensor(select(c2, a2, b2), DType::I64, {2, 3}, {10, 8, 10, 20, 8, 20});
}

TEST(RefSelect, RankZeroAndNaNValuesPassThrough) {
  expectTensor(
      select(Tensor(DType::I1, {}, {1}), f32({}, {kNaN}), f32({}, {0})),
      DType::F32, {}, {kNaN});
  expectTensor(
      select(Tensor(DType::I1, {}, {0}), f32({}, {kNaN}), f32({}, {0})),
      DType::F32, {}, {0});
}

TEST(RefCast, FloatToI32TruncatesAndSaturates) {
  Tensor x = f32({9}, {2.7, -2.7, 0.5, -0.0, 3e9, -3e9, kNaN, kInf, -kInf});
  expectTensor(
      cast(x, DType::I32), DType::I32, {9},
      {2, -2, 0, 0, 2147483647, -2147483648.0, 0, 2147483647, -2147483648.0});
}

TEST(RefCast, FloatToI64Saturates) {
  // INT64_MAX is no double; the largest double below 2^63 is 2^63 - 1024.
  Tensor x(DType::F64, {4}, {1e19, -1e19, -123456789012.9, kNaN});
  expectTensor(
      cast(x, DType::I64), DType::I64, {4},
      {9223372036854774784.0, -9223372036854775808.0, -123456789012.0, 0});
}

TEST(RefCast, ToI1ComparesWithZero) {
  Tensor x = f32({5}, {0, -0.0, 0.5, -3, kNaN});
  expectTensor(cast(x, DType::I1), DType::I1, {5}, {0, 0, 1, 1, 1});
  expectTensor(cast(Tensor(DType::I32, {3}, {0, 2, -1}), DType::I1), DType::I1,
               {3}, {0, 1, 1});
}

TEST(RefCast, FromI1AndIntegers) {
  expectTensor(cast(Tensor(DType::I1, {2}, {1, 0}), DType::F32), DType::F32,
               {2}, {1, 0});
  // i64 -> i32 keeps the low 32 bits; i32 -> i64 is exact.
  expectTensor(cast(Tensor(DType::I64, {3}, {4294967297.0, 2147483648.0, -5}),
                    DType::I32),
               DType::I32, {3}, {1, -2147483648.0, -5});
  expectTensor(cast(Tensor(DType::I32, {1}, {-7}), DType::I64), DType::I64, {1},
               {-7});
  // i32 -> f32 rounds to nearest: 2^24 + 1 is no f32.
  expectTensor(cast(Tensor(DType::I32, {1}, {16777217}), DType::F32),
               DType::F32, {1}, {16777216});
}

TEST(RefCast, FloatToFloatRoundsToNearestEven) {
  expectTensor(cast(Tensor(DType::F64, {1}, {0.1}), DType::F32), DType::F32,
               {1}, {0.100000001490116119384765625});
  // bf16 has 7 fraction bits: 1 + 2^-8 ties to 1, 1 + 3 * 2^-8 to 1 + 2^-6.
  expectTensor(cast(f32({2, 1}, {1.00390625, 1.01171875}), DType::BF16),
               DType::BF16, {2, 1}, {1, 1.015625});
  expectTensor(cast(f32({}, {65520}), DType::F16), DType::F16, {}, {kInf});
}

//===----------------------------------------------------------------------===//
// Data movement
//===----------------------------------------------------------------------===//

TEST(RefBroadcast, SizeOneAndMissingDims) {
  // (3) -> (2, 3).
  expectTensor(broadcastTo(f32({3}, {1, 2, 3}), {2, 3}), DType::F32, {2, 3},
               {1, 2, 3, 1, 2, 3});
  // (2, 1) -> (2, 3), integer type kept.
  expectTensor(broadcastTo(Tensor(DType::I32, {2, 1}, {4, 5}), {2, 3}),
               DType::I32, {2, 3}, {4, 4, 4, 5, 5, 5});
  // () -> (2, 2).
  expectTensor(broadcastTo(f32({}, {7}), {2, 2}), DType::F32, {2, 2},
               {7, 7, 7, 7});
  // (2, 1) -> (2, 2, 2): y[a, b, c] = x[b, 0].
  expectTensor(broadcastTo(f32({2, 1}, {1, 2}), {2, 2, 2}), DType::F32,
               {2, 2, 2}, {1, 1, 2, 2, 1, 1, 2, 2});
}

TEST(RefReshape, KeepsRowMajorOrderAndType) {
  Tensor x(DType::I64, {2, 3}, {1, 2, 3, 4, 5, 6});
  expectTensor(reshape(x, {3, 1, 2}), DType::I64, {3, 1, 2},
               {1, 2, 3, 4, 5, 6});
  expectTensor(reshape(f32({1, 1}, {9}), {}), DType::F32, {}, {9});
}

TEST(RefTranspose, Rank2) {
  expectTensor(transpose(f32({2, 3}, {1, 2, 3, 4, 5, 6}), {1, 0}), DType::F32,
               {3, 2}, {1, 4, 2, 5, 3, 6});
}

TEST(RefTranspose, Rank3) {
  // x (2, 3, 4) with x[i, j, k] = 12 i + 4 j + k; perm [2, 0, 1] gives
  // y (4, 2, 3) with y[k, i, j] = x[i, j, k].
  Data x(24);
  for (int i = 0; i < 24; ++i)
    x[i] = i;
  expectTensor(transpose(Tensor(DType::F64, {2, 3, 4}, x), {2, 0, 1}),
               DType::F64, {4, 2, 3},
               {0, 4, 8,  12, 16, 20, 1, 5, 9,  13, 17, 21,
                2, 6, 10, 14, 18, 22, 3, 7, 11, 15, 19, 23});
  // perm [1, 0, 2]: y (3, 2, 4), y[j, i, k] = x[i, j, k].
  expectTensor(transpose(Tensor(DType::F64, {2, 3, 4}, x), {1, 0, 2}),
               DType::F64, {3, 2, 4},
               {0,  1,  2,  3,  12, 13, 14, 15, 4,  5,  6,  7,
                16, 17, 18, 19, 8,  9,  10, 11, 20, 21, 22, 23});
}

TEST(RefSlice, Strided) {
  // x (4, 5) = 0..19; rows 1, 3 and cols 0, 2, 4.
  Data x(20);
  for (int i = 0; i < 20; ++i)
    x[i] = i;
  Tensor t(DType::I32, {4, 5}, x);
  expectTensor(slice(t, {1, 0}, {4, 5}, {2, 2}), DType::I32, {2, 3},
               {5, 7, 9, 15, 17, 19});
  // Extents that strides do not divide: ceil(3 / 2) = 2, ceil(4 / 3) = 2.
  expectTensor(slice(t, {0, 1}, {3, 5}, {2, 3}), DType::I32, {2, 2},
               {1, 4, 11, 14});
  // Contiguous, and empty.
  expectTensor(slice(t, {2, 1}, {3, 4}, {1, 1}), DType::I32, {1, 3},
               {11, 12, 13});
  expectTensor(slice(t, {2, 0}, {2, 5}, {1, 1}), DType::I32, {0, 5}, {});
}

TEST(RefConcat, ThreeInputsAlongMiddleDim) {
  // (2, 1, 2) ++ (2, 2, 2) ++ (2, 1, 2) along dim 1 -> (2, 4, 2).
  Tensor a = f32({2, 1, 2}, {1, 2, 3, 4});
  Tensor b = f32({2, 2, 2}, {10, 11, 12, 13, 14, 15, 16, 17});
  Tensor c = f32({2, 1, 2}, {20, 21, 22, 23});
  expectTensor(concat({a, b, c}, 1), DType::F32, {2, 4, 2},
               {1, 2, 10, 11, 12, 13, 20, 21, 3, 4, 14, 15, 16, 17, 22, 23});
}

TEST(RefConcat, FirstAndLastDim) {
  Tensor a(DType::I64, {1, 2}, {1, 2});
  Tensor b(DType::I64, {2, 2}, {3, 4, 5, 6});
  expectTensor(concat({a, b}, 0), DType::I64, {3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor c(DType::I64, {1, 1}, {9});
  expectTensor(concat({a, c}, 1), DType::I64, {1, 3}, {1, 2, 9});
  expectTensor(concat({a}, 1), DType::I64, {1, 2}, {1, 2});
}

TEST(RefGather, Axis0WithRepeats) {
  // table (4, 2) [indices (3)] -> (3, 2): an embedding lookup.
  Tensor table = f32({4, 2}, {0, 1, 10, 11, 20, 21, 30, 31});
  Tensor r;
  std::string error;
  ASSERT_TRUE(gather(table, Tensor(DType::I32, {3}, {2, 0, 2}), 0, r, error))
      << error;
  expectTensor(r, DType::F32, {3, 2}, {20, 21, 0, 1, 20, 21});
  // indices (2, 2) -> (2, 2, 2).
  ASSERT_TRUE(
      gather(table, Tensor(DType::I64, {2, 2}, {3, 1, 1, 0}), 0, r, error));
  expectTensor(r, DType::F32, {2, 2, 2}, {30, 31, 10, 11, 10, 11, 0, 1});
}

TEST(RefGather, Axis1AndRankZeroIndices) {
  // table (2, 3) [indices (4)] along 1 -> (2, 4).
  Tensor table(DType::I32, {2, 3}, {0, 1, 2, 10, 11, 12});
  Tensor r;
  std::string error;
  ASSERT_TRUE(
      gather(table, Tensor(DType::I64, {4}, {2, 2, 0, 1}), 1, r, error));
  expectTensor(r, DType::I32, {2, 4}, {2, 2, 0, 1, 12, 12, 10, 11});
  // Rank-0 indices drop the axis: (2, 3) [()] along 1 -> (2).
  ASSERT_TRUE(gather(table, Tensor(DType::I32, {}, {1}), 1, r, error));
  expectTensor(r, DType::I32, {2}, {1, 11});
}

TEST(RefGather, MiddleAxisWithRank2Indices) {
  // table (2, 3, 2), t[a, b, c] = 100 a + 10 b + c; indices (1, 2) along 1
  // -> (2, 1, 2, 2): y[a, 0, i, c] = t[a, indices[0, i], c].
  Tensor table =
      f32({2, 3, 2}, {0, 1, 10, 11, 20, 21, 100, 101, 110, 111, 120, 121});
  Tensor r;
  std::string error;
  ASSERT_TRUE(gather(table, Tensor(DType::I32, {1, 2}, {2, 0}), 1, r, error));
  expectTensor(r, DType::F32, {2, 1, 2, 2}, {20, 21, 0, 1, 120, 121, 100, 101});
}

TEST(RefGather, IndexOutOfRangeNamesValuePositionAndRange) {
  Tensor table(DType::F32, {4, 2});
  Tensor r;
  std::string error;
  EXPECT_FALSE(gather(table, Tensor(DType::I32, {3}, {0, 7, 1}), 0, r, error));
  EXPECT_EQ(error, "gather index 7 at indices[1] is out of range [0, 4) along "
                   "axis 0");
  // Negative indices do not wrap; the first bad index in row-major order is
  // reported.
  Tensor t2(DType::F32, {2, 3});
  EXPECT_FALSE(
      gather(t2, Tensor(DType::I64, {2, 2}, {0, 1, -1, 5}), 1, r, error));
  EXPECT_EQ(error, "gather index -1 at indices[1, 0] is out of range [0, 3) "
                   "along axis 1");
  EXPECT_FALSE(gather(t2, Tensor(DType::I32, {}, {2}), 0, r, error));
  EXPECT_EQ(error,
            "gather index 2 at indices[] is out of range [0, 2) along axis 0");
}

TEST(RefScatterAdd, Axis0RepeatsAccumulate) {
  // dest (3, 2) [indices (3)] += updates (3, 2).
  Tensor dest = f32({3, 2}, {1, 1, 1, 1, 1, 1});
  Tensor updates = f32({3, 2}, {1, 2, 3, 4, 5, 6});
  Tensor r;
  std::string error;
  ASSERT_TRUE(scatterAdd(dest, Tensor(DType::I32, {3}, {2, 0, 2}), updates, 0,
                         r, error))
      << error;
  // Row 0 += (3, 4); row 2 += (1, 2) + (5, 6); row 1 untouched.
  expectTensor(r, DType::F32, {3, 2}, {4, 5, 1, 1, 7, 9});
}

TEST(RefScatterAdd, Axis1RepeatsAccumulate) {
  // dest (2, 3) [indices (4)] += updates (2, 4) along 1.
  Tensor dest(DType::I64, {2, 3});
  Tensor updates(DType::I64, {2, 4}, {1, 2, 3, 4, 10, 20, 30, 40});
  Tensor r;
  std::string error;
  ASSERT_TRUE(scatterAdd(dest, Tensor(DType::I64, {4}, {1, 1, 0, 1}), updates,
                         1, r, error))
      << error;
  // Col 1 gets updates 0, 1, 3; col 0 gets update 2.
  expectTensor(r, DType::I64, {2, 3}, {3, 7, 0, 30, 70, 0});
}

TEST(RefScatterAdd, IsTheAdjointOfGatherWithRank2Indices) {
  // dest (4) [indices (2, 2)] += updates (2, 2).
  Tensor r;
  std::string error;
  ASSERT_TRUE(scatterAdd(f32({4}, {0, 0, 0, 0}),
                         Tensor(DType::I32, {2, 2}, {3, 0, 3, 3}),
                         f32({2, 2}, {1, 2, 4, 8}), 0, r, error));
  expectTensor(r, DType::F32, {4}, {2, 0, 0, 13});
}

TEST(RefScatterAdd, IndexOutOfRangeNamesValuePositionAndRange) {
  Tensor dest(DType::F32, {2, 3});
  Tensor r;
  std::string error;
  EXPECT_FALSE(scatterAdd(dest, Tensor(DType::I32, {2}, {0, 3}),
                          Tensor(DType::F32, {2, 2}), 1, r, error));
  EXPECT_EQ(error, "scatter_add index 3 at indices[1] is out of range [0, 3) "
                   "along axis 1");
  EXPECT_FALSE(scatterAdd(dest, Tensor(DType::I64, {1, 2}, {-4, 0}),
                          Tensor(DType::F32, {1, 2, 3}), 0, r, error));
  EXPECT_EQ(error, "scatter_add index -4 at indices[0, 0] is out of range "
                   "[0, 2) along axis 0");
}

} // namespace
