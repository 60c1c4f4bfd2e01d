//===- ReferenceContractNNTest.cpp - Reference reductions, contractions, NN
//===//
//
// Part of Loom. Checks the reference kernels of KernelsContract.cpp and
// KernelsNN.cpp against values worked out by hand, or against a direct
// formula written out in the test, on small inputs; and Philox-4x32-10
// against the Random123 known-answer vectors.
//
//===----------------------------------------------------------------------===//

#include "backends/reference/Kernels.h"
#include "runtime/Philox.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

using namespace mlir::loom::reference;

namespace {

/// An f64 tensor, so that no rounding gets between a kernel and its check.
Tensor t64(std::vector<int64_t> shape, std::vector<double> data) {
  return Tensor(DType::F64, std::move(shape), std::move(data));
}

/// An f64 tensor of `shape` holding start, start + 1, ...
Tensor ramp(std::vector<int64_t> shape, double start = 0.0) {
  Tensor t(DType::F64, std::move(shape));
  for (size_t i = 0; i < t.data.size(); ++i)
    t.data[i] = start + static_cast<double>(i);
  return t;
}

/// An f64 tensor of `shape` holding distinct, irregular values in (-1, 1).
Tensor wavy(std::vector<int64_t> shape, double phase = 0.0) {
  Tensor t(DType::F64, std::move(shape));
  for (size_t i = 0; i < t.data.size(); ++i)
    t.data[i] = std::sin(1.7 * static_cast<double>(i) + phase);
  return t;
}

void expectTensor(const Tensor &actual, const std::vector<int64_t> &shape,
                  const std::vector<double> &expected, double tol = 1e-12) {
  ASSERT_EQ(actual.shape, shape);
  ASSERT_EQ(actual.data.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i)
    EXPECT_NEAR(actual.data[i], expected[i], tol) << "at flat index " << i;
}

void expectSame(const Tensor &actual, const Tensor &expected,
                double tol = 1e-12) {
  expectTensor(actual, expected.shape, expected.data, tol);
}

//===----------------------------------------------------------------------===//
// loom.reduce
//===----------------------------------------------------------------------===//

// x[i][j][k] = 12 i + 4 j + k over (2, 3, 4).
TEST(RefContract, ReduceNoDimsIsTheIdentity) {
  Tensor x = ramp({2, 3, 4});
  expectSame(reduce(ReduceKind::Sum, x, {}, false), x);
  expectSame(reduce(ReduceKind::Max, x, {}, true), x);
}

TEST(RefContract, ReduceSumOverLastDim) {
  // sum_k (12 i + 4 j + k) = 48 i + 16 j + 6.
  expectTensor(reduce(ReduceKind::Sum, ramp({2, 3, 4}), {2}, false), {2, 3},
               {6, 22, 38, 54, 70, 86});
}

TEST(RefContract, ReduceSumOverUnorderedDims) {
  // sum_{i,k} (12 i + 4 j + k) = 48 + 32 j + 12.
  expectTensor(reduce(ReduceKind::Sum, ramp({2, 3, 4}), {2, 0}, false), {3},
               {60, 92, 124});
}

TEST(RefContract, ReduceMaxOverOuterAndInnerKeepDims) {
  // max_{i,k} = 12 + 4 j + 3.
  expectTensor(reduce(ReduceKind::Max, ramp({2, 3, 4}), {0, 2}, true),
               {1, 3, 1}, {15, 19, 23});
}

TEST(RefContract, ReduceMinOverMiddleDim) {
  // min_j = 12 i + k.
  expectTensor(reduce(ReduceKind::Min, ramp({2, 3, 4}), {1}, false), {2, 4},
               {0, 1, 2, 3, 12, 13, 14, 15});
}

TEST(RefContract, ReduceMeanOverMiddleDimKeepDims) {
  // mean_j = 12 i + 4 + k.
  expectTensor(reduce(ReduceKind::Mean, ramp({2, 3, 4}), {1}, true), {2, 1, 4},
               {4, 5, 6, 7, 16, 17, 18, 19});
}

TEST(RefContract, ReduceMeanOverAllDims) {
  expectTensor(reduce(ReduceKind::Mean, ramp({2, 3, 4}), {0, 1, 2}, false), {},
               {11.5});
  expectTensor(reduce(ReduceKind::Mean, ramp({2, 3, 4}), {0, 1, 2}, true),
               {1, 1, 1}, {11.5});
}

TEST(RefContract, ReduceMaxAndMinOfNegativesAndNaN) {
  Tensor x = t64({2, 3}, {-5, -2, -9, 1, NAN, 3});
  Tensor mx = reduce(ReduceKind::Max, x, {1}, false);
  Tensor mn = reduce(ReduceKind::Min, x, {1}, false);
  EXPECT_EQ(mx.data[0], -2);
  EXPECT_EQ(mn.data[0], -9);
  // A NaN propagates, as in NumPy's amax: the oracle must not hide one.
  EXPECT_TRUE(std::isnan(mx.data[1]));
  EXPECT_TRUE(std::isnan(mn.data[1]));
}

TEST(RefContract, ReduceKeepsTheElementType) {
  Tensor x(DType::I32, {2, 2}, {1, 2, 3, 4});
  Tensor s = reduce(ReduceKind::Sum, x, {0}, false);
  EXPECT_EQ(s.dtype, DType::I32);
  expectTensor(s, {2}, {4, 6});
}

//===----------------------------------------------------------------------===//
// loom.matmul
//===----------------------------------------------------------------------===//

// A = [[1, 2, 3], [4, 5, 6]], B = [[7, 8], [9, 10], [11, 12]]:
// A @ B = [[58, 64], [139, 154]].
const std::vector<double> kAB = {58, 64, 139, 154};

TEST(RefContract, Matmul2x3By3x2) {
  expectTensor(matmul(ramp({2, 3}, 1), ramp({3, 2}, 7), false, false), {2, 2},
               kAB);
}

TEST(RefContract, MatmulTransposeLhs) {
  Tensor at = t64({3, 2}, {1, 4, 2, 5, 3, 6}); // A^T stored (K, M)
  expectTensor(matmul(at, ramp({3, 2}, 7), true, false), {2, 2}, kAB);
}

TEST(RefContract, MatmulTransposeRhs) {
  Tensor bt = t64({2, 3}, {7, 9, 11, 8, 10, 12}); // B^T stored (N, K)
  expectTensor(matmul(ramp({2, 3}, 1), bt, false, true), {2, 2}, kAB);
}

TEST(RefContract, MatmulTransposeBoth) {
  Tensor at = t64({3, 2}, {1, 4, 2, 5, 3, 6});
  Tensor bt = t64({2, 3}, {7, 9, 11, 8, 10, 12});
  expectTensor(matmul(at, bt, true, true), {2, 2}, kAB);
}

TEST(RefContract, MatmulNonSquareTransposeShapes) {
  // (3, 2)^T @ (3, 4): the result is (2, 4), not (3, ...).
  Tensor a = t64({3, 2}, {1, 0, 0, 1, 1, 1});
  Tensor b = ramp({3, 4});
  // Rows of A^T: [1, 0, 1] and [0, 1, 1]; b rows r0 = 0..3, r1 = 4..7,
  // r2 = 8..11.
  expectTensor(matmul(a, b, true, false), {2, 4},
               {8, 10, 12, 14, 12, 14, 16, 18});
}

TEST(RefContract, MatmulBatchedWithBroadcasting) {
  // lhs[b, 0] = A + 10 b, rhs[j] = (j + 1) B, so out[b, j] =
  // (j + 1) (A @ B + 10 b [colsums of B]) with colsums [27, 30].
  Tensor lhs(DType::F64, {2, 1, 2, 3});
  Tensor rhs(DType::F64, {3, 3, 2});
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t i = 0; i < 6; ++i)
      lhs.data[b * 6 + i] = 1 + i + 10 * b;
  for (int64_t j = 0; j < 3; ++j)
    for (int64_t i = 0; i < 6; ++i)
      rhs.data[j * 6 + i] = (j + 1) * (7 + i);
  expectTensor(matmul(lhs, rhs, false, false), {2, 3, 2, 2},
               {58,  64,  139, 154, 116, 128, 278, 308, 174, 192,  417,  462,
                328, 364, 409, 454, 656, 728, 818, 908, 984, 1092, 1227, 1362});
}

TEST(RefContract, MatmulRank3ByRank2Weight) {
  Tensor lhs(DType::F64, {2, 2, 3});
  for (int64_t i = 0; i < 12; ++i)
    lhs.data[i] = 1 + (i % 6) + 10 * (i / 6);
  expectTensor(matmul(lhs, ramp({3, 2}, 7), false, false), {2, 2, 2},
               {58, 64, 139, 154, 328, 364, 409, 454});
}

//===----------------------------------------------------------------------===//
// loom.conv2d
//===----------------------------------------------------------------------===//

/// The convolution written out independently of the kernel: pad x into an
/// explicit zero tensor first, then sum without bounds checks.
Tensor naiveConv(const Tensor &x, const Tensor &w, std::array<int64_t, 2> s,
                 std::array<int64_t, 4> p, std::array<int64_t, 2> d,
                 int64_t groups) {
  int64_t n = x.shape[0], c = x.shape[1], h = x.shape[2], wd = x.shape[3];
  int64_t o = w.shape[0], cg = c / groups, kh = w.shape[2], kw = w.shape[3];
  int64_t hp = h + p[0] + p[1], wp = wd + p[2] + p[3];
  Tensor padded(DType::F64, {n, c, hp, wp});
  for (int64_t a = 0; a < n; ++a)
    for (int64_t ch = 0; ch < c; ++ch)
      for (int64_t y = 0; y < h; ++y)
        for (int64_t z = 0; z < wd; ++z)
          padded.at({a, ch, y + p[0], z + p[2]}) = x.at({a, ch, y, z});
  int64_t ho = (hp - d[0] * (kh - 1) - 1) / s[0] + 1;
  int64_t wo = (wp - d[1] * (kw - 1) - 1) / s[1] + 1;
  Tensor y(DType::F64, {n, o, ho, wo});
  for (int64_t a = 0; a < n; ++a)
    for (int64_t oc = 0; oc < o; ++oc)
      for (int64_t i = 0; i < ho; ++i)
        for (int64_t j = 0; j < wo; ++j) {
          double sum = 0;
          int64_t firstIn = (oc / (o / groups)) * cg;
          for (int64_t ic = 0; ic < cg; ++ic)
            for (int64_t u = 0; u < kh; ++u)
              for (int64_t v = 0; v < kw; ++v)
                sum += padded.at({a, firstIn + ic, i * s[0] + u * d[0],
                                  j * s[1] + v * d[1]}) *
                       w.at({oc, ic, u, v});
          y.at({a, oc, i, j}) = sum;
        }
  return y;
}

TEST(RefContract, Conv2dPlainByHand) {
  // x = 1..9 (3x3), 2x2 filter of ones: window sums.
  Tensor w = t64({1, 1, 2, 2}, {1, 1, 1, 1});
  expectTensor(
      conv2d(ramp({1, 1, 3, 3}, 1), w, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1),
      {1, 1, 2, 2}, {12, 16, 24, 28});
}

TEST(RefContract, Conv2dPaddingAndStride2ByHand) {
  // Padded by 1 all round, stride 2: windows {1}, {2, 3}, {4, 7},
  // {5, 6, 8, 9}.
  Tensor w = t64({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor x = ramp({1, 1, 3, 3}, 1);
  Tensor y = conv2d(x, w, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1);
  expectTensor(y, {1, 1, 2, 2}, {1, 5, 11, 28});
  expectSame(y, naiveConv(x, w, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1));
}

TEST(RefContract, Conv2dAsymmetricPadding) {
  Tensor x = wavy({1, 2, 4, 5});
  Tensor w = wavy({3, 2, 3, 2}, 0.3);
  std::array<int64_t, 4> pad = {1, 0, 0, 2};
  Tensor y = conv2d(x, w, {1, 1}, pad, {1, 1}, 1);
  // HO = (4 + 1 - 3) + 1 = 3, WO = (5 + 2 - 2) + 1 = 6.
  ASSERT_EQ(y.shape, (std::vector<int64_t>{1, 3, 3, 6}));
  expectSame(y, naiveConv(x, w, {1, 1}, pad, {1, 1}, 1));
}

TEST(RefContract, Conv2dDilation2) {
  Tensor x = ramp({1, 1, 5, 5});
  Tensor w = t64({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor y = conv2d(x, w, {1, 1}, {0, 0, 0, 0}, {2, 2}, 1);
  // HO = 5 - 2 - 1 + 1 = 3; y[0, 0] = x[0,0] + x[0,2] + x[2,0] + x[2,2].
  ASSERT_EQ(y.shape, (std::vector<int64_t>{1, 1, 3, 3}));
  EXPECT_EQ(y.data[0], 0 + 2 + 10 + 12);
  expectSame(y, naiveConv(x, w, {1, 1}, {0, 0, 0, 0}, {2, 2}, 1));
}

TEST(RefContract, Conv2dGroups2) {
  // Output channels 0-1 see input channels 0-1, and 2-3 see 2-3.
  Tensor x = wavy({1, 4, 3, 3});
  Tensor w = wavy({4, 2, 2, 2}, 1.1);
  Tensor y = conv2d(x, w, {1, 1}, {0, 0, 0, 0}, {1, 1}, 2);
  ASSERT_EQ(y.shape, (std::vector<int64_t>{1, 4, 2, 2}));
  expectSame(y, naiveConv(x, w, {1, 1}, {0, 0, 0, 0}, {1, 1}, 2));
  // One element by hand: y[0, 3, 0, 0] sums channels 2 and 3 only.
  double byHand = 0;
  for (int64_t ic = 0; ic < 2; ++ic)
    for (int64_t u = 0; u < 2; ++u)
      for (int64_t v = 0; v < 2; ++v)
        byHand += x.at({0, 2 + ic, u, v}) * w.at({3, ic, u, v});
  EXPECT_NEAR(y.at({0, 3, 0, 0}), byHand, 1e-12);
}

TEST(RefContract, Conv2dEverythingAtOnce) {
  Tensor x = wavy({2, 4, 5, 6});
  Tensor w = wavy({6, 2, 2, 3}, 0.7);
  std::array<int64_t, 4> pad = {1, 0, 2, 1};
  Tensor y = conv2d(x, w, {2, 1}, pad, {2, 1}, 2);
  // HO = (5 + 1 - 2 - 1) / 2 + 1 = 2, WO = (6 + 3 - 2 - 1) + 1 = 7.
  ASSERT_EQ(y.shape, (std::vector<int64_t>{2, 6, 2, 7}));
  expectSame(y, naiveConv(x, w, {2, 1}, pad, {2, 1}, 2));
}

//===----------------------------------------------------------------------===//
// loom.conv2d_backward_input, loom.conv2d_backward_filter
//===----------------------------------------------------------------------===//

/// sum(a * b) over two tensors of one shape.
double dot(const Tensor &a, const Tensor &b) {
  EXPECT_EQ(a.shape, b.shape);
  double sum = 0;
  for (size_t i = 0; i < a.data.size() && i < b.data.size(); ++i)
    sum += a.data[i] * b.data[i];
  return sum;
}

TEST(RefContract, Conv2dBackwardInputByHand) {
  // 2x2 filter of ones over 3x3: dx[i, j] sums dy over the windows that
  // read x[i, j].
  Tensor w = t64({1, 1, 2, 2}, {1, 1, 1, 1});
  Tensor dy = t64({1, 1, 2, 2}, {1, 2, 3, 4});
  expectTensor(
      conv2dBackwardInput(dy, w, {1, 1, 3, 3}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1),
      {1, 1, 3, 3}, {1, 3, 2, 4, 10, 6, 3, 7, 4});
  // Padded by 1, stride 2: the windows {1}, {2, 3}, {4, 7}, {5, 6, 8, 9}
  // send dy = 1, 2, 3, 4 to their elements.
  expectTensor(
      conv2dBackwardInput(dy, w, {1, 1, 3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 1),
      {1, 1, 3, 3}, {1, 2, 2, 3, 4, 4, 3, 4, 4});
}

TEST(RefContract, Conv2dBackwardInputLeavesUnreadRowsZero) {
  // 1x1 filter of 2, stride 2 over 3x4: only even rows and columns are read.
  Tensor w = t64({1, 1, 1, 1}, {2});
  Tensor dy = t64({1, 1, 2, 2}, {1, 2, 3, 4});
  expectTensor(
      conv2dBackwardInput(dy, w, {1, 1, 3, 4}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1),
      {1, 1, 3, 4}, {2, 0, 4, 0, 0, 0, 0, 0, 6, 0, 8, 0});
}

TEST(RefContract, Conv2dBackwardFilterByHand) {
  // x = 1..9, dy of ones: dw[u, v] sums x over the positions tap (u, v)
  // reads.
  Tensor x = ramp({1, 1, 3, 3}, 1);
  Tensor ones = t64({1, 1, 2, 2}, {1, 1, 1, 1});
  expectTensor(conv2dBackwardFilter(x, ones, {1, 1, 2, 2}, {1, 1}, {0, 0, 0, 0},
                                    {1, 1}, 1),
               {1, 1, 2, 2}, {12, 16, 24, 28});
  // Padded by 1, stride 2: tap (0, 0) reads only x[1, 1] = 5 in bounds,
  // (0, 1) reads 4 and 6, (1, 0) 2 and 8, (1, 1) the four corners.
  expectTensor(conv2dBackwardFilter(x, ones, {1, 1, 2, 2}, {2, 2}, {1, 1, 1, 1},
                                    {1, 1}, 1),
               {1, 1, 2, 2}, {5, 10, 10, 20});
}

TEST(RefContract, Conv2dBackwardOpsAreTheAdjointsOfConv2d) {
  // conv2d is bilinear: <conv(x, w), dy> = <bwd_input(dy, w), x>
  // = <bwd_filter(x, dy), w> for every configuration.
  struct Config {
    std::vector<int64_t> x, w;
    std::array<int64_t, 2> s;
    std::array<int64_t, 4> p;
    std::array<int64_t, 2> d;
    int64_t groups;
  };
  std::vector<Config> configs = {
      {{1, 1, 3, 3}, {1, 1, 2, 2}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1},
      {{1, 2, 6, 6}, {3, 2, 3, 3}, {2, 2}, {0, 0, 0, 0}, {1, 1}, 1},
      {{2, 1, 4, 3}, {2, 1, 2, 3}, {1, 1}, {1, 0, 2, 1}, {1, 1}, 1},
      {{1, 2, 6, 5}, {2, 2, 2, 2}, {1, 1}, {0, 0, 0, 0}, {2, 2}, 1},
      {{1, 4, 4, 4}, {6, 2, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 2},
      {{2, 4, 5, 6}, {4, 2, 2, 3}, {2, 1}, {1, 0, 2, 1}, {2, 1}, 2},
      {{1, 3, 7, 5}, {3, 1, 3, 2}, {3, 2}, {2, 1, 0, 1}, {1, 2}, 3},
  };
  for (const Config &c : configs) {
    Tensor x = wavy(c.x), w = wavy(c.w, 0.4);
    Tensor y = conv2d(x, w, c.s, c.p, c.d, c.groups);
    Tensor dy = wavy(y.shape, 2.1);
    double forward = dot(y, dy);
    Tensor dx = conv2dBackwardInput(dy, w, c.x, c.s, c.p, c.d, c.groups);
    Tensor dw = conv2dBackwardFilter(x, dy, c.w, c.s, c.p, c.d, c.groups);
    EXPECT_NEAR(dot(dx, x), forward, 1e-10) << "input " << c.x[2];
    EXPECT_NEAR(dot(dw, w), forward, 1e-10) << "filter " << c.w[2];
  }
}

//===----------------------------------------------------------------------===//
// loom.pool2d
//===----------------------------------------------------------------------===//

// x = 1..9 (3x3), 2x2 window, stride 2, padded by 1 all round: the windows
// hold {1}, {2, 3}, {4, 7}, {5, 6, 8, 9}.
TEST(RefContract, MaxPoolWithPadding) {
  expectTensor(
      pool2d(true, ramp({1, 1, 3, 3}, 1), {2, 2}, {2, 2}, {1, 1, 1, 1}, false),
      {1, 1, 2, 2}, {1, 3, 7, 9});
}

TEST(RefContract, MaxPoolPaddingNeverWins) {
  // All negative: a padded zero would win if it were counted.
  Tensor x = ramp({1, 1, 3, 3}, 1);
  for (double &v : x.data)
    v = -v;
  expectTensor(pool2d(true, x, {2, 2}, {2, 2}, {1, 1, 1, 1}, false),
               {1, 1, 2, 2}, {-1, -2, -4, -5});
}

TEST(RefContract, AvgPoolWithPaddingExcludesPadByDefault) {
  expectTensor(
      pool2d(false, ramp({1, 1, 3, 3}, 1), {2, 2}, {2, 2}, {1, 1, 1, 1}, false),
      {1, 1, 2, 2}, {1, 2.5, 5.5, 7});
}

TEST(RefContract, AvgPoolWithPaddingCountIncludePad) {
  expectTensor(
      pool2d(false, ramp({1, 1, 3, 3}, 1), {2, 2}, {2, 2}, {1, 1, 1, 1}, true),
      {1, 1, 2, 2}, {1.0 / 4, 5.0 / 4, 11.0 / 4, 28.0 / 4});
}

TEST(RefContract, PoolWithoutPaddingStride1) {
  Tensor x = ramp({1, 1, 3, 3}, 1);
  expectTensor(pool2d(true, x, {2, 2}, {1, 1}, {0, 0, 0, 0}, false),
               {1, 1, 2, 2}, {5, 6, 8, 9});
  expectTensor(pool2d(false, x, {2, 2}, {1, 1}, {0, 0, 0, 0}, true),
               {1, 1, 2, 2}, {3, 4, 6, 7});
}

TEST(RefContract, PoolKeepsBatchAndChannels) {
  // Channel c of batch n holds 100 n + 10 c + (1..4) in a 2x2 plane.
  Tensor x(DType::F64, {2, 3, 2, 2});
  for (int64_t i = 0; i < 24; ++i)
    x.data[i] = 100 * (i / 12) + 10 * ((i / 4) % 3) + 1 + i % 4;
  expectTensor(pool2d(true, x, {2, 2}, {2, 2}, {0, 0, 0, 0}, false),
               {2, 3, 1, 1}, {4, 14, 24, 104, 114, 124});
}

//===----------------------------------------------------------------------===//
// loom.pool2d_backward
//===----------------------------------------------------------------------===//

// x = 1..9 (3x3), 2x2 window, stride 2, padded by 1 all round, as above;
// dy = 1, 2, 3, 4.
TEST(RefContract, MaxPoolBackwardRoutesToTheMaxima) {
  Tensor x = ramp({1, 1, 3, 3}, 1);
  Tensor dy = t64({1, 1, 2, 2}, {1, 2, 3, 4});
  // The maxima 1, 3, 7, 9 sit at the corners.
  expectTensor(pool2dBackward(true, dy, &x, x.shape, {2, 2}, {2, 2},
                              {1, 1, 1, 1}, false),
               {1, 1, 3, 3}, {1, 0, 2, 0, 0, 0, 3, 0, 4});
  // All negative: the largest real element of each window wins, never the
  // padding: -1, -2, -4, -5.
  for (double &v : x.data)
    v = -v;
  expectTensor(pool2dBackward(true, dy, &x, x.shape, {2, 2}, {2, 2},
                              {1, 1, 1, 1}, false),
               {1, 1, 3, 3}, {1, 2, 0, 3, 4, 0, 0, 0, 0});
}

TEST(RefContract, MaxPoolBackwardOverlappingWindowsAddUp) {
  // Both 2x2 windows of [[1, 9, 2], [3, 4, 5]] have their max at 9.
  Tensor x = t64({1, 1, 2, 3}, {1, 9, 2, 3, 4, 5});
  Tensor dy = t64({1, 1, 1, 2}, {1, 2});
  expectTensor(pool2dBackward(true, dy, &x, x.shape, {2, 2}, {1, 1},
                              {0, 0, 0, 0}, false),
               {1, 1, 2, 3}, {0, 3, 0, 0, 0, 0});
}

TEST(RefContract, MaxPoolBackwardTiesGoToTheFirst) {
  // Equal values: the first in row-major window order takes all (PyTorch).
  Tensor x = t64({1, 1, 2, 4}, {5, 5, 7, 1, 5, 5, 2, 7});
  Tensor dy = t64({1, 1, 1, 2}, {1, 2});
  expectTensor(pool2dBackward(true, dy, &x, x.shape, {2, 2}, {2, 2},
                              {0, 0, 0, 0}, false),
               {1, 1, 2, 4}, {1, 0, 2, 0, 0, 0, 0, 0});
  // A NaN wins its window, as it wins the forward.
  Tensor nan = t64({1, 1, 1, 3}, {1, NAN, 3});
  expectTensor(pool2dBackward(true, t64({1, 1, 1, 1}, {4}), &nan, nan.shape,
                              {1, 3}, {1, 1}, {0, 0, 0, 0}, false),
               {1, 1, 1, 3}, {0, 4, 0});
}

TEST(RefContract, AvgPoolBackwardSharesByTheForwardDivisor) {
  Tensor dy = t64({1, 1, 2, 2}, {1, 2, 3, 4});
  // Excluding padding the windows hold 1, 2, 2 and 4 elements.
  expectTensor(pool2dBackward(false, dy, nullptr, {1, 1, 3, 3}, {2, 2}, {2, 2},
                              {1, 1, 1, 1}, false),
               {1, 1, 3, 3}, {1, 1, 1, 1.5, 1, 1, 1.5, 1, 1});
  // Including it every divisor is 4.
  expectTensor(pool2dBackward(false, dy, nullptr, {1, 1, 3, 3}, {2, 2}, {2, 2},
                              {1, 1, 1, 1}, true),
               {1, 1, 3, 3}, {0.25, 0.5, 0.5, 0.75, 1, 1, 0.75, 1, 1});
}

TEST(RefContract, PoolBackwardIsTheAdjointOfPool) {
  // avg is linear: <pool(x), dy> = <bwd(dy), x>. max picks one element per
  // window: <pool(x), dy> = <bwd(dy; x), x> too.
  struct Config {
    std::vector<int64_t> x;
    std::array<int64_t, 2> window, s;
    std::array<int64_t, 4> p;
  };
  std::vector<Config> configs = {
      {{1, 1, 4, 4}, {2, 2}, {2, 2}, {0, 0, 0, 0}},
      {{1, 2, 5, 5}, {3, 3}, {1, 1}, {0, 0, 0, 0}},
      {{2, 1, 5, 4}, {3, 2}, {2, 2}, {1, 1, 1, 1}},
      {{1, 2, 5, 4}, {3, 2}, {2, 1}, {1, 1, 1, 0}},
      {{1, 1, 7, 6}, {3, 3}, {3, 2}, {2, 0, 1, 2}},
  };
  for (const Config &c : configs)
    for (int mode = 0; mode < 3; ++mode) {
      bool isMax = mode == 0, includePad = mode == 2;
      Tensor x = wavy(c.x);
      Tensor y = pool2d(isMax, x, c.window, c.s, c.p, includePad);
      Tensor dy = wavy(y.shape, 0.9);
      Tensor dx =
          pool2dBackward(isMax, dy, &x, c.x, c.window, c.s, c.p, includePad);
      EXPECT_NEAR(dot(dx, x), dot(y, dy), 1e-12)
          << "mode " << mode << ", input " << c.x[2] << "x" << c.x[3];
    }
}

//===----------------------------------------------------------------------===//
// loom.softmax, loom.log_softmax
//===----------------------------------------------------------------------===//

TEST(RefNN, SoftmaxRowsSumToOneAndMatchExpOverSum) {
  Tensor x = t64({2, 3}, {1, 2, 3, -1, 0, 4});
  Tensor y = softmax(x, 1);
  ASSERT_EQ(y.shape, x.shape);
  for (int64_t r = 0; r < 2; ++r) {
    double sum = 0, rowSum = 0;
    for (int64_t c = 0; c < 3; ++c)
      sum += std::exp(x.data[r * 3 + c]);
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_NEAR(y.data[r * 3 + c], std::exp(x.data[r * 3 + c]) / sum, 1e-15);
      rowSum += y.data[r * 3 + c];
    }
    EXPECT_NEAR(rowSum, 1.0, 1e-15);
  }
  // Equal inputs give the uniform distribution.
  expectTensor(softmax(t64({1, 4}, {7, 7, 7, 7}), 1), {1, 4},
               {0.25, 0.25, 0.25, 0.25});
}

TEST(RefNN, SoftmaxAlongAMiddleDim) {
  // (2, 3, 2) along dim 1: each (i, :, k) column is its own distribution.
  Tensor x = wavy({2, 3, 2});
  Tensor y = softmax(x, 1);
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t k = 0; k < 2; ++k) {
      double sum = 0;
      for (int64_t j = 0; j < 3; ++j)
        sum += std::exp(x.at({i, j, k}));
      for (int64_t j = 0; j < 3; ++j)
        EXPECT_NEAR(y.at({i, j, k}), std::exp(x.at({i, j, k})) / sum, 1e-15);
    }
}

TEST(RefNN, SoftmaxIsStableForLargeInputs) {
  // exp(1000) overflows; subtracting the max gives softmax([0, 1]).
  Tensor y = softmax(t64({2}, {1000, 1001}), 0);
  double e = std::exp(1.0);
  expectTensor(y, {2}, {1 / (1 + e), e / (1 + e)}, 1e-15);
  Tensor ly = logSoftmax(t64({2}, {1000, 1001}), 0);
  expectTensor(ly, {2}, {-std::log(1 + e), 1 - std::log(1 + e)}, 1e-12);
}

TEST(RefNN, LogSoftmaxIsLogOfSoftmax) {
  Tensor x = wavy({3, 4});
  for (int64_t dim = 0; dim < 2; ++dim) {
    Tensor p = softmax(x, dim);
    Tensor lp = logSoftmax(x, dim);
    ASSERT_EQ(lp.shape, x.shape);
    for (size_t i = 0; i < x.data.size(); ++i)
      EXPECT_NEAR(lp.data[i], std::log(p.data[i]), 1e-14);
  }
}

//===----------------------------------------------------------------------===//
// loom.layer_norm
//===----------------------------------------------------------------------===//

TEST(RefNN, LayerNormByHand) {
  // mean 2, biased variance 2/3: y = [-1, 0, 1] / sqrt(2/3).
  Tensor y = layerNorm(t64({1, 3}, {1, 2, 3}), t64({3}, {1, 1, 1}),
                       t64({3}, {0, 0, 0}), 0.0);
  double r = 1 / std::sqrt(2.0 / 3.0);
  expectTensor(y, {1, 3}, {-r, 0, r}, 1e-14);
}

/// (x - mean) / sqrt(var + eps) * scale + bias over the last `size` elements.
std::vector<double> directLayerNorm(const Tensor &x, const Tensor &scale,
                                    const Tensor &bias, double eps) {
  int64_t size = scale.numElements();
  std::vector<double> y(x.data.size());
  for (size_t r = 0; r < x.data.size() / size; ++r) {
    double sum = 0, sq = 0;
    for (int64_t i = 0; i < size; ++i)
      sum += x.data[r * size + i];
    double mean = sum / size;
    for (int64_t i = 0; i < size; ++i)
      sq += std::pow(x.data[r * size + i] - mean, 2);
    double var = sq / size;
    for (int64_t i = 0; i < size; ++i)
      y[r * size + i] =
          (x.data[r * size + i] - mean) / std::sqrt(var + eps) * scale.data[i] +
          bias.data[i];
  }
  return y;
}

TEST(RefNN, LayerNormOverLastDimMatchesDirectComputation) {
  Tensor x = wavy({2, 3, 5});
  Tensor g = wavy({5}, 0.4), b = wavy({5}, 2.2);
  expectTensor(layerNorm(x, g, b, 1e-5), x.shape,
               directLayerNorm(x, g, b, 1e-5), 1e-12);
}

TEST(RefNN, LayerNormOverTwoTrailingDims) {
  Tensor x = wavy({3, 2, 4});
  Tensor g = wavy({2, 4}, 0.9), b = wavy({2, 4}, 1.3);
  expectTensor(layerNorm(x, g, b, 1e-3), x.shape,
               directLayerNorm(x, g, b, 1e-3), 1e-12);
}

//===----------------------------------------------------------------------===//
// loom.attention
//===----------------------------------------------------------------------===//

/// softmax(q k^T * scale + mask) v, one explicit step at a time, for
/// q (B, T, D), k (B, S, D), v (B, S, DV).
Tensor explicitAttention(const Tensor &q, const Tensor &k, const Tensor &v,
                         bool causal, double scale) {
  int64_t nb = q.shape[0], t = q.shape[1], d = q.shape[2];
  int64_t s = k.shape[1], dv = v.shape[2];
  Tensor out(DType::F64, {nb, t, dv});
  for (int64_t b = 0; b < nb; ++b) {
    // scores = q k^T * scale, (T, S)
    std::vector<std::vector<double>> w(t, std::vector<double>(s, 0.0));
    for (int64_t i = 0; i < t; ++i)
      for (int64_t j = 0; j < s; ++j) {
        for (int64_t c = 0; c < d; ++c)
          w[i][j] += q.at({b, i, c}) * k.at({b, j, c});
        w[i][j] *= scale;
      }
    // Row softmax; masked entries get weight exactly 0.
    for (int64_t i = 0; i < t; ++i) {
      double sum = 0;
      for (int64_t j = 0; j < s; ++j)
        sum += (causal && j > i) ? 0 : std::exp(w[i][j]);
      for (int64_t j = 0; j < s; ++j)
        w[i][j] = (causal && j > i) ? 0 : std::exp(w[i][j]) / sum;
    }
    for (int64_t i = 0; i < t; ++i)
      for (int64_t c = 0; c < dv; ++c)
        for (int64_t j = 0; j < s; ++j)
          out.at({b, i, c}) += w[i][j] * v.at({b, j, c});
  }
  return out;
}

struct AttentionInputs {
  Tensor q = wavy({2, 3, 2}, 0.1);
  Tensor k = wavy({2, 3, 2}, 1.2);
  Tensor v = wavy({2, 3, 4}, 2.3);
};

TEST(RefNN, AttentionDefaultScaleMatchesExplicitComputation) {
  AttentionInputs in;
  Tensor y = attention(in.q, in.k, in.v, false, std::nullopt);
  ASSERT_EQ(y.shape, (std::vector<int64_t>{2, 3, 4}));
  expectSame(y, explicitAttention(in.q, in.k, in.v, false, 1 / std::sqrt(2.0)));
}

TEST(RefNN, AttentionCausalMatchesExplicitComputation) {
  AttentionInputs in;
  Tensor y = attention(in.q, in.k, in.v, true, std::nullopt);
  expectSame(y, explicitAttention(in.q, in.k, in.v, true, 1 / std::sqrt(2.0)));
  // Query 0 sees only key 0, so its output is v[b, 0, :].
  for (int64_t b = 0; b < 2; ++b)
    for (int64_t c = 0; c < 4; ++c)
      EXPECT_NEAR(y.at({b, 0, c}), in.v.at({b, 0, c}), 1e-15);
}

TEST(RefNN, AttentionExplicitScale) {
  AttentionInputs in;
  expectSame(attention(in.q, in.k, in.v, false, 3.0),
             explicitAttention(in.q, in.k, in.v, false, 3.0));
  expectSame(attention(in.q, in.k, in.v, true, 3.0),
             explicitAttention(in.q, in.k, in.v, true, 3.0));
}

TEST(RefNN, AttentionWithTwoLeadingDims) {
  // (1, 2, T, D): heads are independent batches.
  AttentionInputs in;
  auto addHeadDim = [](Tensor x) {
    x.shape.insert(x.shape.begin(), 1);
    return x;
  };
  Tensor y = attention(addHeadDim(in.q), addHeadDim(in.k), addHeadDim(in.v),
                       true, 0.5);
  Tensor expected = explicitAttention(in.q, in.k, in.v, true, 0.5);
  expectTensor(y, {1, 2, 3, 4}, expected.data);
}

//===----------------------------------------------------------------------===//
// loom.cross_entropy
//===----------------------------------------------------------------------===//

// logits [[1, 2, 3], [0, 0, 0]], labels [2, 0]:
// loss0 = log(e + e^2 + e^3) - 3, loss1 = log 3.
const double kLoss0 =
    std::log(std::exp(1.0) + std::exp(2.0) + std::exp(3.0)) - 3;
const double kLoss1 = std::log(3.0);

TEST(RefNN, CrossEntropyReductions) {
  Tensor logits = t64({2, 3}, {1, 2, 3, 0, 0, 0});
  Tensor labels(DType::I32, {2}, {2, 0});
  Tensor r;
  std::string error;
  ASSERT_TRUE(crossEntropy(LossReduction::None, logits, labels, r, error));
  expectTensor(r, {2}, {kLoss0, kLoss1}, 1e-14);
  ASSERT_TRUE(crossEntropy(LossReduction::Sum, logits, labels, r, error));
  expectTensor(r, {}, {kLoss0 + kLoss1}, 1e-14);
  ASSERT_TRUE(crossEntropy(LossReduction::Mean, logits, labels, r, error));
  expectTensor(r, {}, {(kLoss0 + kLoss1) / 2}, 1e-14);
  EXPECT_EQ(r.dtype, DType::F64);
  EXPECT_TRUE(error.empty());
}

TEST(RefNN, CrossEntropyKeepsLeadingShapeAndIsStable) {
  // (2, 2, 3) logits; the second example is the first shifted by 1000.
  Tensor logits = t64({2, 2, 3}, {1, 2, 3, 1001, 1002, 1003, 0, 0, 0, 5, 5, 5});
  Tensor labels(DType::I64, {2, 2}, {2, 2, 0, 1});
  Tensor r;
  std::string error;
  ASSERT_TRUE(crossEntropy(LossReduction::None, logits, labels, r, error));
  expectTensor(r, {2, 2}, {kLoss0, kLoss0, kLoss1, kLoss1}, 1e-12);
}

TEST(RefNN, CrossEntropyLabelOutOfRangeIsAnError) {
  Tensor logits = t64({2, 2, 3}, std::vector<double>(12, 0.0));
  Tensor r;
  std::string error;
  Tensor tooBig(DType::I32, {2, 2}, {0, 1, 2, 3});
  EXPECT_FALSE(crossEntropy(LossReduction::Mean, logits, tooBig, r, error));
  EXPECT_EQ(error, "label 3 at position [1, 1] is outside [0, C) with C = 3");
  Tensor negative(DType::I32, {2, 2}, {0, -1, 2, 2});
  EXPECT_FALSE(crossEntropy(LossReduction::None, logits, negative, r, error));
  EXPECT_EQ(error, "label -1 at position [0, 1] is outside [0, C) with C = 3");
}

//===----------------------------------------------------------------------===//
// loom.dropout
//===----------------------------------------------------------------------===//

TEST(RefNN, DropoutRateZeroIsTheIdentity) {
  Tensor x = wavy({3, 5});
  expectSame(dropout(x, 1234, 7, 0.0, 3), x, 0.0);
}

TEST(RefNN, DropoutMaskIsDeterministicScaledAndNearOneMinusRate) {
  const double rate = 0.25;
  Tensor x(DType::F64, {100, 100});
  std::fill(x.data.begin(), x.data.end(), 1.0);
  Tensor y = dropout(x, 1234, 7, rate, 3);
  Tensor again = dropout(x, 1234, 7, rate, 3);
  EXPECT_EQ(y.data, again.data);
  int64_t kept = 0;
  for (size_t i = 0; i < y.data.size(); ++i) {
    bool keep = loom::dropoutUniform(1234, 7, 3, i) >= rate;
    EXPECT_EQ(y.data[i], keep ? 1.0 / (1.0 - rate) : 0.0) << "element " << i;
    kept += keep;
  }
  // The kept fraction has standard deviation sqrt(0.75 * 0.25 / 1e4) ~ 0.0043.
  double fraction = static_cast<double>(kept) / 10000.0;
  EXPECT_NEAR(fraction, 1.0 - rate, 0.02);
}

TEST(RefNN, DropoutScalesKeptElementsByTheirValue) {
  Tensor x = wavy({8, 8});
  Tensor y = dropout(x, 99, 1, 0.5, 0);
  for (size_t i = 0; i < x.data.size(); ++i) {
    if (y.data[i] != 0.0) {
      EXPECT_DOUBLE_EQ(y.data[i], 2.0 * x.data[i]);
    }
  }
}

/// The number of elements on which two dropout masks disagree.
int64_t maskDifference(const Tensor &a, const Tensor &b) {
  int64_t diff = 0;
  for (size_t i = 0; i < a.data.size(); ++i)
    diff += (a.data[i] == 0.0) != (b.data[i] == 0.0);
  return diff;
}

TEST(RefNN, DropoutOtherStreamStepOrSeedGivesAnotherMask) {
  Tensor x(DType::F64, {100, 100});
  std::fill(x.data.begin(), x.data.end(), 1.0);
  Tensor base = dropout(x, 1234, 7, 0.5, 3);
  // Two independent masks of rate 0.5 disagree on about half the elements.
  EXPECT_GT(maskDifference(base, dropout(x, 1234, 7, 0.5, 4)), 4000);
  EXPECT_GT(maskDifference(base, dropout(x, 1234, 8, 0.5, 3)), 4000);
  EXPECT_GT(maskDifference(base, dropout(x, 1235, 7, 0.5, 3)), 4000);
}

//===----------------------------------------------------------------------===//
// loom.iota
//===----------------------------------------------------------------------===//

TEST(RefNN, Iota) {
  Tensor a = iota(DType::I32, {2, 3}, 1);
  EXPECT_EQ(a.dtype, DType::I32);
  expectTensor(a, {2, 3}, {0, 1, 2, 0, 1, 2});
  expectTensor(iota(DType::F32, {2, 3}, 0), {2, 3}, {0, 0, 0, 1, 1, 1});
  expectTensor(iota(DType::I64, {4}, 0), {4}, {0, 1, 2, 3});
}

//===----------------------------------------------------------------------===//
// Philox-4x32-10 (runtime/Philox.h)
//===----------------------------------------------------------------------===//

// The known-answer vectors of Random123 (kat_vectors, philox4x32_10).
TEST(RefPhilox, KnownAnswerZeroCounterZeroKey) {
  std::array<uint32_t, 4> out = loom::philox4x32({0, 0, 0, 0}, {0, 0});
  EXPECT_EQ(out, (std::array<uint32_t, 4>{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu,
                                          0x9b00dbd8u}));
}

TEST(RefPhilox, KnownAnswerAllOnes) {
  std::array<uint32_t, 4> out =
      loom::philox4x32({0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                       {0xffffffffu, 0xffffffffu});
  EXPECT_EQ(out, (std::array<uint32_t, 4>{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u,
                                          0x6d5451fdu}));
}

TEST(RefPhilox, Uniform24IsInUnitInterval) {
  EXPECT_EQ(loom::uniform24(0), 0.0);
  EXPECT_EQ(loom::uniform24(0xffffffffu), 1.0 - 1.0 / 16777216.0);
}

} // namespace
