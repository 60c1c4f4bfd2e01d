//===- FlashAttention.cpp - Attention without the score tensor ------------===//
//
// Part of Loom. This file implements FlashAttention.h. The tile loops are
// written once (templates of always-inlined helpers) and compiled three
// times, for AVX-512, AVX2 with FMA and the baseline x86-64 the runtime is
// built for; the program picks one when it starts, from what the CPU has.
// Every matrix product of a tile is gemmAcc: a 4 x 32 block of the result
// kept in registers while it walks the inner dimension, over tiles packed
// (and zero-padded) into the scratch, so that the compiler vectorizes it
// without edge cases.
//
//===----------------------------------------------------------------------===//

#include "runtime/cpu/FlashAttention.h"

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstring>
#include <limits>

// The GNU OpenMP runtime's entry points (libgomp, the pool oneDNN runs on),
// called directly, as runtime/exec/Executor.cpp does, so that a compiler
// with another OpenMP runtime never adds a second pool to the process.
extern "C" {
void GOMP_parallel(void (*fn)(void *), void *data, unsigned numThreads,
                   unsigned flags);
int omp_get_thread_num(void);
}

using namespace loom::cpu;

namespace {

/// Query rows and key columns of a tile: a tile's scores are 16 KiB, and
/// its packed operands (head size 64) as much each, in L1 and L2.
constexpr int64_t kBr = 64, kBc = 64;
/// gemmAcc's register block: kMr rows x kNr columns.
constexpr int64_t kMr = 4, kNr = 32;
/// Lanes of the row reductions (one AVX-512 vector).
constexpr int64_t kLanes = 16;
static_assert(kBc % kLanes == 0, "rows are whole lanes");
static_assert(kBr % kMr == 0 && kBc % kNr == 0 && kBc % kMr == 0,
              "tiles are whole register blocks");

int64_t roundUp(int64_t x, int64_t m) { return (x + m - 1) / m * m; }

#define LOOM_INLINE inline __attribute__((always_inline))

/// C (m x n) += A (m x k) B (k x n), all row-major with leading dims
/// lda, ldb, ldc; m a multiple of kMr, n of kNr.
LOOM_INLINE void gemmAcc(int64_t m, int64_t k, int64_t n, const float *a,
                         int64_t lda, const float *b, int64_t ldb, float *c,
                         int64_t ldc) {
  for (int64_t i = 0; i < m; i += kMr)
    for (int64_t j = 0; j < n; j += kNr) {
      float acc[kMr][kNr];
      for (int64_t r = 0; r < kMr; ++r)
        for (int64_t x = 0; x < kNr; ++x)
          acc[r][x] = c[(i + r) * ldc + j + x];
      for (int64_t p = 0; p < k; ++p) {
        const float *bp = b + p * ldb + j;
        for (int64_t r = 0; r < kMr; ++r) {
          float av = a[(i + r) * lda + p];
          for (int64_t x = 0; x < kNr; ++x)
            acc[r][x] += av * bp[x];
        }
      }
      for (int64_t r = 0; r < kMr; ++r)
        for (int64_t x = 0; x < kNr; ++x)
          c[(i + r) * ldc + j + x] = acc[r][x];
    }
}

/// e^x for x <= 0 (the scores minus their row's maximum or log-sum-exp),
/// within 1 ulp (every f32 in [-87, 0], against double exp):
/// x = n ln2 + r with |r| <= ln2 / 2, a degree-6 polynomial for e^r
/// (Cephes' expf), times 2^n built in the exponent bits. Branch-free, so
/// that loops of it vectorize; below -87 (and for -inf) it gives e^-87, and
/// NaN for NaN.
LOOM_INLINE float expNonPositive(float x) {
  // std::max and std::min keep a NaN x (NaN < c is false): it reaches the
  // polynomial and the result. The exponent comes from a NaN-free copy,
  // since converting NaN to an integer is undefined.
  x = std::max(x, -87.0f);
  x = std::min(x, 0.0f);
  float finite = x == x ? x : 0.0f;
  // n = round(x / ln2) by the float adder: adding 1.5 * 2^23 leaves the
  // integer part in the low mantissa bits (no call to floor, which the
  // baseline build cannot inline and so would not vectorize).
  const float shifter = 12582912.0f;
  float n = (finite * 1.44269504088896341f + shifter) - shifter;
  float r = x - n * 0.693359375f + n * 2.12194440e-4f;
  float p = 1.9875691500e-4f;
  p = p * r + 1.3981999507e-3f;
  p = p * r + 8.3334519073e-3f;
  p = p * r + 4.1665795894e-2f;
  p = p * r + 1.6666665459e-1f;
  p = p * r + 5.0000001201e-1f;
  p = p * r * r + r + 1.0f;
  int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float two;
  std::memcpy(&two, &bits, sizeof(two));
  return p * two;
}

/// The operands of a run, shared by its threads.
struct Call {
  const AttentionShape *sh;
  const float *q, *k, *v, *out, *dout, *lse;
  float *o, *l, *dq, *dk, *dv;
  char *scratch;
  size_t perThread; ///< bytes of scratch each thread owns
  int64_t items;
  std::atomic<int64_t> next{0};
  void (*work)(const Call &, int64_t item, float *ws);
};

/// Floats of scratch one thread needs.
int64_t forwardFloats(const AttentionShape &s) {
  int64_t dvp = roundUp(s.dv, kNr);
  return kBr * s.d + s.d * kBc + kBc * dvp + kBr * kBc + kBr * dvp + 2 * kBr;
}
int64_t backwardFloats(const AttentionShape &s) {
  int64_t dp = roundUp(s.d, kNr), dvp = roundUp(s.dv, kNr);
  int64_t tp = roundUp(s.t, kBr);
  return kBr * dp + kBr * dvp + s.d * kBc + kBc * dp + s.dv * kBc +
         4 * kBr * kBc + kBc * dp + kBc * dvp + tp * dp + tp;
}

//===----------------------------------------------------------------------===//
// Forward
//===----------------------------------------------------------------------===//

// One query tile of one problem: O (rows, DV) and lse (rows) from the key
// tiles it sees, with the online softmax: per row a running maximum m and
// sum l; a tile with maximum m' rescales what came before by e^(m - m').
LOOM_INLINE void forwardTile(const Call &c, int64_t item, float *ws) {
  const AttentionShape &sh = *c.sh;
  const int64_t t = sh.t, s = sh.s, d = sh.d, dv = sh.dv;
  const int64_t dvp = roundUp(dv, kNr);
  int64_t tiles = (t + kBr - 1) / kBr;
  // The last query tiles see the most keys under a causal mask: they go
  // first, so that the threads end together.
  int64_t b = item / tiles, i0 = (tiles - 1 - item % tiles) * kBr;
  int64_t rows = std::min(kBr, t - i0);
  const float *q = c.q + b * t * d, *k = c.k + b * s * d, *v = c.v + b * s * dv;
  float *qp = ws;              // (kBr, D)
  float *kt = qp + kBr * d;    // (D, kBc): the key tile transposed
  float *vp = kt + d * kBc;    // (kBc, DVp)
  float *sc = vp + kBc * dvp;  // (kBr, kBc): scores, then probabilities
  float *acc = sc + kBr * kBc; // (kBr, DVp): unnormalized output
  float *mx = acc + kBr * dvp, *sum = mx + kBr;

  std::memcpy(qp, q + i0 * d, sizeof(float) * rows * d);
  std::fill(qp + rows * d, qp + kBr * d, 0.0f);
  std::fill(acc, acc + kBr * dvp, 0.0f);
  std::fill(mx, mx + kBr, -std::numeric_limits<float>::infinity());
  std::fill(sum, sum + kBr, 0.0f);
  const float scale = sh.scale;
  const float negInf = -std::numeric_limits<float>::infinity();
  int64_t keyEnd = sh.causal ? std::min(s, i0 + rows) : s;
  for (int64_t j0 = 0; j0 < keyEnd; j0 += kBc) {
    int64_t cols = std::min(kBc, keyEnd - j0);
    for (int64_t x = 0; x < kBc; ++x)
      for (int64_t e = 0; e < d; ++e)
        kt[e * kBc + x] = x < cols ? k[(j0 + x) * d + e] : 0.0f;
    for (int64_t x = 0; x < kBc; ++x) {
      float *row = vp + x * dvp;
      if (x < cols)
        std::memcpy(row, v + (j0 + x) * dv, sizeof(float) * dv);
      std::fill(row + (x < cols ? dv : 0), row + dvp, 0.0f);
    }
    // S (kBr, kBc) = Q K^T
    std::fill(sc, sc + kBr * kBc, 0.0f);
    gemmAcc(kBr, d, kBc, qp, d, kt, kBc, sc, kBc);
    for (int64_t r = 0; r < kBr; ++r) {
      float *srow = sc + r * kBc;
      // The keys of this tile row r sees: below the diagonal, or all.
      int64_t limit = sh.causal ? std::min(cols, i0 + r - j0 + 1) : cols;
      if (r >= rows || limit <= 0) {
        std::fill(srow, srow + kBc, 0.0f);
        continue;
      }
      // The row's maximum and sum in kLanes independent lanes: a float
      // reduction in one variable would not vectorize.
      float lanes[kLanes];
      std::fill(lanes, lanes + kLanes, negInf);
      for (int64_t x0 = 0; x0 < kBc; x0 += kLanes)
        for (int64_t u = 0; u < kLanes; ++u) {
          int64_t x = x0 + u;
          float scaled = srow[x] * scale;
          float sv = x < limit ? scaled : negInf;
          srow[x] = sv;
          lanes[u] = std::max(lanes[u], sv);
        }
      float m = mx[r];
      for (int64_t u = 0; u < kLanes; ++u)
        m = std::max(m, lanes[u]);
      float alpha = expNonPositive(mx[r] - m);
      std::fill(lanes, lanes + kLanes, 0.0f);
      for (int64_t x0 = 0; x0 < kBc; x0 += kLanes)
        for (int64_t u = 0; u < kLanes; ++u) {
          int64_t x = x0 + u;
          // Computed for every key, then masked: a conditional call
          // would not vectorize.
          float e = expNonPositive(srow[x] - m);
          float p = x < limit ? e : 0.0f;
          srow[x] = p;
          lanes[u] += p;
        }
      float l = 0.0f;
      for (int64_t u = 0; u < kLanes; ++u)
        l += lanes[u];
      sum[r] = sum[r] * alpha + l;
      mx[r] = m;
      float *arow = acc + r * dvp;
      for (int64_t e = 0; e < dvp; ++e)
        arow[e] *= alpha;
    }
    // O (kBr, DVp) += P V
    gemmAcc(kBr, kBc, dvp, sc, kBc, vp, dvp, acc, dvp);
  }
  for (int64_t r = 0; r < rows; ++r) {
    float inv = 1.0f / sum[r];
    float *orow = c.o + (b * t + i0 + r) * dv;
    for (int64_t e = 0; e < dv; ++e)
      orow[e] = acc[r * dvp + e] * inv;
    c.l[b * t + i0 + r] = mx[r] + std::log(sum[r]);
  }
}

//===----------------------------------------------------------------------===//
// Backward
//===----------------------------------------------------------------------===//

/// dst (cols, rows) = src (rows, cols)^T.
LOOM_INLINE void transpose(const float *src, int64_t rows, int64_t cols,
                           float *dst) {
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t x = 0; x < cols; ++x)
      dst[x * rows + r] = src[r * cols + x];
}

/// Rows [r0, r0 + rows) of `src` (width w) into `dst` (kBr rows, width wp),
/// zero-padded.
LOOM_INLINE void packRows(const float *src, int64_t r0, int64_t rows, int64_t w,
                          int64_t count, int64_t wp, float *dst) {
  for (int64_t r = 0; r < count; ++r) {
    float *row = dst + r * wp;
    if (r < rows)
      std::memcpy(row, src + (r0 + r) * w, sizeof(float) * w);
    std::fill(row + (r < rows ? w : 0), row + wp, 0.0f);
  }
}

// One whole problem: for each key tile, its dK and dV accumulate over the
// query tiles that see it; dQ accumulates over key tiles in the scratch.
LOOM_INLINE void backwardProblem(const Call &c, int64_t b, float *ws) {
  const AttentionShape &sh = *c.sh;
  const int64_t t = sh.t, s = sh.s, d = sh.d, dv = sh.dv;
  const int64_t dp = roundUp(d, kNr), dvp = roundUp(dv, kNr);
  const int64_t tp = roundUp(t, kBr);
  const float *q = c.q + b * t * d, *k = c.k + b * s * d, *v = c.v + b * s * dv,
              *o = c.out + b * t * dv, *dout = c.dout + b * t * dv,
              *lse = c.lse + b * t;
  float *qp = ws;               // (kBr, Dp)
  float *dop = qp + kBr * dp;   // (kBr, DVp)
  float *kt = dop + kBr * dvp;  // (D, kBc)
  float *kp = kt + d * kBc;     // (kBc, Dp)
  float *vt = kp + kBc * dp;    // (DV, kBc)
  float *p = vt + dv * kBc;     // (kBr, kBc): scores, then P
  float *ds = p + kBr * kBc;    // (kBr, kBc): dP, then dS * scale
  float *pt = ds + kBr * kBc;   // (kBc, kBr)
  float *dst = pt + kBc * kBr;  // (kBc, kBr)
  float *dka = dst + kBc * kBr; // (kBc, Dp)
  float *dva = dka + kBc * dp;  // (kBc, DVp)
  float *dqa = dva + kBc * dvp; // (Tp, Dp)
  float *delta = dqa + tp * dp; // (Tp): rowsum(dO * O)

  for (int64_t i = 0; i < t; ++i) {
    float acc = 0.0f;
    for (int64_t e = 0; e < dv; ++e)
      acc += dout[i * dv + e] * o[i * dv + e];
    delta[i] = acc;
  }
  std::fill(dqa, dqa + tp * dp, 0.0f);
  const float scale = sh.scale;
  for (int64_t j0 = 0; j0 < s; j0 += kBc) {
    int64_t cols = std::min(kBc, s - j0);
    for (int64_t x = 0; x < kBc; ++x)
      for (int64_t e = 0; e < d; ++e)
        kt[e * kBc + x] = x < cols ? k[(j0 + x) * d + e] : 0.0f;
    for (int64_t x = 0; x < kBc; ++x)
      for (int64_t e = 0; e < dv; ++e)
        vt[e * kBc + x] = x < cols ? v[(j0 + x) * dv + e] : 0.0f;
    packRows(k, j0, cols, d, kBc, dp, kp);
    std::fill(dka, dka + kBc * dp, 0.0f);
    std::fill(dva, dva + kBc * dvp, 0.0f);
    // Under a causal mask, queries before j0 see none of these keys.
    int64_t iStart = sh.causal ? j0 / kBr * kBr : 0;
    for (int64_t i0 = iStart; i0 < t; i0 += kBr) {
      int64_t rows = std::min(kBr, t - i0);
      packRows(q, i0, rows, d, kBr, dp, qp);
      packRows(dout, i0, rows, dv, kBr, dvp, dop);
      // S = Q K^T, dP = dO V^T (kBr, kBc)
      std::fill(p, p + kBr * kBc, 0.0f);
      gemmAcc(kBr, d, kBc, qp, dp, kt, kBc, p, kBc);
      std::fill(ds, ds + kBr * kBc, 0.0f);
      gemmAcc(kBr, dv, kBc, dop, dvp, vt, kBc, ds, kBc);
      for (int64_t r = 0; r < kBr; ++r) {
        float *prow = p + r * kBc, *dsrow = ds + r * kBc;
        int64_t limit = sh.causal ? std::min(cols, i0 + r - j0 + 1) : cols;
        if (r >= rows || limit <= 0) {
          std::fill(prow, prow + kBc, 0.0f);
          std::fill(dsrow, dsrow + kBc, 0.0f);
          continue;
        }
        float rowLse = lse[i0 + r], rowDelta = delta[i0 + r];
        for (int64_t x = 0; x < kBc; ++x) {
          float e = expNonPositive(prow[x] * scale - rowLse);
          float pv = x < limit ? e : 0.0f;
          prow[x] = pv;
          dsrow[x] = pv * (dsrow[x] - rowDelta) * scale;
        }
      }
      transpose(p, kBr, kBc, pt);
      transpose(ds, kBr, kBc, dst);
      // dV += P^T dO, dK += dS^T Q (kBc, *); dQ += dS K (kBr, Dp)
      gemmAcc(kBc, kBr, dvp, pt, kBr, dop, dvp, dva, dvp);
      gemmAcc(kBc, kBr, dp, dst, kBr, qp, dp, dka, dp);
      gemmAcc(kBr, kBc, dp, ds, kBc, kp, dp, dqa + i0 * dp, dp);
    }
    for (int64_t x = 0; x < cols; ++x) {
      std::memcpy(c.dk + (b * s + j0 + x) * d, dka + x * dp, sizeof(float) * d);
      std::memcpy(c.dv + (b * s + j0 + x) * dv, dva + x * dvp,
                  sizeof(float) * dv);
    }
  }
  for (int64_t i = 0; i < t; ++i)
    std::memcpy(c.dq + (b * t + i) * d, dqa + i * dp, sizeof(float) * d);
}

//===----------------------------------------------------------------------===//
// The three builds of the tile loops, and the choice among them
//===----------------------------------------------------------------------===//

#define LOOM_AVX512 "avx512f,avx512vl,avx512bw,avx512dq,avx2,fma"
#define LOOM_AVX2 "avx2,fma"

__attribute__((target(LOOM_AVX512))) void forwardAvx512(const Call &c,
                                                        int64_t i, float *w) {
  forwardTile(c, i, w);
}
__attribute__((target(LOOM_AVX2))) void forwardAvx2(const Call &c, int64_t i,
                                                    float *w) {
  forwardTile(c, i, w);
}
void forwardBaseline(const Call &c, int64_t i, float *w) {
  forwardTile(c, i, w);
}
__attribute__((target(LOOM_AVX512))) void backwardAvx512(const Call &c,
                                                         int64_t i, float *w) {
  backwardProblem(c, i, w);
}
__attribute__((target(LOOM_AVX2))) void backwardAvx2(const Call &c, int64_t i,
                                                     float *w) {
  backwardProblem(c, i, w);
}
void backwardBaseline(const Call &c, int64_t i, float *w) {
  backwardProblem(c, i, w);
}

enum class Isa { Avx512, Avx2, Baseline };

Isa detectIsa() {
  __builtin_cpu_init();
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vl") &&
      __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512dq") && __builtin_cpu_supports("fma"))
    return Isa::Avx512;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
    return Isa::Avx2;
  return Isa::Baseline;
}

const Isa kIsa = detectIsa();

/// A thread's share: work items taken one at a time, until none is left.
void runShare(void *data) {
  Call &c = *static_cast<Call *>(data);
  auto *ws = reinterpret_cast<float *>(
      c.scratch + static_cast<size_t>(omp_get_thread_num()) * c.perThread);
  for (int64_t i = c.next.fetch_add(1); i < c.items; i = c.next.fetch_add(1))
    c.work(c, i, ws);
}

/// Bytes of `floats` floats, rounded up to a cache line.
size_t lineBytes(int64_t floats) {
  return static_cast<size_t>(roundUp(floats * int64_t(sizeof(float)), 64));
}

void runParallel(Call &c, int threads) {
  if (c.items == 0)
    return;
  int64_t n = std::min<int64_t>(threads, c.items);
  if (n <= 1) {
    for (int64_t i = 0; i < c.items; ++i)
      c.work(c, i, reinterpret_cast<float *>(c.scratch));
    return;
  }
  GOMP_parallel(runShare, &c, static_cast<unsigned>(n), 0);
}

} // namespace

FlashAttention::FlashAttention(const AttentionShape &shape, int threads)
    : sh(shape), threads(std::max(threads, 1)) {}

size_t FlashAttention::forwardScratchBytes() const {
  return lineBytes(forwardFloats(sh)) * static_cast<size_t>(threads);
}

size_t FlashAttention::backwardScratchBytes() const {
  return lineBytes(backwardFloats(sh)) * static_cast<size_t>(threads);
}

void FlashAttention::forward(const float *q, const float *k, const float *v,
                             float *out, float *lse, void *scratch) const {
  Call c;
  c.sh = &sh;
  c.q = q;
  c.k = k;
  c.v = v;
  c.o = out;
  c.l = lse;
  c.scratch = static_cast<char *>(scratch);
  c.perThread = lineBytes(forwardFloats(sh));
  c.items = sh.t == 0 ? 0 : sh.batch * ((sh.t + kBr - 1) / kBr);
  c.work = kIsa == Isa::Avx512 ? forwardAvx512
           : kIsa == Isa::Avx2 ? forwardAvx2
                               : forwardBaseline;
  // A query that sees no key (S = 0) gets zeros and lse -inf.
  if (sh.s == 0) {
    std::fill(out, out + sh.batch * sh.t * sh.dv, 0.0f);
    std::fill(lse, lse + sh.batch * sh.t,
              -std::numeric_limits<float>::infinity());
    return;
  }
  runParallel(c, threads);
}

void FlashAttention::backward(const float *q, const float *k, const float *v,
                              const float *out, const float *dout,
                              const float *lse, float *dq, float *dk, float *dv,
                              void *scratch) const {
  Call c;
  c.sh = &sh;
  c.q = q;
  c.k = k;
  c.v = v;
  c.out = out;
  c.dout = dout;
  c.lse = lse;
  c.dq = dq;
  c.dk = dk;
  c.dv = dv;
  c.scratch = static_cast<char *>(scratch);
  c.perThread = lineBytes(backwardFloats(sh));
  c.items = sh.batch;
  c.work = kIsa == Isa::Avx512 ? backwardAvx512
           : kIsa == Isa::Avx2 ? backwardAvx2
                               : backwardBaseline;
  runParallel(c, threads);
}

const char *FlashAttention::isa() {
  switch (kIsa) {
  case Isa::Avx512:
    return "avx512";
  case Isa::Avx2:
    return "avx2";
  case Isa::Baseline:
    break;
  }
  return "baseline";
}
