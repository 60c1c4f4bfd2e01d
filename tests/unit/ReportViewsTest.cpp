//===- ReportViewsTest.cpp - The views of loom inspect -------------------===//
//
// Part of Loom. Tests runtime/report/StepModel.h, StepGraph.h and
// MemoryView.h on a hand-made training step: origins parsed from
// `source_loc`, phases and module paths, the flow of values, the graph's
// clusters and collapsed modules, and the peak of the memory plan.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/MemoryView.h"
#include "runtime/report/StepGraph.h"
#include "runtime/report/StepModel.h"

#include <gtest/gtest.h>

using namespace loom;

namespace {

TEST(StepModelTest, ParsesSourceLocations) {
  SourceOrigin o = parseSourceLoc("std/nn.loom:28:14 (blocks.3.attn.qkv), "
                                  "called from gpt.loom:29:13, called from "
                                  "gpt.loom:53:30");
  EXPECT_FALSE(o.gradient);
  EXPECT_EQ(o.location, "std/nn.loom:28:14");
  EXPECT_EQ(o.instance, "blocks.3.attn.qkv");
  ASSERT_EQ(o.callers.size(), 2u);
  EXPECT_EQ(o.callers[0], "gpt.loom:29:13");
  EXPECT_EQ(o.callers[1], "gpt.loom:53:30");

  o = parseSourceLoc("the gradient of mlp.loom:38:15");
  EXPECT_TRUE(o.gradient);
  EXPECT_EQ(o.location, "mlp.loom:38:15");
  EXPECT_EQ(o.instance, "");
  EXPECT_TRUE(o.callers.empty());

  o = parseSourceLoc("?");
  EXPECT_EQ(o.location, "?");
  EXPECT_EQ(o.instance, "");
}

TEST(StepModelTest, ModuleLevelsKeepARepeatsIndexWithItsParent) {
  EXPECT_EQ(moduleLevels("blocks.3.attn.qkv"),
            (std::vector<std::string>{"blocks.3", "attn", "qkv"}));
  EXPECT_EQ(moduleLevels("blocks.3.attn.qkv.weight"),
            (std::vector<std::string>{"blocks.3", "attn", "qkv", "weight"}));
  EXPECT_EQ(moduleLevels("wte"), (std::vector<std::string>{"wte"}));
  EXPECT_TRUE(moduleLevels("").empty());
}

KernelRecord kernel(const std::string &op, std::vector<uint32_t> operands,
                    int64_t inputs, const std::string &loc) {
  KernelRecord k;
  k.kind = "codegen";
  k.operands = std::move(operands);
  k.attrs.push_back(KernelAttr::ofInt("num_inputs", inputs));
  k.attrs.push_back(KernelAttr::ofString("source_op", "loom." + op));
  k.attrs.push_back(KernelAttr::ofString("source_loc", loc));
  k.flops = 10;
  return k;
}

BufferRecord buffer(uint32_t id, const std::string &name, uint64_t offset,
                    uint64_t size, uint32_t first, uint32_t last) {
  BufferRecord b;
  b.id = id;
  b.name = name;
  b.offset = offset;
  b.size = size;
  b.firstUse = first;
  b.lastUse = last;
  return b;
}

/// A step of 5 kernels: fc's forward, the loss, their gradient, and an
/// update of fc.weight; buffer 6 aliases buffer 2's bytes.
Artifact smallStep() {
  Artifact a;
  a.meta.source = "m.loom";
  ParamRecord w;
  w.name = "fc.weight";
  w.shape = {4};
  a.params.push_back(w);
  OptStateRecord m;
  m.name = "fc.weight.m";
  m.param = "fc.weight";
  a.optState.push_back(m);
  a.kernels = {
      kernel("matmul", {0, 1, 2}, 2,
             "nn.loom:28:14 (fc), called from m.loom:5:3"),
      kernel("cross_entropy", {2, 3}, 1, "m.loom:9:3"),
      kernel("mul", {2, 4}, 1, "the gradient of nn.loom:28:14 (fc)"),
      kernel("mul", {4, 7, 5}, 2, "m.loom:10:3"),
      kernel("sub", {0, 5, 6}, 2, "m.loom:10:3"),
  };
  a.memory.arenaSize = 256;
  a.memory.buffers = {
      buffer(0, "fc.weight", 0, 16, 0, 4),
      buffer(1, "", 16, 16, 0, 0),
      buffer(2, "", 32, 64, 0, 2),
      buffer(3, "", 96, 4, 1, 5),
      buffer(4, "", 128, 64, 2, 3),
      buffer(5, "", 32, 16, 3, 4),
      buffer(6, "", 0, 16, 4, 5),
      buffer(7, "fc.weight.m", 192, 16, 0, 3),
  };
  IoRecord x;
  x.role = "x";
  x.buffer = 1;
  a.inputs.push_back(x);
  IoRecord loss;
  loss.role = "loss";
  loss.buffer = 3;
  a.outputs.push_back(loss);
  return a;
}

TEST(StepModelTest, PhasesModulesAndFlows) {
  Artifact a = smallStep();
  StatusOr<StepModel> m = buildStepModel(a, "train", "m.loomx");
  ASSERT_TRUE(m.ok()) << m.status().message();
  ASSERT_EQ(m->kernels.size(), 5u);
  EXPECT_EQ(m->kernels[0].phase, Phase::Forward);
  EXPECT_EQ(m->kernels[0].module, (std::vector<std::string>{"fc"}));
  // The loss has no instance; it is forward because the loss output needs it.
  EXPECT_EQ(m->kernels[1].phase, Phase::Forward);
  EXPECT_EQ(m->kernels[2].phase, Phase::Backward);
  // The update reads fc.weight's state (fc > weight) and fc's gradient.
  EXPECT_EQ(m->kernels[3].phase, Phase::Optimizer);
  EXPECT_EQ(m->kernels[3].module, (std::vector<std::string>{"fc"}));
  EXPECT_EQ(m->kernels[4].module, (std::vector<std::string>{"fc"}));

  int64_t w = m->bufferOfId(0), x = m->bufferOfId(1), g = m->bufferOfId(4);
  EXPECT_EQ(m->buffers[w].kind, StepBuffer::Kind::Parameter);
  EXPECT_EQ(m->buffers[x].kind, StepBuffer::Kind::Input);
  EXPECT_EQ(m->buffers[m->bufferOfId(7)].kind, StepBuffer::Kind::State);
  EXPECT_EQ(m->buffers[g].writer, 2);
  EXPECT_EQ(m->buffers[g].readers, (std::vector<uint32_t>{3}));
  // The loss outlives the step.
  EXPECT_EQ(m->buffers[m->bufferOfId(3)].last, 5u);
  bool flow = false;
  for (const StepFlow &f : m->flows)
    flow |= f.from == 2 && f.to == 3 && f.buffer == uint32_t(g);
  EXPECT_TRUE(flow);
}

TEST(StepModelTest, AParameterUpdatedInPlaceStaysAParameter) {
  Artifact a = smallStep();
  a.kernels[4].operands = {0, 5, 0}; // fc.weight -= update, in place
  StatusOr<StepModel> m = buildStepModel(a, "train", "m.loomx");
  ASSERT_TRUE(m.ok());
  const StepBuffer &w = m->buffers[m->bufferOfId(0)];
  EXPECT_EQ(w.kind, StepBuffer::Kind::Parameter);
  EXPECT_EQ(w.writer, 4);
  EXPECT_EQ(w.readers, (std::vector<uint32_t>{0, 4}));
  // Its reads come from the step's start: an edge from the parameter.
  std::string dot = stepGraphDot(*m, {});
  EXPECT_NE(dot.find("[tooltip=\"1 value, 16 B: fc.weight\""),
            std::string::npos)
      << dot;
}

TEST(StepModelTest, NamesTheProgramsWhenOneIsMissing) {
  Artifact a = smallStep();
  StatusOr<StepModel> m = buildStepModel(a, "eval", "m.loomx");
  ASSERT_FALSE(m.ok());
  EXPECT_EQ(m.status().message(),
            "m.loomx has no program 'eval'; it has: train");
}

TEST(MemoryViewTest, PeakCountsSharedBytesOnce) {
  Artifact a = smallStep();
  StatusOr<StepModel> m = buildStepModel(a, "train", "m.loomx");
  ASSERT_TRUE(m.ok());
  MemoryTimeline t = memoryTimeline(*m);
  ASSERT_EQ(t.live.size(), 5u);
  // Kernel 2: fc.weight 16, the activation 64, the loss 4, the gradient
  // 64, the state 16.
  EXPECT_EQ(t.live[2], 16u + 64 + 4 + 64 + 16);
  EXPECT_EQ(t.peak, 2u);
  EXPECT_EQ(t.peakBytes, t.live[2]);
  // Kernel 4: buffer 6 covers fc.weight's bytes, counted once; buffer 5
  // lies in the activation's old bytes.
  EXPECT_EQ(t.live[4], 16u + 4 + 16);
  ASSERT_FALSE(t.liveAtPeak.empty());
  EXPECT_EQ(m->buffers[t.liveAtPeak.front()].record->size, 64u);

  BufferTrace trace = traceBuffer(*m, uint32_t(m->bufferOfId(2)));
  EXPECT_EQ(trace.what, "forward value of matmul (kernel 0)");
  EXPECT_EQ(trace.instance, "fc");
  EXPECT_EQ(trace.location, "nn.loom:28:14 (fc), called from m.loom:5:3");
  trace = traceBuffer(*m, uint32_t(m->bufferOfId(0)));
  EXPECT_EQ(trace.what, "parameter");
  EXPECT_EQ(trace.instance, "fc.weight");

  std::string html = memoryHtml(*m, t);
  EXPECT_NE(html.find("<td>#2</td>"), std::string::npos);
  EXPECT_NE(html.find("peak 164 B live at kernel 2, mul (backward), of 256 B"),
            std::string::npos);
}

TEST(StepGraphTest, ClustersAndCollapsedModules) {
  Artifact a = smallStep();
  StatusOr<StepModel> m = buildStepModel(a, "train", "m.loomx");
  ASSERT_TRUE(m.ok());
  StepGraphInfo info;
  std::string dot = stepGraphDot(*m, {}, &info);
  EXPECT_EQ(info.maxDepth, 1);
  EXPECT_EQ(info.depth, 1);
  EXPECT_NE(dot.find("label=\"forward (2 kernels)\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"fc (1 kernel)\", tooltip=\"fc (forward)\""),
            std::string::npos);
  EXPECT_NE(dot.find("label=\"fc (2 kernels)\", tooltip=\"fc (optimizer)\""),
            std::string::npos);
  EXPECT_NE(dot.find("label=\"m.loom:9 (1 kernel)\""), std::string::npos)
      << "a kernel outside any module is grouped by its line";
  EXPECT_NE(dot.find("label=\"x\", tooltip=\"input x\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"loss\", tooltip=\"output loss\""),
            std::string::npos);

  StepGraphOptions flat;
  flat.depth = 0;
  dot = stepGraphDot(*m, flat, &info);
  EXPECT_EQ(info.depth, 0);
  EXPECT_NE(dot.find("label=\"fc\\n1 kernel\\n10 FLOP\""), std::string::npos);
  EXPECT_NE(dot.find("label=\"fc\\n2 kernels\\n20 FLOP\""), std::string::npos);
  EXPECT_EQ(dot.find("label=\"fc ("), std::string::npos);
}

} // namespace
