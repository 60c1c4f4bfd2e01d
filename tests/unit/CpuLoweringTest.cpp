//===- CpuLoweringTest.cpp - Every loom op, lowered and run vs reference --===//
//
// Part of Loom. Each case is a function of loom ops. All cases go through
// the CPU code generator end to end: --loom-lower-to-linalg, then the
// object emitter (one-shot bufferization, loops, LLVM, a shared object),
// loaded with the runtime's KernelLibrary; each kernel runs on seeded
// random inputs and its results are compared with the reference
// interpreter's on the same inputs (dropout bit for bit, integers exactly,
// floats within a tolerance of their type).
//
// The coverage test requires every registered loom op to be exercised by a
// case here or to be on the exempt list (the collectives, which the runtime
// runs); an exempt op must still fail to lower, so that whoever adds its
// lowering moves it into a case.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/Passes.h"
#include "backends/cpu/emit/ObjectEmitter.h"
#include "backends/reference/Interpreter.h"
#include "ir/LoomDialect.h"
#include "ir/LoomOps.h"
#include "runtime/exec/KernelLibrary.h"

#include "mlir/Dialect/Arith/IR/Arith.h"
#include "mlir/Dialect/Arith/Transforms/Passes.h"
#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/BuiltinOps.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"
#include "mlir/Pass/PassManager.h"
#include "mlir/Transforms/GreedyPatternRewriteDriver.h"
#include "llvm/ADT/APFloat.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <memory>
#include <set>
#include <string>
#include <vector>

using namespace mlir;
namespace ref = mlir::loom::reference;

namespace {

/// One lowering case: a function named after the case; `inputs` says how
/// to draw each argument:
///   u  uniform in [-2, 2] (integers in [-9, 9])    p  uniform in [0.25, 3]
///   iN integers in [0, N)                          z  integers in [-3, 3]
///   b  booleans                                    k  a (seed, step) key
struct LowerCase {
  const char *name;
  std::vector<std::string> inputs;
  const char *func;
  /// Compare floats bit for bit (dropout).
  bool exact = false;
};

// Sections follow LoomOps.td.
const std::vector<LowerCase> kCases = {
    // Elementwise unary.
    {"unary_f32",
     {"u"},
     R"(func.func @unary_f32(%x: tensor<3x5xf32>) -> (tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>) {
  %0 = loom.neg %x : tensor<3x5xf32>
  %1 = loom.abs %x : tensor<3x5xf32>
  %2 = loom.sign %x : tensor<3x5xf32>
  %3 = loom.exp %x : tensor<3x5xf32>
  %4 = loom.tanh %x : tensor<3x5xf32>
  %5 = loom.cos %x : tensor<3x5xf32>
  %6 = loom.sin %x : tensor<3x5xf32>
  %7 = loom.sigmoid %x : tensor<3x5xf32>
  %8 = loom.relu %x : tensor<3x5xf32>
  %9 = loom.erf %x : tensor<3x5xf32>
  return %0, %1, %2, %3, %4, %5, %6, %7, %8, %9 : tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>, tensor<3x5xf32>
})"},
    {"unary_positive_f64",
     {"p"},
     R"(func.func @unary_positive_f64(%x: tensor<7xf64>) -> (tensor<7xf64>, tensor<7xf64>, tensor<7xf64>) {
  %0 = loom.log %x : tensor<7xf64>
  %1 = loom.sqrt %x : tensor<7xf64>
  %2 = loom.rsqrt %x : tensor<7xf64>
  return %0, %1, %2 : tensor<7xf64>, tensor<7xf64>, tensor<7xf64>
})"},
    {"gelu_bf16",
     {"u"},
     R"(func.func @gelu_bf16(%x: tensor<16xbf16>) -> (tensor<16xbf16>, tensor<16xbf16>) {
  %0 = loom.gelu %x : tensor<16xbf16>
  %1 = loom.gelu %x approximate : tensor<16xbf16>
  return %0, %1 : tensor<16xbf16>, tensor<16xbf16>
})"},
    {"unary_i32",
     {"u"},
     R"(func.func @unary_i32(%x: tensor<9xi32>) -> (tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>) {
  %0 = loom.neg %x : tensor<9xi32>
  %1 = loom.abs %x : tensor<9xi32>
  %2 = loom.sign %x : tensor<9xi32>
  %3 = loom.relu %x : tensor<9xi32>
  return %0, %1, %2, %3 : tensor<9xi32>, tensor<9xi32>, tensor<9xi32>, tensor<9xi32>
})"},
    // Elementwise binary, broadcasting.
    {"binary_f32",
     {"u", "u", "p"},
     R"(func.func @binary_f32(%a: tensor<2x3x4xf32>, %b: tensor<3x1xf32>, %p: tensor<4xf32>) -> (tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>) {
  %0 = loom.add %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %1 = loom.sub %b, %a : (tensor<3x1xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  %2 = loom.mul %a, %p : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %3 = loom.div %a, %p : (tensor<2x3x4xf32>, tensor<4xf32>) -> tensor<2x3x4xf32>
  %4 = loom.max %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %5 = loom.min %a, %b : (tensor<2x3x4xf32>, tensor<3x1xf32>) -> tensor<2x3x4xf32>
  %6 = loom.pow %p, %a : (tensor<4xf32>, tensor<2x3x4xf32>) -> tensor<2x3x4xf32>
  return %0, %1, %2, %3, %4, %5, %6 : tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>, tensor<2x3x4xf32>
})"},
    {"binary_i64",
     {"u", "z"},
     R"(func.func @binary_i64(%a: tensor<4x6xi64>, %b: tensor<6xi64>) -> (tensor<4x6xi64>, tensor<4x6xi64>, tensor<4x6xi64>, tensor<4x6xi64>) {
  %0 = loom.div %a, %b : (tensor<4x6xi64>, tensor<6xi64>) -> tensor<4x6xi64>
  %1 = loom.mul %a, %b : (tensor<4x6xi64>, tensor<6xi64>) -> tensor<4x6xi64>
  %2 = loom.max %a, %b : (tensor<4x6xi64>, tensor<6xi64>) -> tensor<4x6xi64>
  %3 = loom.min %a, %b : (tensor<4x6xi64>, tensor<6xi64>) -> tensor<4x6xi64>
  return %0, %1, %2, %3 : tensor<4x6xi64>, tensor<4x6xi64>, tensor<4x6xi64>, tensor<4x6xi64>
})"},
    {"binary_f16",
     {"u", "u"},
     R"(func.func @binary_f16(%a: tensor<8xf16>, %b: tensor<f16>) -> (tensor<8xf16>, tensor<8xf16>) {
  %0 = loom.add %a, %b : (tensor<8xf16>, tensor<f16>) -> tensor<8xf16>
  %1 = loom.mul %a, %b : (tensor<8xf16>, tensor<f16>) -> tensor<8xf16>
  return %0, %1 : tensor<8xf16>, tensor<8xf16>
})"},
    // Compare, select, cast.
    {"compare_select",
     {"u", "u", "b"},
     R"(func.func @compare_select(%a: tensor<3x4xf32>, %b: tensor<4xf32>, %c: tensor<3x1xi1>) -> (tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xf32>, tensor<3x4xi1>) {
  %0 = loom.compare lt, %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
  %1 = loom.compare ne, %a, %b : (tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xi1>
  %2 = loom.select %c, %a, %b : (tensor<3x1xi1>, tensor<3x4xf32>, tensor<4xf32>) -> tensor<3x4xf32>
  %3 = loom.compare ge, %c, %0 : (tensor<3x1xi1>, tensor<3x4xi1>) -> tensor<3x4xi1>
  return %0, %1, %2, %3 : tensor<3x4xi1>, tensor<3x4xi1>, tensor<3x4xf32>, tensor<3x4xi1>
})"},
    {"casts",
     {"u", "u"},
     R"(func.func @casts(%x: tensor<10xf32>, %i: tensor<10xi64>) -> (tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>, tensor<10xf64>, tensor<10xi1>, tensor<10xf32>, tensor<10xi32>, tensor<10xbf16>) {
  %0 = loom.cast %x : tensor<10xf32> to tensor<10xi32>
  %1 = loom.cast %x : tensor<10xf32> to tensor<10xbf16>
  %2 = loom.cast %1 : tensor<10xbf16> to tensor<10xf16>
  %3 = loom.cast %2 : tensor<10xf16> to tensor<10xf64>
  %4 = loom.cast %i : tensor<10xi64> to tensor<10xi1>
  %5 = loom.cast %4 : tensor<10xi1> to tensor<10xf32>
  %6 = loom.cast %i : tensor<10xi64> to tensor<10xi32>
  %7 = loom.cast %6 : tensor<10xi32> to tensor<10xbf16>
  return %0, %1, %2, %3, %4, %5, %6, %7 : tensor<10xi32>, tensor<10xbf16>, tensor<10xf16>, tensor<10xf64>, tensor<10xi1>, tensor<10xf32>, tensor<10xi32>, tensor<10xbf16>
})"},
    // Data movement.
    {"data_movement",
     {"u", "u"},
     R"(func.func @data_movement(%x: tensor<2x3x4xf32>, %y: tensor<2x2x4xf32>) -> (tensor<5x2x3x4xf32>, tensor<4x6xf32>, tensor<4x2x3xf32>, tensor<2x2x2xf32>, tensor<2x5x4xf32>) {
  %0 = loom.broadcast %x : tensor<2x3x4xf32> to tensor<5x2x3x4xf32>
  %1 = loom.reshape %x : tensor<2x3x4xf32> to tensor<4x6xf32>
  %2 = loom.transpose %x, [2, 0, 1] : tensor<2x3x4xf32> -> tensor<4x2x3xf32>
  %3 = loom.slice %x start [0, 1, 0] limit [2, 3, 4] stride [1, 1, 3] : tensor<2x3x4xf32> -> tensor<2x2x2xf32>
  %4 = loom.concat %x, %y dim 1 : (tensor<2x3x4xf32>, tensor<2x2x4xf32>) -> tensor<2x5x4xf32>
  return %0, %1, %2, %3, %4 : tensor<5x2x3x4xf32>, tensor<4x6xf32>, tensor<4x2x3xf32>, tensor<2x2x2xf32>, tensor<2x5x4xf32>
})"},
    {"gather_scatter",
     {"u", "i7", "u", "i5"},
     R"(func.func @gather_scatter(%t: tensor<7x3xf32>, %i: tensor<2x4xi32>, %u: tensor<2x4x3xf32>, %j: tensor<6xi64>) -> (tensor<2x4x3xf32>, tensor<7x3xf32>, tensor<7x6xf32>) {
  %0 = loom.gather %t[%i] axis 0 : (tensor<7x3xf32>, tensor<2x4xi32>) -> tensor<2x4x3xf32>
  %1 = loom.scatter_add %t[%i], %u axis 0 : (tensor<7x3xf32>, tensor<2x4xi32>, tensor<2x4x3xf32>) -> tensor<7x3xf32>
  %s = loom.slice %t start [0, 0] limit [7, 3] stride [1, 1] : tensor<7x3xf32> -> tensor<7x3xf32>
  %b = loom.broadcast %s : tensor<7x3xf32> to tensor<2x7x3xf32>
  %r = loom.reshape %b : tensor<2x7x3xf32> to tensor<7x6xf32>
  %g = loom.gather %r[%j] axis 1 : (tensor<7x6xf32>, tensor<6xi64>) -> tensor<7x6xf32>
  return %0, %1, %g : tensor<2x4x3xf32>, tensor<7x3xf32>, tensor<7x6xf32>
})"},
    // Reductions.
    {"reduce",
     {"u", "u"},
     R"(func.func @reduce(%x: tensor<3x4x5xf32>, %i: tensor<3x4xi32>) -> (tensor<4xf32>, tensor<3x1x5xf32>, tensor<3x4xf32>, tensor<f32>, tensor<3xi32>) {
  %0 = loom.reduce sum %x dims [2, 0] : tensor<3x4x5xf32> -> tensor<4xf32>
  %1 = loom.reduce max %x dims [1] keep_dims : tensor<3x4x5xf32> -> tensor<3x1x5xf32>
  %2 = loom.reduce mean %x dims [2] : tensor<3x4x5xf32> -> tensor<3x4xf32>
  %3 = loom.reduce min %x dims [0, 1, 2] : tensor<3x4x5xf32> -> tensor<f32>
  %4 = loom.reduce sum %i dims [1] : tensor<3x4xi32> -> tensor<3xi32>
  return %0, %1, %2, %3, %4 : tensor<4xf32>, tensor<3x1x5xf32>, tensor<3x4xf32>, tensor<f32>, tensor<3xi32>
})"},
    // Contractions.
    {"matmul",
     {"u", "u", "u", "u"},
     R"(func.func @matmul(%x: tensor<2x3x4xf32>, %w: tensor<5x4xf32>, %y: tensor<2x4x5xf32>, %z: tensor<3x1x5x4xf32>) -> (tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x5x3xf32>, tensor<3x2x3x5xf32>, tensor<4x4xf32>) {
  %0 = loom.matmul %x, %w transpose_rhs : (tensor<2x3x4xf32>, tensor<5x4xf32>) -> tensor<2x3x5xf32>
  %1 = loom.matmul %x, %y : (tensor<2x3x4xf32>, tensor<2x4x5xf32>) -> tensor<2x3x5xf32>
  %2 = loom.matmul %y, %x transpose_lhs transpose_rhs : (tensor<2x4x5xf32>, tensor<2x3x4xf32>) -> tensor<2x5x3xf32>
  %3 = loom.matmul %x, %z transpose_rhs : (tensor<2x3x4xf32>, tensor<3x1x5x4xf32>) -> tensor<3x2x3x5xf32>
  %4 = loom.matmul %w, %w transpose_lhs : (tensor<5x4xf32>, tensor<5x4xf32>) -> tensor<4x4xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3x5xf32>, tensor<2x3x5xf32>, tensor<2x5x3xf32>, tensor<3x2x3x5xf32>, tensor<4x4xf32>
})"},
    {"matmul_types",
     {"u", "u", "u"},
     R"(func.func @matmul_types(%a: tensor<3x4xi32>, %h: tensor<4x6xbf16>, %d: tensor<2x3x3xf64>) -> (tensor<3x3xi32>, tensor<6x6xbf16>, tensor<2x3x3xf64>) {
  %0 = loom.matmul %a, %a transpose_rhs : (tensor<3x4xi32>, tensor<3x4xi32>) -> tensor<3x3xi32>
  %1 = loom.matmul %h, %h transpose_lhs : (tensor<4x6xbf16>, tensor<4x6xbf16>) -> tensor<6x6xbf16>
  %2 = loom.matmul %d, %d : (tensor<2x3x3xf64>, tensor<2x3x3xf64>) -> tensor<2x3x3xf64>
  return %0, %1, %2 : tensor<3x3xi32>, tensor<6x6xbf16>, tensor<2x3x3xf64>
})"},
    {"conv2d",
     {"u", "u", "u"},
     R"(func.func @conv2d(%x: tensor<2x4x7x6xf32>, %w: tensor<6x2x3x2xf32>, %dy: tensor<2x6x3x5xf32>) -> (tensor<2x6x3x5xf32>, tensor<2x4x7x6xf32>, tensor<6x2x3x2xf32>) {
  %0 = loom.conv2d %x, %w {strides = array<i64: 2, 1>, padding = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, groups = 2} : (tensor<2x4x7x6xf32>, tensor<6x2x3x2xf32>) -> tensor<2x6x3x5xf32>
  %1 = loom.conv2d_backward_input %dy, %w {strides = array<i64: 2, 1>, padding = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, groups = 2} : (tensor<2x6x3x5xf32>, tensor<6x2x3x2xf32>) -> tensor<2x4x7x6xf32>
  %2 = loom.conv2d_backward_filter %x, %dy {strides = array<i64: 2, 1>, padding = array<i64: 1, 0, 0, 1>, dilations = array<i64: 1, 2>, groups = 2} : (tensor<2x4x7x6xf32>, tensor<2x6x3x5xf32>) -> tensor<6x2x3x2xf32>
  return %0, %1, %2 : tensor<2x6x3x5xf32>, tensor<2x4x7x6xf32>, tensor<6x2x3x2xf32>
})"},
    {"conv2d_bf16",
     {"u", "u"},
     R"(func.func @conv2d_bf16(%x: tensor<1x2x5x5xbf16>, %w: tensor<3x2x3x3xbf16>) -> tensor<1x3x3x3xbf16> {
  %0 = loom.conv2d %x, %w {padding = array<i64: 0, 0, 0, 0>} : (tensor<1x2x5x5xbf16>, tensor<3x2x3x3xbf16>) -> tensor<1x3x3x3xbf16>
  return %0 : tensor<1x3x3x3xbf16>
})"},
    {"pool2d",
     {"u", "u"},
     R"(func.func @pool2d(%x: tensor<2x3x7x6xf32>, %dy: tensor<2x3x4x3xf32>) -> (tensor<2x3x4x3xf32>, tensor<2x3x4x3xf32>, tensor<2x3x7x6xf32>, tensor<2x3x7x6xf32>, tensor<2x3x7x6xf32>) {
  %0 = loom.pool2d max %x window [3, 2] strides [2, 2] {padding = array<i64: 1, 1, 0, 1>} : tensor<2x3x7x6xf32> -> tensor<2x3x4x3xf32>
  %1 = loom.pool2d avg %x window [3, 2] strides [2, 2] {padding = array<i64: 1, 1, 0, 1>} : tensor<2x3x7x6xf32> -> tensor<2x3x4x3xf32>
  %2 = loom.pool2d_backward max %dy, %x window [3, 2] strides [2, 2] {padding = array<i64: 1, 1, 0, 1>} : (tensor<2x3x4x3xf32>, tensor<2x3x7x6xf32>) -> tensor<2x3x7x6xf32>
  %3 = loom.pool2d_backward avg %dy window [3, 2] strides [2, 2] {padding = array<i64: 1, 1, 0, 1>} : (tensor<2x3x4x3xf32>) -> tensor<2x3x7x6xf32>
  %4 = loom.pool2d_backward avg %dy window [3, 2] strides [2, 2] {padding = array<i64: 1, 1, 0, 1>, count_include_pad} : (tensor<2x3x4x3xf32>) -> tensor<2x3x7x6xf32>
  return %0, %1, %2, %3, %4 : tensor<2x3x4x3xf32>, tensor<2x3x4x3xf32>, tensor<2x3x7x6xf32>, tensor<2x3x7x6xf32>, tensor<2x3x7x6xf32>
})"},
    // Normalization and attention.
    {"normalization",
     {"u", "u", "u"},
     R"(func.func @normalization(%x: tensor<3x4x6xf32>, %g: tensor<4x6xf32>, %b: tensor<4x6xf32>) -> (tensor<3x4x6xf32>, tensor<3x4x6xf32>, tensor<3x4x6xf32>) {
  %0 = loom.softmax %x dim 1 : tensor<3x4x6xf32>
  %1 = loom.log_softmax %x dim 2 : tensor<3x4x6xf32>
  %2 = loom.layer_norm %x, %g, %b {epsilon = 1.0e-05 : f64} : (tensor<3x4x6xf32>, tensor<4x6xf32>, tensor<4x6xf32>) -> tensor<3x4x6xf32>
  return %0, %1, %2 : tensor<3x4x6xf32>, tensor<3x4x6xf32>, tensor<3x4x6xf32>
})"},
    {"attention",
     {"u", "u", "u"},
     R"(func.func @attention(%q: tensor<2x3x5x4xf32>, %k: tensor<2x3x5x4xf32>, %v: tensor<2x3x5x6xf32>) -> (tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>) {
  %0 = loom.attention %q, %k, %v causal : (tensor<2x3x5x4xf32>, tensor<2x3x5x4xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
  %1 = loom.attention %q, %k, %v {scale = 0.75 : f64} : (tensor<2x3x5x4xf32>, tensor<2x3x5x4xf32>, tensor<2x3x5x6xf32>) -> tensor<2x3x5x6xf32>
  return %0, %1 : tensor<2x3x5x6xf32>, tensor<2x3x5x6xf32>
})"},
    {"half_precision",
     {"u", "u", "u", "u", "i4", "k"},
     R"(func.func @half_precision(%q: tensor<2x3x4xbf16>, %k: tensor<2x3x4xbf16>, %v: tensor<2x3x2xbf16>, %x: tensor<2x4xf16>, %l: tensor<2xi32>, %key: tensor<2xi64>) -> (tensor<2x3x2xbf16>, tensor<f16>, tensor<2x4xf16>, tensor<2x4xf16>, tensor<2x4xf16>) {
  %0 = loom.attention %q, %k, %v causal : (tensor<2x3x4xbf16>, tensor<2x3x4xbf16>, tensor<2x3x2xbf16>) -> tensor<2x3x2xbf16>
  %w = loom.slice %x start [0, 0] limit [1, 4] stride [1, 1] : tensor<2x4xf16> -> tensor<1x4xf16>
  %g = loom.reshape %w : tensor<1x4xf16> to tensor<4xf16>
  %1 = loom.cross_entropy mean %x, %l : (tensor<2x4xf16>, tensor<2xi32>) -> tensor<f16>
  %2 = loom.layer_norm %x, %g, %g : (tensor<2x4xf16>, tensor<4xf16>, tensor<4xf16>) -> tensor<2x4xf16>
  %3 = loom.softmax %x dim 0 : tensor<2x4xf16>
  %4 = loom.dropout %x, %key rate 2.500000e-01 stream 2 : (tensor<2x4xf16>, tensor<2xi64>) -> tensor<2x4xf16>
  return %0, %1, %2, %3, %4 : tensor<2x3x2xbf16>, tensor<f16>, tensor<2x4xf16>, tensor<2x4xf16>, tensor<2x4xf16>
})"},
    // Losses.
    {"cross_entropy",
     {"u", "i7"},
     R"(func.func @cross_entropy(%x: tensor<3x4x7xf32>, %l: tensor<3x4xi64>) -> (tensor<3x4xf32>, tensor<f32>, tensor<f32>) {
  %0 = loom.cross_entropy none %x, %l : (tensor<3x4x7xf32>, tensor<3x4xi64>) -> tensor<3x4xf32>
  %1 = loom.cross_entropy sum %x, %l : (tensor<3x4x7xf32>, tensor<3x4xi64>) -> tensor<f32>
  %2 = loom.cross_entropy mean %x, %l : (tensor<3x4x7xf32>, tensor<3x4xi64>) -> tensor<f32>
  return %0, %1, %2 : tensor<3x4xf32>, tensor<f32>, tensor<f32>
})"},
    // Randomness.
    {"dropout",
     {"u", "k", "u"},
     R"(func.func @dropout(%x: tensor<5x37xf32>, %key: tensor<2xi64>, %d: tensor<3x3xf64>) -> (tensor<5x37xf32>, tensor<3x3xf64>) {
  %0 = loom.dropout %x, %key rate 3.000000e-01 stream 11 : (tensor<5x37xf32>, tensor<2xi64>) -> tensor<5x37xf32>
  %1 = loom.dropout %d, %key rate 7.000000e-01 stream 4294967301 : (tensor<3x3xf64>, tensor<2xi64>) -> tensor<3x3xf64>
  return %0, %1 : tensor<5x37xf32>, tensor<3x3xf64>
})",
     /*exact=*/true},
    // Constants.
    {"constants",
     {},
     R"(func.func @constants() -> (tensor<2x3xf32>, tensor<3x4xi32>, tensor<4x2xbf16>) {
  %0 = loom.constant dense<[[1.5, -2.0, 0.25], [4.0, 5.0, 6.0]]> : tensor<2x3xf32>
  %1 = loom.iota dim 1 : tensor<3x4xi32>
  %2 = loom.iota dim 0 : tensor<4x2xbf16>
  return %0, %1, %2 : tensor<2x3xf32>, tensor<3x4xi32>, tensor<4x2xbf16>
})"},
};

/// The collectives run in the runtime (MPI/NCCL): nothing to generate.
const std::set<std::string> kExempt = {"loom.all_reduce", "loom.all_gather",
                                       "loom.reduce_scatter"};

/// A fusion group (or a multi-tensor group of them) is not lowered as an op:
/// the partition makes its body one kernel (tests/backends/cpu/fusion.test),
/// and its yield goes with it.
const std::set<std::string> kPartitioned = {
    "loom.fusion_group", "loom.multi_tensor_group", "loom.yield"};

/// The attention ops of the flash scheme reach no generated kernel: the
/// runtime's flash kernels run them in f32, and --loom-decompose-attention
/// spells them out otherwise (tests/backends/cpu/decompose_attention.mlir).
const std::set<std::string> kDecomposed = {"loom.attention_with_lse",
                                           "loom.attention_backward"};

//===----------------------------------------------------------------------===//
// Host buffers
//===----------------------------------------------------------------------===//

/// A deterministic generator (64-bit LCG), so failures reproduce.
struct Random {
  uint64_t state;
  double uniform(double lo, double hi) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    return lo + (hi - lo) * double(state >> 11) * (1.0 / 9007199254740992.0);
  }
  int64_t integer(int64_t lo, int64_t hi) { // [lo, hi]
    return lo + int64_t(uniform(0, 1) * double(hi - lo + 1)) % (hi - lo + 1);
  }
};

size_t byteWidth(ref::DType t) {
  switch (t) {
  case ref::DType::F64:
  case ref::DType::I64:
    return 8;
  case ref::DType::F32:
  case ref::DType::I32:
    return 4;
  case ref::DType::BF16:
  case ref::DType::F16:
    return 2;
  case ref::DType::I1:
    return 1;
  }
  return 8;
}

const llvm::fltSemantics &halfSemantics(ref::DType t) {
  return t == ref::DType::BF16 ? llvm::APFloat::BFloat()
                               : llvm::APFloat::IEEEhalf();
}

/// Writes element `v` (exactly representable in `t`) at `p`.
void store(ref::DType t, double v, char *p) {
  switch (t) {
  case ref::DType::F64:
    std::memcpy(p, &v, 8);
    return;
  case ref::DType::F32: {
    float f = float(v);
    std::memcpy(p, &f, 4);
    return;
  }
  case ref::DType::BF16:
  case ref::DType::F16: {
    llvm::APFloat a(v);
    bool lost = false;
    a.convert(halfSemantics(t), llvm::APFloat::rmNearestTiesToEven, &lost);
    uint16_t bits = uint16_t(a.bitcastToAPInt().getZExtValue());
    std::memcpy(p, &bits, 2);
    return;
  }
  case ref::DType::I64: {
    int64_t i = int64_t(v);
    std::memcpy(p, &i, 8);
    return;
  }
  case ref::DType::I32: {
    int32_t i = int32_t(v);
    std::memcpy(p, &i, 4);
    return;
  }
  case ref::DType::I1:
    *p = v != 0 ? 1 : 0;
    return;
  }
}

double load(ref::DType t, const char *p) {
  switch (t) {
  case ref::DType::F64: {
    double d;
    std::memcpy(&d, p, 8);
    return d;
  }
  case ref::DType::F32: {
    float f;
    std::memcpy(&f, p, 4);
    return f;
  }
  case ref::DType::BF16:
  case ref::DType::F16: {
    uint16_t bits;
    std::memcpy(&bits, p, 2);
    llvm::APFloat a(halfSemantics(t), llvm::APInt(16, bits));
    bool lost = false;
    a.convert(llvm::APFloat::IEEEdouble(), llvm::APFloat::rmNearestTiesToEven,
              &lost);
    return a.convertToDouble();
  }
  case ref::DType::I64: {
    int64_t i;
    std::memcpy(&i, p, 8);
    return double(i);
  }
  case ref::DType::I32: {
    int32_t i;
    std::memcpy(&i, p, 4);
    return double(i);
  }
  case ref::DType::I1:
    return (*p & 1) ? 1.0 : 0.0;
  }
  return 0;
}

/// An argument of `type` drawn as `spec` says (see LowerCase).
ref::Tensor draw(RankedTensorType type, const std::string &spec, Random &rng) {
  ref::DType dtype = *ref::toDType(type.getElementType());
  ref::Tensor t(dtype, std::vector<int64_t>(type.getShape().begin(),
                                            type.getShape().end()));
  bool isFloat = ref::isFloat(dtype);
  for (double &v : t.data) {
    if (spec == "u")
      v = isFloat ? rng.uniform(-2, 2) : double(rng.integer(-9, 9));
    else if (spec == "p")
      v = rng.uniform(0.25, 3);
    else if (spec == "z")
      v = double(rng.integer(-3, 3));
    else if (spec == "b")
      v = double(rng.integer(0, 1));
    else if (spec[0] == 'i')
      v = double(rng.integer(0, std::stoll(spec.substr(1)) - 1));
    v = ref::roundToType(v, dtype);
  }
  if (spec == "k") // a seed above 2^32 (exact in a double) and a step
    t.data = {double(rng.integer(1ll << 33, 1ll << 40)),
              double(rng.integer(0, 1000))};
  return t;
}

//===----------------------------------------------------------------------===//
// The suite: every case compiled into one kernel library
//===----------------------------------------------------------------------===//

std::string allCases() {
  std::string source;
  for (const LowerCase &c : kCases)
    source += std::string(c.func) + "\n";
  return source;
}

void registerDialects(MLIRContext &ctx) {
  DialectRegistry registry;
  registry.insert<mlir::loom::LoomDialect, func::FuncDialect>();
  mlir::loom::cpu::registerCpuBackend(registry);
  ctx.appendDialectRegistry(registry);
  ctx.loadAllAvailableDialects();
}

/// `source` lowered with --loom-lower-to-linalg (with `options`); null with
/// the diagnostics in `error` on failure.
OwningOpRef<ModuleOp>
lower(MLIRContext &ctx, const std::string &source, std::string &error,
      const mlir::loom::cpu::LoomLowerToLinalgOptions &options = {}) {
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(source, &ctx);
  if (!module) {
    error = "parse failed";
    return nullptr;
  }
  ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
    error += d.str() + "\n";
    return success();
  });
  PassManager pm(&ctx, ModuleOp::getOperationName());
  pm.addPass(mlir::loom::cpu::createLoomLowerToLinalg(options));
  if (failed(pm.run(*module)))
    return nullptr;
  return module;
}

class CpuLowering : public ::testing::TestWithParam<LowerCase> {
protected:
  static void SetUpTestSuite() {
    context = std::make_unique<MLIRContext>();
    registerDialects(*context);
    reference = parseSourceString<ModuleOp>(allCases(), context.get());
    ASSERT_TRUE(reference) << "the cases do not parse";
    std::string error;
    OwningOpRef<ModuleOp> lowered = lower(*context, allCases(), error);
    ASSERT_TRUE(lowered) << error;
    for (Operation &op : lowered->getBody()->getOperations())
      op.walk([&](Operation *inner) {
        EXPECT_NE(inner->getDialect()->getNamespace(), "loom")
            << "left unlowered: " << inner->getName().getStringRef().str();
      });
    std::vector<uint8_t> bytes;
    ASSERT_TRUE(mlir::loom::cpu::emitKernelLibrary(
        *lowered, mlir::loom::cpu::hostTarget(), bytes, error))
        << error;
    ::loom::StatusOr<::loom::KernelLibrary> lib =
        ::loom::KernelLibrary::load(bytes, "lowering-cases");
    ASSERT_TRUE(lib.ok()) << lib.status().message();
    library = std::make_unique<::loom::KernelLibrary>(std::move(*lib));
  }
  static void TearDownTestSuite() {
    library.reset();
    reference = nullptr;
    context.reset();
  }

  static std::unique_ptr<MLIRContext> context;
  static OwningOpRef<ModuleOp> reference;
  static std::unique_ptr<::loom::KernelLibrary> library;
};

std::unique_ptr<MLIRContext> CpuLowering::context;
OwningOpRef<ModuleOp> CpuLowering::reference;
std::unique_ptr<::loom::KernelLibrary> CpuLowering::library;

/// How far a generated float may be from the reference's (which computes in
/// double and rounds once): a few units in the last place of the type.
double tolerance(ref::DType t, double want) {
  double rel = 0;
  switch (t) {
  case ref::DType::F64:
    rel = 1e-12;
    break;
  case ref::DType::F32:
    rel = 1e-5;
    break;
  case ref::DType::F16:
    rel = 2e-3;
    break;
  case ref::DType::BF16:
    rel = 1.6e-2;
    break;
  default:
    return 0;
  }
  return rel * std::max(1.0, std::fabs(want));
}

TEST_P(CpuLowering, RunsLikeTheReference) {
  ASSERT_TRUE(library) << "the cases did not compile";
  const LowerCase &c = GetParam();
  auto func = reference->lookupSymbol<func::FuncOp>(c.name);
  ASSERT_TRUE(func);
  ASSERT_EQ(c.inputs.size(), func.getNumArguments());

  Random rng{0x5eed0000ull + std::hash<std::string>()(c.name)};
  std::vector<ref::Tensor> args;
  std::vector<std::vector<char>> buffers;
  for (auto [type, spec] : llvm::zip(func.getArgumentTypes(), c.inputs)) {
    args.push_back(draw(cast<RankedTensorType>(type), spec, rng));
    const ref::Tensor &t = args.back();
    buffers.emplace_back(t.data.size() * byteWidth(t.dtype));
    for (size_t i = 0; i < t.data.size(); ++i)
      store(t.dtype, t.data[i], buffers.back().data() + i * byteWidth(t.dtype));
  }
  std::optional<std::vector<ref::Tensor>> want = ref::runFunction(func, args);
  ASSERT_TRUE(want) << "the reference interpreter failed";
  size_t firstResult = buffers.size();
  for (const ref::Tensor &t : *want)
    buffers.emplace_back(std::max<size_t>(1, t.data.size()) *
                         byteWidth(t.dtype));

  ::loom::StatusOr<::loom::KernelEntry> entry = library->lookup(c.name);
  ASSERT_TRUE(entry.ok()) << entry.status().message();
  std::vector<void *> operands;
  for (std::vector<char> &b : buffers)
    operands.push_back(b.data());
  (*entry)(operands.data());

  for (auto [r, t] : llvm::enumerate(*want)) {
    const char *got = buffers[firstResult + r].data();
    size_t width = byteWidth(t.dtype);
    for (size_t i = 0; i < t.data.size(); ++i) {
      double g = load(t.dtype, got + i * width), w = t.data[i];
      if (std::isnan(w) && std::isnan(g))
        continue;
      if (c.exact || !ref::isFloat(t.dtype))
        ASSERT_EQ(g, w) << c.name << " result " << r << " element " << i;
      else
        ASSERT_NEAR(g, w, tolerance(t.dtype, w))
            << c.name << " result " << r << " element " << i;
    }
  }
}

/// Failures name the case, not its bytes.
void PrintTo(const LowerCase &c, std::ostream *os) { *os << c.name; }

std::string caseName(const ::testing::TestParamInfo<LowerCase> &info) {
  return info.param.name;
}

INSTANTIATE_TEST_SUITE_P(EveryOp, CpuLowering, ::testing::ValuesIn(kCases),
                         caseName);

//===----------------------------------------------------------------------===//
// Coverage
//===----------------------------------------------------------------------===//

TEST(CpuLoweringCoverage, EveryOpHasACaseOrIsExempt) {
  MLIRContext ctx;
  registerDialects(ctx);
  std::set<std::string> covered;
  OwningOpRef<ModuleOp> module = parseSourceString<ModuleOp>(allCases(), &ctx);
  ASSERT_TRUE(module);
  module->walk([&](Operation *op) {
    covered.insert(op->getName().getStringRef().str());
  });
  for (RegisteredOperationName op : ctx.getRegisteredOperations()) {
    if (op.getDialectNamespace() != "loom")
      continue;
    std::string name = op.getStringRef().str();
    if (kPartitioned.count(name) || kDecomposed.count(name))
      continue;
    if (kExempt.count(name)) {
      EXPECT_FALSE(covered.count(name)) << name << " is exempt and covered";
      continue;
    }
    EXPECT_TRUE(covered.count(name))
        << name << " has no lowering case in CpuLoweringTest.cpp: add one, "
        << "or add it to kExempt if the CPU code generator never sees it";
  }
}

TEST(CpuLoweringCoverage, ExemptOpsHaveNoLowering) {
  MLIRContext ctx;
  registerDialects(ctx);
  const char *source = R"(
func.func @collectives(%x: tensor<4xf32>) -> (tensor<4xf32>, tensor<8xf32>, tensor<2xf32>) {
  %0 = loom.all_reduce sum %x over ["data"] group_size 2 : tensor<4xf32>
  %1 = loom.all_gather %x over ["data"] group_size 2 dim 0 : tensor<4xf32> -> tensor<8xf32>
  %2 = loom.reduce_scatter sum %x over ["data"] group_size 2 dim 0 : tensor<4xf32> -> tensor<2xf32>
  return %0, %1, %2 : tensor<4xf32>, tensor<8xf32>, tensor<2xf32>
})";
  std::string error;
  EXPECT_FALSE(lower(ctx, source, error));
  for (const std::string &name : kExempt)
    EXPECT_NE(error.find("'" + name + "' op is a collective"),
              std::string::npos)
        << error;
  error.clear();
  mlir::loom::cpu::LoomLowerToLinalgOptions keep;
  keep.keepCollectives = true;
  OwningOpRef<ModuleOp> kept = lower(ctx, source, error, keep);
  ASSERT_TRUE(kept) << error;
  std::set<std::string> left;
  kept->walk([&](Operation *op) {
    if (op->getDialect()->getNamespace() == "loom")
      left.insert(op->getName().getStringRef().str());
  });
  EXPECT_EQ(left, kExempt);
}

} // namespace
