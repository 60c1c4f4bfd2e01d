//===- OneDnnConv.cpp - onednn.conv2d and its backward kernels ------------===//
//
// Part of Loom. This file implements the kernels of onednn.conv2d,
// onednn.conv2d_backward_input and onednn.conv2d_backward_filter on
// oneDNN's convolution_forward, convolution_backward_data and
// convolution_backward_weights primitives, over the NCHW / OIHW tensors of
// the arena as they are (no reorder to a blocked layout).
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;
using dnnl::algorithm;
using dnnl::prop_kind;

namespace {
/// A convolution x (N, C, H, W) * w (O, C/g, KH, KW) -> y (N, O, HO, WO)
/// and its attributes, whichever operands of the kernel play these roles.
struct ConvGeometry {
  Dims x, w, y;
  Dims strides, padding, dilations;
  int64_t groups = 1;
};

/// Who plays x, w and y in a kernel, by operand index and name.
struct ConvRoles {
  size_t x, w, y;
  const char *xName, *wName, *yName;
};
} // namespace

/// Attribute entries stop here, so that no size computed from them
/// overflows.
constexpr int64_t kMaxAttr = int64_t(1) << 30;

/// Reads the attributes of a conv2d-like kernel and checks the shapes of the
/// operands in `roles` as loom.conv2d's shape rule does.
static Status readConv(const KernelSpec &spec, const ConvRoles &roles,
                       ConvGeometry &g) {
  if (Status s = spec.getInts("strides", g.strides, 2, 1, Dims{1, 1}); !s)
    return s;
  if (Status s = spec.getInts("padding", g.padding, 4, 0, Dims{0, 0, 0, 0}); !s)
    return s;
  if (Status s = spec.getInts("dilations", g.dilations, 2, 1, Dims{1, 1}); !s)
    return s;
  if (Status s = spec.getInt("groups", g.groups, 1); !s)
    return s;
  for (const char *key : {"strides", "padding", "dilations"}) {
    const Dims &values = key[0] == 's'   ? g.strides
                         : key[0] == 'p' ? g.padding
                                         : g.dilations;
    for (int64_t v : values)
      if (v > kMaxAttr)
        return spec.error(std::string("attribute '") + key + "' = " +
                          dimsString(values) + " has an entry above 2^30");
  }
  g.x = spec[roles.x].shape;
  g.w = spec[roles.w].shape;
  g.y = spec[roles.y].shape;
  if (g.x.size() != 4 || g.w.size() != 4 || g.y.size() != 4)
    return spec.error(std::string(roles.xName) + " " + dimsString(g.x) + ", " +
                      roles.wName + " " + dimsString(g.w) + " and " +
                      roles.yName + " " + dimsString(g.y) +
                      " must have rank 4 (NCHW, OIHW, NCHW)");
  int64_t c = g.x[1], o = g.w[0];
  if (g.w[2] < 1 || g.w[3] < 1)
    return spec.error(std::string(roles.wName) + " " + dimsString(g.w) +
                      " must have a positive kernel size (KH, KW)");
  if (g.groups < 1 || c % g.groups != 0 || o % g.groups != 0)
    return spec.error("groups " + std::to_string(g.groups) +
                      " must be positive and divide the input channels " +
                      std::to_string(c) + " and the output channels " +
                      std::to_string(o));
  if (g.w[1] != c / g.groups)
    return spec.error(
        std::string(roles.wName) + " " + dimsString(g.w) + " has " +
        std::to_string(g.w[1]) + " input channels per group but " +
        roles.xName + " " + dimsString(g.x) + " with groups " +
        std::to_string(g.groups) + " needs " + std::to_string(c / g.groups));
  Dims expected = {g.x[0], o};
  for (int i = 0; i < 2; ++i) {
    int64_t size = g.x[2 + i] + g.padding[2 * i] + g.padding[2 * i + 1];
    int64_t span;
    if (__builtin_mul_overflow(g.dilations[i], g.w[2 + i] - 1, &span) ||
        span >= size)
      return spec.error(std::string(roles.wName) + " " + dimsString(g.w) +
                        " with dilations " + dimsString(g.dilations) +
                        " spans more than the padded " + roles.xName + " " +
                        dimsString(g.x) + " (" + std::to_string(size) +
                        ") in dimension " + std::to_string(2 + i));
    expected.push_back((size - span - 1) / g.strides[i] + 1);
  }
  if (g.y != expected)
    return spec.error(std::string(roles.yName) + " " + dimsString(g.y) +
                      " is not the conv2d result " + dimsString(expected) +
                      " of " + roles.xName + " " + dimsString(g.x) + " and " +
                      roles.wName + " " + dimsString(g.w));
  return Status();
}

namespace {
/// oneDNN's view of a ConvGeometry.
struct ConvDescs {
  dnnl::memory::desc x, w, y;
  dnnl::memory::dims strides, dilations, padL, padR;

  explicit ConvDescs(const ConvGeometry &g)
      : x(plainDesc(g.x)), y(plainDesc(g.y)),
        strides{g.strides[0], g.strides[1]},
        // oneDNN counts dilation from 0 (no gaps), loom from 1.
        dilations{g.dilations[0] - 1, g.dilations[1] - 1},
        padL{g.padding[0], g.padding[2]}, padR{g.padding[1], g.padding[3]} {
    // (O, C/g, KH, KW) holds the same bytes as (g, O/g, C/g, KH, KW).
    w = g.groups == 1
            ? plainDesc(g.w)
            : plainDesc({g.groups, g.w[0] / g.groups, g.w[1], g.w[2], g.w[3]});
  }

  dnnl::convolution_forward::desc forward() const {
    return dnnl::convolution_forward::desc(prop_kind::forward_training,
                                           algorithm::convolution_direct, x, w,
                                           y, strides, dilations, padL, padR);
  }
};
} // namespace

/// Whether the result needs no primitive: false to go on; true with the
/// kernel made in `b` (nothing to do for an empty result, zeros when an
/// input is empty and every sum is empty).
static bool emptyConv(KernelBuilder &b, const KernelSpec &spec) {
  const Operand &result = spec.back();
  if (result.empty())
    return true;
  if (!spec[0].empty() && !spec[1].empty())
    return false;
  b.fill(spec.size() - 1, 0.0f);
  return true;
}

// x (N, C, H, W) * w (O, C/g, KH, KW) -> y (N, O, HO, WO).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createConv2d(KernelBuilder &b, const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"input", "filter", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  ConvGeometry g;
  if (Status s = readConv(spec, {0, 1, 2, "input", "filter", "result"}, g); !s)
    return s;
  if (emptyConv(b, spec))
    return b.finish();
  ConvDescs d(g);
  dnnl::convolution_forward::primitive_desc pd(d.forward(), b.attr(),
                                               b.engine());
  if (Status s = b.add(pd, {{DNNL_ARG_SRC, b.operand(0, d.x)},
                            {DNNL_ARG_WEIGHTS, b.operand(1, d.w)},
                            {DNNL_ARG_DST, b.operand(2, d.y)}});
      !s)
    return s;
  return b.finish();
}

// dy (N, O, HO, WO), w (O, C/g, KH, KW) -> dx (N, C, H, W).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createConv2dBackwardInput(KernelBuilder &b,
                                             const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"grad_out", "filter", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  ConvGeometry g;
  if (Status s = readConv(spec, {2, 1, 0, "result", "filter", "grad_out"}, g);
      !s)
    return s;
  if (emptyConv(b, spec))
    return b.finish();
  ConvDescs d(g);
  dnnl::convolution_forward::primitive_desc hint(d.forward(), b.engine());
  dnnl::convolution_backward_data::primitive_desc pd(
      dnnl::convolution_backward_data::desc(algorithm::convolution_direct, d.x,
                                            d.w, d.y, d.strides, d.dilations,
                                            d.padL, d.padR),
      b.attr(), b.engine(), hint);
  if (Status s = b.add(pd, {{DNNL_ARG_DIFF_DST, b.operand(0, d.y)},
                            {DNNL_ARG_WEIGHTS, b.operand(1, d.w)},
                            {DNNL_ARG_DIFF_SRC, b.operand(2, d.x)}});
      !s)
    return s;
  return b.finish();
}

// x (N, C, H, W), dy (N, O, HO, WO) -> dw (O, C/g, KH, KW).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createConv2dBackwardFilter(KernelBuilder &b,
                                              const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"input", "grad_out", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  ConvGeometry g;
  if (Status s = readConv(spec, {0, 2, 1, "input", "result", "grad_out"}, g);
      !s)
    return s;
  if (emptyConv(b, spec))
    return b.finish();
  ConvDescs d(g);
  dnnl::convolution_forward::primitive_desc hint(d.forward(), b.engine());
  dnnl::convolution_backward_weights::primitive_desc pd(
      dnnl::convolution_backward_weights::desc(algorithm::convolution_direct,
                                               d.x, d.w, d.y, d.strides,
                                               d.dilations, d.padL, d.padR),
      b.attr(), b.engine(), hint);
  if (Status s = b.add(pd, {{DNNL_ARG_SRC, b.operand(0, d.x)},
                            {DNNL_ARG_DIFF_DST, b.operand(1, d.y)},
                            {DNNL_ARG_DIFF_WEIGHTS, b.operand(2, d.w)}});
      !s)
    return s;
  return b.finish();
}
