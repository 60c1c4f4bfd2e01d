//===- Metrics.h - Classification metrics and loss meters -------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). What `loom train`
// measures on a classification task, with scikit-learn's definitions:
//
//   ConfusionMatrix  counts (true label, predicted label) pairs (the argmax
//                    of a row of scores, or a binary classifier's logit
//                    against a threshold); accuracy,
//                    per-class precision / recall / F1 / support, their
//                    macro and weighted averages, sklearn's
//                    classification_report table and a confusion matrix
//                    as aligned text
//   MeanMeter        the mean of per-batch values weighted by batch size
//   perplexity       exp of a mean loss in nats
//
// Ill-defined ratios are 0 (sklearn's zero_division=0): the precision of a
// class never predicted, the recall of a class absent from the labels.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_METRICS_H
#define LOOM_RUNTIME_REPORT_METRICS_H

#include "runtime/Status.h"

#include <cstdint>
#include <string>
#include <vector>

namespace loom {

/// Counts of (true label, predicted label) over `classes` classes, and the
/// metrics derived from them.
///
/// A row whose logits hold a NaN has no prediction (`kNoPrediction`): it is
/// counted as a wrong answer for its true class (in count(), support() and
/// against accuracy() and recall()) and as a prediction of no class. The
/// full matrix is kept for up to kMaxDenseClasses classes (8 MiB); above
/// that (a language model's vocabulary) only the per-class totals every
/// metric needs are kept, and at() and renderMatrix() say so.
class ConfusionMatrix {
public:
  /// The `predicted` value of a row with no prediction (NaN logits).
  static constexpr int32_t kNoPrediction = -1;
  /// The most classes for which the full matrix is kept.
  static constexpr int64_t kMaxDenseClasses = 1024;

  /// An empty matrix over classes 0 .. classes - 1. A count outside
  /// [1, INT32_MAX] makes a matrix of 0 classes that rejects every add().
  explicit ConfusionMatrix(int64_t classes);

  /// Adds `rows` predictions, each the argmax of a row of `classes` logits
  /// (row-major, rows x classes; ties go to the lowest index, a row with a
  /// NaN has no prediction), against `labels[rows]`. Fails, adding
  /// nothing, when `classes` differs from classes() or a label is outside
  /// [0, classes).
  Status add(const float *logits, const int32_t *labels, int64_t rows,
             int64_t classes);
  /// Adds `rows` predictions of a binary classifier, one logit each: class
  /// 1 when the logit is above `threshold`, else class 0 (a NaN logit has
  /// no prediction), against `labels[rows]`. Fails, adding nothing, unless
  /// classes() is 2 and every label is 0 or 1.
  Status addThresholded(const float *logits, const int32_t *labels,
                        int64_t rows, float threshold);
  /// Adds one pair. `predicted` may be kNoPrediction. Fails, adding
  /// nothing, when either is out of range.
  Status add(int32_t label, int32_t predicted);
  /// Adds every count of `other`, which must have as many classes.
  Status merge(const ConfusionMatrix &other);
  /// Forgets every count.
  void reset();
  /// Every count as one list, of a length that depends on classes() only:
  /// the element-wise sum of two matrices' lists is their merge's (what a
  /// data-parallel evaluation sums over its ranks).
  std::vector<int64_t> counts() const;
  /// Replaces every count by `counts`, a list of counts() (or a sum of
  /// them) of a matrix with as many classes; fails, changing nothing, on
  /// a list of another length or with a negative count.
  Status setCounts(const std::vector<int64_t> &counts);

  /// The number of classes.
  int64_t classes() const { return numClasses; }
  /// The number of pairs added.
  int64_t count() const { return total; }
  /// Pairs with true label `label` predicted as `predicted` (which may be
  /// kNoPrediction); 0 out of range or when the full matrix is not kept.
  int64_t at(int32_t label, int32_t predicted) const;
  /// Whether the full matrix is kept (classes() <= kMaxDenseClasses).
  bool keepsMatrix() const { return !cells.empty(); }

  /// Correct predictions / count() (0 when empty).
  double accuracy() const;
  /// True positives / predictions of class `c` (0 when never predicted).
  double precision(int32_t c) const;
  /// True positives / support(c) (0 when `c` is absent from the labels).
  double recall(int32_t c) const;
  /// 2 tp / (2 tp + fp + fn), the harmonic mean of precision and recall
  /// (0 when `c` is neither a label nor a prediction).
  double f1(int32_t c) const;
  /// The number of pairs whose true label is `c`.
  int64_t support(int32_t c) const;
  /// The number of pairs predicted as `c`.
  int64_t predictions(int32_t c) const;
  /// Whether `c` occurs as a label or as a prediction: the classes the
  /// averages run over (sklearn's default `labels=None`, torchmetrics'
  /// macro average).
  bool seen(int32_t c) const;

  /// The unweighted mean of precision(c) over the seen classes (0 when
  /// none); likewise recall and F1.
  double macroPrecision() const;
  /// The unweighted mean of recall(c) over the seen classes.
  double macroRecall() const;
  /// The unweighted mean of f1(c) over the seen classes.
  double macroF1() const;
  /// The mean of precision(c) weighted by support(c) (0 when empty);
  /// likewise recall (which equals accuracy()) and F1.
  double weightedPrecision() const;
  /// The mean of recall(c) weighted by support(c).
  double weightedRecall() const;
  /// The mean of f1(c) weighted by support(c).
  double weightedF1() const;

  /// The matrix as aligned text: a header row of predicted classes, then one
  /// row per true class, named by `classNames` where given (classes() of
  /// them) and by index otherwise. A column "none" counts the rows with no
  /// prediction, when there are any. Every line ends in '\n'.
  std::string renderMatrix(const std::vector<std::string> &classNames = {},
                           const std::string &indent = "") const;
  /// sklearn's classification_report(y_true, y_pred, digits=digits,
  /// zero_division=0), byte for byte: a row per seen class, then accuracy,
  /// macro avg and weighted avg.
  std::string renderReport(const std::vector<std::string> &classNames = {},
                           int digits = 4) const;

private:
  int64_t numClasses = 0;
  int64_t total = 0;
  int64_t correct = 0;
  std::vector<int64_t> truePositives; ///< classes
  std::vector<int64_t> labelCounts;   ///< classes: support
  std::vector<int64_t> predCounts;    ///< classes
  /// classes x (classes + 1), row = label, the last column kNoPrediction;
  /// empty above kMaxDenseClasses.
  std::vector<int64_t> cells;
  int64_t noPrediction = 0;

  void addUnchecked(int32_t label, int32_t predicted);
  std::string className(const std::vector<std::string> &names, int32_t c) const;
};

/// The argmax of `logits[n]`: ties go to the lowest index, and a NaN
/// anywhere gives ConfusionMatrix::kNoPrediction (as does n <= 0).
int32_t argmax(const float *logits, int64_t n);

/// The mean of values weighted by counts (a per-batch mean loss and the
/// batch size), summed with compensation so that long runs stay exact to
/// the last bits. A NaN or infinite value makes the mean NaN or infinite.
class MeanMeter {
public:
  /// Adds a value that is the mean over `count` items (count >= 1; a count
  /// <= 0 adds nothing).
  void add(double value, int64_t count = 1);
  /// Adds every value of `other`.
  void merge(const MeanMeter &other);
  /// Forgets every value.
  void reset();

  /// The weighted mean (NaN when empty).
  double mean() const;
  /// The number of items added (sum of counts).
  int64_t count() const { return items; }
  /// The sum of value * count.
  double sum() const;

private:
  double total = 0;
  double compensation = 0; ///< Neumaier's running correction
  int64_t items = 0;

  void accumulate(double x);
};

/// exp(meanNats): the perplexity of a mean cross-entropy loss in nats.
double perplexity(double meanNats);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_METRICS_H
