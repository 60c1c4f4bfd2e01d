//===- Metrics.cpp - Classification metrics and loss meters ---------------===//
//
// Part of Loom. This file implements the confusion matrix, its metrics and
// text renderings, and the mean meter of Metrics.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Metrics.h"

#include <algorithm>
#include <climits>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <limits>

using namespace loom;

//===----------------------------------------------------------------------===//
// ConfusionMatrix
//===----------------------------------------------------------------------===//

ConfusionMatrix::ConfusionMatrix(int64_t classes) {
  if (classes < 1 || classes > INT32_MAX)
    return;
  numClasses = classes;
  truePositives.assign(classes, 0);
  labelCounts.assign(classes, 0);
  predCounts.assign(classes, 0);
  if (classes <= kMaxDenseClasses)
    cells.assign(classes * (classes + 1), 0);
}

int32_t loom::argmax(const float *logits, int64_t n) {
  if (n <= 0)
    return ConfusionMatrix::kNoPrediction;
  int32_t best = 0;
  for (int64_t i = 0; i < n; ++i) {
    if (std::isnan(logits[i]))
      return ConfusionMatrix::kNoPrediction;
    // Strictly greater: a tie keeps the lower index.
    if (logits[i] > logits[best])
      best = static_cast<int32_t>(i);
  }
  return best;
}

void ConfusionMatrix::addUnchecked(int32_t label, int32_t predicted) {
  ++total;
  ++labelCounts[label];
  if (predicted == kNoPrediction) {
    ++noPrediction;
  } else {
    ++predCounts[predicted];
    if (predicted == label) {
      ++correct;
      ++truePositives[label];
    }
  }
  if (!cells.empty()) {
    int64_t column = predicted == kNoPrediction ? numClasses : predicted;
    ++cells[label * (numClasses + 1) + column];
  }
}

Status ConfusionMatrix::add(const float *logits, const int32_t *labels,
                            int64_t rows, int64_t classes) {
  if (classes != numClasses)
    return Status::error("confusion matrix: logits have " +
                         std::to_string(classes) + " classes, expected " +
                         std::to_string(numClasses));
  if (rows < 0)
    return Status::error("confusion matrix: negative row count " +
                         std::to_string(rows));
  // Check every label first so that a bad batch adds nothing.
  for (int64_t r = 0; r < rows; ++r)
    if (labels[r] < 0 || labels[r] >= numClasses)
      return Status::error("confusion matrix: label " +
                           std::to_string(labels[r]) + " of row " +
                           std::to_string(r) + " is outside [0, " +
                           std::to_string(numClasses) + ")");
  for (int64_t r = 0; r < rows; ++r)
    addUnchecked(labels[r], argmax(logits + r * classes, classes));
  return Status();
}

Status ConfusionMatrix::addThresholded(const float *logits,
                                       const int32_t *labels, int64_t rows,
                                       float threshold) {
  if (numClasses != 2)
    return Status::error("confusion matrix: a binary classifier's logits need "
                         "2 classes, not " +
                         std::to_string(numClasses));
  if (rows < 0)
    return Status::error("confusion matrix: negative row count " +
                         std::to_string(rows));
  for (int64_t r = 0; r < rows; ++r)
    if (labels[r] != 0 && labels[r] != 1)
      return Status::error("confusion matrix: label " +
                           std::to_string(labels[r]) + " of row " +
                           std::to_string(r) + " is not 0 or 1");
  for (int64_t r = 0; r < rows; ++r)
    addUnchecked(labels[r], std::isnan(logits[r])   ? kNoPrediction
                            : logits[r] > threshold ? 1
                                                    : 0);
  return Status();
}

Status ConfusionMatrix::add(int32_t label, int32_t predicted) {
  if (label < 0 || label >= numClasses)
    return Status::error("confusion matrix: label " + std::to_string(label) +
                         " is outside [0, " + std::to_string(numClasses) + ")");
  if (predicted != kNoPrediction && (predicted < 0 || predicted >= numClasses))
    return Status::error("confusion matrix: prediction " +
                         std::to_string(predicted) + " is outside [0, " +
                         std::to_string(numClasses) + ")");
  addUnchecked(label, predicted);
  return Status();
}

Status ConfusionMatrix::merge(const ConfusionMatrix &other) {
  if (other.numClasses != numClasses)
    return Status::error("confusion matrix: cannot merge " +
                         std::to_string(other.numClasses) + " classes into " +
                         std::to_string(numClasses));
  total += other.total;
  correct += other.correct;
  noPrediction += other.noPrediction;
  for (int64_t c = 0; c < numClasses; ++c) {
    truePositives[c] += other.truePositives[c];
    labelCounts[c] += other.labelCounts[c];
    predCounts[c] += other.predCounts[c];
  }
  for (size_t i = 0; i < cells.size(); ++i)
    cells[i] += other.cells[i];
  return Status();
}

std::vector<int64_t> ConfusionMatrix::counts() const {
  std::vector<int64_t> out = {total, correct, noPrediction};
  for (const std::vector<int64_t> *v :
       {&truePositives, &labelCounts, &predCounts, &cells})
    out.insert(out.end(), v->begin(), v->end());
  return out;
}

Status ConfusionMatrix::setCounts(const std::vector<int64_t> &counts) {
  size_t want = 3 + truePositives.size() + labelCounts.size() +
                predCounts.size() + cells.size();
  if (counts.size() != want)
    return Status::error("confusion matrix: " + std::to_string(counts.size()) +
                         " counts for a matrix of " +
                         std::to_string(numClasses) + " classes, which has " +
                         std::to_string(want));
  for (int64_t c : counts)
    if (c < 0)
      return Status::error("confusion matrix: a negative count");
  total = counts[0];
  correct = counts[1];
  noPrediction = counts[2];
  size_t at = 3;
  for (std::vector<int64_t> *v :
       {&truePositives, &labelCounts, &predCounts, &cells}) {
    std::copy(counts.begin() + at, counts.begin() + at + v->size(), v->begin());
    at += v->size();
  }
  return Status();
}

void ConfusionMatrix::reset() {
  total = correct = noPrediction = 0;
  std::fill(truePositives.begin(), truePositives.end(), 0);
  std::fill(labelCounts.begin(), labelCounts.end(), 0);
  std::fill(predCounts.begin(), predCounts.end(), 0);
  std::fill(cells.begin(), cells.end(), 0);
}

int64_t ConfusionMatrix::at(int32_t label, int32_t predicted) const {
  if (cells.empty() || label < 0 || label >= numClasses ||
      predicted < kNoPrediction || predicted >= numClasses)
    return 0;
  int64_t column = predicted == kNoPrediction ? numClasses : predicted;
  return cells[label * (numClasses + 1) + column];
}

static double ratio(int64_t num, int64_t den) {
  return den == 0 ? 0.0 : static_cast<double>(num) / static_cast<double>(den);
}

static bool inRange(int32_t c, int64_t n) { return c >= 0 && c < n; }

double ConfusionMatrix::accuracy() const { return ratio(correct, total); }

double ConfusionMatrix::precision(int32_t c) const {
  return inRange(c, numClasses) ? ratio(truePositives[c], predCounts[c]) : 0.0;
}

double ConfusionMatrix::recall(int32_t c) const {
  return inRange(c, numClasses) ? ratio(truePositives[c], labelCounts[c]) : 0.0;
}

double ConfusionMatrix::f1(int32_t c) const {
  if (!inRange(c, numClasses))
    return 0.0;
  // 2tp + fp + fn = predictions + support.
  return ratio(2 * truePositives[c], predCounts[c] + labelCounts[c]);
}

int64_t ConfusionMatrix::support(int32_t c) const {
  return inRange(c, numClasses) ? labelCounts[c] : 0;
}

int64_t ConfusionMatrix::predictions(int32_t c) const {
  return inRange(c, numClasses) ? predCounts[c] : 0;
}

bool ConfusionMatrix::seen(int32_t c) const {
  return inRange(c, numClasses) && (labelCounts[c] > 0 || predCounts[c] > 0);
}

namespace {
/// Which average of a per-class metric.
enum class Average { Macro, Weighted };
} // namespace

template <typename Metric>
static double average(const ConfusionMatrix &m, Average kind, Metric metric) {
  double sum = 0;
  int64_t weight = 0;
  for (int32_t c = 0; c < m.classes(); ++c) {
    if (kind == Average::Macro) {
      if (!m.seen(c))
        continue;
      sum += metric(c);
      ++weight;
    } else {
      sum += metric(c) * static_cast<double>(m.support(c));
      weight += m.support(c);
    }
  }
  return weight == 0 ? 0.0 : sum / static_cast<double>(weight);
}

double ConfusionMatrix::macroPrecision() const {
  return average(*this, Average::Macro,
                 [&](int32_t c) { return precision(c); });
}
double ConfusionMatrix::macroRecall() const {
  return average(*this, Average::Macro, [&](int32_t c) { return recall(c); });
}
double ConfusionMatrix::macroF1() const {
  return average(*this, Average::Macro, [&](int32_t c) { return f1(c); });
}
double ConfusionMatrix::weightedPrecision() const {
  return average(*this, Average::Weighted,
                 [&](int32_t c) { return precision(c); });
}
double ConfusionMatrix::weightedRecall() const {
  return average(*this, Average::Weighted,
                 [&](int32_t c) { return recall(c); });
}
double ConfusionMatrix::weightedF1() const {
  return average(*this, Average::Weighted, [&](int32_t c) { return f1(c); });
}

//===----------------------------------------------------------------------===//
// Text renderings
//===----------------------------------------------------------------------===//

std::string ConfusionMatrix::className(const std::vector<std::string> &names,
                                       int32_t c) const {
  return static_cast<size_t>(c) < names.size() ? names[c] : std::to_string(c);
}

/// `s` right-aligned in `width` columns (never cut).
static std::string padLeft(const std::string &s, size_t width) {
  return s.size() >= width ? s : std::string(width - s.size(), ' ') + s;
}

std::string
ConfusionMatrix::renderMatrix(const std::vector<std::string> &classNames,
                              const std::string &indent) const {
  if (numClasses == 0)
    return indent + "(no classes)\n";
  if (cells.empty())
    return indent + "(confusion matrix not kept for " +
           std::to_string(numClasses) + " classes, more than " +
           std::to_string(kMaxDenseClasses) + ")\n";
  bool noneColumn = noPrediction > 0;
  int64_t columns = numClasses + (noneColumn ? 1 : 0);
  const std::string corner = "true \\ pred";

  // One width for the row names, one shared by every count column.
  size_t nameWidth = corner.size();
  size_t cellWidth = noneColumn ? 4 : 1; // "none"
  for (int32_t c = 0; c < numClasses; ++c) {
    nameWidth = std::max(nameWidth, className(classNames, c).size());
    cellWidth = std::max(cellWidth, className(classNames, c).size());
  }
  for (int32_t l = 0; l < numClasses; ++l)
    for (int64_t p = 0; p < columns; ++p)
      cellWidth = std::max(
          cellWidth, std::to_string(cells[l * (numClasses + 1) + p]).size());

  std::string out = indent + padLeft(corner, nameWidth);
  for (int32_t c = 0; c < numClasses; ++c)
    out += "  " + padLeft(className(classNames, c), cellWidth);
  if (noneColumn)
    out += "  " + padLeft("none", cellWidth);
  out += '\n';
  for (int32_t l = 0; l < numClasses; ++l) {
    out += indent + padLeft(className(classNames, l), nameWidth);
    for (int64_t p = 0; p < columns; ++p)
      out += "  " + padLeft(std::to_string(cells[l * (numClasses + 1) + p]),
                            cellWidth);
    out += '\n';
  }
  return out;
}

/// printf into a std::string.
__attribute__((format(printf, 1, 2))) static std::string
strprintf(const char *fmt, ...) {
  va_list args, again;
  va_start(args, fmt);
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string s(n > 0 ? n : 0, '\0');
  std::vsnprintf(s.data(), s.size() + 1, fmt, again);
  va_end(again);
  return s;
}

std::string
ConfusionMatrix::renderReport(const std::vector<std::string> &classNames,
                              int digits) const {
  // sklearn/metrics/_classification.py, classification_report():
  //   width = max(len(name) for name in names + ["weighted avg"], digits)
  //   header: "{:>{width}s} " + " {:>9}" * 4, then a blank line
  //   rows:   "{:>{width}s} " + " {:>9.{digits}f}" * 3 + " {:>9}"
  //   a blank line, then accuracy (f1 column only), macro avg, weighted avg
  digits = std::clamp(digits, 0, 20);
  int width = std::max<int>(12, digits);
  for (int32_t c = 0; c < numClasses; ++c)
    if (seen(c))
      width = std::max<int>(width, className(classNames, c).size());

  auto row = [&](const std::string &name, double p, double r, double f,
                 int64_t n) {
    return strprintf("%*s  %9.*f %9.*f %9.*f %9lld\n", width, name.c_str(),
                     digits, p, digits, r, digits, f,
                     static_cast<long long>(n));
  };
  std::string out = strprintf("%*s  %9s %9s %9s %9s\n\n", width, "",
                              "precision", "recall", "f1-score", "support");
  for (int32_t c = 0; c < numClasses; ++c)
    if (seen(c))
      out += row(className(classNames, c), precision(c), recall(c), f1(c),
                 support(c));
  out += '\n';
  out += strprintf("%*s  %9s %9s %9.*f %9lld\n", width, "accuracy", "", "",
                   digits, accuracy(), static_cast<long long>(total));
  out += row("macro avg", macroPrecision(), macroRecall(), macroF1(), total);
  out += row("weighted avg", weightedPrecision(), weightedRecall(),
             weightedF1(), total);
  return out;
}

//===----------------------------------------------------------------------===//
// MeanMeter
//===----------------------------------------------------------------------===//

void MeanMeter::accumulate(double x) {
  // Neumaier's summation: the low bits each add loses are kept apart.
  double t = total + x;
  if (std::isfinite(t)) {
    if (std::fabs(total) >= std::fabs(x))
      compensation += (total - t) + x;
    else
      compensation += (x - t) + total;
  }
  total = t;
}

void MeanMeter::add(double value, int64_t count) {
  if (count <= 0)
    return;
  accumulate(value * static_cast<double>(count));
  items += count;
}

void MeanMeter::merge(const MeanMeter &other) {
  accumulate(other.total);
  accumulate(other.compensation);
  items += other.items;
}

void MeanMeter::reset() { *this = MeanMeter(); }

double MeanMeter::sum() const {
  // With a non-finite total the correction is meaningless (inf - inf).
  return std::isfinite(total) ? total + compensation : total;
}

double MeanMeter::mean() const {
  if (items == 0)
    return std::numeric_limits<double>::quiet_NaN();
  return sum() / static_cast<double>(items);
}

double loom::perplexity(double meanNats) { return std::exp(meanNats); }
