//===- OneDnnMatmul.cpp - onednn.matmul -----------------------------------===//
//
// Part of Loom. This file implements the kernel of onednn.matmul: loom.matmul
// (batched, NumPy-broadcast batch dims, either operand read transposed)
// with an optional fused bias and an epilogue of post-ops (activations and
// binary ops with broadcast operands: a --loom-fuse contraction group), on
// oneDNN's matmul primitive.
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

/// One step of a matmul's epilogue: an eltwise algorithm, or a binary one
/// whose second source is the kernel's next post-op operand.
struct PostOp {
  std::string name;
  algorithm alg = algorithm::undef;
  bool binary = false;
};

/// The post-ops a matmul's epilogue may hold, by their `post_op` names.
static bool postOpOf(const std::string &name, PostOp &out) {
  static const std::pair<const char *, PostOp> known[] = {
      {"relu", {"relu", algorithm::eltwise_relu, false}},
      {"tanh", {"tanh", algorithm::eltwise_tanh, false}},
      {"sigmoid", {"sigmoid", algorithm::eltwise_logistic, false}},
      {"gelu_erf", {"gelu_erf", algorithm::eltwise_gelu_erf, false}},
      {"gelu_tanh", {"gelu_tanh", algorithm::eltwise_gelu_tanh, false}},
      {"add", {"add", algorithm::binary_add, true}},
      {"sub", {"sub", algorithm::binary_sub, true}},
      {"mul", {"mul", algorithm::binary_mul, true}},
      {"div", {"div", algorithm::binary_div, true}},
  };
  for (const auto &[key, op] : known)
    if (name == key) {
      out = op;
      return true;
    }
  return false;
}

/// The steps of `post_op`: "none", or a comma-separated list of post-op
/// names applied in order.
static bool parsePostOps(const std::string &text, std::vector<PostOp> &out,
                         std::string &bad) {
  if (text == "none")
    return true;
  size_t begin = 0;
  while (true) {
    size_t end = text.find(',', begin);
    std::string name = text.substr(begin, end - begin);
    PostOp op;
    if (!postOpOf(name, op)) {
      bad = name;
      return false;
    }
    out.push_back(op);
    if (end == std::string::npos)
      return true;
    begin = end + 1;
  }
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
// post-ops in order (eltwise: f(acc); binary: acc <op> post<i>, post<i>
// broadcast to the result) -> result (..., M, N), batch dims broadcast.
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createMatmul(KernelBuilder &b, const KernelSpec &spec) {
  bool transposeLhs, transposeRhs, hasBias;
  std::string postOpText;
  if (Status s = spec.getFlag("has_bias", hasBias); !s)
    return s;
  if (Status s = spec.getString("post_op", postOpText, std::string("none")); !s)
    return s;
  std::vector<PostOp> postOps;
  std::string bad;
  if (!parsePostOps(postOpText, postOps, bad))
    return spec.error("attribute 'post_op' = '" + postOpText + "': '" + bad +
                      "' is not a post-op (the value is none or a "
                      "comma-separated list of relu, tanh, sigmoid, "
                      "gelu_erf, gelu_tanh, add, sub, mul, div)");
  std::vector<std::string> names = {"lhs", "rhs"};
  if (hasBias)
    names.push_back("bias");
  size_t firstPostOperand = names.size();
  for (const PostOp &op : postOps)
    if (op.binary)
      names.push_back("post" + std::to_string(names.size() - firstPostOperand));
  names.push_back("result");
  if (Status s = spec.expectOperands(names); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  if (Status s = spec.getFlag("transpose_lhs", transposeLhs); !s)
    return s;
  if (Status s = spec.getFlag("transpose_rhs", transposeRhs); !s)
    return s;

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

  // Each operand a bias or a binary post-op reads broadcasts to the
  // result without changing it.
  auto broadcastDims = [&](size_t i, Dims &dims) -> Status {
    const Dims &shape = spec[i].shape;
    bool ok = shape.size() <= rank;
    if (ok) {
      dims = padLeading(shape, rank);
      for (size_t d = 0; d < rank; ++d)
        ok = ok && (dims[d] == 1 || dims[d] == expected[d]);
    }
    if (!ok)
      return spec.error(names[i] + " " + dimsString(shape) +
                        " does not broadcast to the result " +
                        dimsString(expected));
    return Status();
  };
  Dims biasDims;
  if (hasBias)
    if (Status s = broadcastDims(2, biasDims); !s)
      return s;
  std::vector<Dims> postDims(names.size());
  for (size_t i = firstPostOperand; i + 1 < names.size(); ++i)
    if (Status s = broadcastDims(i, postDims[i]); !s)
      return s;

  size_t out = spec.size() - 1;
  if (result.empty())
    return b.finish();
  dnnl::primitive_attr attr = b.attr();
  // The post-op operands, bound to their places in the chain.
  std::vector<std::pair<int, dnnl::memory>> postArgs;
  if (!postOps.empty()) {
    dnnl::post_ops ops;
    size_t operand = firstPostOperand;
    for (size_t i = 0; i < postOps.size(); ++i) {
      if (!postOps[i].binary) {
        ops.append_eltwise(1.0f, postOps[i].alg, 0.0f, 0.0f);
        continue;
      }
      dnnl::memory::desc md = plainDesc(postDims[operand]);
      ops.append_binary(postOps[i].alg, md);
      postArgs.push_back(
          {DNNL_ARG_ATTR_MULTIPLE_POST_OP(static_cast<int>(i)) | DNNL_ARG_SRC_1,
           b.operand(operand, md)});
      ++operand;
    }
    attr.set_post_ops(ops);
  }
  dnnl::memory::desc dst = plainDesc(expected);

  // K = 0: every sum is empty, and oneDNN's matmul leaves dst untouched.
  // The result is the post-ops applied to 0 + bias: a binary add of the
  // bias (of dst itself, all zeros, without one) to the zeros, with them.
  if (k == 0) {
    b.fill(out, 0.0f);
    if (!hasBias && postOps.empty())
      return b.finish();
    dnnl::memory dstMem = b.operand(out, dst);
    dnnl::memory::desc src1 = hasBias ? plainDesc(biasDims) : dst;
    dnnl::binary::primitive_desc pd(
        dnnl::binary::desc(algorithm::binary_add, dst, src1, dst), attr,
        b.engine());
    std::vector<std::pair<int, dnnl::memory>> args = {
        {DNNL_ARG_SRC_0, dstMem},
        {DNNL_ARG_SRC_1, hasBias ? b.operand(2, src1) : dstMem},
        {DNNL_ARG_DST, dstMem}};
    args.insert(args.end(), postArgs.begin(), postArgs.end());
    if (Status s = b.add(pd, args); !s)
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
  args.insert(args.end(), postArgs.begin(), postArgs.end());
  if (Status s = b.add(pd, args); !s)
    return s;
  return b.finish();
}
