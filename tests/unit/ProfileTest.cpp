//===- ProfileTest.cpp - The --profile report -----------------------------===//
//
// Part of Loom. The rows of the report `loom train --profile` and `loom run
// --profile` print: each kernel's op and innermost .loom location, with the
// model instance that made it and whether it is a gradient, whether a
// generated kernel ran on threads, the count of large generated kernels
// on one thread, and the step's time by kind of kernel. The timing itself runs
// end to end in tests/e2e/train.test.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Profile.h"

#include <gtest/gtest.h>

using namespace loom;

namespace {

KernelRecord kernel(std::string op, std::string loc) {
  KernelRecord k;
  k.kind = "codegen";
  k.symbol = "k0";
  k.attrs.push_back(KernelAttr::ofString("source_op", std::move(op)));
  k.attrs.push_back(KernelAttr::ofString("source_loc", std::move(loc)));
  return k;
}

TEST(Profile, RowsNameTheInstanceAndTheGradient) {
  Artifact a;
  a.kernels.push_back(kernel("loom.matmul",
                             "frontend/std/nn.loom:28:14 "
                             "(blocks.3.attn.qkv), called from "
                             "examples/gpt.loom:30:5 (blocks.3), called from "
                             "examples/gpt.loom:50:13"));
  a.kernels.push_back(kernel("loom.matmul",
                             "the gradient of frontend/std/nn.loom:28:14 "
                             "(blocks.0.attn.qkv), called from "
                             "examples/gpt.loom:30:5"));
  a.kernels.push_back(kernel("loom.sqrt", "examples/gpt.loom:55:3"));
  a.kernels.push_back(kernel("loom.add", "gpt.loom:9:1 (head)"));
  std::vector<std::string> lines = train::profileLines(
      a, {4.0, 3.0, 2.0, 1.0}, {1, 1, 1, 1}, {0, 0, 0, 0}, 4);
  ASSERT_EQ(lines.size(), 9u);
  EXPECT_EQ(lines[2], "  train by kind: codegen 100.0%");
  auto endsWith = [](const std::string &s, const std::string &end) {
    return s.size() >= end.size() &&
           s.compare(s.size() - end.size(), end.size(), end) == 0;
  };
  EXPECT_PRED2(endsWith, lines[4],
               "loom.matmul nn.loom:28:14 (blocks.3.attn.qkv)");
  EXPECT_PRED2(endsWith, lines[5],
               "loom.matmul the gradient of nn.loom:28:14 (blocks.0.attn.qkv)");
  EXPECT_PRED2(endsWith, lines[6], "loom.sqrt gpt.loom:55:3");
  EXPECT_PRED2(endsWith, lines[7], "loom.add gpt.loom:9:1 (head)");
  EXPECT_EQ(lines[8], "  generated kernels of 64 KiB or more: 0 on threads, "
                      "0 partly, 0 on one thread");
}

TEST(Profile, CountsTheLargeGeneratedKernelsByHowTheyRan) {
  Artifact a;
  auto large = [&](const char *symbol, int64_t serialLoops) {
    KernelRecord k = kernel("loom.reduce", "gpt.loom:9:1");
    k.symbol = symbol;
    k.bytesMoved = 64 * 1024;
    k.attrs.push_back(KernelAttr::ofInt("serial_loops", serialLoops));
    a.kernels.push_back(k);
  };
  large("k0", 0); // every run threaded
  large("k1", 1); // threaded, and a large nest on one thread
  large("k2", 0); // one run of two threaded
  large("k3", 0); // on one thread
  a.kernels.push_back(kernel("loom.add", "gpt.loom:10:1")); // small
  KernelRecord matmul = kernel("loom.matmul", "gpt.loom:11:1");
  matmul.kind = "onednn.matmul";
  matmul.bytesMoved = 1 << 20;
  a.kernels.push_back(matmul);
  std::vector<std::string> lines =
      train::profileLines(a, {1.5, 1.4, 1.3, 2.0, 1.2, 1.1}, {2, 2, 2, 2, 2, 2},
                          {2, 2, 1, 0, 0, 0}, 6);
  ASSERT_EQ(lines.size(), 12u);
  EXPECT_EQ(lines[2], "  train by kind: codegen 87.1%, onednn.matmul 12.9%");
  EXPECT_NE(lines[4].find("codegen          1 thread k3"), std::string::npos)
      << lines[4];
  EXPECT_NE(lines[5].find("codegen          threads  k0"), std::string::npos)
      << lines[5];
  EXPECT_NE(lines[6].find("codegen          partly   k1"), std::string::npos)
      << lines[6];
  EXPECT_NE(lines[7].find("codegen          partly   k2"), std::string::npos)
      << lines[7];
  EXPECT_NE(lines[9].find("onednn.matmul             k0"), std::string::npos)
      << lines[9];
  EXPECT_EQ(lines[10], "  generated kernels of 64 KiB or more: 1 on threads, "
                       "2 partly, 1 on one thread");
  EXPECT_EQ(lines[11], "    on one thread:     2.00 s  train #3     k3       "
                       "      64.0 KiB  loom.reduce gpt.loom:9:1");
}

} // namespace
