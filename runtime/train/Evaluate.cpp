//===- Evaluate.cpp - Evaluation on a held-out split ----------------------===//
//
// Part of Loom. See Evaluate.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Evaluate.h"

#include <cmath>
#include <cstring>
#include <vector>

using namespace loom;
using namespace loom::train;

namespace {

/// One program's batch: its inputs and outputs.
struct EvalProgram {
  std::string name;
  void *x = nullptr;
  void *y = nullptr;
  const IoRecord *xr = nullptr, *yr = nullptr, *out = nullptr;
  int64_t rows = 0; ///< examples per run
};

Status bind(StepExecutor &ex, const std::string &program, EvalProgram &p) {
  p.name = program;
  p.x = ex.programInput(program, "x", &p.xr);
  p.y = ex.programInput(program, "y", &p.yr);
  const void *out = ex.programOutput(program, "output", &p.out);
  if (!p.x || !p.y || !out || p.xr->shape.empty())
    return Status::error("the artifact's '" + program +
                         "' program lacks the inputs x, y or the output");
  p.rows = p.xr->shape[0];
  return Status();
}

/// Runs `p` on the rows already in its inputs; adds the loss (weighted by
/// `real` examples) and the first `real` rows' predictions.
Status runOnce(StepExecutor &ex, const EvalProgram &p, int64_t real,
               std::vector<int32_t> &labels, EvalResult &r) {
  // The program may reuse y's bytes: keep the labels.
  int64_t perRow = shapeElements(p.yr->shape) / p.rows;
  bool classes = p.yr->dtype == DType::I32;
  if (classes)
    labels.assign(static_cast<const int32_t *>(p.y),
                  static_cast<const int32_t *>(p.y) + real * perRow);
  std::vector<float> targets;
  if (!classes && p.yr->dtype == DType::F32)
    targets.assign(static_cast<const float *>(p.y),
                   static_cast<const float *>(p.y) + real * perRow);
  if (Status s = ex.run(p.name); !s)
    return s;
  r.loss.add(ex.scalarOutput(p.name, "loss"), real);
  r.examples += real;
  // A regression target has a loss and no classes: its errors.
  if (!classes) {
    if (!targets.empty() && p.out->dtype == DType::F32 &&
        shapeElements(p.out->shape) == shapeElements(p.yr->shape))
      r.regressionSums.add(
          static_cast<const float *>(ex.programOutput(p.name, "output")),
          targets.data(), real, perRow);
    return Status();
  }
  const float *logits =
      static_cast<const float *>(ex.programOutput(p.name, "output"));
  if (p.out->dtype != DType::F32)
    return Status();
  if (r.binary)
    return r.confusion.addThresholded(logits, labels.data(), real * perRow,
                                      kBinaryThreshold);
  return r.confusion.add(logits, labels.data(), real * perRow,
                         p.out->shape.back());
}

} // namespace

void loom::train::RegressionSums::add(const float *pred, const float *target,
                                      int64_t n, int64_t width) {
  if (columns.size() != static_cast<size_t>(width))
    columns.assign(width, Column());
  for (int64_t i = 0; i < n * width; ++i) {
    Column &c = columns[i % width];
    double d = double(pred[i]) - double(target[i]), t = target[i];
    c.absError += std::fabs(d);
    c.sqError += d * d;
    c.sum += t;
    c.sumSq += t * t;
  }
  rows += n;
}

double loom::train::RegressionSums::mae() const {
  if (!rows || columns.empty())
    return NAN;
  double total = 0;
  for (const Column &c : columns)
    total += c.absError / double(rows);
  return total / double(columns.size());
}

double loom::train::RegressionSums::rmse() const {
  if (!rows || columns.empty())
    return NAN;
  double total = 0;
  for (const Column &c : columns)
    total += std::sqrt(c.sqError / double(rows));
  return total / double(columns.size());
}

double loom::train::RegressionSums::r2() const {
  if (!rows || columns.empty())
    return NAN;
  double total = 0;
  for (const Column &c : columns) {
    double sst = c.sumSq - c.sum * c.sum / double(rows);
    if (!(sst > 0))
      return NAN;
    total += 1 - c.sqError / sst;
  }
  return total / double(columns.size());
}

bool loom::train::isBinaryOutput(const std::vector<int64_t> &shape) {
  return shape.size() == 1 || (shape.size() == 2 && shape[1] == 1);
}

StatusOr<int64_t> loom::train::outputClasses(const StepExecutor &ex,
                                             const std::string &name) {
  const IoRecord *out = nullptr;
  if (!ex.programOutput("eval", "output", &out) || out->shape.empty())
    return Status::error(name + ": the artifact has no evaluation program; "
                                "recompile it with this loom");
  return isBinaryOutput(out->shape) ? 2 : out->shape.back();
}

std::vector<ClassMetric> loom::train::classMetrics(const EvalResult &r) {
  const ConfusionMatrix &m = r.confusion;
  if (r.binary)
    return {{"precision", "precision", m.precision(1)},
            {"recall", "recall", m.recall(1)},
            {"f1", "f1", m.f1(1)}};
  return {{"macro_precision", "precision", m.macroPrecision()},
          {"macro_recall", "recall", m.macroRecall()},
          {"macro_f1", "f1", m.macroF1()}};
}

StatusOr<EvalResult> loom::train::evaluate(StepExecutor &ex,
                                           data::BatchSource &data,
                                           int64_t maxBatches,
                                           const EvalProgress &progress,
                                           EvalShare share) {
  EvalProgram full, one;
  if (Status s = bind(ex, "eval", full); !s)
    return s;
  bool hasOne = ex.hasProgram("eval1");
  if (hasOne)
    if (Status s = bind(ex, "eval1", one); !s)
      return s;
  EvalResult r;
  r.regression = full.yr->dtype != DType::I32;
  // Sized before any row, so that every rank of a data-parallel run, even
  // one with no examples, sums the same columns.
  if (full.yr->dtype == DType::F32 && full.rows > 0)
    r.regressionSums.columns.assign(
        static_cast<size_t>(shapeElements(full.yr->shape) / full.rows),
        RegressionSums::Column());
  r.binary = !r.regression && isBinaryOutput(full.out->shape);
  r.confusion = ConfusionMatrix(r.binary ? 2 : full.out->shape.back());
  int64_t n = data.validationSize(), b = full.rows;
  int64_t batches = n / b, rest = n % b;
  if (maxBatches > 0 && batches >= maxBatches) {
    batches = maxBatches;
    rest = 0;
  }
  std::vector<int32_t> labels;
  // This rank's batches and examples: number i with i % ranks == rank.
  auto mine = [&](int64_t i) { return i % share.ranks == share.rank; };
  auto count = [&](int64_t n) {
    return n / share.ranks + (n % share.ranks > share.rank ? 1 : 0);
  };
  int64_t total = count(batches) * b + count(rest);
  auto goOn = [&] {
    r.stopped = progress && !progress(r.examples, total);
    return !r.stopped;
  };
  for (int64_t i = 0; i < batches; ++i) {
    if (!mine(i))
      continue;
    if (Status s = data.fillValidation(i * b, b, full.x, full.y); !s)
      return s;
    if (Status s = runOnce(ex, full, b, labels, r); !s)
      return s;
    if (!goOn())
      return r;
  }
  for (int64_t i = 0; i < rest; ++i) {
    if (!mine(i))
      continue;
    // One example at a time at batch 1; without eval1 (a batch of 1 is
    // `eval` itself) the remainder cannot occur.
    const EvalProgram &p = hasOne ? one : full;
    if (p.rows != 1)
      return Status::error("the artifact has no batch-1 evaluation program "
                           "for the last " +
                           std::to_string(rest) + " examples");
    if (Status s = data.fillValidation(batches * b + i, 1, p.x, p.y); !s)
      return s;
    if (Status s = runOnce(ex, p, 1, labels, r); !s)
      return s;
    if (!goOn())
      return r;
  }
  return r;
}
