//===- Patterns.h - Lowering patterns of loom ops to linalg -----*- C++ -*-===//
//
// Part of Loom. One populate function per op family, each defined in its
// Lower<Family>.cpp, in LoomOps.td order. Each pattern converts one loom op
// into linalg/tensor/arith/math/scf ops on tensors, reading its operands from
// the conversion's adaptor, so that patterns compose over a region of ops.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_CPU_CODEGEN_PATTERNS_H
#define LOOM_BACKENDS_CPU_CODEGEN_PATTERNS_H

#include "backends/cpu/codegen/LoweringUtils.h"

#include "mlir/Transforms/DialectConversion.h"

namespace mlir::loom::cpu {

/// A conversion pattern that sees the pass's options.
template <typename OpTy>
struct OptionsPattern : public OpConversionPattern<OpTy> {
  OptionsPattern(MLIRContext *ctx, const LoweringOptions &options)
      : OpConversionPattern<OpTy>(ctx), options(options) {}
  LoweringOptions options;
};

/// Unary, binary, compare, select, cast: one linalg.generic with NumPy
/// broadcasting indexing maps.
void populateLowerElementwisePatterns(RewritePatternSet &patterns,
                                      const LoweringOptions &options);
/// broadcast, reshape, transpose, slice, concat.
void populateLowerShapePatterns(RewritePatternSet &patterns,
                                const LoweringOptions &options);
/// gather, scatter_add, constant, iota.
void populateLowerIndexingPatterns(RewritePatternSet &patterns,
                                   const LoweringOptions &options);
/// reduce, softmax, log_softmax, layer_norm, cross_entropy.
void populateLowerReducePatterns(RewritePatternSet &patterns,
                                 const LoweringOptions &options);
/// matmul, conv2d, conv2d_backward_input, conv2d_backward_filter.
void populateLowerContractPatterns(RewritePatternSet &patterns,
                                   const LoweringOptions &options);
/// pool2d, pool2d_backward.
void populateLowerPoolPatterns(RewritePatternSet &patterns,
                               const LoweringOptions &options);
/// attention, dropout.
void populateLowerNNPatterns(RewritePatternSet &patterns,
                             const LoweringOptions &options);

} // namespace mlir::loom::cpu

#endif // LOOM_BACKENDS_CPU_CODEGEN_PATTERNS_H
