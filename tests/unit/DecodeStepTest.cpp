//===- DecodeStepTest.cpp - Decoding one token vs the whole window --------===//
//
// Part of Loom. Compiles a small GPT (two pre-norm blocks of std.nn layers,
// learned positions, tied embeddings) at batch 1 in f64, derives
// @decode_step with --loom-build-decode-step, and checks on the reference
// interpreter that feeding a sequence one token at a time through the KV
// caches gives, at every position, the logits @forward computes for the
// whole window at once.
//
//===----------------------------------------------------------------------===//

#include "GradientTestSupport.h"

#include "backends/reference/Interpreter.h"
#include "ir/LoomDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::loom::reference;

namespace {

constexpr const char *kGpt = R"loom(
import std.nn
model Block(d: int, heads: int) {
  ln1  = LayerNorm(d)
  attn = CausalSelfAttention(d, heads)
  ln2  = LayerNorm(d)
  mlp  = MLP(d, 2 * d)
  forward(x: f32[B, T, d]) -> f32[B, T, d] {
    h = x + attn(ln1(x))
    return h + mlp(ln2(h))
  }
}
model Gpt(vocab: int, ctx: int, d: int, heads: int, layers: int) {
  wte    = param f32[vocab, d] init normal(0.0, 0.5)
  wpe    = param f32[ctx, d] init normal(0.0, 0.5)
  blocks = repeat(layers) Block(d, heads)
  lnf    = LayerNorm(d)
  forward(idx: i32[B, T]) -> f32[B, T, vocab] {
    x = wte[idx] + wpe[0:T]
    return lnf(blocks(x)) @ transpose(wte)
  }
}
train t {
  model = Gpt(vocab = 7, ctx = 8, d = 8, heads = 2, layers = 2)
  data = tokens("unused.bin", seq = 5)
  batch = 1
  loss = cross_entropy(model(x), y)
  optimizer = adamw(lr = 0.001)
  steps = 1
}
)loom";

TEST(DecodeStep, OneTokenAtATimeMatchesTheWholeWindow) {
  ::loom::testing::TestContext t;
  OwningOpRef<ModuleOp> module = t.lower(kGpt, "gpt.loom");
  ASSERT_TRUE(module) << t.errors;
  ASSERT_TRUE(t.runPasses(*module, [](PassManager &pm) {
    pm.addPass(mlir::loom::createLoomBuildDecodeStep());
  })) << t.errors;
  auto forward = module->lookupSymbol<func::FuncOp>("forward");
  auto decode = module->lookupSymbol<func::FuncOp>("decode_step");
  ASSERT_TRUE(decode);

  // Random parameters (the same for both functions) and tokens.
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::vector<Tensor> params;
  unsigned numParams = forward.getNumArguments() - 1;
  for (unsigned i = 0; i < numParams; ++i) {
    auto type = cast<RankedTensorType>(forward.getArgument(i).getType());
    Tensor p(*toDType(type.getElementType()),
             {type.getShape().begin(), type.getShape().end()});
    for (double &v : p.data)
      v = roundToType(real(rng), p.dtype);
    params.push_back(p);
  }
  const int64_t window = 5, vocab = 7;
  std::vector<double> tokens = {3, 0, 6, 6, 2};
  std::vector<Tensor> args = params;
  args.push_back(Tensor(DType::I32, {1, window}, tokens));
  std::optional<std::vector<Tensor>> whole = runFunction(forward, args);
  ASSERT_TRUE(whole) << t.errors;
  const Tensor &expected = whole->front(); // [1, T, vocab]

  // Caches start at zero; each call's updated caches feed the next.
  std::vector<Tensor> caches;
  for (unsigned i = numParams + 2; i < decode.getNumArguments(); ++i) {
    auto type = cast<RankedTensorType>(decode.getArgument(i).getType());
    caches.push_back(
        Tensor(DType::F32, {type.getShape().begin(), type.getShape().end()}));
  }
  ASSERT_EQ(caches.size(), 4u); // k and v of two layers
  for (int64_t pos = 0; pos < window; ++pos) {
    std::vector<Tensor> in = params;
    in.push_back(Tensor(DType::I32, {1, 1}, {tokens[pos]}));
    in.push_back(Tensor(DType::I32, {1}, {double(pos)}));
    in.insert(in.end(), caches.begin(), caches.end());
    std::optional<std::vector<Tensor>> out = runFunction(decode, in);
    ASSERT_TRUE(out) << t.errors;
    ASSERT_EQ(out->size(), 1 + caches.size());
    const Tensor &logits = out->front(); // [1, 1, vocab]
    ASSERT_EQ(logits.shape, (std::vector<int64_t>{1, 1, vocab}));
    // f32 throughout: the two orders of summation differ by rounding.
    for (int64_t v = 0; v < vocab; ++v)
      EXPECT_NEAR(logits.data[v], expected.at({0, pos, v}), 1e-4)
          << "position " << pos << ", token " << v;
    std::copy(out->begin() + 1, out->end(), caches.begin());
  }
}

} // namespace
