//===- Kernels.h - The reference kernels, one per loom op -------*- C++ -*-===//
//
// Part of Loom. Straightforward, obviously correct implementations of every
// loom op on host tensors: the numerical oracle of the project's tests.
// Shapes are given in the comments as in llm.c. Inputs are assumed to have
// passed the op's verifier (the interpreter only runs verified IR); what can
// only be known at run time (an index or label out of range) is reported by
// returning false with `error` set.
//
// Sections follow ir/LoomOps.td. Results are exact in double and rounded to
// the result's element type by the caller.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_BACKENDS_REFERENCE_KERNELS_H
#define LOOM_BACKENDS_REFERENCE_KERNELS_H

#include "backends/reference/Tensor.h"

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mlir::loom::reference {

//===----------------------------------------------------------------------===//
// Elementwise (KernelsElementwise.cpp)
//===----------------------------------------------------------------------===//

enum class UnaryKind {
  Neg,
  Abs,
  Sign,
  Exp,
  Log,
  Sqrt,
  Rsqrt,
  Tanh,
  Cos,
  Sin,
  Sigmoid,
  Relu,
  Erf,
  Gelu,
  GeluTanh
};
/// y[i] = f(x[i]); same shape and type.
Tensor unary(UnaryKind kind, const Tensor &x);

enum class BinaryKind { Add, Sub, Mul, Div, Max, Min, Pow };
/// NumPy-broadcast elementwise op; integer Div rounds toward zero (a zero
/// divisor gives 0, as the IR leaves it unspecified).
Tensor binary(BinaryKind kind, const Tensor &lhs, const Tensor &rhs);

enum class CompareKind { Eq, Ne, Lt, Le, Gt, Ge };
/// Broadcast comparison giving i1.
Tensor compare(CompareKind kind, const Tensor &lhs, const Tensor &rhs);
/// Broadcast choice: cond ? a : b.
Tensor select(const Tensor &cond, const Tensor &a, const Tensor &b);
/// Element-type conversion (float -> int truncates and saturates).
Tensor cast(const Tensor &x, DType to);

/// The broadcast of two shapes (caller guarantees compatibility).
std::vector<int64_t> broadcastShape(const std::vector<int64_t> &a,
                                    const std::vector<int64_t> &b);

//===----------------------------------------------------------------------===//
// Data movement (KernelsData.cpp)
//===----------------------------------------------------------------------===//

Tensor broadcastTo(const Tensor &x, const std::vector<int64_t> &shape);
Tensor reshape(const Tensor &x, const std::vector<int64_t> &shape);
/// y.shape[i] = x.shape[perm[i]].
Tensor transpose(const Tensor &x, const std::vector<int64_t> &perm);
Tensor slice(const Tensor &x, const std::vector<int64_t> &start,
             const std::vector<int64_t> &limit,
             const std::vector<int64_t> &stride);
Tensor concat(const std::vector<Tensor> &inputs, int64_t dim);
/// table[p, indices[i], q] -> y[p, i, q]; false on an index out of range.
bool gather(const Tensor &table, const Tensor &indices, int64_t axis,
            Tensor &result, std::string &error);
/// dest + scatter of updates at indices along axis (repeats accumulate).
bool scatterAdd(const Tensor &dest, const Tensor &indices,
                const Tensor &updates, int64_t axis, Tensor &result,
                std::string &error);

//===----------------------------------------------------------------------===//
// Reductions and contractions (KernelsContract.cpp)
//===----------------------------------------------------------------------===//

enum class ReduceKind { Sum, Max, Min, Mean };
Tensor reduce(ReduceKind kind, const Tensor &x,
              const std::vector<int64_t> &dims, bool keepDims);
/// (..., M, K) x (..., K, N) -> (..., M, N), batch dims broadcast; the
/// transpose flags read an operand's last two dims swapped.
Tensor matmul(const Tensor &lhs, const Tensor &rhs, bool transposeLhs,
              bool transposeRhs);
/// x (N, C, H, W) * w (O, C/g, KH, KW) -> (N, O, HO, WO); padding is
/// [top, bottom, left, right] of zeros.
Tensor conv2d(const Tensor &x, const Tensor &w, std::array<int64_t, 2> strides,
              std::array<int64_t, 4> padding, std::array<int64_t, 2> dilations,
              int64_t groups);
/// dy (N, O, HO, WO) and w (O, C/g, KH, KW) -> dx of `inputShape`
/// (N, C, H, W): the adjoint of conv2d with respect to x.
Tensor conv2dBackwardInput(const Tensor &dy, const Tensor &w,
                           const std::vector<int64_t> &inputShape,
                           std::array<int64_t, 2> strides,
                           std::array<int64_t, 4> padding,
                           std::array<int64_t, 2> dilations, int64_t groups);
/// x (N, C, H, W) and dy (N, O, HO, WO) -> dw of `filterShape`
/// (O, C/g, KH, KW): the adjoint of conv2d with respect to w.
Tensor conv2dBackwardFilter(const Tensor &x, const Tensor &dy,
                            const std::vector<int64_t> &filterShape,
                            std::array<int64_t, 2> strides,
                            std::array<int64_t, 4> padding,
                            std::array<int64_t, 2> dilations, int64_t groups);
/// (N, C, H, W) -> (N, C, HO, WO).
Tensor pool2d(bool isMax, const Tensor &x, std::array<int64_t, 2> window,
              std::array<int64_t, 2> strides, std::array<int64_t, 4> padding,
              bool countIncludePad);
/// dy (N, C, HO, WO) -> dx of `inputShape` (N, C, H, W). Max needs the
/// forward input `x` (same shape) to find each window's first maximum; avg
/// ignores it (pass null).
Tensor pool2dBackward(bool isMax, const Tensor &dy, const Tensor *x,
                      const std::vector<int64_t> &inputShape,
                      std::array<int64_t, 2> window,
                      std::array<int64_t, 2> strides,
                      std::array<int64_t, 4> padding, bool countIncludePad);

//===----------------------------------------------------------------------===//
// Normalization, attention, losses, randomness (KernelsNN.cpp)
//===----------------------------------------------------------------------===//

Tensor softmax(const Tensor &x, int64_t dim);
Tensor logSoftmax(const Tensor &x, int64_t dim);
/// Normalizes over the trailing scale.rank() dims (biased variance).
Tensor layerNorm(const Tensor &x, const Tensor &scale, const Tensor &bias,
                 double epsilon);
/// softmax(q k^T * scale [+ causal mask]) v with q (..., T, D),
/// k (..., S, D), v (..., S, DV).
Tensor attention(const Tensor &q, const Tensor &k, const Tensor &v, bool causal,
                 std::optional<double> scale);
/// attention(q, k, v, causal, scale) and lse (..., T), the log-sum-exp of
/// each query row's (masked, scaled) scores.
std::pair<Tensor, Tensor> attentionWithLse(const Tensor &q, const Tensor &k,
                                           const Tensor &v, bool causal,
                                           std::optional<double> scale);
/// (dq, dk, dv) of attention from its output `o`, the adjoint `dout` of
/// it and `lse`: P = exp(scores - lse), dv = P^T dO, dP = dO v^T,
/// dS = P (dP - rowsum(dO * o)), dq = dS k scale, dk = dS^T q scale.
std::vector<Tensor> attentionBackward(const Tensor &q, const Tensor &k,
                                      const Tensor &v, const Tensor &o,
                                      const Tensor &dout, const Tensor &lse,
                                      bool causal, std::optional<double> scale);
enum class LossReduction { None, Sum, Mean };
/// logsumexp(logits[..., :]) - logits[..., label]; false on a label out of
/// range.
bool crossEntropy(LossReduction reduction, const Tensor &logits,
                  const Tensor &labels, Tensor &result, std::string &error);
/// Inverted dropout with the mask of Philox-4x32-10 keyed by (seed, step,
/// stream, element) (see runtime/Philox.h).
Tensor dropout(const Tensor &x, uint64_t seed, uint64_t step, double rate,
               uint64_t stream);
/// result[i0, ..., in] = i_dim.
Tensor iota(DType dtype, const std::vector<int64_t> &shape, int64_t dim);

} // namespace mlir::loom::reference

#endif // LOOM_BACKENDS_REFERENCE_KERNELS_H
