//===- OneDnnNorm.cpp - onednn.softmax, log_softmax, layer_norm -----------===//
//
// Part of Loom. This file implements the kernels of onednn.softmax,
// onednn.log_softmax and onednn.layer_norm on oneDNN's softmax_forward,
// logsoftmax_forward and layer_normalization_forward primitives. Each views
// its row-major tensor in the fewest dimensions that keep its meaning (outer
// x axis x inner for softmax, rows x normalized size for layer norm): the
// same bytes, and shapes oneDNN's fast implementations take.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/OneDnnSupport.h"

#include <cmath>

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;
using dnnl::prop_kind;

//===----------------------------------------------------------------------===//
// onednn.softmax, onednn.log_softmax
//===----------------------------------------------------------------------===//

/// Shared body: x (..., L, ...) -> y of the same shape, (log-)normalized
/// along `dim` (of size L).
static StatusOr<std::unique_ptr<Kernel>>
createSoftmaxImpl(KernelBuilder &b, const KernelSpec &spec, bool isLog) {
  if (Status s = spec.expectOperands({"input", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  int64_t dim;
  if (Status s = spec.getInt("dim", dim); !s)
    return s;
  const Operand &x = spec[0], &y = spec[1];
  if (dim < 0 || dim >= x.rank())
    return spec.error("attribute 'dim' = " + std::to_string(dim) +
                      " is out of range for input " + dimsString(x.shape) +
                      " of rank " + std::to_string(x.rank()));
  if (y.shape != x.shape)
    return spec.error("result " + dimsString(y.shape) +
                      " must have the shape of input " + dimsString(x.shape));
  if (x.empty())
    return b.finish();
  int64_t outer = 1, inner = 1;
  for (int64_t i = 0; i < dim; ++i)
    outer *= x.shape[i];
  for (int64_t i = dim + 1; i < x.rank(); ++i)
    inner *= x.shape[i];
  Dims view = {outer, x.shape[dim]};
  if (inner != 1)
    view.push_back(inner);
  dnnl::memory::desc md = plainDesc(view);
  std::vector<std::pair<int, dnnl::memory>> args = {
      {DNNL_ARG_SRC, b.operand(0, md)}, {DNNL_ARG_DST, b.operand(1, md)}};
  if (isLog) {
    dnnl::logsoftmax_forward::primitive_desc pd(
        dnnl::logsoftmax_forward::desc(prop_kind::forward_inference, md, 1),
        b.attr(), b.engine());
    if (Status s = b.add(pd, args); !s)
      return s;
  } else {
    dnnl::softmax_forward::primitive_desc pd(
        dnnl::softmax_forward::desc(prop_kind::forward_inference, md, 1),
        b.attr(), b.engine());
    if (Status s = b.add(pd, args); !s)
      return s;
  }
  return b.finish();
}

StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createSoftmax(KernelBuilder &b, const KernelSpec &spec) {
  return createSoftmaxImpl(b, spec, /*isLog=*/false);
}

StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createLogSoftmax(KernelBuilder &b, const KernelSpec &spec) {
  return createSoftmaxImpl(b, spec, /*isLog=*/true);
}

//===----------------------------------------------------------------------===//
// onednn.layer_norm
//===----------------------------------------------------------------------===//

// x (..., *S), scale (*S), bias (*S) -> y (..., *S), normalized over the
// trailing dims S with the biased variance: viewed as (rows, |S|).
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createLayerNorm(KernelBuilder &b, const KernelSpec &spec) {
  if (Status s = spec.expectOperands({"input", "scale", "bias", "result"}); !s)
    return s;
  if (Status s = spec.expectF32(); !s)
    return s;
  double epsilon;
  if (Status s = spec.getFloat("epsilon", epsilon, 1e-5); !s)
    return s;
  // oneDNN takes epsilon as f32.
  if (!(epsilon > 0.0) || !std::isfinite(static_cast<float>(epsilon)))
    return spec.error("attribute 'epsilon' = " + std::to_string(epsilon) +
                      " must be positive and finite in f32");
  const Operand &x = spec[0], &scale = spec[1], &bias = spec[2], &y = spec[3];
  if (scale.shape != bias.shape)
    return spec.error("scale " + dimsString(scale.shape) + " and bias " +
                      dimsString(bias.shape) + " must have the same shape");
  bool trailing = scale.rank() >= 1 && scale.rank() <= x.rank();
  for (int64_t i = 0; trailing && i < scale.rank(); ++i)
    trailing = scale.shape[i] == x.shape[x.rank() - scale.rank() + i];
  if (!trailing)
    return spec.error("scale " + dimsString(scale.shape) +
                      " must be the trailing dimensions of input " +
                      dimsString(x.shape) + " (rank >= 1)");
  if (y.shape != x.shape)
    return spec.error("result " + dimsString(y.shape) +
                      " must have the shape of input " + dimsString(x.shape));
  if (x.empty())
    return b.finish();
  int64_t size = scale.elements;
  dnnl::memory::desc md = plainDesc({x.elements / size, size});
  dnnl::memory::desc params = plainDesc({size});
  dnnl::layer_normalization_forward::primitive_desc pd(
      dnnl::layer_normalization_forward::desc(
          prop_kind::forward_inference, md, static_cast<float>(epsilon),
          dnnl::normalization_flags::use_scale |
              dnnl::normalization_flags::use_shift),
      b.attr(), b.engine());
  if (Status s = b.add(pd, {{DNNL_ARG_SRC, b.operand(0, md)},
                            {DNNL_ARG_SCALE, b.operand(1, params)},
                            {DNNL_ARG_SHIFT, b.operand(2, params)},
                            {DNNL_ARG_DST, b.operand(3, md)}});
      !s)
    return s;
  return b.finish();
}
