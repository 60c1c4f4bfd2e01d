//===- ProfileTest.cpp - The --profile report -----------------------------===//
//
// Part of Loom. The rows of the report `loom train --profile` and `loom run
// --profile` print: each kernel's op and innermost .loom location, with the
// model instance that made it and whether it is a gradient. The timing
// itself runs end to end in tests/e2e/train.test.
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
  std::vector<std::string> lines =
      train::profileLines(a, {4.0, 3.0, 2.0, 1.0}, {1, 1, 1, 1}, 4);
  ASSERT_EQ(lines.size(), 7u);
  auto endsWith = [](const std::string &s, const std::string &end) {
    return s.size() >= end.size() &&
           s.compare(s.size() - end.size(), end.size(), end) == 0;
  };
  EXPECT_PRED2(endsWith, lines[3],
               "loom.matmul nn.loom:28:14 (blocks.3.attn.qkv)");
  EXPECT_PRED2(endsWith, lines[4],
               "loom.matmul the gradient of nn.loom:28:14 (blocks.0.attn.qkv)");
  EXPECT_PRED2(endsWith, lines[5], "loom.sqrt gpt.loom:55:3");
  EXPECT_PRED2(endsWith, lines[6], "loom.add gpt.loom:9:1 (head)");
}

} // namespace
