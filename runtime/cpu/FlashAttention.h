//===- FlashAttention.h - Attention without the score tensor ----*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). The CPU runtime's
// own attention kernels, FlashAttention-2's scheme on the host: the forward
// walks tiles of queries x keys with an online softmax (a running maximum
// and sum per query row) and keeps one log-sum-exp per query row; the
// backward recomputes each tile's probabilities from it. Neither keeps the
// (T, S) scores: a tile's live bytes are a few tens of KiB (L1/L2), and
// causal tiles above the diagonal are skipped entirely.
//
// The records `cpu.flash_attention` and `cpu.flash_attention_backward`
// (runtime/cpu/README.md) become these through createOneDnnKernel's table.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_CPU_FLASHATTENTION_H
#define LOOM_RUNTIME_CPU_FLASHATTENTION_H

#include <cstddef>
#include <cstdint>

namespace loom::cpu {

/// `batch` independent problems (the product of the leading dims) of `t`
/// queries and `s` keys, head sizes `d` (query, key) and `dv` (value); every
/// tensor row-major and contiguous.
struct AttentionShape {
  int64_t batch = 0, t = 0, s = 0, d = 0, dv = 0;
  bool causal = false; ///< query i sees keys j <= i (needs t == s)
  float scale = 1.0f;  ///< of the scores q k^T
};

/// The kernels of one shape. Each runs on libgomp's pool (the one oneDNN
/// uses) over at most `threads` threads, in `scratch` bytes the caller
/// provides (scratchBytes(), 64-byte aligned): running allocates nothing.
/// The forward splits its work by (problem, query tile), the backward by
/// problem (each thread owns the dq, dk, dv of the problems it runs).
class FlashAttention {
public:
  FlashAttention(const AttentionShape &shape, int threads);

  /// Bytes of scratch the forward / backward needs for `threads` threads.
  size_t forwardScratchBytes() const;
  size_t backwardScratchBytes() const;

  /// q (B, T, D), k (B, S, D), v (B, S, DV) -> out (B, T, DV) and
  /// lse (B, T) = log(sum_j exp(q_i k_j^T scale)) over the keys it sees.
  void forward(const float *q, const float *k, const float *v, float *out,
               float *lse, void *scratch) const;
  /// From the forward's out and lse and dout = d(loss)/d(out):
  /// P = exp(q k^T scale - lse), dv = P^T dout, dP = dout v^T,
  /// dS = P (dP - rowsum(dout * out)), dq = dS k scale, dk = dS^T q scale.
  void backward(const float *q, const float *k, const float *v,
                const float *out, const float *dout, const float *lse,
                float *dq, float *dk, float *dv, void *scratch) const;

  const AttentionShape &shape() const { return sh; }
  /// "avx512", "avx2" or "baseline": the instruction set the tile loops
  /// run with on this CPU (chosen when the program starts).
  static const char *isa();

private:
  AttentionShape sh;
  int threads;
};

} // namespace loom::cpu

#endif // LOOM_RUNTIME_CPU_FLASHATTENTION_H
