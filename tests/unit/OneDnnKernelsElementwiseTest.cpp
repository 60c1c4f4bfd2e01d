//===- OneDnnKernelsElementwiseTest.cpp - oneDNN elementwise kernels ------===//
//
// Part of Loom. Checks onednn.eltwise, onednn.binary, onednn.reduce,
// onednn.softmax, onednn.log_softmax and onednn.layer_norm against the
// reference kernels on random inputs, over ranks 0 to 4, size-1 and empty
// dims, every broadcast pattern and every reduced or normalized dim.
//
// Tolerances, each derived from the f32 unit roundoff u = 2^-24:
//  - eltwise: |got - want| <= 1e-5 + 1.3e-6 |want|. oneDNN's JIT evaluates
//    exp, tanh and erf with polynomial approximations accurate to a few ulp
//    (an f32 ulp is at most 2u = 1.19e-7 relative; 1.3e-6 is 11 ulp).
//    Its log is accurate to 3.6e-6 absolute (not relative: near x = 1 its
//    relative error is large), and functions built from these lose more
//    where they cancel (gelu of negative x: 5e-7 absolute), which the
//    absolute 1e-5 covers (errors measured over 1e5 points per op on AVX2:
//    runtime/cpu/README.md).
//  - binary: exact. IEEE add, sub, mul, div, max and min are correctly
//    rounded, and rounding the reference's double result to f32 gives the
//    same float (double rounding is innocuous for these operations).
//  - reduce: sum and mean as the contractions (OneDnnKernelsTest.cpp), with
//    T = the number of elements reduced; max and min exact.
//  - softmax, log_softmax, layer_norm: first-order error bounds given where
//    they are tested.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/OneDnnTestSupport.h"

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::test;

namespace {

std::string str(const Dims &d) {
  std::string s = "[";
  for (size_t i = 0; i < d.size(); ++i)
    s += (i ? "," : "") + std::to_string(d[i]);
  return s + "]";
}

//===----------------------------------------------------------------------===//
// onednn.eltwise
//===----------------------------------------------------------------------===//

TEST(OneDnnEltwise, MatchesReference) {
  std::mt19937 rng(11);
  struct Op {
    const char *name;
    double lo, hi; // input range: inside the function's domain
    ref::UnaryKind kind;
  };
  const Op ops[] = {
      {"abs", -4, 4, ref::UnaryKind::Abs},
      {"exp", -5, 5, ref::UnaryKind::Exp},
      {"gelu_erf", -6, 6, ref::UnaryKind::Gelu},
      {"gelu_tanh", -6, 6, ref::UnaryKind::GeluTanh},
      {"log", 0.01, 4, ref::UnaryKind::Log},
      {"neg", -4, 4, ref::UnaryKind::Neg},
      {"relu", -4, 4, ref::UnaryKind::Relu},
      {"rsqrt", 0.01, 4, ref::UnaryKind::Rsqrt},
      {"sigmoid", -8, 8, ref::UnaryKind::Sigmoid},
      {"sqrt", 0, 4, ref::UnaryKind::Sqrt},
      {"square", -4, 4, ref::UnaryKind::Abs}, // compared with x * x
      {"tanh", -5, 5, ref::UnaryKind::Tanh},
  };
  const Dims shapes[] = {{}, {1}, {3, 4}, {2, 3, 5, 7}, {1000}};
  for (const Op &op : ops)
    for (const Dims &shape : shapes) {
      SCOPED_TRACE(std::string(op.name) + " " + str(shape));
      ref::Tensor x = randomTensor(shape, rng, op.lo, op.hi);
      ref::Tensor want = std::string(op.name) == "square"
                             ? ref::binary(ref::BinaryKind::Mul, x, x)
                             : ref::unary(op.kind, x);
      auto got = runKernel("onednn.eltwise", {x}, shape,
                           {KernelAttr::ofString("op", op.name)});
      ASSERT_TRUE(got);
      EXPECT_TRUE(allClose(*got, want, 1.3e-6, 1e-5));
    }
}

TEST(OneDnnEltwise, EmptyTensorRunsNothing) {
  std::string impl = "?";
  auto got = runKernel("onednn.eltwise", {ref::Tensor(ref::DType::F32, {0, 3})},
                       {0, 3}, {KernelAttr::ofString("op", "exp")}, &impl);
  ASSERT_TRUE(got);
  EXPECT_EQ(impl, "");
}

//===----------------------------------------------------------------------===//
// onednn.binary
//===----------------------------------------------------------------------===//

TEST(OneDnnBinary, MatchesReferenceExactlyForEveryBroadcast) {
  std::mt19937 rng(12);
  const std::pair<const char *, ref::BinaryKind> ops[] = {
      {"add", ref::BinaryKind::Add}, {"sub", ref::BinaryKind::Sub},
      {"mul", ref::BinaryKind::Mul}, {"div", ref::BinaryKind::Div},
      {"max", ref::BinaryKind::Max}, {"min", ref::BinaryKind::Min},
  };
  const std::pair<Dims, Dims> shapes[] = {
      {{3, 4}, {3, 4}},
      {{3, 4}, {4}},
      {{3, 4}, {1}},
      {{3, 4}, {}},
      {{4}, {3, 4}},
      {{}, {3, 4}}, // broadcast lhs
      {{3, 1}, {1, 4}},
      {{2, 1, 5}, {3, 1}}, // both broadcast
      {{1}, {1}},
      {{}, {}},
      {{8, 16, 8}, {8}},
      {{2, 3, 4, 5}, {2, 1, 4, 1}},
      {{2, 1, 4, 1}, {2, 3, 4, 5}},
      {{5, 1, 3}, {5, 4, 3}},
  };
  for (const auto &[name, kind] : ops)
    for (const auto &[ls, rs] : shapes) {
      SCOPED_TRACE(std::string(name) + " " + str(ls) + " " + str(rs));
      ref::Tensor a = randomTensor(ls, rng, -2, 2);
      ref::Tensor b = std::string(name) == "div"
                          ? randomAwayFromZero(rs, rng, 0.5, 2)
                          : randomTensor(rs, rng, -2, 2);
      ref::Tensor want = ref::binary(kind, a, b);
      std::string impl;
      auto got = runKernel("onednn.binary", {a, b}, want.shape,
                           {KernelAttr::ofString("op", name)}, &impl);
      ASSERT_TRUE(got);
      EXPECT_TRUE(equalRounded(*got, want)) << impl;
    }
}

// The result may be the bytes of an operand of its shape (an in-place
// update planned by the memory planner).
TEST(OneDnnBinary, ResultMayAliasAnOperand) {
  std::mt19937 rng(13);
  for (bool aliasLhs : {true, false}) {
    ref::Tensor a = randomTensor({4, 6}, rng), b = randomTensor({4, 6}, rng);
    std::vector<float> x(a.data.begin(), a.data.end()),
        y(b.data.begin(), b.data.end());
    std::vector<float> &out = aliasLhs ? x : y;
    KernelRecord rec = makeRecord("onednn.binary", {{4, 6}, {4, 6}, {4, 6}},
                                  {KernelAttr::ofString("op", "sub")});
    auto kernel = createOneDnnKernel(context(), rec,
                                     {{x.data(), x.size() * 4},
                                      {y.data(), y.size() * 4},
                                      {out.data(), out.size() * 4}});
    ASSERT_TRUE(kernel.ok()) << kernel.status().message();
    ASSERT_TRUE((*kernel)->run().ok());
    ref::Tensor got(ref::DType::F32, {4, 6},
                    std::vector<double>(out.begin(), out.end()));
    EXPECT_TRUE(equalRounded(got, ref::binary(ref::BinaryKind::Sub, a, b)));
  }
}

//===----------------------------------------------------------------------===//
// onednn.reduce
//===----------------------------------------------------------------------===//

TEST(OneDnnReduce, MatchesReference) {
  std::mt19937 rng(14);
  const std::pair<const char *, ref::ReduceKind> kinds[] = {
      {"sum", ref::ReduceKind::Sum},
      {"mean", ref::ReduceKind::Mean},
      {"max", ref::ReduceKind::Max},
      {"min", ref::ReduceKind::Min},
  };
  const std::pair<Dims, Dims> cases[] = {
      {{3, 4}, {1}},
      {{3, 4}, {0}},
      {{3, 4}, {0, 1}},
      {{2, 3, 4}, {0, 2}},
      {{2, 3, 4}, {1}},
      {{2, 3, 4}, {2, 0}},
      {{5}, {}},
      {{5}, {0}},
      {{}, {}},
      {{2, 1, 3}, {1}},
      {{4, 5, 6, 7}, {1, 3}},
      {{6, 100}, {1}},
      {{1, 1}, {0, 1}},
      {{3, 0, 2}, {1}},
      {{3, 0, 2}, {0}},
      {{300, 17}, {0}}, // a sum over leading dims is a matmul with ones
      {{3, 200, 5}, {1}},
      {{2, 3, 4, 5}, {0, 1}},
  };
  for (const auto &[name, kind] : kinds)
    for (const auto &[shape, dims] : cases)
      for (bool keep : {false, true}) {
        SCOPED_TRACE(std::string(name) + " " + str(shape) + " dims " +
                     str(dims) + (keep ? " keep_dims" : ""));
        ref::Tensor x = randomTensor(shape, rng);
        ref::Tensor want = ref::reduce(kind, x, dims, keep);
        auto got = runKernel("onednn.reduce", {x}, want.shape,
                             {KernelAttr::ofString("kind", name),
                              KernelAttr::ofInts("dims", dims),
                              KernelAttr::ofInt("keep_dims", keep)});
        ASSERT_TRUE(got);
        if (kind == ref::ReduceKind::Max || kind == ref::ReduceKind::Min) {
          EXPECT_TRUE(equalRounded(*got, want));
          continue;
        }
        int64_t n = 1;
        for (int64_t d : dims)
          n *= shape[d];
        ref::Tensor bound = ref::reduce(kind, absOf(x), dims, keep);
        EXPECT_TRUE(allClose(*got, want, [&](size_t i) {
          return 2.0 * (n + 1) * kU * bound.data[i];
        }));
      }
}

//===----------------------------------------------------------------------===//
// onednn.softmax, onednn.log_softmax
//===----------------------------------------------------------------------===//

TEST(OneDnnSoftmax, MatchesReferenceAlongEveryDim) {
  std::mt19937 rng(15);
  const Dims shapes[] = {{5}, {3, 7}, {2, 3, 4}, {4, 1, 6}, {2, 50, 3}};
  for (const Dims &shape : shapes)
    for (int64_t dim = 0; dim < static_cast<int64_t>(shape.size()); ++dim)
      for (bool isLog : {false, true}) {
        SCOPED_TRACE(str(shape) + " dim " + std::to_string(dim) +
                     (isLog ? " log_softmax" : " softmax"));
        // |x - max| <= 6.
        ref::Tensor x = randomTensor(shape, rng, -3, 3);
        ref::Tensor want =
            isLog ? ref::logSoftmax(x, dim) : ref::softmax(x, dim);
        auto got = runKernel(isLog ? "onednn.log_softmax" : "onednn.softmax",
                             {x}, shape, {KernelAttr::ofInt("dim", dim)});
        ASSERT_TRUE(got);
        double len = static_cast<double>(shape[dim]);
        EXPECT_TRUE(allClose(*got, want, [&](size_t i) {
          double y = std::fabs(want.data[i]);
          // softmax: exp(x - max) is off by u |x - max| <= 6u from rounding
          // its argument and a few ulp from its approximation, the sum of L
          // of them by (L - 1) u relatively, the division by u: relative
          // (L + 20) u, doubled. log_softmax: x - max - log(sum) is off by
          // the sum's relative error (now absolute), the rounding of each
          // subtraction, and the error of oneDNN's JIT log, which is
          // absolute, not relative: up to 3.6e-6 (measured, the same as its
          // eltwise log near 1), hence the eltwise tolerance's 1e-5.
          return isLog ? 2.0 * kU * (len + 8 + 2 * y) + 1e-5
                       : 2.0 * kU * (len + 20) * y;
        }));
      }
}

//===----------------------------------------------------------------------===//
// onednn.layer_norm
//===----------------------------------------------------------------------===//

TEST(OneDnnLayerNorm, MatchesReference) {
  std::mt19937 rng(16);
  const std::pair<Dims, Dims> cases[] = {
      {{4, 16}, {16}},   {{2, 3, 8}, {3, 8}}, {{7}, {7}},
      {{3, 768}, {768}}, {{2, 1}, {1}},       {{2, 2, 3, 4}, {2, 3, 4}},
  };
  for (const auto &[shape, params] : cases)
    for (double epsilon : {1e-5, 0.1}) {
      SCOPED_TRACE(str(shape) + " over " + str(params) + " epsilon " +
                   std::to_string(epsilon));
      ref::Tensor x = randomTensor(shape, rng, -2, 3);
      ref::Tensor scale = randomTensor(params, rng, -2, 2);
      ref::Tensor bias = randomTensor(params, rng);
      ref::Tensor want = ref::layerNorm(x, scale, bias, epsilon);
      auto got = runKernel("onednn.layer_norm", {x, scale, bias}, shape,
                           {KernelAttr::ofFloat("epsilon", epsilon)});
      ASSERT_TRUE(got);
      // Per row of n elements with mean m, max |x| M and rstd r: the mean
      // is off by at most n u M, the variance (whose first-order error from
      // the mean's cancels, as sum(x - m) = 0) and so r by (n + 3) u
      // relatively; y = (x - m) r g + b is then off by about
      // |g| r (n + 4) u (M + |x - m|) + u (|y| + |b|). Doubled.
      int64_t n = scale.numElements();
      std::vector<double> tol(want.data.size());
      for (size_t row = 0; row * n < want.data.size(); ++row) {
        const double *xr = x.data.data() + row * n;
        double mean = 0, var = 0, maxAbs = 0;
        for (int64_t i = 0; i < n; ++i)
          mean += xr[i] / n, maxAbs = std::max(maxAbs, std::fabs(xr[i]));
        for (int64_t i = 0; i < n; ++i)
          var += (xr[i] - mean) * (xr[i] - mean) / n;
        double rstd = 1 / std::sqrt(var + epsilon);
        for (int64_t i = 0; i < n; ++i) {
          size_t j = row * n + i;
          tol[j] = 2 * kU *
                   (std::fabs(scale.data[i]) * rstd * (n + 4) *
                        (maxAbs + std::fabs(xr[i] - mean)) +
                    std::fabs(want.data[j]) + std::fabs(bias.data[i]));
        }
      }
      EXPECT_TRUE(allClose(*got, want, [&](size_t i) { return tol[i]; }));
    }
}

} // namespace
