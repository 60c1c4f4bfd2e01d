//===- Generate.cpp - Text from a trained language model ------------------===//
//
// Part of Loom. See Generate.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Generate.h"

#include "runtime/Philox.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstring>
#include <numeric>

using namespace loom;
using namespace loom::train;

int32_t loom::train::sampleToken(const float *logits, int64_t n,
                                 const SampleOptions &opt, uint64_t draw) {
  std::vector<int32_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), 0);
  auto better = [&](int32_t a, int32_t b) {
    float x = std::isnan(logits[a]) ? -INFINITY : logits[a];
    float y = std::isnan(logits[b]) ? -INFINITY : logits[b];
    return x > y || (x == y && a < b);
  };
  if (opt.temperature <= 0)
    return *std::min_element(order.begin(), order.end(), better);
  int64_t k = opt.topK > 0 ? std::min(opt.topK, n) : n;
  std::partial_sort(order.begin(), order.begin() + k, order.end(), better);
  order.resize(static_cast<size_t>(k));
  double top = logits[order[0]];
  std::vector<double> w(order.size());
  double sum = 0;
  for (size_t i = 0; i < order.size(); ++i) {
    double l = logits[order[i]];
    w[i] = std::isfinite(l) ? std::exp((l - top) / opt.temperature) : 0.0;
    sum += w[i];
  }
  std::array<uint32_t, 4> bits =
      philox4x32({uint32_t(draw), uint32_t(draw >> 32), 0x67656e, 0},
                 {uint32_t(opt.seed), uint32_t(opt.seed >> 32)});
  double u = uniform24(bits[0]) * sum;
  for (size_t i = 0; i < order.size(); ++i) {
    if (u < w[i])
      return order[i];
    u -= w[i];
  }
  return order.front();
}

namespace {

/// The artifact's "decode" program: one token at a position. Its KV caches
/// are its state (inputs named "cache.L.k", "cache.L.v"), which the program
/// updates in place and which stays in the arena between runs.
class Decoder {
public:
  /// False when the artifact has no usable "decode".
  bool open(StepExecutor &ex) {
    this->ex = &ex;
    const IoRecord *tr = nullptr, *pr = nullptr, *out = nullptr;
    token = static_cast<int32_t *>(ex.programInput("decode", "token", &tr));
    pos = static_cast<int32_t *>(ex.programInput("decode", "pos", &pr));
    logits =
        static_cast<const float *>(ex.programOutput("decode", "output", &out));
    if (!token || !pos || !logits || tr->dtype != DType::I32 ||
        pr->dtype != DType::I32 || out->dtype != DType::F32 ||
        out->shape.size() != 3)
      return false;
    vocab = out->shape[2];
    const ProgramRecord *p = ex.artifact().program("decode");
    for (const IoRecord &in : p->inputs) {
      if (in.role.rfind("cache.", 0) != 0 || in.shape.size() < 2)
        continue;
      uint64_t bytes = dtypeSize(in.dtype);
      for (int64_t d : in.shape)
        bytes *= static_cast<uint64_t>(d);
      caches.push_back({ex.programInput("decode", in.role), bytes});
      window = in.shape[in.shape.size() - 2];
    }
    return window > 0;
  }

  /// Starts a new sequence: empty caches.
  void reset() {
    for (const Cache &c : caches)
      std::memset(c.data, 0, c.bytes);
    length = 0;
  }

  /// Appends `t` at the next position; `logits` then predict the one after.
  Status feed(int32_t t) {
    *token = t;
    *pos = static_cast<int32_t>(length);
    if (Status s = ex->run("decode"); !s)
      return s;
    ++length;
    return Status();
  }

  const float *logits = nullptr;
  int64_t vocab = 0, window = 0, length = 0;

private:
  struct Cache {
    void *data;
    uint64_t bytes;
  };
  StepExecutor *ex = nullptr;
  int32_t *token = nullptr, *pos = nullptr;
  std::vector<Cache> caches;
};

} // namespace

Status loom::train::generateCached(StepExecutor &ex,
                                   std::vector<int32_t> &tokens, int64_t count,
                                   const SampleOptions &opt,
                                   const std::function<void(int32_t)> &emit) {
  Decoder d;
  if (!d.open(ex))
    return Status::error("the artifact has no decoding program");
  if (tokens.empty())
    return Status::error("the prompt is empty");
  // Keeps the last `keep` tokens as the context, at positions 0...
  auto refill = [&](int64_t keep) -> Status {
    d.reset();
    for (auto it = tokens.end() - keep; it != tokens.end(); ++it)
      if (Status s = d.feed(*it); !s)
        return s;
    return Status();
  };
  if (Status s = refill(std::min<int64_t>(d.window, tokens.size())); !s)
    return s;
  for (int64_t i = 0; i < count; ++i) {
    int32_t next =
        sampleToken(d.logits, d.vocab, opt, static_cast<uint64_t>(i));
    tokens.push_back(next);
    emit(next);
    if (i + 1 == count)
      break;
    // A full window starts again from its second half.
    Status s = d.length == d.window ? refill(d.window / 2 + 1) : d.feed(next);
    if (!s)
      return s;
  }
  return Status();
}

Status loom::train::generate(StepExecutor &ex, std::vector<int32_t> &tokens,
                             int64_t count, const SampleOptions &opt,
                             const std::function<void(int32_t)> &emit) {
  std::string program = ex.hasProgram("eval1") ? "eval1" : "eval";
  const IoRecord *xr = nullptr, *out = nullptr;
  auto *x = static_cast<int32_t *>(ex.programInput(program, "x", &xr));
  auto *y = static_cast<int32_t *>(ex.programInput(program, "y"));
  if (!x || !y || !ex.programOutput(program, "output", &out))
    return Status::error("the artifact has no evaluation program to "
                         "generate with");
  if (xr->dtype != DType::I32 || xr->shape.size() != 2 || xr->shape[0] != 1 ||
      out->shape.size() != 3)
    return Status::error("generation needs a language model: token ids "
                         "i32[1, T] in, logits [1, T, vocab] out");
  int64_t window = xr->shape[1], vocab = out->shape[2];
  if (tokens.empty())
    return Status::error("the prompt is empty");
  for (int64_t i = 0; i < count; ++i) {
    int64_t len = std::min<int64_t>(window, tokens.size());
    // Causal attention: positions past `len` do not change the logits at
    // len - 1, so the window is padded with zeros.
    std::memset(x, 0, sizeof(int32_t) * window);
    std::memset(y, 0, sizeof(int32_t) * window);
    std::copy(tokens.end() - len, tokens.end(), x);
    if (Status s = ex.run(program); !s)
      return s;
    const float *logits =
        static_cast<const float *>(ex.programOutput(program, "output")) +
        (len - 1) * vocab;
    int32_t next = sampleToken(logits, vocab, opt, static_cast<uint64_t>(i));
    tokens.push_back(next);
    emit(next);
  }
  return Status();
}
