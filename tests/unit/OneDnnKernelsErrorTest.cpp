//===- OneDnnKernelsErrorTest.cpp - oneDNN kernels refuse bad records -----===//
//
// Part of Loom. Every error createOneDnnKernel reports, each from a record
// wrong in exactly one way: what every kind shares (operand buffers, the
// `s<i>` / `t<i>` attributes, operand counts, element types), then each
// kind's attributes and shape rules. Last, records mutated at random must
// give a kernel that runs or an error, never a crash (which the asan preset
// turns into a failure).
//
//===----------------------------------------------------------------------===//

#include "tests/unit/OneDnnTestSupport.h"

#include <map>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::test;

namespace {

/// A valid record of every kind.
std::map<std::string, KernelRecord> validRecords() {
  auto s = KernelAttr::ofString;
  auto ints = KernelAttr::ofInts;
  std::map<std::string, KernelRecord> r;
  r["onednn.matmul"] =
      makeRecord("onednn.matmul", {{2, 3}, {3, 4}, {2, 4}}, {});
  r["onednn.conv2d"] = makeRecord(
      "onednn.conv2d", {{1, 2, 5, 5}, {3, 2, 3, 3}, {1, 3, 3, 3}}, {});
  r["onednn.conv2d_backward_input"] =
      makeRecord("onednn.conv2d_backward_input",
                 {{1, 3, 3, 3}, {3, 2, 3, 3}, {1, 2, 5, 5}}, {});
  r["onednn.conv2d_backward_filter"] =
      makeRecord("onednn.conv2d_backward_filter",
                 {{1, 2, 5, 5}, {1, 3, 3, 3}, {3, 2, 3, 3}}, {});
  std::vector<KernelAttr> pool = {s("kind", "max"), ints("window", {2, 2}),
                                  ints("strides", {2, 2})};
  r["onednn.pool2d"] =
      makeRecord("onednn.pool2d", {{1, 1, 4, 4}, {1, 1, 2, 2}}, pool);
  r["onednn.pool2d_backward"] =
      makeRecord("onednn.pool2d_backward",
                 {{1, 1, 2, 2}, {1, 1, 4, 4}, {1, 1, 4, 4}}, pool);
  r["onednn.softmax"] = makeRecord("onednn.softmax", {{2, 3}, {2, 3}},
                                   {KernelAttr::ofInt("dim", 1)});
  r["onednn.log_softmax"] = makeRecord("onednn.log_softmax", {{2, 3}, {2, 3}},
                                       {KernelAttr::ofInt("dim", 1)});
  r["onednn.layer_norm"] =
      makeRecord("onednn.layer_norm", {{2, 3}, {3}, {3}, {2, 3}}, {});
  r["onednn.eltwise"] =
      makeRecord("onednn.eltwise", {{2, 3}, {2, 3}}, {s("op", "relu")});
  r["onednn.binary"] =
      makeRecord("onednn.binary", {{2, 3}, {3}, {2, 3}}, {s("op", "add")});
  r["onednn.reduce"] = makeRecord("onednn.reduce", {{2, 3}, {2}},
                                  {s("kind", "sum"), ints("dims", {1})});
  std::vector<KernelAttr> attention = {KernelAttr::ofInt("causal", 1),
                                       KernelAttr::ofFloat("scale", 0.5)};
  r["cpu.flash_attention"] = makeRecord(
      "cpu.flash_attention",
      {{2, 3, 4}, {2, 3, 4}, {2, 3, 5}, {2, 3, 5}, {2, 3}}, attention);
  r["cpu.flash_attention_backward"] = makeRecord("cpu.flash_attention_backward",
                                                 {{2, 3, 4},
                                                  {2, 3, 4},
                                                  {2, 3, 5},
                                                  {2, 3, 5},
                                                  {2, 3, 5},
                                                  {2, 3},
                                                  {2, 3, 4},
                                                  {2, 3, 4},
                                                  {2, 3, 5}},
                                                 attention);
  return r;
}

/// Buffers of the sizes `rec`'s operand attributes ask for (one element
/// where they are unusable), zero-filled.
std::vector<std::vector<double>> buffersFor(const KernelRecord &rec) {
  std::vector<std::vector<double>> bufs;
  for (size_t i = 0; i < rec.operands.size(); ++i) {
    const KernelAttr *s = rec.attr("s" + std::to_string(i));
    int64_t n = 1;
    if (s && s->type == KernelAttr::Type::IntList)
      for (int64_t d : s->ints)
        n = d < 0 || d > 4096 || n * d > (1 << 20) ? 1 : n * d;
    // Doubles: aligned and large enough for any element type.
    bufs.emplace_back(static_cast<size_t>(std::max<int64_t>(n, 1)), 0.0);
  }
  return bufs;
}

/// The error creating `rec` gives ("" if it makes a kernel, which then
/// runs).
std::string errorOf(const KernelRecord &rec) {
  std::vector<std::vector<double>> bufs = buffersFor(rec);
  std::vector<OperandBuffer> ops;
  for (std::vector<double> &b : bufs)
    ops.push_back({b.data(), b.size() * sizeof(double)});
  auto kernel = createOneDnnKernel(context(), rec, ops);
  if (!kernel.ok())
    return kernel.status().message();
  Status s = (*kernel)->run();
  EXPECT_TRUE(s.ok()) << s.message();
  return "";
}

/// `rec` with attribute `key` replaced (or added).
KernelRecord with(KernelRecord rec, const KernelAttr &a) {
  for (KernelAttr &old : rec.attrs)
    if (old.key == a.key) {
      old = a;
      return rec;
    }
  rec.attrs.push_back(a);
  return rec;
}

/// `rec` without attribute `key`.
KernelRecord without(KernelRecord rec, const std::string &key) {
  rec.attrs.erase(
      std::remove_if(rec.attrs.begin(), rec.attrs.end(),
                     [&](const KernelAttr &a) { return a.key == key; }),
      rec.attrs.end());
  return rec;
}

/// `kind` over `shapes` with `attrs`.
KernelRecord rec(const std::string &kind, const std::vector<Dims> &shapes,
                 const std::vector<KernelAttr> &attrs = {}) {
  return makeRecord(kind, shapes, attrs);
}

#define EXPECT_ERROR(record, text)                                             \
  do {                                                                         \
    std::string msg_ = errorOf(record);                                        \
    EXPECT_NE(msg_.find(text), std::string::npos)                              \
        << "error: '" << msg_ << "'\nwanted: '" << (text) << "'";              \
  } while (0)

auto I = KernelAttr::ofInt;
auto F = KernelAttr::ofFloat;
auto S = KernelAttr::ofString;
auto L = KernelAttr::ofInts;

//===----------------------------------------------------------------------===//
// What every kind shares
//===----------------------------------------------------------------------===//

TEST(OneDnnErrors, ValidRecordsOfEveryKindMakeKernels) {
  std::map<std::string, KernelRecord> valid = validRecords();
  EXPECT_EQ(valid.size(), oneDnnKinds().size());
  for (const auto &[kind, r] : valid) {
    EXPECT_TRUE(isOneDnnKind(kind)) << kind;
    EXPECT_EQ(errorOf(r), "") << kind;
  }
  EXPECT_FALSE(isOneDnnKind("codegen"));
}

TEST(OneDnnErrors, UnknownKind) {
  EXPECT_ERROR(rec("onednn.frobnicate", {{1}, {1}}),
               "'onednn.frobnicate' is not a oneDNN kernel kind (known: "
               "cpu.flash_attention, cpu.flash_attention_backward, "
               "onednn.binary, onednn.conv2d,");
}

TEST(OneDnnErrors, EveryKindRejectsOtherElementTypes) {
  for (auto [kind, r] : validRecords())
    for (DType t : {DType::F64, DType::BF16, DType::I32}) {
      KernelRecord bad = with(r, I("t0", static_cast<int64_t>(t)));
      EXPECT_ERROR(bad, kind + "(" + dtypeName(t));
      EXPECT_ERROR(bad, std::string("operand 0 has element type ") +
                            dtypeName(t) +
                            ", which these oneDNN kernels do not compute in "
                            "(f32 only)");
    }
}

TEST(OneDnnErrors, EveryKindChecksItsOperandCount) {
  for (auto [kind, r] : validRecords()) {
    size_t n = r.operands.size();
    r.operands.pop_back();
    r = without(without(r, "s" + std::to_string(n - 1)),
                "t" + std::to_string(n - 1));
    EXPECT_ERROR(r, "expects " + std::to_string(n) + " operands (");
    EXPECT_ERROR(r, ") but the record has " + std::to_string(n - 1));
  }
}

TEST(OneDnnErrors, OperandBuffers) {
  KernelRecord r = validRecords()["onednn.eltwise"];
  std::vector<float> x(6), y(6);
  auto make = [&](std::vector<OperandBuffer> ops) {
    auto k = createOneDnnKernel(context(), r, ops);
    return k.ok() ? std::string() : k.status().message();
  };
  EXPECT_EQ(make({{x.data(), 24}}),
            "onednn.eltwise: 1 operand buffer(s) given for a record of 2 "
            "operand(s)");
  EXPECT_EQ(make({{x.data(), 24}, {y.data(), 20}}),
            "onednn.eltwise: operand 1 f32[2, 3] needs 24 bytes but its "
            "buffer has 20");
  EXPECT_EQ(make({{nullptr, 24}, {y.data(), 24}}),
            "onednn.eltwise: operand 0 has no buffer (a null pointer)");
  EXPECT_EQ(
      make({{reinterpret_cast<char *>(x.data()) + 1, 23}, {y.data(), 24}}),
      "onednn.eltwise: operand 0 f32[2, 3] needs 24 bytes but its "
      "buffer has 23");
  std::vector<float> big(7);
  EXPECT_EQ(
      make({{reinterpret_cast<char *>(big.data()) + 2, 24}, {y.data(), 24}}),
      "onednn.eltwise: operand 0 is not aligned to its element size 4");
}

TEST(OneDnnErrors, OperandShapesAndTypes) {
  KernelRecord r = validRecords()["onednn.eltwise"];
  EXPECT_ERROR(without(r, "s1"), "onednn.eltwise: attribute 's1' (the shape "
                                 "of operand 1) is missing");
  EXPECT_ERROR(without(r, "t0"), "onednn.eltwise: attribute 't0' (the element "
                                 "type of operand 0) is missing");
  EXPECT_ERROR(with(r, I("s0", 3)),
               "onednn.eltwise: attribute 's0' must be an int list, not an "
               "int");
  EXPECT_ERROR(with(r, S("t1", "f32")),
               "onednn.eltwise: attribute 't1' must be an int, not a string");
  EXPECT_ERROR(with(r, I("t1", 99)),
               "onednn.eltwise: attribute 't1' = 99 is not an element type "
               "code");
  EXPECT_ERROR(with(r, I("t1", -1)), "attribute 't1' = -1 is not an element");
  EXPECT_ERROR(with(r, L("s0", {2, -3})),
               "onednn.eltwise: attribute 's0' = [2, -3] has a negative size");
  EXPECT_ERROR(with(r, L("s0", {1, 1, 1, 1, 1, 1, 1, 1, 1})),
               "attribute 's0' = [1, 1, 1, 1, 1, 1, 1, 1, 1] has rank above 8");
  EXPECT_ERROR(with(r, L("s0", {int64_t(1) << 40, int64_t(1) << 40})),
               "attribute 's0' = [1099511627776, 1099511627776] is too large");
}

TEST(OneDnnErrors, AttributeTypes) {
  KernelRecord m = validRecords()["onednn.matmul"];
  EXPECT_ERROR(with(m, S("transpose_lhs", "yes")),
               "onednn.matmul(f32[2, 3], f32[3, 4]) -> f32[2, 4]: attribute "
               "'transpose_lhs' must be an int, not a string");
  EXPECT_ERROR(with(m, I("transpose_rhs", 2)),
               "attribute 'transpose_rhs' = 2 must be 0 or 1");
  EXPECT_ERROR(with(m, I("post_op", 1)),
               "attribute 'post_op' must be a string, not an int");
  KernelRecord ln = validRecords()["onednn.layer_norm"];
  EXPECT_ERROR(with(ln, I("epsilon", 1)),
               "attribute 'epsilon' must be a float, not an int");
  KernelRecord c = validRecords()["onednn.conv2d"];
  EXPECT_ERROR(with(c, F("strides", 1.0)),
               "attribute 'strides' must be an int list, not a float");
}

//===----------------------------------------------------------------------===//
// onednn.matmul
//===----------------------------------------------------------------------===//

TEST(OneDnnErrors, Matmul) {
  const char *k = "onednn.matmul";
  EXPECT_ERROR(rec(k, {{3}, {3, 4}, {4}}),
               "lhs [3] and rhs [3, 4] need rank >= 2");
  EXPECT_ERROR(rec(k, {{2, 3}, {4, 4}, {2, 4}}),
               "contracting dimensions differ: lhs [2, 3] gives K = 3 but rhs "
               "[4, 4] gives K = 4");
  EXPECT_ERROR(rec(k, {{2, 3}, {4, 3}, {2, 4}}, {I("transpose_rhs", 0)}),
               "gives K = 4");
  EXPECT_ERROR(rec(k, {{2, 2, 3}, {3, 3, 4}, {3, 2, 4}}),
               "batch dimensions of lhs [2, 2, 3] and rhs [3, 3, 4] do not "
               "broadcast");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {4, 2}}),
               "result [4, 2] is not the [2, 4] that lhs and rhs give");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {3}, {2, 4}}, {I("has_bias", 1)}),
               "bias [3] does not broadcast to the result [2, 4]");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {2, 4}}, {I("has_bias", 1)}),
               "expects 4 operands (lhs, rhs, bias, result) but the record "
               "has 3");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {2, 4}}, {S("post_op", "swish")}),
               "onednn.matmul(f32[2, 3], f32[3, 4]) -> f32[2, 4]: attribute "
               "'post_op' = 'swish': 'swish' is not a post-op (the value is "
               "none or a comma-separated list of relu, tanh, sigmoid, "
               "gelu_erf, gelu_tanh, add, sub, mul, div)");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {2, 4}}, {S("post_op", "relu,,tanh")}),
               "attribute 'post_op' = 'relu,,tanh': '' is not a post-op");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {2, 4}}, {S("post_op", "relu,none")}),
               "attribute 'post_op' = 'relu,none': 'none' is not a post-op");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {2, 4}}, {S("post_op", "")}),
               "attribute 'post_op' = '': '' is not a post-op");
  // Each binary post-op reads one more operand, after the bias.
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {2, 4}}, {S("post_op", "add")}),
               "expects 4 operands (lhs, rhs, post0, result) but the record "
               "has 3");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {4}, {2, 4}, {2, 4}},
                   {I("has_bias", 1), S("post_op", "relu,add,mul")}),
               "expects 6 operands (lhs, rhs, bias, post0, post1, result) but "
               "the record has 5");
  EXPECT_ERROR(rec(k, {{2, 3}, {3, 4}, {4}, {2, 1}, {3, 4}, {2, 4}},
                   {I("has_bias", 1), S("post_op", "add,mul")}),
               "post1 [3, 4] does not broadcast to the result [2, 4]");
  EXPECT_ERROR(
      rec(k, {{2, 3}, {3, 4}, {2, 2, 4}, {2, 4}}, {S("post_op", "sub")}),
      "post0 [2, 2, 4] does not broadcast to the result [2, 4]");
}

//===----------------------------------------------------------------------===//
// Convolutions
//===----------------------------------------------------------------------===//

TEST(OneDnnErrors, Conv2d) {
  const char *k = "onednn.conv2d";
  Dims x = {1, 2, 5, 5}, w = {3, 2, 3, 3}, y = {1, 3, 3, 3};
  EXPECT_ERROR(rec(k, {{2, 5, 5}, w, y}),
               "input [2, 5, 5], filter [3, 2, 3, 3] and result [1, 3, 3, 3] "
               "must have rank 4 (NCHW, OIHW, NCHW)");
  EXPECT_ERROR(rec(k, {x, {3, 2, 0, 3}, y}),
               "filter [3, 2, 0, 3] must have a positive kernel size");
  EXPECT_ERROR(rec(k, {x, {3, 1, 3, 3}, y}, {I("groups", 2)}),
               "groups 2 must be positive and divide the input channels 2 and "
               "the output channels 3");
  EXPECT_ERROR(rec(k, {x, {3, 1, 3, 3}, y}),
               "filter [3, 1, 3, 3] has 1 input channels per group but input "
               "[1, 2, 5, 5] with groups 1 needs 2");
  EXPECT_ERROR(rec(k, {x, w, y}, {L("dilations", {3, 1})}),
               "filter [3, 2, 3, 3] with dilations [3, 1] spans more than the "
               "padded input [1, 2, 5, 5] (5) in dimension 2");
  EXPECT_ERROR(rec(k, {x, w, {1, 3, 2, 3}}),
               "result [1, 3, 2, 3] is not the conv2d result [1, 3, 3, 3] of "
               "input [1, 2, 5, 5] and filter [3, 2, 3, 3]");
  EXPECT_ERROR(rec(k, {x, w, y}, {L("strides", {1})}),
               "attribute 'strides' = [1] must have 2 entries");
  EXPECT_ERROR(rec(k, {x, w, y}, {L("strides", {0, 1})}),
               "attribute 'strides' = [0, 1] has an entry below 1");
  EXPECT_ERROR(rec(k, {x, w, y}, {L("padding", {0, 0, -1, 0})}),
               "attribute 'padding' = [0, 0, -1, 0] has an entry below 0");
  EXPECT_ERROR(rec(k, {x, w, y}, {L("dilations", {1, int64_t(1) << 40})}),
               "attribute 'dilations' = [1, 1099511627776] has an entry above "
               "2^30");
  EXPECT_ERROR(rec(k, {x, w, y}, {I("groups", 0)}), "groups 0 must be");
}

TEST(OneDnnErrors, Conv2dBackward) {
  EXPECT_ERROR(rec("onednn.conv2d_backward_input",
                   {{1, 3, 2, 3}, {3, 2, 3, 3}, {1, 2, 5, 5}}),
               "grad_out [1, 3, 2, 3] is not the conv2d result [1, 3, 3, 3] "
               "of result [1, 2, 5, 5] and filter [3, 2, 3, 3]");
  EXPECT_ERROR(rec("onednn.conv2d_backward_filter",
                   {{1, 2, 5, 5}, {1, 3, 3, 3}, {3, 2, 2, 2}}),
               "grad_out [1, 3, 3, 3] is not the conv2d result [1, 3, 4, 4] "
               "of input [1, 2, 5, 5] and result [3, 2, 2, 2]");
  EXPECT_ERROR(rec("onednn.conv2d_backward_filter",
                   {{1, 2, 5, 5}, {1, 3, 3, 3}, {3, 2, 3, 3}},
                   {I("groups", 2)}),
               "groups 2 must be positive and divide the input channels 2 and "
               "the output channels 3");
}

//===----------------------------------------------------------------------===//
// Pooling
//===----------------------------------------------------------------------===//

TEST(OneDnnErrors, Pool2d) {
  KernelRecord p = validRecords()["onednn.pool2d"];
  EXPECT_ERROR(without(p, "window"), "attribute 'window' is missing");
  EXPECT_ERROR(without(p, "strides"), "attribute 'strides' is missing");
  EXPECT_ERROR(without(p, "kind"), "attribute 'kind' is missing");
  EXPECT_ERROR(with(p, S("kind", "min")),
               "attribute 'kind' = 'min' is not one of max, avg");
  EXPECT_ERROR(with(p, L("window", {2, 2, 2})),
               "attribute 'window' = [2, 2, 2] must have 2 entries");
  EXPECT_ERROR(with(p, L("padding", {2, 0, 0, 0})),
               "padding [2, 0, 0, 0] must be smaller than window [2, 2] in "
               "dimension 2");
  EXPECT_ERROR(with(p, L("window", {5, 2})),
               "window [5, 2] is larger than the padded input [1, 1, 4, 4] (4) "
               "in dimension 2");
  EXPECT_ERROR(with(p, L("s1", {1, 1, 2, 1})),
               "result [1, 1, 2, 1] is not the pool2d result [1, 1, 2, 2] of "
               "input [1, 1, 4, 4]");
  EXPECT_ERROR(
      rec("onednn.pool2d", {{1, 4, 4}, {1, 1, 2, 2}},
          {S("kind", "max"), L("window", {2, 2}), L("strides", {2, 2})}),
      "input [1, 4, 4] and result [1, 1, 2, 2] must have rank 4");
  EXPECT_ERROR(with(p, I("count_include_pad", 3)),
               "attribute 'count_include_pad' = 3 must be 0 or 1");
}

TEST(OneDnnErrors, Pool2dBackward) {
  KernelRecord p = validRecords()["onednn.pool2d_backward"];
  std::vector<KernelAttr> avg = {S("kind", "avg"), L("window", {2, 2}),
                                 L("strides", {2, 2})};
  EXPECT_ERROR(rec("onednn.pool2d_backward",
                   {{1, 1, 2, 2}, {1, 1, 4, 4}, {1, 1, 4, 4}}, avg),
               "expects 2 operands (grad_out, result) but the record has 3");
  EXPECT_ERROR(
      rec("onednn.pool2d_backward", {{1, 1, 2, 2}, {1, 1, 4, 4}},
          {S("kind", "max"), L("window", {2, 2}), L("strides", {2, 2})}),
      "expects 3 operands (grad_out, input, result) but the record "
      "has 2");
  EXPECT_ERROR(with(p, L("s1", {1, 1, 4, 5})),
               "input [1, 1, 4, 5] and result [1, 1, 4, 4] must have the same "
               "shape");
  EXPECT_ERROR(with(with(p, L("s1", {1, 1, 6, 4})), L("s2", {1, 1, 6, 4})),
               "grad_out [1, 1, 2, 2] is not the pool2d result [1, 1, 3, 2] "
               "of result [1, 1, 6, 4]");
}

//===----------------------------------------------------------------------===//
// Normalization, elementwise, reductions
//===----------------------------------------------------------------------===//

TEST(OneDnnErrors, Softmax) {
  for (const char *k : {"onednn.softmax", "onednn.log_softmax"}) {
    KernelRecord r = validRecords()[k];
    EXPECT_ERROR(without(r, "dim"), std::string(k) +
                                        "(f32[2, 3]) -> f32[2, 3]: attribute "
                                        "'dim' is missing");
    EXPECT_ERROR(with(r, I("dim", 2)),
                 "attribute 'dim' = 2 is out of range for input [2, 3] of "
                 "rank 2");
    EXPECT_ERROR(with(r, I("dim", -1)), "attribute 'dim' = -1 is out of range");
    EXPECT_ERROR(with(r, L("s1", {3, 2})),
                 "result [3, 2] must have the shape of input [2, 3]");
  }
}

TEST(OneDnnErrors, LayerNorm) {
  KernelRecord r = validRecords()["onednn.layer_norm"];
  EXPECT_ERROR(with(r, F("epsilon", 0.0)),
               "attribute 'epsilon' = 0.000000 must be positive and finite in "
               "f32");
  EXPECT_ERROR(with(r, F("epsilon", 1e300)), "must be positive and finite");
  EXPECT_ERROR(with(r, F("epsilon", std::nan(""))),
               "must be positive and finite");
  EXPECT_ERROR(with(r, L("s2", {1, 3})),
               "scale [3] and bias [1, 3] must have the same shape");
  EXPECT_ERROR(with(with(r, L("s1", {2})), L("s2", {2})),
               "scale [2] must be the trailing dimensions of input [2, 3] "
               "(rank >= 1)");
  EXPECT_ERROR(with(with(r, L("s1", {})), L("s2", {})),
               "scale [] must be the trailing dimensions");
  EXPECT_ERROR(with(r, L("s3", {3, 2})),
               "result [3, 2] must have the shape of input [2, 3]");
}

TEST(OneDnnErrors, Eltwise) {
  KernelRecord r = validRecords()["onednn.eltwise"];
  EXPECT_ERROR(without(r, "op"), "attribute 'op' is missing");
  EXPECT_ERROR(with(r, S("op", "sin")),
               "attribute 'op' = 'sin' is not one of abs, exp, gelu_erf, "
               "gelu_tanh, log, neg, relu, rsqrt, sigmoid, sqrt, square, "
               "tanh");
  EXPECT_ERROR(with(r, L("s1", {6})),
               "result [6] must have the shape of input [2, 3]");
}

TEST(OneDnnErrors, Binary) {
  KernelRecord r = validRecords()["onednn.binary"];
  EXPECT_ERROR(without(r, "op"), "attribute 'op' is missing");
  EXPECT_ERROR(with(r, S("op", "pow")),
               "attribute 'op' = 'pow' is not one of add, sub, mul, div, max, "
               "min");
  EXPECT_ERROR(with(r, L("s1", {2})),
               "lhs [2, 3] and rhs [2] do not broadcast");
  EXPECT_ERROR(with(r, L("s2", {1, 3})),
               "result [1, 3] is not the [2, 3] that lhs and rhs broadcast to");
}

TEST(OneDnnErrors, Reduce) {
  KernelRecord r = validRecords()["onednn.reduce"];
  EXPECT_ERROR(without(r, "kind"), "attribute 'kind' is missing");
  EXPECT_ERROR(without(r, "dims"), "attribute 'dims' is missing");
  EXPECT_ERROR(with(r, S("kind", "prod")),
               "attribute 'kind' = 'prod' is not one of sum, max, min, mean");
  EXPECT_ERROR(with(r, L("dims", {2})),
               "attribute 'dims' = [2] is out of range for input [2, 3]");
  EXPECT_ERROR(with(r, L("dims", {-1})),
               "attribute 'dims' = [-1] has an entry below 0");
  EXPECT_ERROR(with(with(r, L("dims", {1, 1})), L("s1", {2})),
               "attribute 'dims' = [1, 1] repeats dimension 1");
  EXPECT_ERROR(with(r, I("keep_dims", 1)),
               "result [2] is not the [2, 1] that reducing input [2, 3] over "
               "dims [1] with keep_dims gives");
}

//===----------------------------------------------------------------------===//
// Flash attention
//===----------------------------------------------------------------------===//

TEST(OneDnnErrors, FlashAttention) {
  KernelRecord f = validRecords()["cpu.flash_attention"];
  const std::string sig = "cpu.flash_attention(f32[2, 3, 4], f32[2, 3, 4], "
                          "f32[2, 3, 5], f32[2, 3, 5]) -> f32[2, 3]: ";
  EXPECT_ERROR(without(f, "scale"), sig + "attribute 'scale' is missing");
  EXPECT_ERROR(with(f, F("scale", 0.0)),
               sig + "attribute 'scale' = 0.000000 must be positive and "
                     "finite in f32");
  EXPECT_ERROR(with(f, I("causal", 2)), "attribute 'causal'");
  EXPECT_ERROR(
      rec("cpu.flash_attention", {{3}, {3}, {3}, {3}, {}}, {F("scale", 1.0)}),
      "query [3], key [3] and value [3] must have one rank of at "
      "least 2");
  EXPECT_ERROR(rec("cpu.flash_attention",
                   {{2, 3, 4}, {1, 3, 4}, {2, 3, 5}, {2, 3, 5}, {2, 3}},
                   {F("scale", 1.0)}),
               "query [2, 3, 4], key [1, 3, 4] and value [2, 3, 5] must "
               "have equal leading dimensions");
  EXPECT_ERROR(rec("cpu.flash_attention",
                   {{2, 3, 4}, {2, 3, 6}, {2, 3, 5}, {2, 3, 5}, {2, 3}},
                   {F("scale", 1.0)}),
               "query [2, 3, 4] and key [2, 3, 6] must have the same head "
               "size");
  EXPECT_ERROR(rec("cpu.flash_attention",
                   {{2, 3, 4}, {2, 3, 4}, {2, 6, 5}, {2, 3, 5}, {2, 3}},
                   {F("scale", 1.0)}),
               "key [2, 3, 4] and value [2, 6, 5] must have the same number "
               "of keys");
  EXPECT_ERROR(rec("cpu.flash_attention",
                   {{2, 3, 4}, {2, 6, 4}, {2, 6, 5}, {2, 3, 5}, {2, 3}},
                   {I("causal", 1), F("scale", 1.0)}),
               "causal attention needs as many queries as keys, not 3 and 6");
  EXPECT_ERROR(rec("cpu.flash_attention",
                   {{2, 3, 4}, {2, 3, 4}, {2, 3, 5}, {2, 3, 4}, {2, 3}},
                   {F("scale", 1.0)}),
               "result [2, 3, 4] must be [2, 3, 5]");
  EXPECT_ERROR(rec("cpu.flash_attention",
                   {{2, 3, 4}, {2, 3, 4}, {2, 3, 5}, {2, 3, 5}, {2, 4}},
                   {F("scale", 1.0)}),
               "lse [2, 4] must be [2, 3]");
}

TEST(OneDnnErrors, FlashAttentionBackward) {
  KernelRecord b = validRecords()["cpu.flash_attention_backward"];
  auto shaped = [&](size_t i, Dims shape) {
    return with(b, L("s" + std::to_string(i), shape));
  };
  EXPECT_ERROR(shaped(3, {2, 3, 4}), "output [2, 3, 4] must be [2, 3, 5]");
  EXPECT_ERROR(shaped(4, {2, 3, 4}), "grad_out [2, 3, 4] must be [2, 3, 5]");
  EXPECT_ERROR(shaped(5, {2}), "lse [2] must be [2, 3]");
  EXPECT_ERROR(shaped(6, {2, 3, 5}), "grad_query [2, 3, 5] must be [2, 3, 4]");
  EXPECT_ERROR(shaped(7, {3, 3, 4}), "grad_key [3, 3, 4] must be [2, 3, 4]");
  EXPECT_ERROR(shaped(8, {2, 3, 4}), "grad_value [2, 3, 4] must be [2, 3, 5]");
  EXPECT_ERROR(without(b, "scale"),
               "cpu.flash_attention_backward(f32[2, 3, 4], f32[2, 3, 4], "
               "f32[2, 3, 5], f32[2, 3, 5], f32[2, 3, 5], f32[2, 3], "
               "f32[2, 3, 4], f32[2, 3, 4]) -> f32[2, 3, 5]: attribute "
               "'scale' is missing");
}

//===----------------------------------------------------------------------===//
// Hostile records
//===----------------------------------------------------------------------===//

// Valid records with one to three random changes (a size, an attribute's
// value or type, an attribute dropped): each must make a kernel that runs,
// or give an error; under the asan preset a read or write outside the
// operands' buffers fails the test.
TEST(OneDnnErrors, MutatedRecordsNeverCrash) {
  std::mt19937 rng(17);
  std::map<std::string, KernelRecord> valid = validRecords();
  std::vector<KernelRecord> records;
  for (auto &[kind, r] : valid)
    records.push_back(r);
  auto pick = [&](int n) {
    return std::uniform_int_distribution<int>(0, n - 1)(rng);
  };
  int made = 0, refused = 0;
  for (int iter = 0; iter < 3000; ++iter) {
    KernelRecord r = records[pick(static_cast<int>(records.size()))];
    for (int changes = 1 + pick(3); changes > 0; --changes) {
      KernelAttr &a = r.attrs[pick(static_cast<int>(r.attrs.size()))];
      switch (pick(6)) {
      case 0: // a size or list entry
        if (!a.ints.empty())
          a.ints[pick(static_cast<int>(a.ints.size()))] = pick(7) - 1;
        break;
      case 1: // one entry more or fewer
        if (!a.ints.empty() && pick(2))
          a.ints.pop_back();
        else
          a.ints.push_back(pick(4));
        break;
      case 2:
        a.i = pick(9) - 2;
        break;
      case 3:
        a.type = static_cast<KernelAttr::Type>(1 + pick(4));
        break;
      case 4:
        a.s = pick(2) ? "avg" : "mean";
        break;
      default:
        r = without(r, a.key);
        break;
      }
      if (r.attrs.empty())
        break;
    }
    std::string e = errorOf(r);
    (e.empty() ? made : refused)++;
  }
  // Both outcomes are common, so the loop explores both paths.
  EXPECT_GT(made, 100);
  EXPECT_GT(refused, 100);
}

} // namespace
