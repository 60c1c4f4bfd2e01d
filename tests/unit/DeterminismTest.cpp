//===- DeterminismTest.cpp - The same step twice, bit for bit
//--------------===//
//
// Part of Loom. Compiles a small GPT (embedding, layer norm, causal
// attention, GELU MLP, dropout, tied output) with AdamW, clipping and a
// warm-up/cosine schedule into @train_step, runs three chained steps twice
// from the same inputs on the reference interpreter, and requires every
// output — parameters, optimizer state, loss, learning rate — to be
// bit-identical. Dropout must still depend on its key, so the test would
// notice a step that ignored its RNG input rather than being deterministic.
//
//===----------------------------------------------------------------------===//

#include "GradientTestSupport.h"

#include "backends/reference/Interpreter.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

using namespace mlir;
using namespace mlir::loom::reference;

namespace {

const char *const kGpt = R"loom(import std.nn
model Gpt(vocab: int, d: int, heads: int) {
  wte  = Embedding(vocab, d)
  wpe  = param f32[8, d] init normal(0.0, 0.02)
  ln1  = LayerNorm(d)
  attn = CausalSelfAttention(d, heads)
  ln2  = LayerNorm(d)
  mlp  = MLP(d, 4 * d)
  drop = Dropout(0.2)
  forward(idx: i32[B, T]) -> f32[B, T, vocab] {
    x = wte(idx) + wpe[0:T]
    x = x + drop(attn(ln1(x)))
    x = x + drop(mlp(ln2(x)))
    return x @ transpose(wte.weight)
  }
}
train t {
  model     = Gpt(vocab = 11, d = 8, heads = 2)
  data      = tokens("unused.bin", seq = 5)
  batch     = 3
  loss      = cross_entropy(model(x), y)
  optimizer = adamw(lr = 1e-2, betas = (0.9, 0.95), weight_decay = 0.1, clip_norm = 1.0)
  schedule  = warmup_cosine(warmup = 2, min_lr = 1e-3)
  steps     = 10
}
)loom";

struct Step {
  func::FuncOp fn;
  int rng = -1, step = -1;
  size_t carried = 0; ///< leading arguments the step returns updated
};

/// Runs `steps` chained steps from `args`, returning every step's outputs.
std::vector<std::vector<Tensor>> run(const Step &s, std::vector<Tensor> args,
                                     int steps, int64_t seed) {
  std::vector<std::vector<Tensor>> all;
  for (int i = 0; i < steps; ++i) {
    args[s.step].data = {double(i)};
    args[s.rng].data = {double(seed), double(i)};
    std::optional<std::vector<Tensor>> out = runFunction(s.fn, args);
    EXPECT_TRUE(out);
    if (!out)
      return all;
    for (size_t a = 0; a < s.carried; ++a)
      args[a] = (*out)[a];
    all.push_back(std::move(*out));
  }
  return all;
}

bool bitIdentical(const Tensor &a, const Tensor &b) {
  return a.shape == b.shape && a.dtype == b.dtype &&
         std::memcmp(a.data.data(), b.data.data(),
                     a.data.size() * sizeof(double)) == 0;
}

TEST(Determinism, TheSameStepTwiceIsBitIdentical) {
  ::loom::testing::TestContext t;
  OwningOpRef<ModuleOp> module = t.lower(kGpt, "gpt.loom");
  ASSERT_TRUE(module) << t.errors;
  ASSERT_TRUE(t.runPasses(*module, [](PassManager &pm) {
    pm.addPass(mlir::loom::createLoomAutodiff());
    pm.addPass(mlir::loom::createLoomBuildTrainStep());
  })) << t.errors;

  Step s;
  s.fn = module->lookupSymbol<func::FuncOp>("train_step");
  ASSERT_TRUE(s.fn);
  std::mt19937_64 gen(3);
  std::normal_distribution<double> normal(0.0, 0.3);
  std::uniform_int_distribution<int> token(0, 10);
  std::vector<Tensor> args;
  for (BlockArgument arg : s.fn.getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    Tensor v(
        *toDType(type.getElementType()),
        std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
    unsigned i = arg.getArgNumber();
    auto input = s.fn.getArgAttrOfType<StringAttr>(i, "loom.input");
    if (s.fn.getArgAttr(i, "loom.param")) {
      for (double &e : v.data)
        e = normal(gen);
      roundToType(v);
      ++s.carried;
    } else if (s.fn.getArgAttr(i, "loom.opt_state")) {
      ++s.carried;
    } else if (input && (input.getValue() == "x" || input.getValue() == "y")) {
      for (double &e : v.data)
        e = token(gen);
    } else if (input && input.getValue() == "rng") {
      s.rng = static_cast<int>(i);
    } else if (input && input.getValue() == "step") {
      s.step = static_cast<int>(i);
    }
    args.push_back(std::move(v));
  }
  ASSERT_GE(s.rng, 0) << "the step has no dropout key";
  ASSERT_GE(s.step, 0);

  std::vector<std::vector<Tensor>> first = run(s, args, 3, 42),
                                   second = run(s, args, 3, 42),
                                   reseeded = run(s, args, 3, 43);
  ASSERT_EQ(first.size(), 3u);
  ASSERT_EQ(second.size(), 3u);
  ASSERT_EQ(reseeded.size(), 3u);
  for (size_t step = 0; step < 3; ++step)
    for (size_t r = 0; r < first[step].size(); ++r)
      EXPECT_TRUE(bitIdentical(first[step][r], second[step][r]))
          << "step " << step << " result " << r << " differs between runs";
  // The loss is the third-to-last result (then the lr and the gradient
  // norm); dropout makes it depend on the key's seed.
  size_t loss = first[0].size() - 3;
  EXPECT_NE(first[0][loss].data[0], reseeded[0][loss].data[0]);
}

} // namespace
