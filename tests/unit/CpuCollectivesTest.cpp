//===- CpuCollectivesTest.cpp - The step's all-reduces as kernels ---------===//
//
// Part of Loom. backends/cpu/emit/Collectives.cpp through partitionStep: the
// all-reduces of one loom.bucket become adjacent comm.all_reduce kernels
// with their offsets in the bucket, the last one starting the bucket and
// waiting before the first kernel that reads a result (through a view too),
// or at the end; reduce-scatters and all-gathers bucket alike, counted in
// each rank's block; and each collective the runtime cannot run is an error
// at its op with the exact message.
//
//===----------------------------------------------------------------------===//

#include "backends/cpu/emit/Partition.h"
#include "ir/LoomDialect.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/IR/MLIRContext.h"
#include "mlir/Parser/Parser.h"

#include <gtest/gtest.h>

using namespace mlir;
using namespace mlir::loom::cpu;

namespace {

class CpuCollectives : public ::testing::Test {
protected:
  CpuCollectives() {
    ctx.loadDialect<mlir::loom::LoomDialect, func::FuncDialect>();
  }

  /// The partition of @train_step in `ir`, or the first error.
  FailureOr<StepPartition> partition(const char *ir, std::string &error) {
    module = parseSourceString<ModuleOp>(ir, &ctx);
    if (!module) {
      error = "does not parse";
      return failure();
    }
    ScopedDiagnosticHandler handler(&ctx, [&](Diagnostic &d) {
      if (error.empty())
        error = d.str();
      return success();
    });
    generated = std::make_unique<GeneratedKernels>(&ctx);
    return partitionStep(module->lookupSymbol<func::FuncOp>("train_step"),
                         *generated);
  }

  static int64_t attr(const PlannedKernel &k, const char *key) {
    for (const ::loom::KernelAttr &a : k.attrs)
      if (a.key == key)
        return a.i;
    return -1;
  }

  MLIRContext ctx;
  OwningOpRef<ModuleOp> module;
  std::unique_ptr<GeneratedKernels> generated;
};

TEST_F(CpuCollectives, BucketsStartAtTheirLastKernelAndWaitForTheFirstReader) {
  std::string error;
  FailureOr<StepPartition> p = partition(R"mlir(
func.func @train_step(%a: tensor<3xf32>, %b: tensor<2x3xf32>)
    -> (tensor<3xf32>, tensor<6xf32>, tensor<f32>) {
  %0 = loom.exp %a : tensor<3xf32>
  %1 = loom.exp %b : tensor<2x3xf32>
  %2 = loom.all_reduce mean %0 over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<3xf32>
  %3 = loom.all_reduce mean %1 over ["data"] group_size 2 {loom.bucket = 1 : i64} : tensor<2x3xf32>
  %4 = loom.tanh %a : tensor<3xf32>
  %s = loom.reduce sum %4 dims [0] : tensor<3xf32> -> tensor<f32>
  %5 = loom.all_reduce sum %s over ["data"] group_size 2 {loom.bucket = 2 : i64} : tensor<f32>
  %6 = loom.reshape %3 : tensor<2x3xf32> to tensor<6xf32>
  %7 = loom.exp %6 : tensor<6xf32>
  return %2, %7, %5 : tensor<3xf32>, tensor<6xf32>, tensor<f32>
}
)mlir",
                                         error);
  ASSERT_TRUE(succeeded(p)) << error;
  std::vector<std::string> kinds;
  for (const PlannedKernel &k : p->kernels)
    kinds.push_back(k.kind);
  ASSERT_EQ(kinds,
            (std::vector<std::string>{"codegen", "codegen", "comm.all_reduce",
                                      "comm.all_reduce", "codegen", "codegen",
                                      "comm.all_reduce", "codegen"}));
  const PlannedKernel &first = p->kernels[2], &last = p->kernels[3],
                      &alone = p->kernels[6];
  EXPECT_EQ(attr(first, "bucket"), 0);
  EXPECT_EQ(attr(first, "offset"), 0);
  EXPECT_EQ(attr(first, "count"), 3);
  EXPECT_EQ(attr(first, "start"), 0);
  EXPECT_EQ(attr(first, "wait_in"), -1);
  EXPECT_EQ(attr(last, "bucket"), 0);
  EXPECT_EQ(attr(last, "offset"), 3);
  EXPECT_EQ(attr(last, "count"), 6);
  EXPECT_EQ(attr(last, "start"), 1);
  // Kernel 7 reads %3 through its reshape: 4 kernels after the start.
  EXPECT_EQ(attr(last, "wait_in"), 4);
  EXPECT_EQ(attr(alone, "bucket"), 1);
  EXPECT_EQ(attr(alone, "start"), 1);
  // Nothing reads %5 in the step: the wait is at its end.
  EXPECT_EQ(attr(alone, "wait_in"), 2);
}

TEST_F(CpuCollectives, ReduceScattersAndAllGathersBucketByBlock) {
  std::string error;
  FailureOr<StepPartition> p = partition(R"mlir(
func.func @train_step(%a: tensor<4xf32>, %b: tensor<2x3xf32>)
    -> (tensor<2xf32>, tensor<1x3xf32>, tensor<8xf32>, tensor<4x3xf32>) {
  %0 = loom.exp %a : tensor<4xf32>
  %1 = loom.exp %b : tensor<2x3xf32>
  %2 = loom.reduce_scatter mean %0 over ["data"] group_size 2 dim 0 {loom.bucket = 0 : i64} : tensor<4xf32> -> tensor<2xf32>
  %3 = loom.reduce_scatter mean %1 over ["data"] group_size 2 dim 0 {loom.bucket = 0 : i64} : tensor<2x3xf32> -> tensor<1x3xf32>
  %4 = loom.all_gather %0 over ["data"] group_size 2 dim 0 {loom.bucket = 1 : i64} : tensor<4xf32> -> tensor<8xf32>
  %5 = loom.all_gather %1 over ["data"] group_size 2 dim 0 {loom.bucket = 1 : i64} : tensor<2x3xf32> -> tensor<4x3xf32>
  %6 = loom.exp %4 : tensor<8xf32>
  return %2, %3, %6, %5 : tensor<2xf32>, tensor<1x3xf32>, tensor<8xf32>, tensor<4x3xf32>
}
)mlir",
                                         error);
  ASSERT_TRUE(succeeded(p)) << error;
  std::vector<std::string> kinds;
  for (const PlannedKernel &k : p->kernels)
    kinds.push_back(k.kind);
  ASSERT_EQ(kinds, (std::vector<std::string>{
                       "codegen", "codegen", "comm.reduce_scatter",
                       "comm.reduce_scatter", "comm.all_gather",
                       "comm.all_gather", "codegen"}));
  // Counts are per rank: the scattered results, the gathered inputs.
  std::vector<std::vector<int64_t>> got;
  for (size_t i = 2; i < 6; ++i) {
    const PlannedKernel &k = p->kernels[i];
    got.push_back({attr(k, "bucket"), attr(k, "offset"), attr(k, "count"),
                   attr(k, "start"), attr(k, "wait_in")});
  }
  EXPECT_EQ(got, (std::vector<std::vector<int64_t>>{{0, 0, 2, 0, -1},
                                                    {0, 2, 3, 1, 4},
                                                    {1, 0, 4, 0, -1},
                                                    {1, 4, 6, 1, 1}}));
  // No reduction on a gather.
  EXPECT_EQ(attr(p->kernels[4], "reduce"), -1);
}

TEST_F(CpuCollectives, WhatTheRuntimeCannotRunIsAnErrorAtTheOp) {
  struct Case {
    const char *ir, *error;
  } cases[] = {
      {R"mlir(
func.func @train_step(%a: tensor<3xf32>) -> tensor<3xf32> {
  %0 = loom.all_reduce max %a over ["data"] group_size 2 : tensor<3xf32>
  return %0 : tensor<3xf32>
})mlir",
       "'loom.all_reduce' op reduces with 'max', which the CPU runtime does "
       "not run: it sums or averages"},
      {R"mlir(
func.func @train_step(%a: tensor<3xi32>) -> tensor<3xi32> {
  %0 = loom.all_reduce sum %a over ["data"] group_size 2 : tensor<3xi32>
  return %0 : tensor<3xi32>
})mlir",
       "'loom.all_reduce' op is on 'tensor<3xi32>', which the CPU runtime "
       "does not reduce: it reduces f32"},
      {R"mlir(
func.func @train_step() -> tensor<3xf32> {
  %c = loom.constant dense<1.0> : tensor<3xf32>
  %0 = loom.all_reduce sum %c over ["data"] group_size 2 : tensor<3xf32>
  return %0 : tensor<3xf32>
})mlir",
       "'loom.all_reduce' op reduces a constant, which every rank holds "
       "alike; the CPU runtime reduces computed values only"},
      {R"mlir(
func.func @train_step(%a: tensor<3xf32>) -> (tensor<3xf32>, tensor<3xf32>) {
  %0 = loom.all_reduce sum %a over ["data"] group_size 2 {loom.bucket = 0 : i64} : tensor<3xf32>
  %1 = loom.exp %a : tensor<3xf32>
  %2 = loom.all_reduce sum %1 over ["data"] group_size 2 {loom.bucket = 0 : i64} : tensor<3xf32>
  return %0, %2 : tensor<3xf32>, tensor<3xf32>
})mlir",
       "'loom.all_reduce' op is in bucket 0, whose other collectives do not "
       "stand right before it: a bucket's collectives must be adjacent and of "
       "one kind"},
      {R"mlir(
func.func @train_step(%a: tensor<4xf32>) -> (tensor<2xf32>, tensor<4xf32>) {
  %0 = loom.reduce_scatter sum %a over ["data"] group_size 2 dim 0 {loom.bucket = 0 : i64} : tensor<4xf32> -> tensor<2xf32>
  %1 = loom.all_reduce sum %a over ["data"] group_size 2 {loom.bucket = 0 : i64} : tensor<4xf32>
  return %0, %1 : tensor<2xf32>, tensor<4xf32>
})mlir",
       "'loom.all_reduce' op is in bucket 0, whose other collectives do not "
       "stand right before it: a bucket's collectives must be adjacent and of "
       "one kind"},
      {R"mlir(
func.func @train_step(%a: tensor<2x4xf32>) -> tensor<2x2xf32> {
  %0 = loom.reduce_scatter sum %a over ["data"] group_size 2 dim 1 : tensor<2x4xf32> -> tensor<2x2xf32>
  return %0 : tensor<2x2xf32>
})mlir",
       "'loom.reduce_scatter' op splits along dimension 1, which the CPU "
       "runtime does not run: it splits tensors along dimension 0 (or one "
       "with only 1s before it)"},
      {R"mlir(
func.func @train_step(%a: tensor<3xi32>) -> tensor<6xi32> {
  %0 = loom.all_gather %a over ["data"] group_size 2 dim 0 : tensor<3xi32> -> tensor<6xi32>
  return %0 : tensor<6xi32>
})mlir",
       "'loom.all_gather' op is on 'tensor<6xi32>', which the CPU runtime "
       "does not gather: it gathers f32"},
      {R"mlir(
func.func @train_step() -> tensor<6xf32> {
  %c = loom.constant dense<1.0> : tensor<3xf32>
  %0 = loom.all_gather %c over ["data"] group_size 2 dim 0 : tensor<3xf32> -> tensor<6xf32>
  return %0 : tensor<6xf32>
})mlir",
       "'loom.all_gather' op gathers a constant, which every rank holds "
       "alike; the CPU runtime gathers computed values only"},
  };
  for (const Case &c : cases) {
    std::string error;
    EXPECT_TRUE(failed(partition(c.ir, error))) << c.ir;
    EXPECT_EQ(error, c.error) << c.ir;
  }
}

} // namespace
