//===- OneDnnMatmul.cpp - onednn.matmul -----------------------------------===//
//
// Part of Loom. This file implements the kernel of onednn.matmul: loom.matmul
// (batched, NumPy-broadcast batch dims, either operand read transposed)
// with an optional fused bias and activation, on oneDNN's matmul primitive.
// A transposed operand is described to oneDNN by its strides, so a weight
// stored [N, K] is read in place; no copy is made.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

#include <algorithm>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;
using dnnl::algorithm;

/// The eltwise algorithm of a matmul `post_op`; false for an unknown name.
static bool postOpAlgorithm(const std::string &name, algorithm &alg) {
  if (name == "none")
    alg = algorithm::undef;
  else if (name == "relu")
    alg = algorithm::eltwise_relu;
  else if (name == "gelu_tanh")
    alg = algorithm::eltwise_gelu_tanh;
  else if (name == "gelu_erf")
    alg = algorithm::eltwise_gelu_erf;
  else
    return false;
  return true;
}

/// `dims` with leading 1s up to `rank`.
static Dims padLeading(const Dims &dims, size_t rank) {
  Dims padded(rank - dims.size(), 1);
  padded.insert(padded.end(), dims.begin(), dims.end());
  return padded;
}

/// The descriptor of a matmul operand stored row-major as `storage` (batch
/// dims padded to the result's rank), read as (..., rows, cols) or, when
/// `transposed`, as its last two dims swapped: the same bytes with the last
/// two strides swapped.
static dnnl::memory::desc operandDesc(const Dims &storage, bool transposed) {
  Dims dims = storage, strides = rowMajorStrides(storage);
  size_t r = dims.size();
  if (transposed) {
    std::swap(dims[r - 2], dims[r - 1]);
    std::swap(strides[r - 2], strides[r - 1]);
  }
  return stridedDesc(dims, strides);
}

// lhs (..., M, K) [or (..., K, M) under transpose_lhs] @ rhs (..., K, N) [or
// (..., N, K) under transpose_rhs] (+ bias, broadcast to the result) ->
// post_op(...) -> result (..., M, N), batch dims broadcast.
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createMatmul(KernelBuilder &b, const KernelSpec &spec) {
  bool transposeLhs, transposeRhs, hasBias;
  std::string postOp;
  if (Status s = spec.getFlag("has_bias", hasBias); !s)
    return s;
  std::vector<std::string> names = {"lhs", "rhs", "result"};
  if (hasBias)
    names.insert(names.begin() + 2, "bias");
  if (Status s = spec.expectOperands(names); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  if (Status s = spec.getFlag("transpose_lhs", transposeLhs); !s)
    return s;
  if (Status s = spec.getFlag("transpose_rhs", transposeRhs); !s)
    return s;
  if (Status s = spec.getString("post_op", postOp, std::string("none")); !s)
    return s;
  algorithm post;
  if (!postOpAlgorithm(postOp, post))
    return spec.error("attribute 'post_op' = '" + postOp +
                      "' is not one of none, relu, gelu_tanh, gelu_erf");

  const Operand &lhs = spec[0], &rhs = spec[1], &result = spec.back();
  if (lhs.rank() < 2 || rhs.rank() < 2)
    return spec.error("lhs " + dimsString(lhs.shape) + " and rhs " +
                      dimsString(rhs.shape) + " need rank >= 2");
  const Dims &ls = lhs.shape, &rs = rhs.shape;
  int64_t lr = lhs.rank(), rr = rhs.rank();
  int64_t m = ls[lr - (transposeLhs ? 1 : 2)];
  int64_t k = ls[lr - (transposeLhs ? 2 : 1)];
  int64_t rk = rs[rr - (transposeRhs ? 1 : 2)];
  int64_t n = rs[rr - (transposeRhs ? 2 : 1)];
  if (k != rk)
    return spec.error("contracting dimensions differ: lhs " + dimsString(ls) +
                      " gives K = " + std::to_string(k) + " but rhs " +
                      dimsString(rs) + " gives K = " + std::to_string(rk));

  // NumPy broadcast of the batch dims, right-aligned.
  size_t rank = static_cast<size_t>(std::max(lr, rr));
  Dims lStore = padLeading(ls, rank), rStore = padLeading(rs, rank);
  Dims expected(rank);
  for (size_t i = 0; i + 2 < rank; ++i) {
    int64_t a = lStore[i], c = rStore[i];
    if (a != c && a != 1 && c != 1)
      return spec.error("batch dimensions of lhs " + dimsString(ls) +
                        " and rhs " + dimsString(rs) + " do not broadcast");
    expected[i] = a == 1 ? c : a;
  }
  expected[rank - 2] = m;
  expected[rank - 1] = n;
  if (result.shape != expected)
    return spec.error("result " + dimsString(result.shape) + " is not the " +
                      dimsString(expected) + " that lhs and rhs give");

  Dims biasDims;
  if (hasBias) {
    const Dims &bs = spec[2].shape;
    bool ok = bs.size() <= rank;
    if (ok) {
      biasDims = padLeading(bs, rank);
      for (size_t i = 0; i < rank; ++i)
        ok = ok && (biasDims[i] == 1 || biasDims[i] == expected[i]);
    }
    if (!ok)
      return spec.error("bias " + dimsString(bs) +
                        " does not broadcast to the result " +
                        dimsString(expected));
  }

  size_t out = spec.size() - 1;
  if (result.empty())
    return b.finish();
  dnnl::primitive_attr attr = b.attr();
  if (post != algorithm::undef) {
    dnnl::post_ops ops;
    ops.append_eltwise(1.0f, post, 0.0f, 0.0f);
    attr.set_post_ops(ops);
  }
  dnnl::memory::desc dst = plainDesc(expected);

  // K = 0: every sum is empty, and oneDNN's matmul leaves dst untouched.
  // The result is post_op(0 + bias); post_op(0) = 0 for every post-op.
  if (k == 0) {
    b.fill(out, 0.0f);
    if (!hasBias)
      return b.finish();
    dnnl::memory dstMem = b.operand(out, dst);
    dnnl::binary::primitive_desc pd(dnnl::binary::desc(algorithm::binary_add,
                                                       dst, plainDesc(biasDims),
                                                       dst),
                                    attr, b.engine());
    if (Status s =
            b.add(pd, {{DNNL_ARG_SRC_0, dstMem},
                       {DNNL_ARG_SRC_1, b.operand(2, plainDesc(biasDims))},
                       {DNNL_ARG_DST, dstMem}});
        !s)
      return s;
    return b.finish();
  }

  dnnl::memory::desc src = operandDesc(lStore, transposeLhs);
  dnnl::memory::desc weights = operandDesc(rStore, transposeRhs);
  dnnl::matmul::desc desc =
      hasBias ? dnnl::matmul::desc(src, weights, plainDesc(biasDims), dst)
              : dnnl::matmul::desc(src, weights, dst);
  dnnl::matmul::primitive_desc pd(desc, attr, b.engine());
  std::vector<std::pair<int, dnnl::memory>> args = {
      {DNNL_ARG_SRC, b.operand(0, src)},
      {DNNL_ARG_WEIGHTS, b.operand(1, weights)},
      {DNNL_ARG_DST, b.operand(out, dst)}};
  if (hasBias)
    args.push_back({DNNL_ARG_BIAS, b.operand(2, plainDesc(biasDims))});
  if (Status s = b.add(pd, args); !s)
    return s;
  return b.finish();
}
