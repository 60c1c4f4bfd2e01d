//===- ExecutorTest.cpp - The runtime runs an artifact's step -------------===//
//
// Part of Loom. A hand-built artifact — a parameter w [2, 3], an input x
// [4, 3], a oneDNN matmul y = x w^T into a transient buffer, and a copy of y
// back over x — run by the StepExecutor, which links no MLIR or LLVM (this
// binary's ldd test checks it): initialization from the init spec, inputs
// and outputs by role, the step itself, and the errors a bad kernel list
// gets.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/Executor.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>

using namespace loom;

namespace {

KernelAttr shape(int i, std::vector<int64_t> s) {
  return KernelAttr::ofInts("s" + std::to_string(i), std::move(s));
}
KernelAttr f32(int i) {
  return KernelAttr::ofInt("t" + std::to_string(i),
                           static_cast<int64_t>(DType::F32));
}

Artifact tinyStep() {
  Artifact a;
  a.meta.producer = "loom test";
  a.meta.target = "cpu-x86_64";
  a.meta.source = "tiny.loom";
  ParamRecord w;
  w.name = "w";
  w.shape = {2, 3};
  w.init.kind = "constant";
  w.init.value = 0.5;
  w.offset = 0;
  w.size = 24;
  a.params = {w};
  a.memory.arenaSize = 192;
  a.memory.alignment = 64;
  // 0: w, 1: x (an input, overwritten by the copy), 2: y.
  a.memory.buffers = {
      {0, "w", 0, 24, 0, 2}, {1, "x", 64, 48, 0, 2}, {2, "y", 128, 32, 0, 2}};
  KernelRecord mm;
  mm.kind = "onednn.matmul";
  mm.operands = {1, 0, 2};
  mm.attrs = {shape(0, {4, 3}),
              f32(0),
              shape(1, {2, 3}),
              f32(1),
              shape(2, {4, 2}),
              f32(2),
              KernelAttr::ofInt("transpose_rhs", 1)};
  mm.flops = 2 * 4 * 2 * 3;
  KernelRecord copy;
  copy.kind = "copy";
  copy.operands = {2, 1};
  copy.attrs = {shape(0, {4, 2}), f32(0), shape(1, {4, 3}), f32(1)};
  a.kernels = {mm, copy};
  a.inputs = {{"x", "x", DType::F32, {4, 3}, 1}};
  a.outputs = {{"y", "loss", DType::F32, {4, 2}, 2}};
  a.recipe = "{}";
  return a;
}

TEST(Executor, RunsTheStepOverTheArena) {
  StatusOr<std::unique_ptr<StepExecutor>> ex =
      StepExecutor::create(tinyStep(), "tiny.loomx");
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  ASSERT_TRUE((*ex)->initialize(1).ok());
  const ParamRecord *pr = nullptr;
  auto *w = static_cast<float *>((*ex)->parameter("w", &pr));
  ASSERT_TRUE(w);
  EXPECT_EQ(pr->shape, (std::vector<int64_t>{2, 3}));
  for (int i = 0; i < 6; ++i)
    EXPECT_EQ(w[i], 0.5f);
  w[3] = -1.0f; // row 1 = [-1, 0.5, 0.5]

  const IoRecord *xr = nullptr;
  auto *x = static_cast<float *>((*ex)->input("x", &xr));
  ASSERT_TRUE(x);
  EXPECT_EQ(xr->shape, (std::vector<int64_t>{4, 3}));
  for (int i = 0; i < 12; ++i)
    x[i] = float(i);
  ASSERT_TRUE((*ex)->step().ok());
  auto *y = static_cast<const float *>((*ex)->output("loss"));
  ASSERT_TRUE(y);
  for (int r = 0; r < 4; ++r) {
    float a = 3 * r, b = 3 * r + 1, c = 3 * r + 2;
    EXPECT_FLOAT_EQ(y[2 * r], 0.5f * (a + b + c));
    EXPECT_FLOAT_EQ(y[2 * r + 1], -a + 0.5f * (b + c));
  }
  // The copy wrote y's 32 bytes over the start of x.
  EXPECT_EQ(std::memcmp(x, y, 32), 0);
  EXPECT_EQ((*ex)->input("rng"), nullptr);
  EXPECT_TRUE(std::isnan((*ex)->scalarOutput("lr")));

  (*ex)->enableProfiling();
  ASSERT_TRUE((*ex)->step().ok());
  EXPECT_EQ((*ex)->kernelSeconds().size(), 2u);
}

TEST(Executor, RejectsKernelsItCannotRun) {
  Artifact a = tinyStep();
  a.kernels[1].kind = "cuda.gemm";
  StatusOr<std::unique_ptr<StepExecutor>> ex =
      StepExecutor::create(a, "tiny.loomx");
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(),
            "tiny.loomx: kernel 1 has kind 'cuda.gemm', which this runtime "
            "cannot run");

  a = tinyStep();
  a.kernels[1].operands = {2};
  ex = StepExecutor::create(a, "tiny.loomx");
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(), "tiny.loomx: copy kernel 1 has 1 "
                                   "operands, not 2 (from, to)");

  a = tinyStep();
  a.kernels[0].kind = "codegen";
  a.kernels[0].symbol = "k0";
  ex = StepExecutor::create(a, "tiny.loomx");
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(),
            "tiny.loomx: the step has generated kernels but the artifact "
            "carries no object code");

  a = tinyStep();
  a.kernels[0].attrs[0] = shape(0, {4, 5});
  ex = StepExecutor::create(a, "tiny.loomx");
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message().rfind("tiny.loomx: kernel 0: ", 0), 0u)
      << ex.status().message();
}

TEST(Executor, RunsOnlyArtifactsForThisHost) {
  // The target string was trusted: a "cuda" artifact ran on the CPU.
  std::string host;
  EXPECT_TRUE(StepExecutor::runsOnThisHost(tinyStep().meta.target, host));
  Artifact a = tinyStep();
  a.meta.target = "cuda";
  StatusOr<std::unique_ptr<StepExecutor>> ex =
      StepExecutor::create(a, "tiny.loomx");
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(),
            "tiny.loomx: compiled for target 'cuda', which this machine (" +
                host + ") cannot run; compile the .loom program here");
  EXPECT_FALSE(StepExecutor::runsOnThisHost("", host));
#if defined(__x86_64__)
  EXPECT_FALSE(StepExecutor::runsOnThisHost("cpu-aarch64", host));
  EXPECT_EQ(StepExecutor::runsOnThisHost("cpu-x86_64-avx512", host),
            host == "cpu-x86_64-avx512");
#endif
}

} // namespace
