//===- FlashAttentionTest.cpp - The flash kernels against the reference ---===//
//
// Part of Loom. cpu.flash_attention and cpu.flash_attention_backward, made
// from records as the runtime makes them, against the reference
// interpreter's loom.attention_with_lse and loom.attention_backward (in
// double): causal and not, shapes with partial tiles (T, S not multiples of
// the 64-row tiles, head sizes not multiples of the register block), cross
// attention (T != S, D != DV), one problem and many (the threads' split).
// Every result buffer starts as NaN and ends in a sentinel: an element not
// written, or written past the end, fails.
//
//===----------------------------------------------------------------------===//

#include "tests/unit/OneDnnTestSupport.h"

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::test;

namespace {

struct Case {
  Dims q, k, v; ///< (..., T, D), (..., S, D), (..., S, DV)
  bool causal;
  double scale;
};

Dims withLast(Dims d, int64_t last) {
  d.back() = last;
  return d;
}

Dims dropLast(const Dims &d) { return Dims(d.begin(), d.end() - 1); }

int64_t numElements(const Dims &d) {
  int64_t n = 1;
  for (int64_t x : d)
    n *= x;
  return n;
}

/// Runs `kind` over `inputs` into results of `outShapes`, twice (the
/// results poisoned before each run), and returns the results.
std::vector<ref::Tensor> run(const std::string &kind,
                             const std::vector<ref::Tensor> &inputs,
                             const std::vector<Dims> &outShapes,
                             const Case &c) {
  std::vector<Dims> shapes;
  for (const ref::Tensor &t : inputs)
    shapes.push_back(t.shape);
  shapes.insert(shapes.end(), outShapes.begin(), outShapes.end());
  KernelRecord record =
      makeRecord(kind, shapes,
                 {KernelAttr::ofInt("causal", c.causal ? 1 : 0),
                  KernelAttr::ofFloat("scale", c.scale)});
  std::vector<std::vector<float>> buffers;
  for (const ref::Tensor &t : inputs) {
    buffers.emplace_back(t.data.begin(), t.data.end());
    buffers.back().push_back(-7.0f);
  }
  for (const Dims &d : outShapes)
    buffers.emplace_back(static_cast<size_t>(numElements(d)) + 1, -7.0f);
  std::vector<OperandBuffer> operands;
  for (std::vector<float> &b : buffers)
    operands.push_back({b.data(), b.size() * sizeof(float)});
  StatusOr<std::unique_ptr<Kernel>> kernel =
      createOneDnnKernel(context(), record, operands);
  if (!kernel.ok()) {
    ADD_FAILURE() << kernel.status().message();
    return {};
  }
  EXPECT_EQ((*kernel)->implementation().rfind("loom:flash:", 0), 0u);
  for (int pass = 0; pass < 2; ++pass) {
    for (size_t i = inputs.size(); i < buffers.size(); ++i)
      std::fill(buffers[i].begin(), buffers[i].end() - 1, std::nanf(""));
    Status s = (*kernel)->run();
    EXPECT_TRUE(s.ok()) << s.message();
  }
  std::vector<ref::Tensor> results;
  for (size_t i = 0; i < buffers.size(); ++i) {
    EXPECT_EQ(buffers[i].back(), -7.0f) << "operand " << i << " overrun";
    if (i >= inputs.size())
      results.emplace_back(
          ref::DType::F32, outShapes[i - inputs.size()],
          std::vector<double>(buffers[i].begin(), buffers[i].end() - 1));
  }
  return results;
}

/// The scale of a tolerance: f32 roundoff grows with the sums' lengths.
double tolerance(const Case &c) {
  return 64 * kU * static_cast<double>(c.k[c.k.size() - 2] + c.q.back());
}

void checkCase(const Case &c, unsigned seed) {
  std::mt19937 rng(seed);
  ref::Tensor q = randomTensor(c.q, rng), k = randomTensor(c.k, rng),
              v = randomTensor(c.v, rng);
  Dims outShape = withLast(c.q, c.v.back());
  ref::Tensor dout = randomTensor(outShape, rng);
  double tol = tolerance(c);

  auto [wantOut, wantLse] = ref::attentionWithLse(q, k, v, c.causal, c.scale);
  std::vector<ref::Tensor> fwd =
      run("cpu.flash_attention", {q, k, v}, {outShape, dropLast(c.q)}, c);
  ASSERT_EQ(fwd.size(), 2u);
  EXPECT_TRUE(allClose(fwd[0], wantOut, tol, tol)) << "output";
  EXPECT_TRUE(allClose(fwd[1], wantLse, tol, tol)) << "lse";

  // The backward from the reference's forward, rounded to f32 as a run
  // stores it.
  ref::roundToType(wantOut);
  ref::roundToType(wantLse);
  std::vector<ref::Tensor> want = ref::attentionBackward(
      q, k, v, wantOut, dout, wantLse, c.causal, c.scale);
  std::vector<ref::Tensor> bwd =
      run("cpu.flash_attention_backward", {q, k, v, wantOut, dout, wantLse},
          {c.q, c.k, c.v}, c);
  ASSERT_EQ(bwd.size(), 3u);
  const char *names[] = {"grad_query", "grad_key", "grad_value"};
  for (int i = 0; i < 3; ++i)
    EXPECT_TRUE(allClose(bwd[i], want[i], tol, tol)) << names[i];
}

TEST(FlashAttention, CausalMatchesReference) {
  // T = 80: one full 64-row tile and a partial one; D = 16 pads to 32.
  checkCase({{2, 3, 80, 16}, {2, 3, 80, 16}, {2, 3, 80, 16}, true, 0.25}, 1);
  // Exactly one tile, one problem (one thread runs it).
  checkCase({{64, 32}, {64, 32}, {64, 32}, true, 0.2}, 2);
  // Several tiles per problem, head size 64 as in GPT.
  checkCase({{2, 200, 64}, {2, 200, 64}, {2, 200, 64}, true, 0.125}, 3);
  // A single query.
  checkCase({{3, 1, 8}, {3, 1, 8}, {3, 1, 8}, true, 1.0}, 4);
}

TEST(FlashAttention, CrossAttentionMatchesReference) {
  // T != S, D != DV, none a multiple of a tile or the register block.
  checkCase({{5, 70, 24}, {5, 130, 24}, {5, 130, 40}, false, 0.3}, 5);
  checkCase({{1, 2, 3, 7}, {1, 2, 9, 7}, {1, 2, 9, 33}, false, 0.5}, 6);
}

TEST(FlashAttention, LargeScoresStayFinite) {
  // Scores of magnitude ~100: the online softmax rescales, never overflows.
  checkCase({{2, 96, 16}, {2, 96, 16}, {2, 96, 16}, true, 8.0}, 7);
}

TEST(FlashAttention, NaNReachesTheOutput) {
  // A NaN score must not vanish in the row maximum or the exp: the run's
  // NaN report (loom train) relies on it.
  Case c{{2, 70, 8}, {2, 70, 8}, {2, 70, 8}, true, 0.5};
  std::mt19937 rng(8);
  ref::Tensor q = randomTensor(c.q, rng), k = randomTensor(c.k, rng),
              v = randomTensor(c.v, rng);
  q.data[5 * 8] = std::nan(""); // problem 0, query 5
  std::vector<ref::Tensor> fwd =
      run("cpu.flash_attention", {q, k, v}, {c.q, {2, 70}}, c);
  ASSERT_EQ(fwd.size(), 2u);
  EXPECT_TRUE(std::isnan(fwd[0].data[5 * 8]));
  EXPECT_TRUE(std::isnan(fwd[1].data[5]));
  EXPECT_FALSE(std::isnan(fwd[0].data[4 * 8]));
  EXPECT_FALSE(std::isnan(fwd[1].data[70 + 5]));
}

TEST(FlashAttention, EmptyProblemsRunNothing) {
  Case c{{0, 4, 8}, {0, 4, 8}, {0, 4, 8}, true, 1.0};
  std::vector<ref::Tensor> fwd =
      run("cpu.flash_attention",
          {ref::Tensor(ref::DType::F32, c.q), ref::Tensor(ref::DType::F32, c.k),
           ref::Tensor(ref::DType::F32, c.v)},
          {c.q, {0, 4}}, c);
  EXPECT_EQ(fwd.size(), 2u);
}

} // namespace
