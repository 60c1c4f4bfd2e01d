//===- GradientCheckTest.cpp - Every gradient rule vs finite differences --===//
//
// Part of Loom. For each differentiable op, a small f64 loss
// `sum(op(params...)^2)` is differentiated by --loom-autodiff and run on the
// reference interpreter; every parameter element's gradient is compared with
// central differences of the loss (eps 1e-6), with PyTorch gradcheck's rule
// |analytic - numeric| <= 1e-5 + 1e-3 |numeric|. Shapes include broadcasting
// and size-1 dims. A last test checks that every op of the dialect either
// has a rule checked here or is listed as not differentiable (yet).
//
//===----------------------------------------------------------------------===//

#include "GradientTestSupport.h"

#include "backends/reference/Interpreter.h"
#include "ir/LoomDialect.h"
#include "ir/LoomInterfaces.h"
#include "passes/Passes.h"

#include "mlir/AsmParser/AsmParser.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>

using namespace mlir;
using namespace mlir::loom::reference;

namespace {

/// One gradient check: `body` computes %y from the parameters %p0, %p1, ...
/// (types in `params`); the loss is sum(%y * %y).
struct GradCase {
  const char *name;
  std::vector<const char *> params; ///< tensor types, e.g. "tensor<2x3xf64>"
  const char *yType;
  const char *body;
  double low = -1.0, high = 1.0; ///< where parameters are drawn from
  /// The finite-difference step: larger where the loss goes through f32,
  /// whose rounding would swamp a 1e-6 step.
  double eps = 1e-6;
  /// Draw each parameter as a shuffled, evenly spaced grid over
  /// [low, high] instead: no two elements closer than (high - low) / size,
  /// so that no max has a tie, nor a near tie that a step of eps would flip.
  bool distinct = false;
};

std::string buildModule(const GradCase &c) {
  std::string ir = "func.func @loss(";
  for (size_t i = 0; i < c.params.size(); ++i)
    ir += (i ? ", " : "") + std::string("%p") + std::to_string(i) + ": " +
          c.params[i] + " {loom.param = \"p" + std::to_string(i) + "\"}";
  ir += ") -> tensor<f64> {\n";
  ir += c.body;
  std::string y = c.yType;
  std::string rank;
  int r = 0;
  for (char ch : y)
    r += ch == 'x';
  for (int i = 0; i < r; ++i)
    rank += (i ? ", " : "") + std::to_string(i);
  ir += "\n  %sq = loom.mul %y, %y : " + y + "\n";
  ir += "  %l = loom.reduce sum %sq dims [" + rank + "] : " + y +
        " -> tensor<f64>\n  return %l : tensor<f64>\n}\n";
  return ir;
}

Tensor tensorOf(MLIRContext &ctx, const char *type) {
  auto t = cast<RankedTensorType>(parseType(type, &ctx));
  return Tensor(*toDType(t.getElementType()),
                std::vector<int64_t>(t.getShape().begin(), t.getShape().end()));
}

class GradientCheck : public ::testing::TestWithParam<GradCase> {};

TEST_P(GradientCheck, MatchesCentralDifferences) {
  const GradCase &c = GetParam();
  ::loom::testing::TestContext t;
  std::string ir = buildModule(c);
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(ir, &t.ctx);
  ASSERT_TRUE(module) << t.errors << ir;
  ASSERT_TRUE(t.runPasses(*module, [](PassManager &pm) {
    pm.addPass(mlir::loom::createLoomAutodiff());
  })) << t.errors;

  std::mt19937_64 rng(1234);
  std::uniform_real_distribution<double> dist(c.low, c.high);
  std::vector<Tensor> args;
  for (const char *type : c.params) {
    Tensor arg = tensorOf(t.ctx, type);
    if (c.distinct) {
      double n = static_cast<double>(arg.data.size());
      for (size_t i = 0; i < arg.data.size(); ++i)
        arg.data[i] = c.low + (c.high - c.low) * (double(i) + 0.5) / n;
      std::shuffle(arg.data.begin(), arg.data.end(), rng);
    } else {
      for (double &v : arg.data)
        v = dist(rng);
    }
    args.push_back(arg);
  }
  ::loom::testing::expectGradientsMatchFiniteDifferences(
      module->lookupSymbol<func::FuncOp>("loss"),
      module->lookupSymbol<func::FuncOp>("loss_grad"), args,
      std::vector<bool>(args.size(), true), c.eps, c.name, t.errors);
}

#define UNARY(op, lo, hi)                                                      \
  GradCase {                                                                   \
#op, {"tensor<2x3xf64>" }, "tensor<2x3xf64>",                              \
          "  %y = loom." #op " %p0 : tensor<2x3xf64>", lo, hi                  \
  }

const GradCase kCases[] = {
    // Elementwise unary.
    UNARY(neg, -1, 1),
    UNARY(abs, 0.1, 1),
    UNARY(sign, 0.1, 1),
    UNARY(exp, -1, 1),
    UNARY(log, 0.2, 2),
    UNARY(sqrt, 0.2, 2),
    UNARY(rsqrt, 0.2, 2),
    UNARY(tanh, -1, 1),
    UNARY(cos, -2, 2),
    UNARY(sin, -2, 2),
    UNARY(sigmoid, -2, 2),
    UNARY(relu, 0.1, 1),
    UNARY(erf, -1, 1),
    UNARY(gelu, -2, 2),
    {"gelu_tanh",
     {"tensor<2x3xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.gelu %p0 approximate : tensor<2x3xf64>",
     -2,
     2},
    // Elementwise binary, with broadcasting and size-1 dims.
    {"add",
     {"tensor<2x3xf64>", "tensor<3xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.add %p0, %p1 : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>"},
    {"sub",
     {"tensor<1x3xf64>", "tensor<2x1xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.sub %p0, %p1 : (tensor<1x3xf64>, tensor<2x1xf64>) -> "
     "tensor<2x3xf64>"},
    {"mul",
     {"tensor<2x3xf64>", "tensor<f64>"},
     "tensor<2x3xf64>",
     "  %y = loom.mul %p0, %p1 : (tensor<2x3xf64>, tensor<f64>) -> "
     "tensor<2x3xf64>"},
    {"div",
     {"tensor<2x3xf64>", "tensor<2x1xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.div %p0, %p1 : (tensor<2x3xf64>, tensor<2x1xf64>) -> "
     "tensor<2x3xf64>",
     0.5,
     2},
    {"max",
     {"tensor<2x3xf64>", "tensor<3xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.max %p0, %p1 : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>"},
    {"min",
     {"tensor<2x3xf64>", "tensor<2x3xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.min %p0, %p1 : tensor<2x3xf64>"},
    {"pow",
     {"tensor<2x3xf64>", "tensor<3xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.pow %p0, %p1 : (tensor<2x3xf64>, tensor<3xf64>) -> "
     "tensor<2x3xf64>",
     0.5,
     2},
    // Select and cast.
    {"select",
     {"tensor<2x3xf64>", "tensor<3xf64>"},
     "tensor<2x3xf64>",
     "  %z = loom.constant dense<0.0> : tensor<f64>\n"
     "  %c = loom.compare gt, %p0, %z : (tensor<2x3xf64>, tensor<f64>) -> "
     "tensor<2x3xi1>\n"
     "  %y = loom.select %c, %p0, %p1 : (tensor<2x3xi1>, tensor<2x3xf64>, "
     "tensor<3xf64>) -> tensor<2x3xf64>"},
    {"cast",
     {"tensor<2x3xf64>"},
     "tensor<2x3xf64>",
     "  %h = loom.cast %p0 : tensor<2x3xf64> to tensor<2x3xf32>\n"
     "  %e = loom.exp %h : tensor<2x3xf32>\n"
     "  %y = loom.cast %e : tensor<2x3xf32> to tensor<2x3xf64>",
     -1,
     1,
     1e-2},
    // Data movement.
    {"broadcast",
     {"tensor<3x1xf64>"},
     "tensor<2x3x4xf64>",
     "  %y = loom.broadcast %p0 : tensor<3x1xf64> to tensor<2x3x4xf64>"},
    {"reshape",
     {"tensor<2x3xf64>"},
     "tensor<3x2xf64>",
     "  %e = loom.exp %p0 : tensor<2x3xf64>\n"
     "  %y = loom.reshape %e : tensor<2x3xf64> to tensor<3x2xf64>"},
    {"transpose",
     {"tensor<2x3x4xf64>"},
     "tensor<4x2x3xf64>",
     "  %e = loom.exp %p0 : tensor<2x3x4xf64>\n"
     "  %y = loom.transpose %e, [2, 0, 1] : tensor<2x3x4xf64> -> "
     "tensor<4x2x3xf64>"},
    {"slice",
     {"tensor<4x5xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.slice %p0 start [1, 1] limit [3, 4] stride [1, 1] : "
     "tensor<4x5xf64> -> tensor<2x3xf64>"},
    {"slice_strided",
     {"tensor<7x6xf64>"},
     "tensor<2x3xf64>",
     "  %y = loom.slice %p0 start [1, 0] limit [7, 5] stride [3, 2] : "
     "tensor<7x6xf64> -> tensor<2x3xf64>"},
    {"slice_strided_ragged",
     {"tensor<5x7x3xf64>"},
     "tensor<3x2x1xf64>",
     "  %y = loom.slice %p0 start [0, 1, 2] limit [5, 7, 3] stride [2, 3, 4] "
     ": tensor<5x7x3xf64> -> tensor<3x2x1xf64>"},
    {"concat",
     {"tensor<2x1xf64>", "tensor<2x3xf64>"},
     "tensor<2x4xf64>",
     "  %y = loom.concat %p0, %p1 dim 1 : (tensor<2x1xf64>, tensor<2x3xf64>) "
     "-> tensor<2x4xf64>"},
    {"gather",
     {"tensor<4x3xf64>"},
     "tensor<2x2x3xf64>",
     "  %i = loom.constant dense<[[0, 3], [3, 1]]> : tensor<2x2xi32>\n"
     "  %y = loom.gather %p0[%i] axis 0 : (tensor<4x3xf64>, tensor<2x2xi32>) "
     "-> tensor<2x2x3xf64>"},
    {"scatter_add",
     {"tensor<4x3xf64>", "tensor<3x3xf64>"},
     "tensor<4x3xf64>",
     "  %i = loom.constant dense<[2, 0, 2]> : tensor<3xi64>\n"
     "  %y = loom.scatter_add %p0[%i], %p1 axis 0 : (tensor<4x3xf64>, "
     "tensor<3xi64>, tensor<3x3xf64>) -> tensor<4x3xf64>"},
    // Reductions.
    {"reduce_sum",
     {"tensor<2x3x4xf64>"},
     "tensor<3xf64>",
     "  %y = loom.reduce sum %p0 dims [0, 2] : tensor<2x3x4xf64> -> "
     "tensor<3xf64>"},
    {"reduce_mean_keep",
     {"tensor<2x3x4xf64>"},
     "tensor<2x1x4xf64>",
     "  %y = loom.reduce mean %p0 dims [1] keep_dims : tensor<2x3x4xf64> -> "
     "tensor<2x1x4xf64>"},
    {"reduce_max",
     {"tensor<2x3xf64>"},
     "tensor<2xf64>",
     "  %y = loom.reduce max %p0 dims [1] : tensor<2x3xf64> -> tensor<2xf64>"},
    {"reduce_min",
     {"tensor<2x3xf64>"},
     "tensor<3xf64>",
     "  %y = loom.reduce min %p0 dims [0] : tensor<2x3xf64> -> tensor<3xf64>"},
    // Contractions.
    {"matmul",
     {"tensor<2x3xf64>", "tensor<3x4xf64>"},
     "tensor<2x4xf64>",
     "  %y = loom.matmul %p0, %p1 : (tensor<2x3xf64>, tensor<3x4xf64>) -> "
     "tensor<2x4xf64>"},
    {"matmul_transposed",
     {"tensor<3x2xf64>", "tensor<4x3xf64>"},
     "tensor<2x4xf64>",
     "  %y = loom.matmul %p0, %p1 transpose_lhs transpose_rhs : "
     "(tensor<3x2xf64>, tensor<4x3xf64>) -> tensor<2x4xf64>"},
    {"matmul_batched",
     {"tensor<2x1x2x3xf64>", "tensor<3x3x2xf64>"},
     "tensor<2x3x2x2xf64>",
     "  %y = loom.matmul %p0, %p1 : (tensor<2x1x2x3xf64>, tensor<3x3x2xf64>) "
     "-> tensor<2x3x2x2xf64>"},
    {"matmul_weight_nk",
     {"tensor<2x2x3xf64>", "tensor<4x3xf64>"},
     "tensor<2x2x4xf64>",
     "  %y = loom.matmul %p0, %p1 transpose_rhs : (tensor<2x2x3xf64>, "
     "tensor<4x3xf64>) -> tensor<2x2x4xf64>"},
    {"matmul_weight_kn",
     {"tensor<2x2x3xf64>", "tensor<3x4xf64>"},
     "tensor<2x2x4xf64>",
     "  %y = loom.matmul %p0, %p1 : (tensor<2x2x3xf64>, tensor<3x4xf64>) -> "
     "tensor<2x2x4xf64>"},
    {"matmul_weight_nk_rank4",
     {"tensor<2x3x2x3xf64>", "tensor<4x3xf64>"},
     "tensor<2x3x2x4xf64>",
     "  %y = loom.matmul %p0, %p1 transpose_rhs : (tensor<2x3x2x3xf64>, "
     "tensor<4x3xf64>) -> tensor<2x3x2x4xf64>"},
    {"matmul_lhs_transposed_weight",
     {"tensor<2x3x2xf64>", "tensor<3x4xf64>"},
     "tensor<2x2x4xf64>",
     "  %y = loom.matmul %p0, %p1 transpose_lhs : (tensor<2x3x2xf64>, "
     "tensor<3x4xf64>) -> tensor<2x2x4xf64>"},
    // Convolutions: both operands, over strides (with input rows no window
    // reads), asymmetric padding, dilation and groups; then the backward
    // ops, whose rules give second order.
    {"conv2d_stride2",
     {"tensor<1x2x6x6xf64>", "tensor<3x2x3x3xf64>"},
     "tensor<1x3x2x2xf64>",
     "  %y = loom.conv2d %p0, %p1 {strides = array<i64: 2, 2>} : "
     "(tensor<1x2x6x6xf64>, tensor<3x2x3x3xf64>) -> tensor<1x3x2x2xf64>"},
    {"conv2d_asymmetric_padding",
     {"tensor<2x1x4x3xf64>", "tensor<2x1x2x3xf64>"},
     "tensor<2x2x4x4xf64>",
     "  %y = loom.conv2d %p0, %p1 {padding = array<i64: 1, 0, 2, 1>} : "
     "(tensor<2x1x4x3xf64>, tensor<2x1x2x3xf64>) -> tensor<2x2x4x4xf64>"},
    {"conv2d_dilation2",
     {"tensor<1x2x6x5xf64>", "tensor<2x2x2x2xf64>"},
     "tensor<1x2x4x3xf64>",
     "  %y = loom.conv2d %p0, %p1 {dilations = array<i64: 2, 2>} : "
     "(tensor<1x2x6x5xf64>, tensor<2x2x2x2xf64>) -> tensor<1x2x4x3xf64>"},
    {"conv2d_groups2",
     {"tensor<1x4x4x4xf64>", "tensor<6x2x3x3xf64>"},
     "tensor<1x6x4x4xf64>",
     "  %y = loom.conv2d %p0, %p1 {groups = 2 : i64, padding = array<i64: 1, "
     "1, 1, 1>} : (tensor<1x4x4x4xf64>, tensor<6x2x3x3xf64>) -> "
     "tensor<1x6x4x4xf64>"},
    {"conv2d_everything",
     {"tensor<2x4x5x6xf64>", "tensor<4x2x2x3xf64>"},
     "tensor<2x4x2x7xf64>",
     "  %y = loom.conv2d %p0, %p1 {dilations = array<i64: 2, 1>, groups = 2 : "
     "i64, padding = array<i64: 1, 0, 2, 1>, strides = array<i64: 2, 1>} : "
     "(tensor<2x4x5x6xf64>, tensor<4x2x2x3xf64>) -> tensor<2x4x2x7xf64>"},
    {"conv2d_backward_input",
     {"tensor<1x4x2x3xf64>", "tensor<4x1x2x3xf64>"},
     "tensor<1x2x4x6xf64>",
     "  %y = loom.conv2d_backward_input %p0, %p1 {dilations = array<i64: 1, "
     "2>, groups = 2 : i64, padding = array<i64: 1, 0, 0, 1>, strides = "
     "array<i64: 2, 1>} : (tensor<1x4x2x3xf64>, tensor<4x1x2x3xf64>) -> "
     "tensor<1x2x4x6xf64>"},
    {"conv2d_backward_filter",
     {"tensor<1x2x4x6xf64>", "tensor<1x4x2x3xf64>"},
     "tensor<4x1x2x3xf64>",
     "  %y = loom.conv2d_backward_filter %p0, %p1 {dilations = array<i64: 1, "
     "2>, groups = 2 : i64, padding = array<i64: 1, 0, 0, 1>, strides = "
     "array<i64: 2, 1>} : (tensor<1x2x4x6xf64>, tensor<1x4x2x3xf64>) -> "
     "tensor<4x1x2x3xf64>"},
    // Pooling: max over overlapping windows and with padding (all inputs
    // negative, so a padded zero would win if counted), with distinct
    // inputs; avg with padding, excluding and including it in the divisor.
    {"pool2d_max_overlapping",
     {"tensor<1x2x5x5xf64>"},
     "tensor<1x2x3x3xf64>",
     "  %y = loom.pool2d max %p0 window [3, 3] strides [1, 1] : "
     "tensor<1x2x5x5xf64> -> tensor<1x2x3x3xf64>",
     -1,
     1,
     1e-6,
     true},
    {"pool2d_max_padding",
     {"tensor<2x1x5x4xf64>"},
     "tensor<2x1x3x3xf64>",
     "  %y = loom.pool2d max %p0 window [3, 2] strides [2, 2] {padding = "
     "array<i64: 1, 1, 1, 1>} : tensor<2x1x5x4xf64> -> tensor<2x1x3x3xf64>",
     -2,
     -0.1,
     1e-6,
     true},
    {"pool2d_avg_padding",
     {"tensor<1x2x5x4xf64>"},
     "tensor<1x2x3x4xf64>",
     "  %y = loom.pool2d avg %p0 window [3, 2] strides [2, 1] {padding = "
     "array<i64: 1, 1, 1, 0>} : tensor<1x2x5x4xf64> -> tensor<1x2x3x4xf64>"},
    {"pool2d_avg_count_include_pad",
     {"tensor<1x2x5x4xf64>"},
     "tensor<1x2x3x4xf64>",
     "  %y = loom.pool2d avg %p0 window [3, 2] strides [2, 1] "
     "{count_include_pad, padding = array<i64: 1, 1, 1, 0>} : "
     "tensor<1x2x5x4xf64> -> tensor<1x2x3x4xf64>"},
    // Normalization and attention.
    {"softmax",
     {"tensor<2x4xf64>"},
     "tensor<2x4xf64>",
     "  %y = loom.softmax %p0 dim 1 : tensor<2x4xf64>"},
    {"log_softmax",
     {"tensor<3x2xf64>"},
     "tensor<3x2xf64>",
     "  %y = loom.log_softmax %p0 dim 0 : tensor<3x2xf64>"},
    {"layer_norm",
     {"tensor<2x3x4xf64>", "tensor<4xf64>", "tensor<4xf64>"},
     "tensor<2x3x4xf64>",
     "  %y = loom.layer_norm %p0, %p1, %p2 : (tensor<2x3x4xf64>, "
     "tensor<4xf64>, tensor<4xf64>) -> tensor<2x3x4xf64>"},
    {"attention",
     {"tensor<2x3x4xf64>", "tensor<2x5x4xf64>", "tensor<2x5x2xf64>"},
     "tensor<2x3x2xf64>",
     "  %y = loom.attention %p0, %p1, %p2 {scale = 7.000000e-01 : f64} : "
     "(tensor<2x3x4xf64>, tensor<2x5x4xf64>, tensor<2x5x2xf64>) -> "
     "tensor<2x3x2xf64>"},
    {"attention_causal",
     {"tensor<1x2x3x4xf64>", "tensor<1x2x3x4xf64>", "tensor<1x2x3x4xf64>"},
     "tensor<1x2x3x4xf64>",
     "  %y = loom.attention %p0, %p1, %p2 causal : (tensor<1x2x3x4xf64>, "
     "tensor<1x2x3x4xf64>, tensor<1x2x3x4xf64>) -> tensor<1x2x3x4xf64>"},
    // Losses and randomness.
    {"cross_entropy_mean",
     {"tensor<2x3x5xf64>"},
     "tensor<f64>",
     "  %t = loom.constant dense<[[0, 4, 2], [1, 1, 3]]> : tensor<2x3xi32>\n"
     "  %y = loom.cross_entropy mean %p0, %t : (tensor<2x3x5xf64>, "
     "tensor<2x3xi32>) -> tensor<f64>"},
    {"cross_entropy_none",
     {"tensor<3x4xf64>"},
     "tensor<3xf64>",
     "  %t = loom.constant dense<[3, 0, 1]> : tensor<3xi64>\n"
     "  %y = loom.cross_entropy none %p0, %t : (tensor<3x4xf64>, "
     "tensor<3xi64>) -> tensor<3xf64>"},
    {"cross_entropy_sum",
     {"tensor<3x4xf64>"},
     "tensor<f64>",
     "  %t = loom.constant dense<[3, 0, 1]> : tensor<3xi32>\n"
     "  %y = loom.cross_entropy sum %p0, %t : (tensor<3x4xf64>, tensor<3xi32>) "
     "-> tensor<f64>"},
    {"dropout",
     {"tensor<4x8xf64>"},
     "tensor<4x8xf64>",
     "  %k = loom.constant dense<[7, 3]> : tensor<2xi64>\n"
     "  %y = loom.dropout %p0, %k rate 3.000000e-01 stream 2 : "
     "(tensor<4x8xf64>, tensor<2xi64>) -> tensor<4x8xf64>"},
};

std::string caseName(const ::testing::TestParamInfo<GradCase> &info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(EveryRule, GradientCheck, ::testing::ValuesIn(kCases),
                         caseName);

/// Ops that have no gradient rule: they take no differentiable input, their
/// adjoints come with the sharding passes (collectives), or training does
/// not need them (below).
const std::set<std::string> kNotDifferentiable = {
    "loom.compare", "loom.constant", "loom.iota", "loom.all_reduce",
    "loom.all_gather", "loom.reduce_scatter",
    // Second order through pooling, which training does not need: max's
    // adjoint would gather at each window's argmax, which no loom op does.
    "loom.pool2d_backward",
    // Fusion groups are formed after autodiff (--loom-fuse).
    "loom.fusion_group", "loom.multi_tensor_group", "loom.yield",
    // The pair that attention's gradient builds (checked through
    // loom.attention above): second order through attention, which
    // training does not need.
    "loom.attention_with_lse", "loom.attention_backward"};

TEST(GradientCoverage, EveryOpHasARuleCheckedHereOrIsListed) {
  MLIRContext ctx;
  ctx.loadDialect<mlir::loom::LoomDialect>();
  std::set<std::string> checked;
  for (const GradCase &c : kCases) {
    std::string body = c.body;
    // Every op used by a case body is exercised by its check.
    for (size_t at = body.find("loom."); at != std::string::npos;
         at = body.find("loom.", at + 1)) {
      size_t end = body.find_first_of(" \n", at);
      checked.insert(body.substr(at, end - at));
    }
  }
  for (RegisteredOperationName op : ctx.getRegisteredOperations()) {
    std::string name = op.getStringRef().str();
    if (op.getDialectNamespace() != "loom")
      continue;
    bool hasRule = op.hasInterface<mlir::loom::GradientOpInterface>();
    if (kNotDifferentiable.count(name)) {
      EXPECT_FALSE(hasRule) << name
                            << " has a rule now: add a gradient "
                               "check for it";
      continue;
    }
    EXPECT_TRUE(hasRule) << name << " has no gradient rule";
    EXPECT_TRUE(checked.count(name)) << name << " has no gradient check";
  }
}

} // namespace
