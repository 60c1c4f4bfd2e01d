//===- OneDnnEltwise.cpp - onednn.eltwise and onednn.binary ---------------===//
//
// Part of Loom. This file implements the kernels of onednn.eltwise (the
// elementwise unary ops oneDNN's eltwise primitive covers) and
// onednn.binary (add, sub, mul, div, max, min with NumPy broadcasting) on
// oneDNN's binary primitive. Elementwise tensors are viewed in the fewest
// dimensions that keep the broadcast pattern, which lets oneDNN's JIT
// implementations take the common cases (same shapes, a broadcast row or
// scalar).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;
using dnnl::algorithm;
using dnnl::prop_kind;

//===----------------------------------------------------------------------===//
// onednn.eltwise
//===----------------------------------------------------------------------===//

namespace {
/// An `op` of onednn.eltwise: y = f(x), with oneDNN's alpha and beta.
struct EltwiseOp {
  const char *name;
  algorithm alg;
  float alpha, beta;
};
} // namespace

/// Sorted by name.
static const EltwiseOp kEltwiseOps[] = {
    {"abs", algorithm::eltwise_abs, 0, 0},
    {"exp", algorithm::eltwise_exp, 0, 0},
    {"gelu_erf", algorithm::eltwise_gelu_erf, 0, 0},
    {"gelu_tanh", algorithm::eltwise_gelu_tanh, 0, 0},
    {"log", algorithm::eltwise_log, 0, 0},
    {"neg", algorithm::eltwise_linear, -1, 0}, // -1 * x + 0
    {"relu", algorithm::eltwise_relu, 0, 0},
    {"rsqrt", algorithm::eltwise_pow, 1, -0.5}, // 1 * x^-0.5
    {"sigmoid", algorithm::eltwise_logistic, 0, 0},
    {"sqrt", algorithm::eltwise_sqrt, 0, 0},
    {"square", algorithm::eltwise_square, 0, 0},
    {"tanh", algorithm::eltwise_tanh, 0, 0},
};

// x (...) -> f(x) (...), same shape.
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createEltwise(KernelBuilder &b, const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"input", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  std::string name;
  if (Status s = spec.getString("op", name); !s)
    return s;
  const EltwiseOp *op = nullptr;
  std::string known;
  for (const EltwiseOp &e : kEltwiseOps) {
    if (name == e.name)
      op = &e;
    known += (known.empty() ? "" : ", ") + std::string(e.name);
  }
  if (!op)
    return spec.error("attribute 'op' = '" + name + "' is not one of " + known);
  if (spec[1].shape != spec[0].shape)
    return spec.error("result " + dimsString(spec[1].shape) +
                      " must have the shape of input " +
                      dimsString(spec[0].shape));
  if (spec[0].empty())
    return b.finish();
  dnnl::memory::desc md = plainDesc({spec[0].elements});
  dnnl::eltwise_forward::primitive_desc pd(
      dnnl::eltwise_forward::desc(prop_kind::forward_inference, op->alg, md,
                                  op->alpha, op->beta),
      b.attr(), b.engine());
  if (Status s = b.add(pd, {{DNNL_ARG_SRC, b.operand(0, md)},
                            {DNNL_ARG_DST, b.operand(1, md)}});
      !s)
    return s;
  return b.finish();
}

//===----------------------------------------------------------------------===//
// onednn.binary
//===----------------------------------------------------------------------===//

/// `dims` with leading 1s up to `rank`.
static Dims padLeading(const Dims &dims, size_t rank) {
  Dims padded(rank - dims.size(), 1);
  padded.insert(padded.end(), dims.begin(), dims.end());
  return padded;
}

/// Rewrites `result` and the operands `a` and `c` (padded to its rank) to the
/// fewest dims with the same broadcast: dims of size 1 in the result go, and
/// each run of dims where `a` is whole or broadcast alike, and `c` too,
/// merges into one. [8, 256, 768] + [768] becomes [2048, 768] + [1, 768].
static void collapseBroadcast(Dims &result, Dims &a, Dims &c) {
  Dims r2, a2, c2;
  int previous = -1;
  for (size_t i = 0; i < result.size(); ++i) {
    if (result[i] == 1)
      continue;
    bool aWhole = a[i] == result[i], cWhole = c[i] == result[i];
    int key = (aWhole ? 1 : 0) | (cWhole ? 2 : 0);
    if (key == previous) {
      r2.back() *= result[i];
      a2.back() *= aWhole ? result[i] : 1;
      c2.back() *= cWhole ? result[i] : 1;
    } else {
      r2.push_back(result[i]);
      a2.push_back(aWhole ? result[i] : 1);
      c2.push_back(cWhole ? result[i] : 1);
      previous = key;
    }
  }
  if (r2.empty())
    r2 = a2 = c2 = {1};
  result = r2;
  a = a2;
  c = c2;
}

// lhs (...A) op rhs (...B) -> result broadcast(A, B).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createBinary(KernelBuilder &b, const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"lhs", "rhs", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  std::string name;
  if (Status s = spec.getString("op", name); !s)
    return s;
  algorithm alg;
  bool commutative = true;
  if (name == "add")
    alg = algorithm::binary_add;
  else if (name == "mul")
    alg = algorithm::binary_mul;
  else if (name == "max")
    alg = algorithm::binary_max;
  else if (name == "min")
    alg = algorithm::binary_min;
  else if (name == "sub")
    alg = algorithm::binary_sub, commutative = false;
  else if (name == "div")
    alg = algorithm::binary_div, commutative = false;
  else
    return spec.error("attribute 'op' = '" + name +
                      "' is not one of add, sub, mul, div, max, min");

  const Dims &ls = spec[0].shape, &rs = spec[1].shape;
  size_t rank = std::max(ls.size(), rs.size());
  Dims a = padLeading(ls, rank), c = padLeading(rs, rank), expected(rank);
  for (size_t i = 0; i < rank; ++i) {
    if (a[i] != c[i] && a[i] != 1 && c[i] != 1)
      return spec.error("lhs " + dimsString(ls) + " and rhs " + dimsString(rs) +
                        " do not broadcast");
    expected[i] = a[i] == 1 ? c[i] : a[i];
  }
  if (spec[2].shape != expected)
    return spec.error("result " + dimsString(spec[2].shape) + " is not the " +
                      dimsString(expected) + " that lhs and rhs broadcast to");
  if (spec[2].empty())
    return b.finish();

  Dims r = expected;
  collapseBroadcast(r, a, c);
  // oneDNN's fast binary kernels broadcast src1 only. A broadcast lhs with a
  // whole rhs swaps them when the op allows: a - b = -(b - a) exactly (the
  // negation is a post-op). Otherwise src0 is broadcast, which oneDNN's
  // reference implementation handles, more slowly (div of a broadcast lhs,
  // or both operands broadcast).
  size_t src0 = 0, src1 = 1;
  bool negate = false;
  if (a != r && c == r && (commutative || alg == algorithm::binary_sub)) {
    std::swap(src0, src1);
    std::swap(a, c);
    negate = alg == algorithm::binary_sub;
  }
  dnnl::primitive_attr attr = b.attr();
  if (negate) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, algorithm::eltwise_linear, -1.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  dnnl::memory::desc md0 = plainDesc(a), md1 = plainDesc(c), dst = plainDesc(r);
  dnnl::binary::primitive_desc pd(dnnl::binary::desc(alg, md0, md1, dst), attr,
                                  b.engine());
  if (Status s = b.add(pd, {{DNNL_ARG_SRC_0, b.operand(src0, md0)},
                            {DNNL_ARG_SRC_1, b.operand(src1, md1)},
                            {DNNL_ARG_DST, b.operand(2, dst)}});
      !s)
    return s;
  return b.finish();
}
