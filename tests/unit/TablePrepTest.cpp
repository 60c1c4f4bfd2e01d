//===- TablePrepTest.cpp - Cleaning and scaling a table -------------------===//
//
// Part of Loom. The statistics each prep step fits (median of an even count,
// mode ties, MCD on a planted outlier, ...), fitting on one table and
// applying to another, and the fitted statistics' JSON round trip.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/TablePrep.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <random>
#include <unistd.h>

using namespace loom;
using namespace loom::data;

namespace {

/// A table read from CSV text (through a temporary file, as `loom prep csv`
/// reads it).
Table tableOf(const std::string &csv) {
  static int n = 0;
  std::string path = ::testing::TempDir() + "loom-tableprep-" +
                     std::to_string(getpid()) + "-" + std::to_string(n++) +
                     ".csv";
  std::ofstream(path) << csv;
  StatusOr<Table> t = readTableCsv(path);
  std::remove(path.c_str());
  EXPECT_TRUE(t.ok()) << t.status().message();
  return t.ok() ? *t : Table();
}

StepLocator at() {
  return [](size_t off) { return "@" + std::to_string(off) + ": "; };
}

std::vector<PrepStep> steps(const std::string &s) {
  StatusOr<std::vector<PrepStep>> p = parsePrepSteps(s, at());
  EXPECT_TRUE(p.ok()) << p.status().message();
  return p.ok() ? *p : std::vector<PrepStep>();
}

/// Fits `s` on `t`; the error message, or "" when it fits.
std::string fitError(const std::string &s, Table t,
                     const std::string &label = "") {
  std::vector<StepReport> rep;
  StatusOr<FittedPrep> f = fitPrep(steps(s), label, t, rep, at());
  return f.ok() ? "" : f.status().message();
}

FittedPrep fit(const std::string &s, Table &t, const std::string &label,
               std::vector<StepReport> &rep) {
  StatusOr<FittedPrep> f = fitPrep(steps(s), label, t, rep, at());
  EXPECT_TRUE(f.ok()) << f.status().message();
  return f.ok() ? *f : FittedPrep();
}

} // namespace

TEST(TablePrepTable, CsvRoundTrip) {
  // Quoting; a missing cell; a row whose only cell is missing is "", not a
  // blank line that would end the data.
  Table t = tableOf("name,n\n\"a, b\",1\n\" x\",\nq\"r,2.5\n");
  std::string csv = tableToCsv(t);
  EXPECT_EQ(csv, "name,n\n\"a, b\",1\n\" x\",\n\"q\"\"r\",2.5\n");
  StatusOr<Table> back = parseTableCsv(csv, "t.csv");
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->columns[0].text, t.columns[0].text);
  Table one = tableOf("c\nx\n\"\"\ny\n");
  ASSERT_EQ(one.rows(), 3u);
  EXPECT_EQ(tableToCsv(one), "c\nx\n\"\"\ny\n");
  EXPECT_EQ(parseTableCsv("a,b\n1,2\n\n3,4\n", "t.csv").status().message(),
            "t.csv:3: empty row in the middle of the data");
}

TEST(TablePrepTable, SklearnHeader) {
  // scikit-learn's header (rows, features, class names) names the columns.
  Table t = tableOf("2,2,no,yes\n1.5,2,0\n3,4,1\n");
  ASSERT_EQ(t.columns.size(), 3u);
  EXPECT_EQ(t.columns[0].name, "feature_0");
  EXPECT_EQ(t.columns[2].name, "target");
  // A feature count the rows could not hold is not that header: it must
  // not make a name per claimed feature (a fuzzer found 10^8 of them).
  StatusOr<Table> plain = parseTableCsv("1,99999992,x,0\n1,2,x,0\n", "t.csv");
  ASSERT_TRUE(plain.ok());
  EXPECT_EQ(plain->columns[1].name, "99999992");
  std::vector<std::string> header = {"1", "99999992", "x"}, names;
  int64_t rows = 0;
  EXPECT_FALSE(expandSklearnHeader(header, rows, names, 1000));
  EXPECT_EQ(header.size(), 3u);
}

TEST(TablePrepTable, Utf8) {
  EXPECT_EQ(firstNonUtf8("plain, caf\xc3\xa9, \xe2\x82\xac, \xf0\x9f\x98\x80"),
            std::string::npos);
  EXPECT_EQ(firstNonUtf8("ab\xff"), 2u);
  EXPECT_EQ(firstNonUtf8("a\xc3"), 1u);            // cut short
  EXPECT_EQ(firstNonUtf8("\xc0\xaf"), 0u);         // overlong '/'
  EXPECT_EQ(firstNonUtf8("x\xed\xa0\x80"), 1u);    // a surrogate
  EXPECT_EQ(firstNonUtf8("\xf4\x90\x80\x80"), 0u); // past U+10FFFF
  EXPECT_EQ(parseTableCsv("a,b\n1,\xe9t\xe9\n", "t.csv").status().message(),
            "t.csv:2: not UTF-8 text (byte 0xE9 at column 3)");
  EXPECT_EQ(parsePrepSteps("impute(\"\xff\")", at()).status().message(),
            "@8: the quoted text is not UTF-8");
  EXPECT_EQ(parsePrepSteps(std::string("impute(\"a\0b\")", 13), at())
                .status()
                .message(),
            "@9: the quoted text holds a control character");
}

TEST(TablePrepStats, MedianMeanMode) {
  EXPECT_DOUBLE_EQ(medianOf({4, 1, 3}), 3);
  EXPECT_DOUBLE_EQ(medianOf({4, 1, 3, 2}), 2.5); // even: the middle two's mean
  EXPECT_DOUBLE_EQ(meanOf({1, 2, 6}), 3);
  EXPECT_DOUBLE_EQ(modeOf(std::vector<double>{5, 2, 5, 2, 9}), 2); // tie
  EXPECT_DOUBLE_EQ(modeOf(std::vector<double>{5, 2, 5, 9}), 5);
  EXPECT_EQ(modeOf(std::vector<std::string>{"b", "a", "b", "a"}), "a");
  EXPECT_EQ(modeOf(std::vector<std::string>{"b", "a", "b"}), "b");
}

TEST(TablePrepSteps, ParsesEveryStep) {
  std::vector<PrepStep> s =
      steps("dedup(key = id, \"the date\"), impute(age = mean, city = "
            "\"none\", 0), outliers(mahalanobis > 3.5, clip), minmax, "
            "onehot(max = 7)");
  ASSERT_EQ(s.size(), 5u);
  EXPECT_EQ(s[0].columns, (std::vector<std::string>{"id", "the date"}));
  EXPECT_EQ(s[1].text, "impute(age = mean, city = \"none\", 0)");
  ASSERT_EQ(s[1].fills.size(), 2u);
  EXPECT_EQ(s[1].fills[0].how, Fill::How::Mean);
  EXPECT_EQ(s[1].fills[1].text, "none");
  EXPECT_TRUE(s[1].hasDefault);
  EXPECT_EQ(s[1].defaultFill.how, Fill::How::Number);
  EXPECT_TRUE(s[2].mahalanobis);
  EXPECT_DOUBLE_EQ(s[2].threshold, 3.5);
  EXPECT_EQ(s[2].action, PrepStep::Action::Clip);
  EXPECT_EQ(s[4].maxCategories, 7);
}

TEST(TablePrepSteps, ErrorsSayWhere) {
  auto err = [](const std::string &s) {
    StatusOr<std::vector<PrepStep>> p = parsePrepSteps(s, at());
    return p.ok() ? std::string() : p.status().message();
  };
  EXPECT_EQ(err("dedup, scale"),
            "@7: unknown prep step 'scale'; the steps are dedup, impute, "
            "outliers, standardize, minmax and onehot");
  EXPECT_EQ(err("impute(avg)"), "@7: impute: 'avg' is not mean, median, "
                                "mode, drop, a number or a quoted \"text\"");
  EXPECT_EQ(err("outliers(zscore > -1, drop)"),
            "@18: outliers: the threshold must be a positive number, not "
            "'-1'");
  EXPECT_EQ(err("standardize minmax"),
            "@12: expected ',' between prep steps, found 'minmax'");
  EXPECT_EQ(err(""), "@0: no prep steps");
}

TEST(TablePrep, DedupExactAndByKey) {
  Table t = tableOf("id,x,y\n1,2,a\n1,2,a\n1,3,a\n2,2,\n2,2,\n");
  std::vector<StepReport> rep;
  fit("dedup", t, "", rep);
  EXPECT_EQ(t.rows(), 3u);
  EXPECT_EQ(rep[0].json["duplicates"], 2);
  EXPECT_EQ(t.lines, (std::vector<int64_t>{2, 4, 5})); // the first is kept
  Table k = tableOf("id,x\n1,2\n1,3\n2,2\n");
  rep.clear();
  fit("dedup(key = id)", k, "", rep);
  EXPECT_EQ(k.rows(), 2u);
  EXPECT_DOUBLE_EQ(k.columns[1].numbers[0], 2);
}

TEST(TablePrep, ImputeFitsOnOneTableAndAppliesToAnother) {
  Table train = tableOf("a,b,c,label\n1,x,5,0\n,y,,1\n4,x,7,\n3,,9,1\n");
  std::vector<StepReport> rep;
  FittedPrep p = fit("impute(median, c = drop)", train, "label", rep);
  // a: median of 1, 4, 3 = 3; b (text): mode x; c: the row dropped; the
  // label keeps its missing cell.
  ASSERT_EQ(train.rows(), 3u);
  EXPECT_DOUBLE_EQ(train.columns[0].numbers[0], 1);
  EXPECT_EQ(train.columns[1].text[2], "x");
  EXPECT_TRUE(train.columns[3].missing(1));
  EXPECT_EQ(rep[0].json["columns"]["a"]["value"], 3.0);
  EXPECT_EQ(rep[0].json["columns"]["c"]["missing"], 1);
  Table other = tableOf("a,b,c,label\n,,1,0\n100,z,2,1\n");
  rep.clear();
  ASSERT_TRUE(applyPrep(p, other, rep).ok());
  EXPECT_DOUBLE_EQ(other.columns[0].numbers[0], 3); // the training median
  EXPECT_EQ(other.columns[1].text[0], "x");
}

TEST(TablePrep, ImputeOverAnEmptyColumnIsAnError) {
  Table t = tableOf("a,b\n1,\n2,\n");
  EXPECT_EQ(fitError("impute(mean)", t),
            "@0: impute: column 'b' has no values (every cell is empty) to "
            "take the mean of");
  EXPECT_EQ(fitError("impute(a = 1, zz = 2)", t),
            "@14: impute: no column named 'zz'");
  EXPECT_EQ(fitError("standardize", t),
            "@0: standardize: column 'b' has no values (every cell is empty)");
}

TEST(TablePrep, OverflowIsAnError) {
  Table big = tableOf("a\n1e308\n1.5e308\n");
  EXPECT_EQ(fitError("standardize", big),
            "@0: standardize: column 'a' holds values too large for its mean "
            "and sd (they overflow a double)");
  EXPECT_EQ(fitError("minmax", tableOf("a\n-1e308\n1e308\n")),
            "@0: minmax: column 'a' holds values too large for its range (they "
            "overflow a double)");
  EXPECT_EQ(fitError("impute(mean)", tableOf("a\n1e308\n1e308\n\n")),
            "@0: impute: column 'a' holds values too large for its mean (they "
            "overflow a double)");
  Table small = tableOf("a\n0\n1e-150\n");
  std::vector<StepReport> rep;
  FittedPrep p = fit("standardize", small, "", rep);
  Table far = tableOf("a\n1e300\n");
  EXPECT_EQ(applyPrep(p, far, rep).message(),
            "standardize: line 2: column 'a' is 1e+300, too far out to scale "
            "(it overflows a double)");
}

TEST(TablePrep, ZScoreDropClipFlag) {
  std::string csv = "x,y\n";
  for (int i = 0; i < 20; ++i)
    csv += std::to_string(i % 2) + "," + std::to_string(i) + "\n";
  csv += "40,5\n";
  Table drop = tableOf(csv), clip = tableOf(csv), flag = tableOf(csv);
  std::vector<StepReport> rep;
  fit("outliers(zscore > 3, drop)", drop, "y", rep);
  EXPECT_EQ(drop.rows(), 20u);
  EXPECT_EQ(rep[0].json["columns"]["x"]["outliers"], 1);
  rep.clear();
  FittedPrep p = fit("outliers(zscore > 3, clip)", clip, "y", rep);
  const ColumnStat &s = p.steps[0].stats[0];
  EXPECT_DOUBLE_EQ(clip.columns[0].numbers[20], s.a + 3 * s.b);
  rep.clear();
  fit("outliers(zscore > 3, flag)", flag, "y", rep);
  ASSERT_EQ(flag.columns.size(), 3u);
  EXPECT_EQ(flag.columns[2].name, "outlier_zscore");
  EXPECT_DOUBLE_EQ(flag.columns[2].numbers[20], 1);
  EXPECT_DOUBLE_EQ(flag.columns[2].numbers[0], 0);
}

TEST(TablePrep, McdFindsAPlantedOutlierZScoreMisses) {
  // y = x + small noise: the point (2, -2) is inside both columns' ranges
  // (every |z| < 2.5) but far off the line the robust covariance describes.
  std::mt19937 rng(7);
  std::normal_distribution<double> n01(0, 1);
  std::string csv = "x,y\n";
  for (int i = 0; i < 300; ++i) {
    double x = n01(rng);
    csv += std::to_string(x) + "," + std::to_string(x + 0.1 * n01(rng)) + "\n";
  }
  csv += "2,-2\n";
  Table z = tableOf(csv), m = tableOf(csv);
  std::vector<StepReport> rep;
  fit("outliers(zscore > 4, drop)", z, "", rep);
  EXPECT_EQ(z.rows(), 301u);
  rep.clear();
  FittedPrep p = fit("outliers(mahalanobis > 5, drop)", m, "", rep);
  EXPECT_EQ(m.rows(), 300u);
  EXPECT_EQ(rep[0].json["outlier_rows"], 1);
  EXPECT_NEAR(p.steps[0].robust.center[0], 0, 0.2);
  // The scatter: var(x) ~ 1, cov(x, y) ~ var(x).
  EXPECT_NEAR(p.steps[0].robust.scatter[0], 1, 0.3);
  EXPECT_NEAR(p.steps[0].robust.scatter[1], p.steps[0].robust.scatter[0], 0.05);
}

TEST(TablePrep, McdResistsManyOutliers) {
  // 30% of the rows far away: the classical mean moves, the MCD's does not.
  std::mt19937 rng(11);
  std::normal_distribution<double> n01(0, 1);
  std::vector<double> x;
  for (int i = 0; i < 200; ++i) {
    double o = i < 60 ? 50 : 0;
    x.push_back(o + n01(rng));
    x.push_back(o + n01(rng));
  }
  StatusOr<RobustFit> f = fitMcd(x, 200, 2);
  ASSERT_TRUE(f.ok());
  EXPECT_NEAR(f->center[0], 0, 0.5);
  EXPECT_NEAR(f->center[1], 0, 0.5);
  double far[2] = {50, 50};
  EXPECT_GT(f->distance(far), 20);
  EXPECT_FALSE(fitMcd(x, 2, 2).ok());
}

TEST(TablePrep, McdOnMoreRowsThanItsSample) {
  // 4000 rows: the starts see a sample of kMcdSample; 25% far away still
  // leave the estimate where the bulk is, and it is the same on every run.
  std::mt19937 rng(5);
  std::normal_distribution<double> n01(0, 1);
  size_t n = 4000;
  std::vector<double> x;
  for (size_t i = 0; i < n; ++i)
    for (int j = 0; j < 3; ++j)
      x.push_back((i % 4 == 0 ? 20 : 0) + n01(rng));
  ASSERT_GT(n, kMcdSample);
  StatusOr<RobustFit> f = fitMcd(x, n, 3), g = fitMcd(x, n, 3);
  ASSERT_TRUE(f.ok() && g.ok());
  for (int j = 0; j < 3; ++j) {
    EXPECT_NEAR(f->center[j], 0, 0.15);
    EXPECT_NEAR(f->scatter[j * 3 + j], 1, 0.2);
  }
  EXPECT_EQ(f->center, g->center);
}

TEST(TablePrep, MahalanobisNeedsNumberFeatures) {
  EXPECT_EQ(fitError("outliers(mahalanobis > 3, drop)",
                     tableOf("a,label\nx,1\ny,0\n"), "label"),
            "@0: outliers(mahalanobis > 3, drop): the table has no number "
            "feature column");
  EXPECT_EQ(fitError("outliers(mahalanobis > 3, drop)",
                     tableOf("a,b\n1,1\n2,2\n3,3\n4,4\n")),
            "@0: outliers(mahalanobis > 3, drop): the covariance of the "
            "columns is singular on every half of the rows (a column is "
            "constant, or one column is a combination of others)");
}

TEST(TablePrep, StandardizeAndMinMaxLeaveTheLabel) {
  Table t = tableOf("a,b,label\n1,10,3\n2,20,4\n3,30,5\n");
  std::vector<StepReport> rep;
  FittedPrep p = fit("standardize", t, "label", rep);
  EXPECT_NEAR(t.columns[0].numbers[0], -std::sqrt(1.5), 1e-12);
  EXPECT_DOUBLE_EQ(t.columns[0].numbers[1], 0);
  EXPECT_DOUBLE_EQ(t.columns[2].numbers[0], 3); // the label
  Table other = tableOf("a,b,label\n4,10,0\n");
  rep.clear();
  ASSERT_TRUE(applyPrep(p, other, rep).ok());
  EXPECT_NEAR(other.columns[0].numbers[0], 2 / std::sqrt(2.0 / 3), 1e-12);
  Table m = tableOf("a,label\n2,0\n4,1\n6,1\n");
  rep.clear();
  fit("minmax", m, "label", rep);
  EXPECT_DOUBLE_EQ(m.columns[0].numbers[1], 0.5);
}

TEST(TablePrep, OneHot) {
  Table t = tableOf("color,n,label\nred,1,a\nblue,2,b\n,3,a\nred,4,b\n");
  std::vector<StepReport> rep;
  FittedPrep p = fit("onehot", t, "label", rep);
  ASSERT_EQ(t.columns.size(), 4u);
  EXPECT_EQ(t.columns[0].name, "color=blue");
  EXPECT_EQ(t.columns[1].name, "color=red");
  EXPECT_EQ(t.columns[3].name, "label"); // text, but the label
  EXPECT_EQ(t.columns[1].numbers, (std::vector<double>{1, 0, 0, 1}));
  Table other = tableOf("color,n,label\ngreen,1,a\n");
  rep.clear();
  ASSERT_TRUE(applyPrep(p, other, rep).ok());
  EXPECT_EQ(rep[0].json["columns"]["color"]["unseen"], 1);
  EXPECT_EQ(fitError("onehot(max = 1)", tableOf("c\nx\ny\n")),
            "@0: onehot: column 'c' has 2 categories, more than the 1 a "
            "one-hot column may have (onehot(max = N) raises the limit)");
}

TEST(TablePrep, ApplyChecksTheColumns) {
  Table train = tableOf("a,c\n1,x\n2,y\n3,x\n");
  std::vector<StepReport> rep;
  FittedPrep p = fit("standardize, onehot", train, "", rep);
  // A column missing, a text column where numbers were fitted.
  Table missing = tableOf("c\nx\n"), text = tableOf("a,c\nq,x\n");
  EXPECT_EQ(applyPrep(p, missing, rep).message(),
            "standardize: the table has no column 'a', which the step was "
            "fitted with");
  EXPECT_EQ(applyPrep(p, text, rep).message(),
            "standardize: column 'a' holds text, but the step was fitted on "
            "numbers");
  // A column with no value is whatever the step needs.
  Table empty = tableOf("a,c\n1,\n");
  ASSERT_TRUE(applyPrep(p, empty, rep).ok());
  EXPECT_EQ(empty.columns[1].numbers, (std::vector<double>{0}));
}

TEST(TablePrep, FittedPrepRoundTripsThroughJson) {
  std::string csv = "a,b,c,label\n";
  std::mt19937 rng(3);
  std::normal_distribution<double> n01(0, 1);
  for (int i = 0; i < 60; ++i)
    csv += std::to_string(n01(rng)) + "," + std::to_string(n01(rng)) + "," +
           (i % 3 ? "u" : "v") + "," + std::to_string(i % 2) + "\n";
  Table train = tableOf(csv);
  std::vector<StepReport> rep;
  FittedPrep p = fit("dedup, impute(mean), outliers(mahalanobis > 3, clip), "
                     "outliers(zscore > 2, flag), standardize, onehot",
                     train, "label", rep);
  FittedPrep back;
  ASSERT_EQ(prepFromJson(nlohmann::json::parse(prepToJson(p).dump()), back),
            "");
  Table a = tableOf("a,b,c,label\n,9,v,0\n1,-7,w,1\n");
  Table b = a;
  std::vector<StepReport> ra, rb;
  ASSERT_TRUE(applyPrep(p, a, ra).ok());
  ASSERT_TRUE(applyPrep(back, b, rb).ok());
  EXPECT_EQ(tableToCsv(a), tableToCsv(b));
  EXPECT_EQ(reportJson(ra), reportJson(rb));
  EXPECT_NE(prepFromJson(nlohmann::json::parse("{\"label\": 1}"), back), "");
}
