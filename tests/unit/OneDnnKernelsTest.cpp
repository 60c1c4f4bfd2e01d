//===- OneDnnKernelsTest.cpp - oneDNN matmul, conv and pool kernels -------===//
//
// Part of Loom. Checks onednn.matmul, the three onednn.conv2d kernels and
// the two onednn.pool2d kernels against the reference kernels on random
// inputs over shapes that exercise every attribute (transposes, batch
// broadcasting, bias and activation, strides, asymmetric padding,
// dilations, groups, overlapping and padded windows, empty tensors), and
// how a kernel behaves over a run (bound to its operands, a shared
// scratchpad, repeated runs).
//
// Tolerances of the contractions. Whatever order oneDNN sums in (blocked,
// with FMA, split over threads), a sum of T products computed in f32 is
// within gamma_T * sum|a_i||b_i| of the exact one, gamma_T = T u / (1 - T u)
// with u = 2^-24 (Higham, Accuracy and Stability of Numerical Algorithms,
// 2nd ed., eq. 3.5 and its note on any evaluation order); storing the result
// adds u |c|. So each element gets tol = 2 (T + 1) u (|A||B|)_ij, with
// |A||B| computed by the reference kernel itself on |A| and |B| (the factor
// 2 covers gamma_T's denominator and the final rounding). This worst-case
// bound cannot fail for a correct kernel, unlike the typical sqrt(T) u
// estimate, and a wrong one (an index, a transpose, a batch offset, a
// padding, a group) errs by O(|a||b|), a thousand times more than
// 2 (T + 1) u |a||b| for the T <= 400 here.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/OneDnnTestSupport.h"

#include <limits>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::test;

namespace {

/// The contraction tolerance above for sums of `terms` products, given the
/// same contraction of the absolute values.
auto sumTol(const ref::Tensor &absResult, int64_t terms) {
  return [&absResult, terms](size_t i) {
    return 2.0 * static_cast<double>(terms + 1) * kU * absResult.data[i];
  };
}

Dims swapLast(Dims d) {
  std::swap(d[d.size() - 2], d[d.size() - 1]);
  return d;
}

std::string str(const Dims &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// onednn.matmul
//===----------------------------------------------------------------------===//

TEST(OneDnnMatmul, MatchesReferenceForEveryTransposeAndBatchBroadcast) {
  std::mt19937 rng(1);
  // Logical shapes (..., M, K) and (..., K, N).
  const std::pair<Dims, Dims> cases[] = {
      {{2, 3}, {3, 4}},          {{1, 1}, {1, 1}},
      {{5, 7}, {7, 1}},          {{1, 9}, {9, 6}},
      {{64, 100}, {100, 33}},    {{4, 5, 6}, {4, 6, 3}},
      {{2, 1, 5, 6}, {3, 6, 7}}, {{5, 6}, {2, 3, 6, 4}},
      {{1, 5, 6}, {4, 6, 2}},    {{3, 1, 4, 8}, {1, 2, 8, 5}},
  };
  for (const auto &[lhs, rhs] : cases)
    for (int t = 0; t < 4; ++t) {
      bool tl = t & 1, tr = t & 2;
      SCOPED_TRACE(str(lhs) + " x " + str(rhs) + " transpose_lhs " +
                   std::to_string(tl) + " transpose_rhs " + std::to_string(tr));
      ref::Tensor a = randomTensor(tl ? swapLast(lhs) : lhs, rng);
      ref::Tensor b = randomTensor(tr ? swapLast(rhs) : rhs, rng);
      ref::Tensor want = ref::matmul(a, b, tl, tr);
      ref::Tensor bound = ref::matmul(absOf(a), absOf(b), tl, tr);
      auto got = runKernel("onednn.matmul", {a, b}, want.shape,
                           {KernelAttr::ofInt("transpose_lhs", tl),
                            KernelAttr::ofInt("transpose_rhs", tr)});
      ASSERT_TRUE(got);
      EXPECT_TRUE(allClose(*got, want, sumTol(bound, lhs.back())));
    }
}

TEST(OneDnnMatmul, FusesBiasAndActivation) {
  std::mt19937 rng(2);
  struct Case {
    Dims lhs, rhs, bias;
    bool transposeRhs;
  };
  const Case cases[] = {
      {{4, 8}, {8, 5}, {5}, false},    {{4, 8}, {8, 5}, {1, 5}, false},
      {{4, 8}, {8, 5}, {4, 1}, false}, {{4, 8}, {8, 5}, {4, 5}, false},
      {{2, 3, 8}, {8, 6}, {6}, false}, {{2, 3, 8}, {8, 6}, {2, 1, 6}, false},
      {{3, 16}, {5, 16}, {5}, true},   {{2, 3, 8}, {2, 8, 6}, {1}, false},
  };
  const std::pair<const char *, ref::UnaryKind> postOps[] = {
      {"none", ref::UnaryKind::Neg}, // unused
      {"relu", ref::UnaryKind::Relu},
      {"gelu_tanh", ref::UnaryKind::GeluTanh},
      {"gelu_erf", ref::UnaryKind::Gelu},
  };
  for (const Case &c : cases)
    for (const auto &[post, kind] : postOps) {
      SCOPED_TRACE(str(c.lhs) + " x " + str(c.rhs) + " + " + str(c.bias) +
                   " then " + post);
      ref::Tensor a = randomTensor(c.lhs, rng);
      ref::Tensor b = randomTensor(c.rhs, rng);
      ref::Tensor bias = randomTensor(c.bias, rng);
      ref::Tensor z = ref::binary(
          ref::BinaryKind::Add, ref::matmul(a, b, false, c.transposeRhs), bias);
      bool none = std::string(post) == "none";
      ref::Tensor want = none ? z : ref::unary(kind, z);
      ref::Tensor bound = ref::binary(
          ref::BinaryKind::Add,
          ref::matmul(absOf(a), absOf(b), false, c.transposeRhs), absOf(bias));
      auto got = runKernel("onednn.matmul", {a, b, bias}, want.shape,
                           {KernelAttr::ofInt("transpose_rhs", c.transposeRhs),
                            KernelAttr::ofInt("has_bias", 1),
                            KernelAttr::ofString("post_op", post)});
      ASSERT_TRUE(got);
      // The error of z (T = K products plus the bias) passes through an
      // activation whose slope is at most 1.13 (GELU's largest), which adds
      // its own elementwise error (see OneDnnKernelsElementwiseTest.cpp).
      int64_t k = c.lhs.back();
      EXPECT_TRUE(allClose(*got, want, [&](size_t i) {
        double gemm = 2.0 * (k + 2) * kU * bound.data[i];
        return none ? gemm
                    : 1.13 * gemm + 1e-5 + 1.3e-6 * std::fabs(want.data[i]);
      }));
    }
}

TEST(OneDnnMatmul, FusesPostOpChains) {
  std::mt19937 rng(4);
  using BK = ref::BinaryKind;
  using UK = ref::UnaryKind;
  struct Step {
    const char *name;
    bool binary;
    BK b;
    UK u;
    Dims operand; // binary only
  };
  struct Case {
    Dims lhs, rhs, bias; // bias {} = none
    bool transposeRhs;
    std::vector<Step> steps;
  };
  const Case cases[] = {
      // A GPT MLP's fc1 then a residual, scaled: every broadcast a binary
      // post-op takes (the result's shape, a row, one element).
      {{2, 3, 8},
       {6, 8},
       {6},
       true,
       {{"gelu_erf", false, BK::Add, UK::Gelu, {}},
        {"add", true, BK::Add, UK::Neg, {2, 3, 6}},
        {"mul", true, BK::Mul, UK::Neg, {6}},
        {"sub", true, BK::Sub, UK::Neg, {1}},
        {"div", true, BK::Div, UK::Neg, {1, 1, 1}}}},
      // A residual without a bias.
      {{5, 7},
       {7, 4},
       {},
       false,
       {{"relu", false, BK::Add, UK::Relu, {}},
        {"add", true, BK::Add, UK::Neg, {5, 4}}}},
      {{4, 9},
       {9, 3},
       {3},
       false,
       {{"tanh", false, BK::Add, UK::Tanh, {}},
        {"sigmoid", false, BK::Add, UK::Sigmoid, {}},
        {"gelu_tanh", false, BK::Add, UK::GeluTanh, {}}}},
  };
  for (const Case &c : cases) {
    std::string postOp;
    for (const Step &s : c.steps)
      postOp += (postOp.empty() ? "" : ",") + std::string(s.name);
    SCOPED_TRACE(str(c.lhs) + " x " + str(c.rhs) + " then " + postOp);
    ref::Tensor a = randomTensor(c.lhs, rng);
    ref::Tensor b = randomTensor(c.rhs, rng);
    std::vector<ref::Tensor> inputs = {a, b};
    ref::Tensor z = ref::matmul(a, b, false, c.transposeRhs);
    ref::Tensor bound = ref::matmul(absOf(a), absOf(b), false, c.transposeRhs);
    if (!c.bias.empty()) {
      inputs.push_back(randomTensor(c.bias, rng));
      z = ref::binary(BK::Add, z, inputs.back());
      bound = ref::binary(BK::Add, bound, absOf(inputs.back()));
    }
    for (const Step &s : c.steps) {
      if (!s.binary) {
        z = ref::unary(s.u, z);
        continue;
      }
      // Divisors in [0.5, 1): the quotient's error stays the dividend's
      // times at most 2.
      inputs.push_back(s.b == BK::Div ? randomTensor(s.operand, rng, 0.5, 1.0)
                                      : randomTensor(s.operand, rng));
      z = ref::binary(s.b, z, inputs.back());
    }
    auto got = runKernel("onednn.matmul", inputs, z.shape,
                         {KernelAttr::ofInt("transpose_rhs", c.transposeRhs),
                          KernelAttr::ofInt("has_bias", c.bias.empty() ? 0 : 1),
                          KernelAttr::ofString("post_op", postOp)});
    ASSERT_TRUE(got);
    // The contraction's error through activations of slope at most 1.13,
    // a multiplier and a divisor each of magnitude at most 1 and 2, and
    // each post-op's own rounding.
    int64_t k = c.lhs.back();
    EXPECT_TRUE(allClose(*got, z, [&](size_t i) {
      return 2 * 1.13 * 1.13 * 1.13 * 2.0 * (k + 2) * kU * bound.data[i] + 1e-4;
    }));
  }
}

TEST(OneDnnMatmul, PostOpsRunInAJitMatmul) {
  // A GPT projection with its bias and residual: oneDNN must not fall back
  // to its reference matmul (orders of magnitude slower) for the post-op.
  std::mt19937 rng(5);
  ref::Tensor a = randomTensor({2, 64, 96}, rng);
  ref::Tensor w = randomTensor({128, 96}, rng);
  ref::Tensor bias = randomTensor({128}, rng);
  ref::Tensor res = randomTensor({2, 64, 128}, rng);
  std::string impl;
  auto got = runKernel("onednn.matmul", {a, w, bias, res}, {2, 64, 128},
                       {KernelAttr::ofInt("transpose_rhs", 1),
                        KernelAttr::ofInt("has_bias", 1),
                        KernelAttr::ofString("post_op", "add")},
                       &impl);
  ASSERT_TRUE(got);
  EXPECT_FALSE(impl.empty());
  EXPECT_EQ(impl.find("ref"), std::string::npos) << impl;
}

TEST(OneDnnMatmul, EmptyContractionRunsThePostOps) {
  std::mt19937 rng(6);
  ref::Tensor a(ref::DType::F32, {3, 0}), b(ref::DType::F32, {0, 4});
  ref::Tensor bias = randomTensor({4}, rng);
  ref::Tensor res = randomTensor({3, 4}, rng);
  auto got = runKernel("onednn.matmul", {a, b, bias, res}, {3, 4},
                       {KernelAttr::ofInt("has_bias", 1),
                        KernelAttr::ofString("post_op", "sigmoid,add")});
  ASSERT_TRUE(got);
  ref::Tensor want = ref::binary(
      ref::BinaryKind::Add,
      ref::unary(ref::UnaryKind::Sigmoid, ref::broadcastTo(bias, {3, 4})), res);
  EXPECT_TRUE(allClose(*got, want, [](size_t) { return 1e-6; }));
  // Without a bias: the post-ops of zeros.
  auto noBias = runKernel("onednn.matmul", {a, b, res}, {3, 4},
                          {KernelAttr::ofString("post_op", "sigmoid,add")});
  ASSERT_TRUE(noBias);
  ref::Tensor half =
      ref::unary(ref::UnaryKind::Sigmoid, ref::Tensor(ref::DType::F32, {3, 4}));
  EXPECT_TRUE(allClose(*noBias, ref::binary(ref::BinaryKind::Add, half, res),
                       [](size_t) { return 1e-6; }));
}

TEST(OneDnnMatmul, EmptyContractionGivesBiasThroughActivation) {
  std::mt19937 rng(3);
  ref::Tensor a(ref::DType::F32, {3, 0}), b(ref::DType::F32, {0, 4});
  auto zeros = runKernel("onednn.matmul", {a, b}, {3, 4}, {});
  ASSERT_TRUE(zeros);
  EXPECT_TRUE(equalRounded(*zeros, ref::Tensor(ref::DType::F32, {3, 4})));

  ref::Tensor bias = randomTensor({4}, rng);
  auto got = runKernel("onednn.matmul", {a, b, bias}, {3, 4},
                       {KernelAttr::ofInt("has_bias", 1),
                        KernelAttr::ofString("post_op", "relu")});
  ASSERT_TRUE(got);
  EXPECT_TRUE(equalRounded(
      *got, ref::unary(ref::UnaryKind::Relu, ref::broadcastTo(bias, {3, 4}))));
}

TEST(OneDnnMatmul, EmptyResultRunsNothing) {
  ref::Tensor a(ref::DType::F32, {0, 5}), b(ref::DType::F32, {5, 3});
  std::string impl = "?";
  auto got = runKernel("onednn.matmul", {a, b}, {0, 3}, {}, &impl);
  ASSERT_TRUE(got);
  EXPECT_EQ(impl, "");
}

//===----------------------------------------------------------------------===//
// A kernel over a run
//===----------------------------------------------------------------------===//

// The primitive is made once over the operands' bytes: a run reads what
// they hold then, and a kernel made later (which may grow the shared
// scratchpad) leaves earlier kernels working.
TEST(OneDnnKernel, ReadsItsOperandsAtEveryRun) {
  std::mt19937 rng(4);
  std::vector<float> x(6 * 5), w(4 * 5), y(6 * 4);
  KernelRecord rec = makeRecord("onednn.matmul", {{6, 5}, {4, 5}, {6, 4}},
                                {KernelAttr::ofInt("transpose_rhs", 1)});
  auto kernel = createOneDnnKernel(context(), rec,
                                   {{x.data(), x.size() * 4},
                                    {w.data(), w.size() * 4},
                                    {y.data(), y.size() * 4}});
  ASSERT_TRUE(kernel.ok()) << kernel.status().message();
  EXPECT_EQ((*kernel)->kind(), "onednn.matmul");
  EXPECT_EQ((*kernel)->signature(),
            "onednn.matmul(f32[6, 5], f32[4, 5]) -> f32[6, 4]");

  // A conv kernel made in between, needing scratchpad of its own.
  std::vector<float> cx(2 * 8 * 12 * 12), cw(16 * 8 * 3 * 3),
      cy(2 * 16 * 10 * 10);
  KernelRecord conv = makeRecord(
      "onednn.conv2d", {{2, 8, 12, 12}, {16, 8, 3, 3}, {2, 16, 10, 10}}, {});
  auto convKernel = createOneDnnKernel(context(), conv,
                                       {{cx.data(), cx.size() * 4},
                                        {cw.data(), cw.size() * 4},
                                        {cy.data(), cy.size() * 4}});
  ASSERT_TRUE(convKernel.ok()) << convKernel.status().message();
  ASSERT_TRUE((*convKernel)->run().ok());

  for (int step = 0; step < 3; ++step) {
    ref::Tensor a = randomTensor({6, 5}, rng), b = randomTensor({4, 5}, rng);
    std::copy(a.data.begin(), a.data.end(), x.begin());
    std::copy(b.data.begin(), b.data.end(), w.begin());
    Status s = (*kernel)->run();
    ASSERT_TRUE(s.ok()) << s.message();
    ref::Tensor got(ref::DType::F32, {6, 4},
                    std::vector<double>(y.begin(), y.end()));
    EXPECT_TRUE(
        allClose(got, ref::matmul(a, b, false, true),
                 sumTol(ref::matmul(absOf(a), absOf(b), false, true), 5)));
  }
}

//===----------------------------------------------------------------------===//
// onednn.conv2d, conv2d_backward_input, conv2d_backward_filter
//===----------------------------------------------------------------------===//

namespace {
struct ConvCase {
  Dims x, w;
  std::array<int64_t, 2> strides;
  std::array<int64_t, 4> padding;
  std::array<int64_t, 2> dilations;
  int64_t groups;
};

const ConvCase kConvCases[] = {
    {{1, 1, 3, 3}, {1, 1, 1, 1}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1},
    {{2, 3, 7, 7}, {4, 3, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 1},
    {{2, 3, 9, 8}, {5, 3, 3, 2}, {2, 1}, {0, 1, 2, 0}, {1, 1}, 1},
    {{1, 2, 10, 10}, {3, 2, 3, 3}, {1, 2}, {2, 2, 1, 1}, {2, 3}, 1},
    {{2, 4, 6, 6}, {6, 2, 3, 3}, {1, 1}, {1, 1, 1, 1}, {1, 1}, 2},
    {{1, 4, 5, 5}, {4, 1, 3, 3}, {2, 2}, {1, 1, 1, 1}, {1, 1}, 4},
    {{3, 2, 8, 7}, {2, 2, 1, 1}, {3, 2}, {0, 0, 0, 0}, {1, 1}, 1},
    {{1, 3, 4, 4}, {2, 3, 4, 4}, {1, 1}, {0, 0, 0, 0}, {1, 1}, 1},
    {{2, 6, 5, 4}, {3, 2, 2, 3}, {2, 2}, {1, 0, 0, 1}, {2, 1}, 3},
};

std::vector<KernelAttr> convAttrs(const ConvCase &c) {
  return {KernelAttr::ofInts("strides", {c.strides[0], c.strides[1]}),
          KernelAttr::ofInts("padding", {c.padding[0], c.padding[1],
                                         c.padding[2], c.padding[3]}),
          KernelAttr::ofInts("dilations", {c.dilations[0], c.dilations[1]}),
          KernelAttr::ofInt("groups", c.groups)};
}

std::string describe(const ConvCase &c) {
  return "x " + str(c.x) + " w " + str(c.w) + " groups " +
         std::to_string(c.groups);
}
} // namespace

TEST(OneDnnConv2d, ForwardMatchesReference) {
  std::mt19937 rng(5);
  for (const ConvCase &c : kConvCases) {
    SCOPED_TRACE(describe(c));
    ref::Tensor x = randomTensor(c.x, rng), w = randomTensor(c.w, rng);
    ref::Tensor want =
        ref::conv2d(x, w, c.strides, c.padding, c.dilations, c.groups);
    ref::Tensor bound = ref::conv2d(absOf(x), absOf(w), c.strides, c.padding,
                                    c.dilations, c.groups);
    auto got = runKernel("onednn.conv2d", {x, w}, want.shape, convAttrs(c));
    ASSERT_TRUE(got);
    EXPECT_TRUE(allClose(*got, want, sumTol(bound, c.w[1] * c.w[2] * c.w[3])));
  }
}

TEST(OneDnnConv2d, BackwardInputMatchesReference) {
  std::mt19937 rng(6);
  for (const ConvCase &c : kConvCases) {
    SCOPED_TRACE(describe(c));
    ref::Tensor w = randomTensor(c.w, rng);
    Dims yShape = ref::conv2d(ref::Tensor(ref::DType::F32, c.x), w, c.strides,
                              c.padding, c.dilations, c.groups)
                      .shape;
    ref::Tensor dy = randomTensor(yShape, rng);
    ref::Tensor want = ref::conv2dBackwardInput(
        dy, w, c.x, c.strides, c.padding, c.dilations, c.groups);
    ref::Tensor bound = ref::conv2dBackwardInput(
        absOf(dy), absOf(w), c.x, c.strides, c.padding, c.dilations, c.groups);
    auto got =
        runKernel("onednn.conv2d_backward_input", {dy, w}, c.x, convAttrs(c));
    ASSERT_TRUE(got);
    int64_t terms = c.w[0] / c.groups * c.w[2] * c.w[3];
    EXPECT_TRUE(allClose(*got, want, sumTol(bound, terms)));
  }
}

TEST(OneDnnConv2d, BackwardFilterMatchesReference) {
  std::mt19937 rng(7);
  for (const ConvCase &c : kConvCases) {
    SCOPED_TRACE(describe(c));
    ref::Tensor x = randomTensor(c.x, rng);
    Dims yShape = ref::conv2d(x, ref::Tensor(ref::DType::F32, c.w), c.strides,
                              c.padding, c.dilations, c.groups)
                      .shape;
    ref::Tensor dy = randomTensor(yShape, rng);
    ref::Tensor want = ref::conv2dBackwardFilter(
        x, dy, c.w, c.strides, c.padding, c.dilations, c.groups);
    ref::Tensor bound = ref::conv2dBackwardFilter(
        absOf(x), absOf(dy), c.w, c.strides, c.padding, c.dilations, c.groups);
    auto got =
        runKernel("onednn.conv2d_backward_filter", {x, dy}, c.w, convAttrs(c));
    ASSERT_TRUE(got);
    int64_t terms = yShape[0] * yShape[2] * yShape[3];
    EXPECT_TRUE(allClose(*got, want, sumTol(bound, terms)));
  }
}

TEST(OneDnnConv2d, EmptySumsGiveZeros) {
  // No input channels: every output is an empty sum. No batch: nothing.
  ref::Tensor x(ref::DType::F32, {1, 0, 5, 5}),
      w(ref::DType::F32, {2, 0, 3, 3});
  auto got = runKernel("onednn.conv2d", {x, w}, {1, 2, 3, 3}, {});
  ASSERT_TRUE(got);
  EXPECT_TRUE(equalRounded(*got, ref::Tensor(ref::DType::F32, {1, 2, 3, 3})));
  ref::Tensor dy(ref::DType::F32, {0, 2, 3, 3});
  auto dw = runKernel("onednn.conv2d_backward_filter",
                      {ref::Tensor(ref::DType::F32, {0, 1, 5, 5}), dy},
                      {2, 1, 3, 3}, {});
  ASSERT_TRUE(dw);
  EXPECT_TRUE(equalRounded(*dw, ref::Tensor(ref::DType::F32, {2, 1, 3, 3})));
}

//===----------------------------------------------------------------------===//
// onednn.pool2d, onednn.pool2d_backward
//===----------------------------------------------------------------------===//

namespace {
struct PoolCase {
  Dims x;
  std::array<int64_t, 2> window, strides;
  std::array<int64_t, 4> padding;
};

const PoolCase kPoolCases[] = {
    {{1, 1, 4, 4}, {2, 2}, {2, 2}, {0, 0, 0, 0}},
    {{2, 3, 7, 7}, {3, 3}, {1, 1}, {1, 1, 1, 1}}, // overlapping, padded
    {{1, 2, 9, 8}, {3, 3}, {2, 2}, {1, 0, 0, 1}}, // asymmetric padding
    {{2, 2, 7, 9}, {2, 3}, {2, 1}, {1, 1, 0, 2}},
    {{1, 1, 7, 7}, {2, 2}, {2, 2}, {0, 0, 0, 0}}, // last row and column unused
    {{1, 1, 1, 1}, {1, 1}, {1, 1}, {0, 0, 0, 0}},
    {{1, 2, 5, 5}, {5, 5}, {1, 1}, {2, 2, 2, 2}}, // windows mostly padding
};

/// The kinds: max, avg, avg with count_include_pad.
const std::pair<bool, bool> kPoolKinds[] = {
    {true, false}, {false, false}, {false, true}};

std::vector<KernelAttr> poolAttrs(const PoolCase &c, bool isMax,
                                  bool includePad) {
  return {KernelAttr::ofString("kind", isMax ? "max" : "avg"),
          KernelAttr::ofInts("window", {c.window[0], c.window[1]}),
          KernelAttr::ofInts("strides", {c.strides[0], c.strides[1]}),
          KernelAttr::ofInts("padding", {c.padding[0], c.padding[1],
                                         c.padding[2], c.padding[3]}),
          KernelAttr::ofInt("count_include_pad", includePad)};
}
} // namespace

TEST(OneDnnPool2d, ForwardMatchesReference) {
  std::mt19937 rng(8);
  for (const PoolCase &c : kPoolCases)
    for (auto [isMax, includePad] : kPoolKinds) {
      SCOPED_TRACE(str(c.x) + (isMax ? " max" : " avg") +
                   (includePad ? " count_include_pad" : ""));
      ref::Tensor x = randomTensor(c.x, rng);
      ref::Tensor want =
          ref::pool2d(isMax, x, c.window, c.strides, c.padding, includePad);
      auto got = runKernel("onednn.pool2d", {x}, want.shape,
                           poolAttrs(c, isMax, includePad));
      ASSERT_TRUE(got);
      if (isMax) {
        EXPECT_TRUE(equalRounded(*got, want)); // a max is exact
        continue;
      }
      // A sum of up to KH * KW terms, then one division.
      ref::Tensor bound = ref::pool2d(false, absOf(x), c.window, c.strides,
                                      c.padding, includePad);
      EXPECT_TRUE(
          allClose(*got, want, sumTol(bound, c.window[0] * c.window[1] + 1)));
    }
}

TEST(OneDnnPool2d, BackwardMatchesReference) {
  std::mt19937 rng(9);
  for (const PoolCase &c : kPoolCases)
    for (auto [isMax, includePad] : kPoolKinds) {
      SCOPED_TRACE(str(c.x) + (isMax ? " max" : " avg") +
                   (includePad ? " count_include_pad" : ""));
      ref::Tensor x = randomTensor(c.x, rng);
      Dims yShape =
          ref::pool2d(isMax, x, c.window, c.strides, c.padding, includePad)
              .shape;
      ref::Tensor dy = randomTensor(yShape, rng);
      ref::Tensor want =
          ref::pool2dBackward(isMax, dy, isMax ? &x : nullptr, c.x, c.window,
                              c.strides, c.padding, includePad);
      // Each input element sums at most one term per window covering it.
      ref::Tensor bound =
          ref::pool2dBackward(isMax, absOf(dy), isMax ? &x : nullptr, c.x,
                              c.window, c.strides, c.padding, includePad);
      std::vector<ref::Tensor> inputs = {dy};
      if (isMax)
        inputs.push_back(x);
      auto got = runKernel("onednn.pool2d_backward", inputs, c.x,
                           poolAttrs(c, isMax, includePad));
      ASSERT_TRUE(got);
      EXPECT_TRUE(
          allClose(*got, want, sumTol(bound, c.window[0] * c.window[1] + 1)));
    }
}

TEST(OneDnnPool2d, WindowsWithNoElementFollowTheReference) {
  // H = 0 with padding: every window lies in the padding.
  ref::Tensor x(ref::DType::F32, {1, 1, 0, 3});
  const PoolCase c = {{1, 1, 0, 3}, {2, 2}, {1, 1}, {1, 1, 1, 1}};
  for (auto [isMax, includePad] : kPoolKinds) {
    ref::Tensor want =
        ref::pool2d(isMax, x, c.window, c.strides, c.padding, includePad);
    auto got = runKernel("onednn.pool2d", {x}, want.shape,
                         poolAttrs(c, isMax, includePad));
    ASSERT_TRUE(got);
    EXPECT_TRUE(equalRounded(*got, want));
  }
}

} // namespace
