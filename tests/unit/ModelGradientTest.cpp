//===- ModelGradientTest.cpp - Whole-model gradients vs finite differences ===//
//
// Part of Loom. Compiles small but complete Loom programs — an MLP classifier
// and a GPT block (layer norm, causal self-attention with heads, GELU MLP,
// residuals, tied embeddings, cross-entropy) — in f64, differentiates their
// loss with --loom-autodiff, and checks the gradient of every parameter
// element against central differences on the reference interpreter.
//
//===----------------------------------------------------------------------===//

#include "GradientTestSupport.h"

#include "backends/reference/Interpreter.h"
#include "ir/LoomDialect.h"
#include "passes/Passes.h"

#include "mlir/Dialect/Func/IR/FuncOps.h"
#include "mlir/IR/Diagnostics.h"
#include "mlir/Pass/PassManager.h"

#include <gtest/gtest.h>

#include <cmath>
#include <random>

using namespace mlir;
using namespace mlir::loom::reference;

namespace {

constexpr const char *kMlp = R"loom(
model Mlp(d: int, hidden: int, classes: int) {
  w1 = param f64[hidden, d] init normal(0.0, 0.5)
  b1 = param f64[hidden] init zeros
  w2 = param f64[classes, hidden] init normal(0.0, 0.5)
  b2 = param f64[classes] init zeros
  forward(x: f64[B, d]) -> f64[B, classes] {
    h = tanh(x @ transpose(w1) + b1)
    return h @ transpose(w2) + b2
  }
}
train t {
  model = Mlp(d = 4, hidden = 5, classes = 3)
  data = csv("unused.csv", label = "y")
  batch = 3
  loss = cross_entropy(model(x), y) + 0.01 * l2("*w*")
  optimizer = sgd(lr = 0.1)
  steps = 1
}
)loom";

constexpr const char *kGptBlock = R"loom(
model Block(d: int, heads: int) {
  g1 = param f64[d] init ones
  c1 = param f64[d] init zeros
  qkv = param f64[3 * d, d] init normal(0.0, 0.3)
  proj = param f64[d, d] init normal(0.0, 0.3)
  g2 = param f64[d] init ones
  c2 = param f64[d] init zeros
  fc = param f64[2 * d, d] init normal(0.0, 0.3)
  out = param f64[d, 2 * d] init normal(0.0, 0.3)
  hd = d // heads
  forward(x: f64[B, T, d]) -> f64[B, T, d] {
    h = layer_norm(x, g1, c1)
    q, k, v = split(h @ transpose(qkv), 3, dim = -1)
    q4 = transpose(reshape(q, [B, T, heads, hd]), [0, 2, 1, 3])
    k4 = transpose(reshape(k, [B, T, heads, hd]), [0, 2, 1, 3])
    v4 = transpose(reshape(v, [B, T, heads, hd]), [0, 2, 1, 3])
    a = attention(q4, k4, v4, causal = true)
    merged = reshape(transpose(a, [0, 2, 1, 3]), [B, T, d])
    r = x + merged @ transpose(proj)
    m = gelu(layer_norm(r, g2, c2) @ transpose(fc)) @ transpose(out)
    return r + m
  }
}
model TinyGpt(vocab: int, d: int, heads: int) {
  wte = param f64[vocab, d] init normal(0.0, 0.5)
  wpe = param f64[4, d] init normal(0.0, 0.5)
  block = Block(d, heads)
  forward(idx: i32[B, T]) -> f64[B, T, vocab] {
    x = wte[idx] + wpe[0:T]
    return block(x) @ transpose(wte)
  }
}
train t {
  model = TinyGpt(vocab = 5, d = 4, heads = 2)
  data = tokens("unused.bin", seq = 3)
  batch = 2
  loss = cross_entropy(model(x), y)
  optimizer = adamw(lr = 0.001)
  steps = 1
}
)loom";

/// Compiles `source`, differentiates @loss, and checks every parameter's
/// gradient against central differences. `labels` fills the y input.
void checkModel(const char *source, int64_t classes) {
  ::loom::testing::TestContext t;
  OwningOpRef<ModuleOp> module = t.lower(source, "model.loom");
  ASSERT_TRUE(module) << t.errors;
  ASSERT_TRUE(t.runPasses(*module, [](PassManager &pm) {
    pm.addPass(mlir::loom::createLoomAutodiff());
  })) << t.errors;
  auto loss = module->lookupSymbol<func::FuncOp>("loss");

  // Parameters drawn at random; integer inputs hold valid class ids.
  std::mt19937_64 rng(7);
  std::uniform_real_distribution<double> real(-1.0, 1.0);
  std::uniform_int_distribution<int64_t> label(0, classes - 1);
  std::vector<Tensor> args;
  std::vector<bool> isParam;
  for (BlockArgument arg : loss.getArguments()) {
    auto type = cast<RankedTensorType>(arg.getType());
    Tensor value(
        *toDType(type.getElementType()),
        std::vector<int64_t>(type.getShape().begin(), type.getShape().end()));
    for (double &v : value.data)
      v = isFloat(value.dtype) ? real(rng) : double(label(rng));
    args.push_back(value);
    isParam.push_back(bool(loss.getArgAttr(arg.getArgNumber(), "loom.param")));
  }
  size_t checked = ::loom::testing::expectGradientsMatchFiniteDifferences(
      loss, module->lookupSymbol<func::FuncOp>("loss_grad"), args, isParam,
      1e-6, "model", t.errors);
  EXPECT_GT(checked, 0u);
}

TEST(ModelGradient, MlpClassifierWithL2Penalty) { checkModel(kMlp, 3); }

TEST(ModelGradient, GptBlockWithTiedEmbeddings) { checkModel(kGptBlock, 5); }

} // namespace
