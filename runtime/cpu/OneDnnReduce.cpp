//===- OneDnnReduce.cpp - onednn.reduce -----------------------------------===//
//
// Part of Loom. This file implements the kernel of onednn.reduce
// (loom.reduce: sum, max, min or mean over a set of dims, kept with size 1
// or removed) on oneDNN's reduction primitive. The input is viewed in the
// fewest dims that keep which are reduced (size-1 dims go, runs of reduced
// or of kept dims merge); the result's bytes are the same with or without
// keep_dims. Reducing nothing is a copy (a reorder); a sum or mean of
// leading dims is a matmul with a vector of ones.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

#include <algorithm>
#include <limits>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;
using dnnl::algorithm;

// x (D0, ..., Dn) reduced over `dims` -> the shape without them (or with
// size 1 in their place under keep_dims).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createReduce(KernelBuilder &b, const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"input", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  std::string kind;
  Dims dims;
  bool keepDims;
  if (Status s = spec.getString("kind", kind); !s)
    return s;
  if (Status s = spec.getInts("dims", dims, 0, 0); !s)
    return s;
  if (Status s = spec.getFlag("keep_dims", keepDims); !s)
    return s;
  algorithm alg;
  float identity; // the result of reducing no element (the reference's)
  if (kind == "sum")
    alg = algorithm::reduction_sum, identity = 0.0f;
  else if (kind == "mean")
    alg = algorithm::reduction_mean,
    identity = std::numeric_limits<float>::quiet_NaN();
  else if (kind == "max")
    alg = algorithm::reduction_max,
    identity = -std::numeric_limits<float>::infinity();
  else if (kind == "min")
    alg = algorithm::reduction_min,
    identity = std::numeric_limits<float>::infinity();
  else
    return spec.error("attribute 'kind' = '" + kind +
                      "' is not one of sum, max, min, mean");

  const Operand &x = spec[0], &y = spec[1];
  std::vector<bool> reduced(x.shape.size(), false);
  for (int64_t d : dims) {
    if (d >= x.rank())
      return spec.error("attribute 'dims' = " + dimsString(dims) +
                        " is out of range for input " + dimsString(x.shape));
    if (reduced[d])
      return spec.error("attribute 'dims' = " + dimsString(dims) +
                        " repeats dimension " + std::to_string(d));
    reduced[d] = true;
  }
  Dims expected;
  for (size_t i = 0; i < x.shape.size(); ++i)
    if (!reduced[i] || keepDims)
      expected.push_back(reduced[i] ? 1 : x.shape[i]);
  if (y.shape != expected)
    return spec.error("result " + dimsString(y.shape) + " is not the " +
                      dimsString(expected) + " that reducing input " +
                      dimsString(x.shape) + " over dims " + dimsString(dims) +
                      (keepDims ? " with" : " without") + " keep_dims gives");
  if (y.empty())
    return b.finish();
  if (x.empty()) {
    b.fill(1, identity);
    return b.finish();
  }

  // (kept, reduced) runs: src dims and dst dims (1 where reduced).
  Dims src, dst;
  int previous = -1;
  for (size_t i = 0; i < x.shape.size(); ++i) {
    if (x.shape[i] == 1)
      continue;
    int key = reduced[i] ? 1 : 0;
    if (key == previous) {
      src.back() *= x.shape[i];
      dst.back() *= reduced[i] ? 1 : x.shape[i];
    } else {
      src.push_back(x.shape[i]);
      dst.push_back(reduced[i] ? 1 : x.shape[i]);
      previous = key;
    }
  }
  if (src == dst) {
    // Nothing (of size above 1) is reduced: y is x.
    if (x.data == y.data)
      return b.finish();
    dnnl::memory::desc md = plainDesc({x.elements});
    dnnl::reorder::primitive_desc pd(b.engine(), md, b.engine(), md, b.attr());
    if (Status s = b.add(pd, {{DNNL_ARG_FROM, b.operand(0, md)},
                              {DNNL_ARG_TO, b.operand(1, md)}});
        !s)
      return s;
    return b.finish();
  }
  dnnl::memory::desc srcMd = plainDesc(src), dstMd = plainDesc(dst);
  // oneDNN 2.6 reduces the innermost dims with JIT code but others with its
  // reference implementation (65 ms for [2048, 768] over dim 0 here, a bias
  // gradient). A sum over a run (R) that the innermost kept run (K) follows
  // is a product with ones instead: (1, R) @ (R, K), batched over a leading
  // kept run B, (1, 1, R) @ (B, R, K); a mean scales it by 1 / R.
  bool sumLike =
      alg == algorithm::reduction_sum || alg == algorithm::reduction_mean;
  if (sumLike && dst.back() != 1 && (src.size() == 2 || src.size() == 3)) {
    int64_t r = src[src.size() - 2];
    Dims onesDims(src.size(), 1);
    onesDims.back() = r;
    dnnl::memory::desc onesMd = plainDesc(onesDims);
    dnnl::memory ones = b.owned(onesMd);
    std::fill_n(static_cast<float *>(ones.get_data_handle()), r, 1.0f);
    dnnl::primitive_attr attr = b.attr();
    if (alg == algorithm::reduction_mean)
      attr.set_output_scales(0, {1.0f / static_cast<float>(r)});
    dnnl::matmul::primitive_desc pd(dnnl::matmul::desc(onesMd, srcMd, dstMd),
                                    attr, b.engine());
    if (Status s = b.add(pd, {{DNNL_ARG_SRC, ones},
                              {DNNL_ARG_WEIGHTS, b.operand(0, srcMd)},
                              {DNNL_ARG_DST, b.operand(1, dstMd)}});
        !s)
      return s;
    return b.finish();
  }
  dnnl::reduction::primitive_desc pd(
      dnnl::reduction::desc(alg, srcMd, dstMd, 0.0f, 0.0f), b.attr(),
      b.engine());
  if (Status s = b.add(pd, {{DNNL_ARG_SRC, b.operand(0, srcMd)},
                            {DNNL_ARG_DST, b.operand(1, dstMd)}});
      !s)
    return s;
  return b.finish();
}
