//===- Batches.cpp - Training batches from a recipe's data ----------------===//
//
// Part of Loom. See Batches.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Batches.h"

#include <algorithm>
#include <cmath>

using namespace loom;
using namespace loom::data;

BatchSource::~BatchSource() = default;

namespace {

std::string shapeText(const std::vector<int64_t> &shape) {
  std::string s = "[";
  for (size_t i = 0; i < shape.size(); ++i)
    s += (i ? ", " : "") + std::to_string(shape[i]);
  return s + "]";
}

class ExampleBatches : public BatchSource {
public:
  ExampleBatches(Examples data, Sampler sampler)
      : data(std::move(data)), sampler(std::move(sampler)) {}

  Status fill(int64_t index, int64_t batch, void *x, int32_t *y) override {
    sampler.batch(index * batch, batch, rows);
    gather(data, rows, static_cast<float *>(x), y);
    return Status();
  }
  bool tokenInputs() const override { return false; }
  std::string describe() const override {
    return std::to_string(sampler.train().size()) + " training examples of " +
           std::to_string(data.count) + " in " + data.source;
  }

private:
  Examples data;
  Sampler sampler;
  std::vector<int64_t> rows;
};

/// Next-token windows: x = tokens[p, p + T), y = tokens[p + 1, p + T + 1),
/// over non-overlapping windows of the training part of the stream.
class TokenBatches : public BatchSource {
public:
  TokenBatches(TokenFile file, int64_t seq, uint32_t vocab, Sampler sampler)
      : file(std::move(file)), seq(seq), vocab(vocab),
        sampler(std::move(sampler)) {}

  Status fill(int64_t index, int64_t batch, void *x, int32_t *y) override {
    sampler.batch(index * batch, batch, rows);
    window.resize(seq + 1);
    int32_t *xi = static_cast<int32_t *>(x);
    for (int64_t r = 0; r < batch; ++r) {
      if (Status s = file.read(rows[r] * seq, seq + 1, vocab, window.data());
          !s)
        return s;
      std::copy_n(window.begin(), seq, xi + r * seq);
      std::copy_n(window.begin() + 1, seq, y + r * seq);
    }
    return Status();
  }
  bool tokenInputs() const override { return true; }
  std::string describe() const override {
    return std::to_string(sampler.train().size()) + " training windows of " +
           std::to_string(seq) + " tokens in " + file.path();
  }

private:
  TokenFile file;
  int64_t seq;
  uint32_t vocab;
  Sampler sampler;
  std::vector<int64_t> rows;
  std::vector<int32_t> window;
};

} // namespace

StatusOr<std::unique_ptr<BatchSource>>
loom::data::openTrainingData(const DataSpec &spec,
                             const std::vector<int64_t> &xShape,
                             int64_t classes, uint64_t seed) {
  if (spec.kind == "idx" || spec.kind == "csv") {
    StatusOr<Examples> ex = spec.kind == "idx"
                                ? loadIdx(spec.images, spec.labels)
                                : loadCsv(spec.path, spec.label);
    if (!ex)
      return ex.status();
    std::vector<int64_t> per(xShape.begin() + 1, xShape.end());
    int64_t perSize = 1;
    for (int64_t d : per)
      perSize *= d;
    if (perSize != ex->featureSize())
      return Status::error(ex->source + ": each example has " +
                           std::to_string(ex->featureSize()) + " values " +
                           shapeText(ex->featureShape) +
                           " but the model's input takes " +
                           std::to_string(perSize) + " " + shapeText(per));
    if (int64_t bad = ex->firstLabelOutside(static_cast<int32_t>(classes));
        bad >= 0)
      return Status::error(ex->source + ": example " + std::to_string(bad) +
                           " has label " + std::to_string(ex->labels[bad]) +
                           ", outside the model's " + std::to_string(classes) +
                           " classes (0.." + std::to_string(classes - 1) + ")");
    Sampler sampler(ex->count, spec.fraction, spec.splitSeed, seed);
    return std::unique_ptr<BatchSource>(
        new ExampleBatches(std::move(*ex), std::move(sampler)));
  }
  if (spec.kind == "tokens") {
    StatusOr<TokenFile> file = TokenFile::open(spec.path, spec.dtype);
    if (!file)
      return file.status();
    int64_t seq = xShape.back();
    // The training part is the first `fraction` of the stream; the rest
    // validates.
    int64_t trainTokens = std::max<int64_t>(
        2, static_cast<int64_t>(std::floor(spec.fraction * file->size())));
    int64_t windows = (trainTokens - 1) / seq;
    if (windows < 1)
      return Status::error(file->path() + ": the training part holds " +
                           std::to_string(trainTokens) +
                           " tokens, fewer than one window of " +
                           std::to_string(seq + 1));
    Sampler sampler(windows, 1.0, spec.splitSeed, seed);
    return std::unique_ptr<BatchSource>(
        new TokenBatches(std::move(*file), seq, static_cast<uint32_t>(classes),
                         std::move(sampler)));
  }
  return Status::error("the recipe's data kind '" + spec.kind +
                       "' cannot be read");
}
