//===- FlashKernels.cpp - cpu.flash_attention{,_backward} -----------------===//
//
// Part of Loom. This file implements the kernels of the records
// cpu.flash_attention and cpu.flash_attention_backward
// (runtime/cpu/README.md) on FlashAttention.h: the record is checked like a
// oneDNN one (KernelSpec), the tile loops' scratch is the context's
// scratchpad, reserved here, and run() calls the tile loops.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/FlashAttention.h"
#include "runtime/cpu/OneDnnSupport.h"

#include <cmath>

extern "C" int omp_get_max_threads(void);

using namespace loom;
using namespace loom::cpu;
using namespace loom::cpu::detail;

namespace {

/// A flash attention kernel: the forward, or the backward.
class FlashKernel final : public Kernel {
public:
  FlashKernel(CpuContext &ctx, const KernelSpec &spec, FlashAttention fa,
              bool backward)
      : Kernel(spec.kind(), spec.signature(),
               std::string("loom:flash:") + FlashAttention::isa()),
        ctx(ctx), fa(fa), backward(backward) {
    for (size_t i = 0; i < spec.size(); ++i)
      data.push_back(static_cast<float *>(spec[i].data));
  }

  Status run() override {
    if (backward)
      fa.backward(data[0], data[1], data[2], data[3], data[4], data[5], data[6],
                  data[7], data[8], ctx.scratchpad());
    else
      fa.forward(data[0], data[1], data[2], data[3], data[4], ctx.scratchpad());
    return Status();
  }

private:
  CpuContext &ctx;
  FlashAttention fa;
  bool backward;
  std::vector<float *> data; ///< the operands, in record order
};

/// Checks what both kinds share: f32, query (..., T, D), key (..., S, D),
/// value (..., S, DV) of one rank >= 2 and equal leading dims, the causal
/// flag (T == S) and the scale; fills `shape`.
Status readAttention(const KernelSpec &spec, AttentionShape &shape) {
  if (Status s = spec.expectF32(); !s)
    return s;
  const Operand &q = spec[0], &k = spec[1], &v = spec[2];
  int64_t rank = q.rank();
  if (rank < 2 || k.rank() != rank || v.rank() != rank)
    return spec.error("query " + dimsString(q.shape) + ", key " +
                      dimsString(k.shape) + " and value " +
                      dimsString(v.shape) +
                      " must have one rank of at least 2");
  shape.batch = 1;
  for (int64_t i = 0; i < rank - 2; ++i) {
    if (k.shape[i] != q.shape[i] || v.shape[i] != q.shape[i])
      return spec.error("query " + dimsString(q.shape) + ", key " +
                        dimsString(k.shape) + " and value " +
                        dimsString(v.shape) +
                        " must have equal leading dimensions");
    shape.batch *= q.shape[i];
  }
  shape.t = q.shape[rank - 2];
  shape.d = q.shape[rank - 1];
  shape.s = k.shape[rank - 2];
  shape.dv = v.shape[rank - 1];
  if (k.shape[rank - 1] != shape.d)
    return spec.error("query " + dimsString(q.shape) + " and key " +
                      dimsString(k.shape) + " must have the same head size");
  if (v.shape[rank - 2] != shape.s)
    return spec.error("key " + dimsString(k.shape) + " and value " +
                      dimsString(v.shape) +
                      " must have the same number of keys");
  if (Status s = spec.getFlag("causal", shape.causal); !s)
    return s;
  if (shape.causal && shape.t != shape.s)
    return spec.error("causal attention needs as many queries as keys, not " +
                      std::to_string(shape.t) + " and " +
                      std::to_string(shape.s));
  double scale;
  if (Status s = spec.getFloat("scale", scale); !s)
    return s;
  if (!(scale > 0.0) || !std::isfinite(static_cast<float>(scale)))
    return spec.error("attribute 'scale' = " + std::to_string(scale) +
                      " must be positive and finite in f32");
  shape.scale = static_cast<float>(scale);
  return Status();
}

/// Operand `i` must have `want`, the shape that `what` has in attention.
Status expectShape(const KernelSpec &spec, size_t i, const char *name,
                   const Dims &want) {
  if (spec[i].shape == want)
    return Status();
  return spec.error(std::string(name) + " " + dimsString(spec[i].shape) +
                    " must be " + dimsString(want));
}

/// The output's shape (..., T, DV) and lse's (..., T).
void outputShapes(const KernelSpec &spec, Dims &out, Dims &lse) {
  out = spec[0].shape;
  out.back() = spec[2].shape.back();
  lse = Dims(spec[0].shape.begin(), spec[0].shape.end() - 1);
}

StatusOr<std::unique_ptr<Kernel>> finish(KernelBuilder &b,
                                         const KernelSpec &spec,
                                         const AttentionShape &shape,
                                         bool backward) {
  FlashAttention fa(shape, std::max(omp_get_max_threads(), 1));
  size_t bytes =
      backward ? fa.backwardScratchBytes() : fa.forwardScratchBytes();
  if (Status s = b.context().reserveScratchpad(bytes); !s)
    return s;
  return std::unique_ptr<Kernel>(
      std::make_unique<FlashKernel>(b.context(), spec, fa, backward));
}

} // namespace

//===----------------------------------------------------------------------===//
// cpu.flash_attention
//===----------------------------------------------------------------------===//

// query (..., T, D), key (..., S, D), value (..., S, DV)
//   -> result (..., T, DV), lse (..., T)
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createFlashAttention(KernelBuilder &b,
                                        const KernelSpec &spec) {
  if (Status s =
          spec.expectOperands({"query", "key", "value", "result", "lse"});
      !s)
    return s;
  AttentionShape shape;
  if (Status s = readAttention(spec, shape); !s)
    return s;
  Dims out, lse;
  outputShapes(spec, out, lse);
  if (Status s = expectShape(spec, 3, "result", out); !s)
    return s;
  if (Status s = expectShape(spec, 4, "lse", lse); !s)
    return s;
  return finish(b, spec, shape, /*backward=*/false);
}

//===----------------------------------------------------------------------===//
// cpu.flash_attention_backward
//===----------------------------------------------------------------------===//

// query, key, value, output (..., T, DV), grad_out (..., T, DV), lse (..., T)
//   -> grad_query, grad_key, grad_value (the shapes of query, key, value)
StatusOr<std::unique_ptr<Kernel>>
loom::cpu::detail::createFlashAttentionBackward(KernelBuilder &b,
                                                const KernelSpec &spec) {
  if (Status s =
          spec.expectOperands({"query", "key", "value", "output", "grad_out",
                               "lse", "grad_query", "grad_key", "grad_value"});
      !s)
    return s;
  AttentionShape shape;
  if (Status s = readAttention(spec, shape); !s)
    return s;
  Dims out, lse;
  outputShapes(spec, out, lse);
  if (Status s = expectShape(spec, 3, "output", out); !s)
    return s;
  if (Status s = expectShape(spec, 4, "grad_out", out); !s)
    return s;
  if (Status s = expectShape(spec, 5, "lse", lse); !s)
    return s;
  if (Status s = expectShape(spec, 6, "grad_query", spec[0].shape); !s)
    return s;
  if (Status s = expectShape(spec, 7, "grad_key", spec[1].shape); !s)
    return s;
  if (Status s = expectShape(spec, 8, "grad_value", spec[2].shape); !s)
    return s;
  return finish(b, spec, shape, /*backward=*/true);
}
