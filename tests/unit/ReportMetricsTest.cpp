//===- ReportMetricsTest.cpp - Metrics against scikit-learn ---------------===//
//
// Part of Loom. Checks ConfusionMatrix, MeanMeter and perplexity
// (runtime/report/Metrics.h). The expected values were computed once with
// scikit-learn 1.2.1 (Debian's python3-sklearn) and are written out here:
//
//   from sklearn.metrics import *
//   yt = [0,0,0,1,1,2,2,0,1,1]; yp = [0,1,0,1,1,0,1,0,3,1]
//   accuracy_score(yt, yp)
//   precision_recall_fscore_support(yt, yp, zero_division=0)
//   precision_recall_fscore_support(yt, yp, average="macro"|"weighted",
//                                   zero_division=0)
//   repr(classification_report(yt, yp, zero_division=0[, digits=...,
//                              target_names=...]))
//
// Class 3 is predicted but absent from the labels, class 2 is a label but
// never predicted.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Metrics.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <vector>

using namespace loom;

namespace {

const std::vector<int32_t> kTrue = {0, 0, 0, 1, 1, 2, 2, 0, 1, 1};
const std::vector<int32_t> kPred = {0, 1, 0, 1, 1, 0, 1, 0, 3, 1};

ConfusionMatrix sklearnCase(int64_t classes) {
  ConfusionMatrix m(classes);
  for (size_t i = 0; i < kTrue.size(); ++i)
    EXPECT_TRUE(m.add(kTrue[i], kPred[i]).ok());
  return m;
}

TEST(ReportMetrics, MatchesScikitLearn) {
  ConfusionMatrix m = sklearnCase(4);
  EXPECT_EQ(m.count(), 10);
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.6);
  const double precision[] = {0.75, 0.6, 0.0, 0.0};
  const double recall[] = {0.75, 0.75, 0.0, 0.0};
  const double f1[] = {0.75, 0.6666666666666665, 0.0, 0.0};
  const int64_t support[] = {4, 4, 2, 0};
  for (int32_t c = 0; c < 4; ++c) {
    SCOPED_TRACE(c);
    EXPECT_DOUBLE_EQ(m.precision(c), precision[c]);
    EXPECT_DOUBLE_EQ(m.recall(c), recall[c]);
    EXPECT_DOUBLE_EQ(m.f1(c), f1[c]);
    EXPECT_EQ(m.support(c), support[c]);
  }
  EXPECT_DOUBLE_EQ(m.macroPrecision(), 0.3375);
  EXPECT_DOUBLE_EQ(m.macroRecall(), 0.375);
  EXPECT_DOUBLE_EQ(m.macroF1(), 0.35416666666666663);
  EXPECT_DOUBLE_EQ(m.weightedPrecision(), 0.54);
  EXPECT_DOUBLE_EQ(m.weightedRecall(), 0.6);
  EXPECT_DOUBLE_EQ(m.weightedF1(), 0.5666666666666667);
  // confusion_matrix(yt, yp)
  const int64_t cells[4][4] = {
      {3, 1, 0, 0}, {0, 3, 0, 1}, {1, 1, 0, 0}, {0, 0, 0, 0}};
  for (int32_t l = 0; l < 4; ++l)
    for (int32_t p = 0; p < 4; ++p)
      EXPECT_EQ(m.at(l, p), cells[l][p]) << l << "," << p;
  EXPECT_EQ(m.predictions(3), 1);
  EXPECT_EQ(m.predictions(2), 0);
}

TEST(ReportMetrics, ClassNeverSeenIsLeftOutOfMacroAverages) {
  // Class 4 is neither a label nor a prediction: sklearn's default
  // (labels=None) leaves it out, so the averages are those of 4 classes.
  // With labels=range(5) sklearn would give a macro F1 of
  // 0.2833333333333333 instead.
  ConfusionMatrix m = sklearnCase(5);
  EXPECT_FALSE(m.seen(4));
  EXPECT_TRUE(m.seen(3));
  EXPECT_DOUBLE_EQ(m.macroF1(), 0.35416666666666663);
  EXPECT_DOUBLE_EQ(m.macroPrecision(), 0.3375);
  EXPECT_DOUBLE_EQ(m.weightedF1(), 0.5666666666666667);
  EXPECT_EQ(m.renderReport({}, 2), sklearnCase(4).renderReport({}, 2));
}

TEST(ReportMetrics, ReportIsScikitLearnsByteForByte) {
  ConfusionMatrix m = sklearnCase(4);
  EXPECT_EQ(m.renderReport({}, 2),
            "              precision    recall  f1-score   support\n\n"
            "           0       0.75      0.75      0.75         4\n"
            "           1       0.60      0.75      0.67         4\n"
            "           2       0.00      0.00      0.00         2\n"
            "           3       0.00      0.00      0.00         0\n\n"
            "    accuracy                           0.60        10\n"
            "   macro avg       0.34      0.38      0.35        10\n"
            "weighted avg       0.54      0.60      0.57        10\n");
  EXPECT_EQ(m.renderReport({"cat", "dog", "bird", "fish"}, 4),
            "              precision    recall  f1-score   support\n\n"
            "         cat     0.7500    0.7500    0.7500         4\n"
            "         dog     0.6000    0.7500    0.6667         4\n"
            "        bird     0.0000    0.0000    0.0000         2\n"
            "        fish     0.0000    0.0000    0.0000         0\n\n"
            "    accuracy                         0.6000        10\n"
            "   macro avg     0.3375    0.3750    0.3542        10\n"
            "weighted avg     0.5400    0.6000    0.5667        10\n");
  // A name longer than "weighted avg" widens the first column.
  EXPECT_EQ(
      m.renderReport({"cat", "dog", "a very long class name", "fish"}, 3),
      "                        precision    recall  f1-score   support\n\n"
      "                   cat      0.750     0.750     0.750         4\n"
      "                   dog      0.600     0.750     0.667         4\n"
      "a very long class name      0.000     0.000     0.000         2\n"
      "                  fish      0.000     0.000     0.000         0\n\n"
      "              accuracy                          0.600        10\n"
      "             macro avg      0.338     0.375     0.354        10\n"
      "          weighted avg      0.540     0.600     0.567        10\n");
}

TEST(ReportMetrics, MatrixRendersAligned) {
  ConfusionMatrix m = sklearnCase(4);
  EXPECT_EQ(m.renderMatrix({"cat", "dog", "bird", "fish"}, "  "),
            "  true \\ pred   cat   dog  bird  fish\n"
            "          cat     3     1     0     0\n"
            "          dog     0     3     0     1\n"
            "         bird     1     1     0     0\n"
            "         fish     0     0     0     0\n");
  EXPECT_EQ(ConfusionMatrix(2).renderMatrix(), "true \\ pred  0  1\n"
                                               "          0  0  0\n"
                                               "          1  0  0\n");
}

TEST(ReportMetrics, LogitsTakeArgmaxWithTiesLowAndNaNWrong) {
  const float inf = std::numeric_limits<float>::infinity();
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // 6 rows x 3 classes; the predictions are 0, none, 1, 0, 1, none.
  const std::vector<float> logits = {
      1,    1,    0,    // tie: 0
      nan,  0,    0,    // NaN: no prediction
      0,    inf,  1,    // +inf wins: 1
      -inf, -inf, -inf, // all tied: 0
      0,    2,    2,    // tie: 1
      3,    nan,  5,    // NaN: no prediction
  };
  const std::vector<int32_t> labels = {0, 1, 2, 2, 1, 0};
  ConfusionMatrix m(3);
  ASSERT_TRUE(m.add(logits.data(), labels.data(), 6, 3).ok());
  // sklearn with the missing predictions as -1 and labels=[0, 1, 2]:
  //   accuracy 0.3333333333333333; precision, recall, f1 = 0.5, 0.5, 0 per
  //   class; macro and weighted 0.3333333333333333;
  //   confusion_matrix(labels=[0, 1, 2, -1]) as below.
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.3333333333333333);
  EXPECT_DOUBLE_EQ(m.precision(0), 0.5);
  EXPECT_DOUBLE_EQ(m.recall(1), 0.5);
  EXPECT_DOUBLE_EQ(m.f1(2), 0.0);
  EXPECT_DOUBLE_EQ(m.macroF1(), 0.3333333333333333);
  EXPECT_DOUBLE_EQ(m.weightedRecall(), 0.3333333333333333);
  EXPECT_EQ(m.at(0, ConfusionMatrix::kNoPrediction), 1);
  EXPECT_EQ(m.at(1, ConfusionMatrix::kNoPrediction), 1);
  EXPECT_EQ(m.support(0), 2);
  EXPECT_EQ(m.renderMatrix(), "true \\ pred     0     1     2  none\n"
                              "          0     1     0     0     1\n"
                              "          1     0     1     0     1\n"
                              "          2     1     1     0     0\n");
}

TEST(ReportMetrics, BinaryLogitsAgainstAThreshold) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  // One logit per example; class 1 only strictly above the threshold.
  const float logits[] = {2.0f, -1.0f, 0.0f,  0.5f,  -0.25f,
                          nan,  3.0f,  -4.0f, 1e-7f, -1e-7f};
  const int32_t labels[] = {1, 0, 1, 1, 0, 1, 0, 0, 1, 1};
  // At 0: predictions 1 0 0 1 0 none 1 0 1 0, so class 1 has tp 3, fp 1,
  // fn 3 (one of them the NaN row): precision 3/4, recall 3/6, F1 6/10.
  ConfusionMatrix m(2);
  ASSERT_TRUE(m.addThresholded(logits, labels, 10, 0.0f).ok());
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.6);
  EXPECT_DOUBLE_EQ(m.precision(1), 0.75);
  EXPECT_DOUBLE_EQ(m.recall(1), 0.5);
  EXPECT_DOUBLE_EQ(m.f1(1), 0.6);
  EXPECT_EQ(m.at(1, ConfusionMatrix::kNoPrediction), 1);
  EXPECT_EQ(m.at(0, 1), 1);
  EXPECT_EQ(m.at(1, 0), 2);
  // At 1: predictions 1 0 0 0 0 none 1 0 0 0: tp 1, fp 1, fn 5.
  ConfusionMatrix high(2);
  ASSERT_TRUE(high.addThresholded(logits, labels, 10, 1.0f).ok());
  EXPECT_DOUBLE_EQ(high.accuracy(), 0.4);
  EXPECT_DOUBLE_EQ(high.precision(1), 0.5);
  EXPECT_DOUBLE_EQ(high.recall(1), 1.0 / 6);
  EXPECT_DOUBLE_EQ(high.f1(1), 0.25);
}

TEST(ReportMetrics, BinaryNeedsTwoClassesAndLabels0Or1) {
  const float logits[] = {1.0f, -1.0f};
  const int32_t labels[] = {1, 2};
  ConfusionMatrix m(2);
  Status s = m.addThresholded(logits, labels, 2, 0.0f);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "confusion matrix: label 2 of row 1 is not 0 or 1");
  EXPECT_EQ(m.count(), 0);
  s = ConfusionMatrix(3).addThresholded(logits, labels, 1, 0.0f);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "confusion matrix: a binary classifier's logits need 2 classes, "
            "not 3");
}

TEST(ReportMetrics, ArgmaxEdgeCases) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float a[] = {-1, 5, 5, 4};
  EXPECT_EQ(argmax(a, 4), 1);
  const float b[] = {2, 1, nan};
  EXPECT_EQ(argmax(b, 3), ConfusionMatrix::kNoPrediction);
  EXPECT_EQ(argmax(a, 0), ConfusionMatrix::kNoPrediction);
}

TEST(ReportMetrics, BadInputIsAnErrorAndAddsNothing) {
  ConfusionMatrix m(3);
  const float logits[] = {1, 0, 0, 0, 1, 0};
  const int32_t labels[] = {0, 3};
  Status s = m.add(logits, labels, 2, 3);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(),
            "confusion matrix: label 3 of row 1 is outside [0, 3)");
  EXPECT_EQ(m.count(), 0);
  s = m.add(logits, labels, 1, 2);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "confusion matrix: logits have 2 classes, expected 3");
  s = m.add(-1, 0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "confusion matrix: label -1 is outside [0, 3)");
  s = m.add(0, 7);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "confusion matrix: prediction 7 is outside [0, 3)");
  EXPECT_EQ(m.count(), 0);
  EXPECT_FALSE(ConfusionMatrix(0).add(0, 0).ok());
  Status merged = m.merge(ConfusionMatrix(4));
  ASSERT_FALSE(merged.ok());
  EXPECT_EQ(merged.message(),
            "confusion matrix: cannot merge 4 classes into 3");
}

TEST(ReportMetrics, EmptyMatrixIsAllZero) {
  ConfusionMatrix m(3);
  EXPECT_EQ(m.accuracy(), 0.0);
  EXPECT_EQ(m.macroF1(), 0.0);
  EXPECT_EQ(m.weightedPrecision(), 0.0);
  EXPECT_EQ(m.precision(0), 0.0);
  EXPECT_EQ(m.f1(99), 0.0);
}

TEST(ReportMetrics, MergeAndReset) {
  ConfusionMatrix a(4), b(4);
  for (size_t i = 0; i < kTrue.size(); ++i)
    ASSERT_TRUE((i < 4 ? a : b).add(kTrue[i], kPred[i]).ok());
  ASSERT_TRUE(a.merge(b).ok());
  EXPECT_EQ(a.renderReport(), sklearnCase(4).renderReport());
  a.reset();
  EXPECT_EQ(a.count(), 0);
  EXPECT_EQ(a.at(0, 0), 0);
  EXPECT_EQ(a.support(1), 0);
}

TEST(ReportMetrics, SummedCountsAreTheMerge) {
  // What a data-parallel evaluation does: each rank's counts, summed.
  ConfusionMatrix a(4), b(4);
  for (size_t i = 0; i < kTrue.size(); ++i)
    ASSERT_TRUE((i % 2 ? a : b).add(kTrue[i], kPred[i]).ok());
  ASSERT_TRUE(a.add(2, ConfusionMatrix::kNoPrediction).ok());
  std::vector<int64_t> sum = a.counts(), other = b.counts();
  ASSERT_EQ(sum.size(), other.size());
  for (size_t i = 0; i < sum.size(); ++i)
    sum[i] += other[i];
  ConfusionMatrix summed(4);
  ASSERT_TRUE(summed.setCounts(sum).ok());
  ASSERT_TRUE(a.merge(b).ok());
  EXPECT_EQ(summed.renderReport(), a.renderReport());
  EXPECT_EQ(summed.renderMatrix(), a.renderMatrix());
  EXPECT_EQ(summed.count(), a.count());
  // Another length, a negative count: an error, nothing changed.
  sum.pop_back();
  Status s = summed.setCounts(sum);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message(), "confusion matrix: " + std::to_string(sum.size()) +
                             " counts for a matrix of 4 classes, which has " +
                             std::to_string(sum.size() + 1));
  std::vector<int64_t> negative(sum.size() + 1, 0);
  negative[5] = -1;
  EXPECT_EQ(summed.setCounts(negative).message(),
            "confusion matrix: a negative count");
  EXPECT_EQ(summed.count(), a.count());
  // Totals only above kMaxDenseClasses: the list is shorter, and still sums.
  ConfusionMatrix big(5000), big2(5000);
  ASSERT_TRUE(big.add(4000, 4000).ok());
  ASSERT_TRUE(big2.add(4000, 7).ok());
  std::vector<int64_t> both = big.counts(), second = big2.counts();
  EXPECT_EQ(both.size(), 3u + 3u * 5000u);
  for (size_t i = 0; i < both.size(); ++i)
    both[i] += second[i];
  ASSERT_TRUE(big.setCounts(both).ok());
  EXPECT_DOUBLE_EQ(big.accuracy(), 0.5);
  EXPECT_DOUBLE_EQ(big.recall(4000), 0.5);
}

TEST(ReportMetrics, LargeVocabularyKeepsTotalsOnly) {
  ConfusionMatrix m(50257);
  EXPECT_FALSE(m.keepsMatrix());
  ASSERT_TRUE(m.add(50000, 50000).ok());
  ASSERT_TRUE(m.add(50000, 7).ok());
  EXPECT_DOUBLE_EQ(m.accuracy(), 0.5);
  EXPECT_DOUBLE_EQ(m.recall(50000), 0.5);
  EXPECT_DOUBLE_EQ(m.precision(50000), 1.0);
  EXPECT_EQ(m.at(50000, 50000), 0);
  EXPECT_EQ(m.renderMatrix(), "(confusion matrix not kept for 50257 "
                              "classes, more than 1024)\n");
  // Macro over the 2 seen classes: f1 = 2/3 and 0.
  EXPECT_DOUBLE_EQ(m.macroF1(), 1.0 / 3.0);
}

TEST(ReportMetrics, MeanMeterWeightsByCount) {
  MeanMeter m;
  EXPECT_TRUE(std::isnan(m.mean()));
  m.add(2.0, 3);
  m.add(4.0, 1);
  m.add(100.0, 0); // adds nothing
  EXPECT_EQ(m.count(), 4);
  EXPECT_DOUBLE_EQ(m.mean(), 2.5);
  MeanMeter other;
  other.add(10.0, 4);
  m.merge(other);
  EXPECT_EQ(m.count(), 8);
  EXPECT_DOUBLE_EQ(m.mean(), 6.25);
  m.reset();
  EXPECT_EQ(m.count(), 0);
  EXPECT_TRUE(std::isnan(m.mean()));
}

TEST(ReportMetrics, MeanMeterSumIsCompensated) {
  // 1e16 + 1 + 1 - 1e16: plain double addition loses both ones.
  MeanMeter m;
  m.add(1e16);
  for (int i = 0; i < 10; ++i)
    m.add(1.0);
  m.add(-1e16);
  EXPECT_EQ(m.sum(), 10.0);
  EXPECT_EQ(m.count(), 12);
  // And 0.1 a million times sums to what 0.1 * 1e6 rounds to.
  MeanMeter tenth;
  for (int i = 0; i < 1000000; ++i)
    tenth.add(0.1);
  EXPECT_EQ(tenth.sum(), 100000.0);
}

TEST(ReportMetrics, MeanMeterPropagatesNonFinite) {
  MeanMeter m;
  m.add(1.0, 2);
  m.add(std::numeric_limits<double>::infinity(), 1);
  EXPECT_TRUE(std::isinf(m.mean()));
  m.add(std::numeric_limits<double>::quiet_NaN(), 1);
  EXPECT_TRUE(std::isnan(m.mean()));
}

TEST(ReportMetrics, Perplexity) {
  EXPECT_DOUBLE_EQ(perplexity(0.0), 1.0);
  EXPECT_DOUBLE_EQ(perplexity(2.0), 7.38905609893065);
  EXPECT_DOUBLE_EQ(perplexity(std::log(50257.0)), 50257.0);
}

} // namespace
