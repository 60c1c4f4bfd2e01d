//===- OneDnnPool.cpp - onednn.pool2d and onednn.pool2d_backward ----------===//
//
// Part of Loom. This file implements the kernels of onednn.pool2d and
// onednn.pool2d_backward on oneDNN's pooling_forward and pooling_backward
// primitives. Max pooling's backward needs the forward's workspace (where
// each window's maximum came from): the kernel recomputes it from the
// forward input with a forward_training primitive into a workspace and an
// output it owns, then runs the backward, so that the loom op's operands
// (grad_out and input) are all it needs.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

#include <limits>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {
/// A pooling x (N, C, H, W) -> y (N, C, HO, WO) and its attributes.
struct PoolGeometry {
  bool isMax = true;
  bool countIncludePad = false;
  Dims window, strides, padding;
};
} // namespace

/// Attribute entries stop here, so that no size computed from them
/// overflows.
constexpr int64_t kMaxAttr = int64_t(1) << 30;

/// Reads the attributes of a pool2d-like kernel (kind first, which decides
/// the backward's operands).
static Status readPoolAttrs(const KernelSpec &spec, PoolGeometry &g) {
  std::string kind;
  if (Status s = spec.getString("kind", kind); !s)
    return s;
  if (kind != "max" && kind != "avg")
    return spec.error("attribute 'kind' = '" + kind +
                      "' is not one of max, avg");
  g.isMax = kind == "max";
  if (Status s = spec.getInts("window", g.window, 2, 1); !s)
    return s;
  if (Status s = spec.getInts("strides", g.strides, 2, 1); !s)
    return s;
  if (Status s = spec.getInts("padding", g.padding, 4, 0, Dims{0, 0, 0, 0}); !s)
    return s;
  if (Status s = spec.getFlag("count_include_pad", g.countIncludePad); !s)
    return s;
  for (const char *key : {"window", "strides", "padding"}) {
    const Dims &values = key[0] == 'w'   ? g.window
                         : key[0] == 's' ? g.strides
                                         : g.padding;
    for (int64_t v : values)
      if (v > kMaxAttr)
        return spec.error(std::string("attribute '") + key + "' = " +
                          dimsString(values) + " has an entry above 2^30");
  }
  return Status();
}

/// Checks that pooling `x` (operand `xName`) gives `y` (operand `yName`), as
/// loom.pool2d's shape rule does.
static Status checkPoolShapes(const KernelSpec &spec, const PoolGeometry &g,
                              const Dims &x, const char *xName, const Dims &y,
                              const char *yName) {
  if (x.size() != 4 || y.size() != 4)
    return spec.error(std::string(xName) + " " + dimsString(x) + " and " +
                      yName + " " + dimsString(y) + " must have rank 4 (NCHW)");
  Dims expected = {x[0], x[1]};
  for (int i = 0; i < 2; ++i) {
    if (g.padding[2 * i] >= g.window[i] || g.padding[2 * i + 1] >= g.window[i])
      return spec.error("padding " + dimsString(g.padding) +
                        " must be smaller than window " + dimsString(g.window) +
                        " in dimension " + std::to_string(2 + i));
    int64_t size = x[2 + i] + g.padding[2 * i] + g.padding[2 * i + 1];
    if (g.window[i] > size)
      return spec.error("window " + dimsString(g.window) +
                        " is larger than the padded " + xName + " " +
                        dimsString(x) + " (" + std::to_string(size) +
                        ") in dimension " + std::to_string(2 + i));
    expected.push_back((size - g.window[i]) / g.strides[i] + 1);
  }
  if (y != expected)
    return spec.error(std::string(yName) + " " + dimsString(y) +
                      " is not the pool2d result " + dimsString(expected) +
                      " of " + xName + " " + dimsString(x));
  return Status();
}

namespace {
/// oneDNN's view of a PoolGeometry over x and y.
struct PoolDescs {
  dnnl::memory::desc x, y;
  algorithm alg;
  dnnl::memory::dims strides, kernel, padL, padR;

  PoolDescs(const PoolGeometry &g, const Dims &xDims, const Dims &yDims)
      : x(plainDesc(xDims)), y(plainDesc(yDims)),
        // Both avg rules match loom's: the in-bounds count, or under
        // count_include_pad KH * KW (every window lies in the padded input).
        alg(g.isMax             ? algorithm::pooling_max
            : g.countIncludePad ? algorithm::pooling_avg_include_padding
                                : algorithm::pooling_avg_exclude_padding),
        strides{g.strides[0], g.strides[1]}, kernel{g.window[0], g.window[1]},
        padL{g.padding[0], g.padding[2]}, padR{g.padding[1], g.padding[3]} {}

  dnnl::pooling_forward::desc forward(prop_kind prop) const {
    return dnnl::pooling_forward::desc(prop, alg, x, y, strides, kernel, padL,
                                       padR);
  }
};
} // namespace

// x (N, C, H, W) -> y (N, C, HO, WO).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createPool2d(KernelBuilder &b, const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"input", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  PoolGeometry g;
  if (Status s = readPoolAttrs(spec, g); !s)
    return s;
  if (Status s = checkPoolShapes(spec, g, spec[0].shape, "input", spec[1].shape,
                                 "result");
      !s)
    return s;
  if (spec[1].empty())
    return b.finish();
  if (spec[0].empty()) {
    // H or W is 0 and every window lies in the padding: max of nothing is
    // -inf, avg of nothing 0 (the reference's rule).
    b.fill(1, g.isMax ? -std::numeric_limits<float>::infinity() : 0.0f);
    return b.finish();
  }
  PoolDescs d(g, spec[0].shape, spec[1].shape);
  dnnl::pooling_forward::primitive_desc pd(
      d.forward(prop_kind::forward_inference), b.attr(), b.engine());
  if (Status s = b.add(pd, {{DNNL_ARG_SRC, b.operand(0, d.x)},
                            {DNNL_ARG_DST, b.operand(1, d.y)}});
      !s)
    return s;
  return b.finish();
}

// dy (N, C, HO, WO) [, x (N, C, H, W) for max] -> dx (N, C, H, W).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createPool2dBackward(KernelBuilder &b,
                                        const KernelSpec &spec) {
  PoolGeometry g;
  if (Status s = readPoolAttrs(spec, g); !s)
    return s;
  std::vector<std::string> names = {"grad_out", "result"};
  if (g.isMax)
    names.insert(names.begin() + 1, "input");
  if (Status s = spec.expectOperands(names); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  const Operand &gradOut = spec[0], &result = spec.back();
  if (g.isMax && spec[1].shape != result.shape)
    return spec.error("input " + dimsString(spec[1].shape) + " and result " +
                      dimsString(result.shape) + " must have the same shape");
  if (Status s = checkPoolShapes(spec, g, result.shape, "result", gradOut.shape,
                                 "grad_out");
      !s)
    return s;
  size_t out = spec.size() - 1;
  if (result.empty())
    return b.finish();
  if (gradOut.empty()) {
    b.fill(out, 0.0f);
    return b.finish();
  }

  PoolDescs d(g, result.shape, gradOut.shape);
  dnnl::pooling_forward::primitive_desc forward(
      d.forward(prop_kind::forward_training), b.attr(), b.engine());
  dnnl::pooling_backward::primitive_desc pd(
      dnnl::pooling_backward::desc(d.alg, d.x, d.y, d.strides, d.kernel, d.padL,
                                   d.padR),
      b.attr(), b.engine(), forward);
  if (!g.isMax) {
    if (Status s = b.add(pd, {{DNNL_ARG_DIFF_DST, b.operand(0, d.y)},
                              {DNNL_ARG_DIFF_SRC, b.operand(out, d.x)}});
        !s)
      return s;
    return b.finish();
  }
  // Max: recompute the workspace from the input, then route grad_out.
  dnnl::memory workspace = b.owned(forward.workspace_desc());
  if (Status s = b.add(forward, {{DNNL_ARG_SRC, b.operand(1, d.x)},
                                 {DNNL_ARG_DST, b.owned(d.y)},
                                 {DNNL_ARG_WORKSPACE, workspace}});
      !s)
    return s;
  if (Status s = b.add(pd, {{DNNL_ARG_DIFF_DST, b.operand(0, d.y)},
                            {DNNL_ARG_WORKSPACE, workspace},
                            {DNNL_ARG_DIFF_SRC, b.operand(out, d.x)}});
      !s)
    return s;
  return b.finish();
}
