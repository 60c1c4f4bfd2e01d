//===- Batches.cpp - Training batches from a recipe's data ----------------===//
//
// Part of Loom. See Batches.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Batches.h"
#include "runtime/data/CsvPrep.h"

#include "runtime/Text.h"

#include <algorithm>
#include <cmath>

using namespace loom;
using namespace loom::data;

BatchSource::~BatchSource() = default;

namespace {

class ExampleBatches : public BatchSource {
public:
  ExampleBatches(Examples data, Sampler sampler,
                 std::unique_ptr<PrepOutcome> outcome = nullptr)
      : data(std::move(data)), sampler(std::move(sampler)),
        outcome(std::move(outcome)) {}

  Status fill(int64_t index, int64_t batch, void *x, void *y) override {
    sampler.batch(index * batch, batch, rows);
    gather(data, rows, static_cast<float *>(x), y);
    return Status();
  }
  bool tokenInputs() const override { return false; }
  std::string describe() const override {
    return std::to_string(sampler.train().size()) + " training examples of " +
           std::to_string(data.count) + " in " + data.source;
  }
  int64_t trainSize() const override {
    return static_cast<int64_t>(sampler.train().size());
  }
  int64_t validationSize() const override {
    return static_cast<int64_t>(sampler.validation().size());
  }
  Status fillValidation(int64_t begin, int64_t n, void *x, void *y) override {
    const std::vector<int64_t> &val = sampler.validation();
    if (begin < 0 || n < 0 || begin + n > int64_t(val.size()))
      return Status::error(data.source + ": validation rows [" +
                           std::to_string(begin) + ", " +
                           std::to_string(begin + n) + ") are outside the " +
                           std::to_string(val.size()) + " of the split");
    rows.assign(val.begin() + begin, val.begin() + begin + n);
    gather(data, rows, static_cast<float *>(x), y);
    return Status();
  }
  Status fillTrainSplit(int64_t begin, int64_t n, void *x, void *y) override {
    const std::vector<int64_t> &train = sampler.train();
    if (begin < 0 || n < 0 || begin + n > int64_t(train.size()))
      return Status::error(data.source + ": training rows [" +
                           std::to_string(begin) + ", " +
                           std::to_string(begin + n) + ") are outside the " +
                           std::to_string(train.size()) + " of the split");
    rows.assign(train.begin() + begin, train.begin() + begin + n);
    gather(data, rows, static_cast<float *>(x), y);
    return Status();
  }
  std::vector<std::string> classNames() const override {
    return data.classNames;
  }
  const PrepOutcome *prep() const override { return outcome.get(); }

private:
  Examples data;
  Sampler sampler;
  std::unique_ptr<PrepOutcome> outcome;
  std::vector<int64_t> rows;
};

/// Next-token windows: x = tokens[p, p + T), y = tokens[p + 1, p + T + 1),
/// over non-overlapping windows of the training part of the stream.
class TokenBatches : public BatchSource {
public:
  TokenBatches(TokenFile file, int64_t seq, uint32_t vocab, Sampler sampler,
               int64_t valBegin, int64_t valWindows)
      : file(std::move(file)), seq(seq), vocab(vocab),
        sampler(std::move(sampler)), valBegin(valBegin),
        valWindows(valWindows) {}

  Status fill(int64_t index, int64_t batch, void *x, void *y) override {
    sampler.batch(index * batch, batch, rows);
    int32_t *xi = static_cast<int32_t *>(x);
    int32_t *yi = static_cast<int32_t *>(y);
    for (int64_t r = 0; r < batch; ++r)
      if (Status s = window(rows[r] * seq, xi + r * seq, yi + r * seq); !s)
        return s;
    return Status();
  }
  int64_t trainSize() const override {
    return static_cast<int64_t>(sampler.train().size());
  }
  int64_t validationSize() const override { return valWindows; }
  Status fillValidation(int64_t begin, int64_t n, void *x, void *y) override {
    if (begin < 0 || n < 0 || begin + n > valWindows)
      return Status::error(file.path() + ": validation windows [" +
                           std::to_string(begin) + ", " +
                           std::to_string(begin + n) + ") are outside the " +
                           std::to_string(valWindows) + " of the split");
    int32_t *xi = static_cast<int32_t *>(x);
    int32_t *yi = static_cast<int32_t *>(y);
    for (int64_t r = 0; r < n; ++r)
      if (Status s =
              window(valBegin + (begin + r) * seq, xi + r * seq, yi + r * seq);
          !s)
        return s;
    return Status();
  }
  Status fillTrainSplit(int64_t begin, int64_t n, void *x, void *y) override {
    int64_t windows = trainSize();
    if (begin < 0 || n < 0 || begin + n > windows)
      return Status::error(file.path() + ": training windows [" +
                           std::to_string(begin) + ", " +
                           std::to_string(begin + n) + ") are outside the " +
                           std::to_string(windows) + " of the split");
    int32_t *xi = static_cast<int32_t *>(x);
    int32_t *yi = static_cast<int32_t *>(y);
    for (int64_t r = 0; r < n; ++r)
      if (Status s = window((begin + r) * seq, xi + r * seq, yi + r * seq); !s)
        return s;
    return Status();
  }
  bool tokenInputs() const override { return true; }
  std::string describe() const override {
    return std::to_string(sampler.train().size()) + " training windows of " +
           std::to_string(seq) + " tokens in " + file.path();
  }

private:
  /// x = tokens [at, at + seq), y = the same shifted by one.
  Status window(int64_t at, int32_t *x, int32_t *y) {
    buffer.resize(seq + 1);
    if (Status s = file.read(at, seq + 1, vocab, buffer.data()); !s)
      return s;
    std::copy_n(buffer.begin(), seq, x);
    std::copy_n(buffer.begin() + 1, seq, y);
    return Status();
  }

  TokenFile file;
  int64_t seq;
  uint32_t vocab;
  Sampler sampler;
  int64_t valBegin, valWindows;
  std::vector<int64_t> rows;
  std::vector<int32_t> buffer;
};

/// The training split of another source as its validation part.
class TrainSplitView : public BatchSource {
public:
  explicit TrainSplitView(BatchSource &source) : source(source) {}

  Status fill(int64_t, int64_t, void *, void *) override {
    return Status::error("a view of the training split draws no batches");
  }
  bool tokenInputs() const override { return source.tokenInputs(); }
  int64_t trainSize() const override { return 0; }
  int64_t validationSize() const override { return source.trainSize(); }
  Status fillValidation(int64_t begin, int64_t rows, void *x,
                        void *y) override {
    return source.fillTrainSplit(begin, rows, x, y);
  }
  Status fillTrainSplit(int64_t, int64_t, void *, void *) override {
    return Status::error("a view of the training split has no training part");
  }
  std::vector<std::string> classNames() const override {
    return source.classNames();
  }
  std::string describe() const override {
    return "the training split of " + source.describe();
  }

private:
  BatchSource &source;
};

} // namespace

std::unique_ptr<BatchSource> loom::data::trainSplitView(BatchSource &source) {
  return std::make_unique<TrainSplitView>(source);
}

StatusOr<std::unique_ptr<BatchSource>>
loom::data::openTrainingData(const DataSpec &spec,
                             const std::vector<int64_t> &xShape,
                             int64_t classes, uint64_t seed) {
  if (spec.kind == "idx" || spec.kind == "csv") {
    // A CSV source with prep steps is split before they are fitted.
    std::unique_ptr<PrepOutcome> outcome;
    int64_t prepTrainRows = 0;
    if (spec.kind == "csv" && !spec.prep.empty())
      outcome = std::make_unique<PrepOutcome>();
    StatusOr<Examples> ex =
        spec.kind == "idx" ? loadIdx(spec.images, spec.labels)
        : outcome          ? prepareCsv(spec, *outcome, prepTrainRows)
                           : loadCsv(spec.path, spec.label, spec.labelSpec);
    if (!ex)
      return ex.status();
    std::vector<int64_t> per(xShape.begin() + 1, xShape.end());
    int64_t perSize = 1;
    for (int64_t d : per)
      perSize *= d;
    // Flat examples (a CSV row) or a flat input take any layout of the
    // right size; otherwise (IDX images into an image model) the
    // dimensions must be the model's, so 14x56 images do not train as
    // 28x28 ones. Leading 1s do not count: [1, 28, 28] is [28, 28].
    auto inner = [](std::vector<int64_t> shape) {
      while (shape.size() > 1 && shape.front() == 1)
        shape.erase(shape.begin());
      return shape;
    };
    bool flat = ex->featureShape.size() <= 1 || per.size() <= 1;
    if (perSize != ex->featureSize() ||
        (!flat && inner(per) != inner(ex->featureShape)))
      return Status::error(ex->source + ": each example has " +
                           std::to_string(ex->featureSize()) + " values " +
                           shapeText(ex->featureShape) +
                           " but the model's input takes " +
                           std::to_string(perSize) + " " + shapeText(per));
    std::string outside = "outside the model's " + std::to_string(classes) +
                          " classes (0.." + std::to_string(classes - 1) + ")";
    if (spec.kind == "csv" && spec.labelSpec.kind == LabelSpec::Kind::Names &&
        static_cast<int64_t>(ex->classNames.size()) > classes)
      return Status::error(
          ex->labelSource + ": the label column '" + spec.label + "' names " +
          std::to_string(ex->classNames.size()) + " classes, more than the " +
          std::to_string(classes) + " the model's output scores");
    if (int64_t bad = ex->firstLabelOutside(static_cast<int32_t>(classes));
        bad >= 0)
      return Status::error(
          ex->labelLines.empty()
              ? ex->labelSource + ": example " + std::to_string(bad) +
                    " has label " + std::to_string(ex->labels[bad]) + ", " +
                    outside
              : ex->labelSource + ":" + std::to_string(ex->labelLines[bad]) +
                    ": the label '" + ex->labelText[bad] + "' is " + outside);
    if (outcome) {
      std::vector<int64_t> train(prepTrainRows), val(ex->count - prepTrainRows);
      for (int64_t i = 0; i < ex->count; ++i)
        (i < prepTrainRows ? train[i] : val[i - prepTrainRows]) = i;
      Sampler sampler(std::move(train), std::move(val), seed);
      return std::unique_ptr<BatchSource>(new ExampleBatches(
          std::move(*ex), std::move(sampler), std::move(outcome)));
    }
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
    // validates. Each part is cut into non-overlapping windows of seq + 1
    // tokens (x and, shifted by one, y).
    int64_t size = static_cast<int64_t>(file->size());
    int64_t trainTokens =
        spec.fraction <= 0.0
            ? 0
            : std::max<int64_t>(
                  2, static_cast<int64_t>(std::floor(spec.fraction * size)));
    int64_t windows = trainTokens > 0 ? (trainTokens - 1) / seq : 0;
    if (windows < 1 && spec.fraction > 0.0)
      return Status::error(file->path() + ": the training part holds " +
                           std::to_string(trainTokens) +
                           " tokens, fewer than one window of " +
                           std::to_string(seq + 1));
    int64_t valTokens = size - trainTokens;
    int64_t valWindows = valTokens > 0 ? (valTokens - 1) / seq : 0;
    Sampler sampler(windows, 1.0, spec.splitSeed, seed);
    return std::unique_ptr<BatchSource>(
        new TokenBatches(std::move(*file), seq, static_cast<uint32_t>(classes),
                         std::move(sampler), trainTokens, valWindows));
  }
  return Status::error("the recipe's data kind '" + spec.kind +
                       "' cannot be read");
}
