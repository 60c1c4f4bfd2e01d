//===- ArtifactSample.h - A small artifact with every section ---*- C++ -*-===//
//
// Part of Loom. A hand-built artifact of a one-layer model trained with Adam:
// two parameters and their moments, a memory plan that reuses arena bytes
// across lifetimes and aliases one buffer, three kernels (a oneDNN matmul and
// two generated ones with their object code), inputs, a loss output, the
// recipe and two IR stages. The artifact tests start from it, and the
// artifact fuzzer's seeds are written from it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_TESTS_UNIT_ARTIFACTSAMPLE_H
#define LOOM_TESTS_UNIT_ARTIFACTSAMPLE_H

#include "runtime/artifact/Artifact.h"

namespace loom {

inline Artifact sampleArtifact() {
  Artifact a;
  a.meta.producer = "loom 0.1.0";
  a.meta.target = "cpu-x86_64-avx512";
  a.meta.source = "mlp.loom";

  // Arena (alignment 64): parameters and moments in [0, 384), the step's
  // values after them.
  ParamRecord w;
  w.name = "w";
  w.shape = {4, 3};
  w.init.kind = "xavier_uniform";
  w.init.fanIn = 4;
  w.init.fanOut = 3;
  w.sharding = "model:1";
  w.offset = 0;
  w.size = 48;
  ParamRecord b;
  b.name = "b";
  b.shape = {3};
  b.init.kind = "constant";
  b.init.value = 0.5;
  b.frozen = true;
  b.offset = 64;
  b.size = 12;
  a.params = {w, b};
  auto state = [](const char *name, const ParamRecord &p, uint64_t offset) {
    OptStateRecord s;
    s.name = name;
    s.shape = p.shape;
    s.param = p.name;
    s.offset = offset;
    s.size = p.size;
    return s;
  };
  a.optState = {state("w.m", w, 128), state("w.v", w, 192),
                state("b.m", b, 256), state("b.v", b, 320)};

  a.memory.arenaSize = 832;
  a.memory.alignment = 64;
  // id, name, offset, size, first use, last use (kernel indices; 3 = after
  // the step).
  a.memory.buffers = {
      {0, "w", 0, 48, 0, 3},     {1, "b", 64, 12, 0, 3},
      {2, "x", 384, 32, 0, 0},   {3, "y", 448, 8, 0, 1},
      {4, "step", 512, 8, 0, 2}, {5, "h", 576, 24, 0, 1},
      {6, "loss", 640, 4, 1, 3}, {7, "dw", 384, 48, 2, 2},     // x's bytes
      {8, "db", 448, 12, 2, 2},  {9, "h.flat", 576, 24, 1, 1}, // alias
  };

  KernelRecord mm;
  mm.kind = "onednn.matmul";
  mm.symbol = "matmul_fwd";
  mm.operands = {2, 0, 1, 5};
  mm.attrs = {KernelAttr::ofInts("dims", {2, 4, 3}),
              KernelAttr::ofString("post_op", "relu"),
              KernelAttr::ofFloat("alpha", 1.0), KernelAttr::ofInt("bias", 1)};
  mm.flops = 2 * 2 * 4 * 3;
  mm.bytesMoved = 32 + 48 + 12 + 24;
  KernelRecord ce;
  ce.kind = "codegen";
  ce.symbol = "fused_cross_entropy";
  ce.operands = {9, 3, 6};
  ce.flops = 40;
  ce.bytesMoved = 36;
  KernelRecord adam;
  adam.kind = "codegen";
  adam.symbol = "adam_update";
  adam.operands = {0, 1, 7, 8, 4};
  adam.attrs = {KernelAttr::ofFloat("beta1", 0.9),
                KernelAttr::ofFloat("beta2", 0.999),
                KernelAttr::ofFloat("eps", 1e-8)};
  adam.flops = 150;
  adam.bytesMoved = 400;
  a.kernels = {mm, ce, adam};

  ObjectBlob obj;
  obj.name = "kernels.o";
  for (int i = 0; i < 100; ++i)
    obj.bytes.push_back(uint8_t(0x7f ^ i));
  a.objects = {obj};

  auto io = [](const char *name, const char *role, DType t,
               std::vector<int64_t> shape, uint32_t buffer) {
    IoRecord r;
    r.name = name;
    r.role = role;
    r.dtype = t;
    r.shape = std::move(shape);
    r.buffer = buffer;
    return r;
  };
  a.inputs = {io("x", "x", DType::F32, {2, 4}, 2),
              io("y", "y", DType::I32, {2}, 3),
              io("step", "step", DType::I64, {}, 4)};
  a.outputs = {io("loss", "loss", DType::F32, {}, 6)};
  a.recipe = "{\"optimizer\": {\"kind\": \"adam\", \"lr\": 0.001}, "
             "\"steps\": 100, \"note\": \"caf\xc3\xa9\"}";
  a.ir = {{"frontend", "module {\n  func.func @loss() { }\n}\n"},
          {"train-step", "module {\n  func.func @train_step() { }\n}\n"}};
  return a;
}

} // namespace loom

#endif // LOOM_TESTS_UNIT_ARTIFACTSAMPLE_H
