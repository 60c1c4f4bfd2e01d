//===- DataTest.cpp - Datasets, splits and batches
//-------------------------===//
//
// Part of Loom. The data readers on small files written here (the negative
// cases, one per message, are in tests/e2e/data_errors.test), and the
// properties of the seeded split and shuffle.
//
//===----------------------------------------------------------------------===//

#include "runtime/data/Batches.h"
#include "runtime/data/Dataset.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <set>
#include <unistd.h>

using namespace loom::data;

namespace {

/// A file under the test's temporary directory, removed at the end.
class TempFile {
public:
  explicit TempFile(const std::string &name)
      : path(::testing::TempDir() + "loom-data-" + std::to_string(getpid()) +
             "-" + name) {}
  ~TempFile() { std::remove(path.c_str()); }
  void write(const std::string &bytes) const {
    std::ofstream(path, std::ios::binary) << bytes;
  }
  void writeGz(const std::string &bytes) const {
    gzFile f = gzopen(path.c_str(), "wb");
    gzwrite(f, bytes.data(), static_cast<unsigned>(bytes.size()));
    gzclose(f);
  }
  std::string path;
};

std::string be32(uint32_t v) {
  return {char(v >> 24), char(v >> 16), char(v >> 8), char(v)};
}

TEST(Permutation, IsAPermutationFixedBySeed) {
  std::vector<int64_t> a = permutation(1000, 42), b = permutation(1000, 42),
                       c = permutation(1000, 43);
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  std::vector<int64_t> sorted = a;
  std::sort(sorted.begin(), sorted.end());
  for (int64_t i = 0; i < 1000; ++i)
    EXPECT_EQ(sorted[i], i);
  // Not the identity, and every position moves about as often as chance.
  int64_t fixed = 0;
  for (int64_t i = 0; i < 1000; ++i)
    fixed += a[i] == i;
  EXPECT_LT(fixed, 10);
  EXPECT_TRUE(permutation(0, 1).empty());
  EXPECT_EQ(permutation(1, 1), std::vector<int64_t>{0});
}

TEST(Sampler, SplitIsDisjointCompleteAndSeeded) {
  Sampler s(150, 0.8, 1337, 1);
  EXPECT_EQ(s.train().size(), 120u);
  EXPECT_EQ(s.validation().size(), 30u);
  std::set<int64_t> all(s.train().begin(), s.train().end());
  all.insert(s.validation().begin(), s.validation().end());
  EXPECT_EQ(all.size(), 150u);
  // The split depends on the split seed only, not the shuffle seed.
  Sampler t(150, 0.8, 1337, 99), u(150, 0.8, 7, 1);
  EXPECT_EQ(s.validation(), t.validation());
  EXPECT_NE(s.validation(), u.validation());
  // fraction 1 trains on everything.
  Sampler full(10, 1.0, 3, 3);
  EXPECT_EQ(full.train().size(), 10u);
  EXPECT_TRUE(full.validation().empty());
}

TEST(Sampler, EachEpochVisitsEveryTrainingExampleOnceInItsOwnOrder) {
  Sampler s(50, 0.9, 5, 11);
  std::vector<int64_t> epoch0, epoch1, part;
  s.batch(0, 45, epoch0);
  s.batch(45, 45, epoch1);
  std::set<int64_t> train(s.train().begin(), s.train().end());
  EXPECT_EQ(std::set<int64_t>(epoch0.begin(), epoch0.end()), train);
  EXPECT_EQ(std::set<int64_t>(epoch1.begin(), epoch1.end()), train);
  EXPECT_NE(epoch0, epoch1);
  // A batch that straddles two epochs takes the end of one and the start of
  // the next; draws do not depend on how they are batched.
  s.batch(40, 10, part);
  EXPECT_EQ(std::vector<int64_t>(part.begin(), part.begin() + 5),
            std::vector<int64_t>(epoch0.begin() + 40, epoch0.end()));
  EXPECT_EQ(std::vector<int64_t>(part.begin() + 5, part.end()),
            std::vector<int64_t>(epoch1.begin(), epoch1.begin() + 5));
}

TEST(Idx, ReadsGzippedAndPlainFilesScaledToUnitRange) {
  TempFile images("images.gz"), labels("labels");
  std::string img = std::string("\0\0\x08\x03", 4) + be32(2) + be32(1) +
                    be32(3) + std::string("\x00\xff\x33\x01\x02\x03", 6);
  images.writeGz(img);
  labels.write(std::string("\0\0\x08\x01", 4) + be32(2) +
               std::string("\x07\x02", 2));
  loom::StatusOr<Examples> ex = loadIdx(images.path, labels.path);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->count, 2);
  EXPECT_EQ(ex->featureShape, (std::vector<int64_t>{1, 1, 3}));
  EXPECT_EQ(ex->labels, (std::vector<int32_t>{7, 2}));
  EXPECT_FLOAT_EQ(ex->features[1], 1.0f);
  EXPECT_FLOAT_EQ(ex->features[2], 0x33 / 255.0f);
  EXPECT_EQ(ex->numClasses(), 8);
  EXPECT_EQ(ex->firstLabelOutside(5), 0);
  EXPECT_EQ(ex->firstLabelOutside(8), -1);

  std::vector<float> x(6);
  std::vector<int32_t> y(2);
  gather(*ex, {1, 0}, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<int32_t>{2, 7}));
  EXPECT_FLOAT_EQ(x[0], 1 / 255.0f);
  EXPECT_FLOAT_EQ(x[4], 1.0f);
}

TEST(Csv, HeaderQuotesStringLabelsAndCrLf) {
  TempFile f("quoted.csv");
  f.write("\"width, cm\",height,species\r\n"
          "1.5,2,\"setosa\"\r\n"
          " 3 , -4e-1 ,virginica\r\n"
          "5,6,\"setosa\"\r\n");
  LabelSpec names;
  names.kind = LabelSpec::Kind::Names;
  loom::StatusOr<Examples> ex = loadCsv(f.path, "species", names);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->count, 3);
  EXPECT_EQ(ex->featureShape, std::vector<int64_t>{2});
  EXPECT_EQ(ex->features, (std::vector<float>{1.5f, 2, 3, -0.4f, 5, 6}));
  EXPECT_EQ(ex->classNames, (std::vector<std::string>{"setosa", "virginica"}));
  EXPECT_EQ(ex->labels, (std::vector<int32_t>{0, 1, 0}));
}

TEST(Csv, LabelColumnAnywhereIntegerClasses) {
  TempFile f("mid.csv");
  f.write("a,label,b\n1,2,3\n4,0,6\n");
  loom::StatusOr<Examples> ex = loadCsv(f.path, "label");
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->features, (std::vector<float>{1, 3, 4, 6}));
  EXPECT_EQ(ex->labels, (std::vector<int32_t>{2, 0}));
  EXPECT_TRUE(ex->classNames.empty());
}

// Class numbers are the default, and nothing is guessed: a name in a
// column of class numbers is an error quoting it with its line.
TEST(Csv, ClassNumbersRefuseANameQuotingTheFile) {
  TempFile f("numbers.csv");
  f.write("a,label\n1,2.0\n2,10\n3,setosa\n");
  loom::StatusOr<Examples> ex = loadCsv(f.path, "label");
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(),
            f.path + ":4: the label column 'label' holds 'setosa', not a class "
                     "number (0, 1, ...); csv(..., classes = \"names\") reads "
                     "class names, csv(..., target = ...) a regression target");
  TempFile g("numbers2.csv");
  g.write("a,label\n1,2.0\n2,10\n3,1.5\n");
  ex = loadCsv(g.path, "label");
  ASSERT_FALSE(ex.ok());
  EXPECT_NE(ex.status().message().find(":4: the label column 'label' holds "
                                       "'1.5', not a class number"),
            std::string::npos);
}

// "10.0" and "2.0" as class numbers are classes 10 and 2, not text sorted
// with 10 first; the file's own spelling is kept for messages.
TEST(Csv, ClassNumbersWrittenAsDecimals) {
  TempFile f("decimals.csv");
  f.write("a,label\n1,2.0\n2,10.0\n3,0\n");
  loom::StatusOr<Examples> ex = loadCsv(f.path, "label");
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->labels, (std::vector<int32_t>{2, 10, 0}));
  EXPECT_EQ(ex->labelText, (std::vector<std::string>{"2.0", "10.0", "0"}));
  EXPECT_EQ(ex->labelLines, (std::vector<int64_t>{2, 3, 4}));
}

// Class names: sorted unless the recipe lists them; a name outside the list
// is an error quoting it.
TEST(Csv, ClassNamesInTheRecipesOrder) {
  TempFile f("named.csv");
  f.write("a,animal\n1,dog\n2,cat\n3,dog\n");
  LabelSpec names;
  names.kind = LabelSpec::Kind::Names;
  loom::StatusOr<Examples> ex = loadCsv(f.path, "animal", names);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->classNames, (std::vector<std::string>{"cat", "dog"}));
  EXPECT_EQ(ex->labels, (std::vector<int32_t>{1, 0, 1}));
  names.names = {"dog", "cat", "bird"};
  names.namesFrom = "the recipe's classes";
  ex = loadCsv(f.path, "animal", names);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->classNames, names.names);
  EXPECT_EQ(ex->labels, (std::vector<int32_t>{0, 1, 0}));
  names.names = {"dog", "bird"};
  ex = loadCsv(f.path, "animal", names);
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(),
            f.path + ":3: the label column 'animal' holds 'cat', not one of "
                     "the recipe's classes (dog, bird)");
}

TEST(Csv, RegressionTargets) {
  TempFile f("price.csv");
  f.write("rooms,price\n3,250000.5\n2,-1e3\n");
  LabelSpec values;
  values.kind = LabelSpec::Kind::Values;
  loom::StatusOr<Examples> ex = loadCsv(f.path, "price", values);
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_TRUE(ex->labels.empty());
  EXPECT_EQ(ex->targets, (std::vector<float>{250000.5f, -1000.0f}));
  std::vector<float> x(2), y(2);
  gather(*ex, {1, 0}, x.data(), y.data());
  EXPECT_EQ(y, (std::vector<float>{-1000.0f, 250000.5f}));
  TempFile g("price2.csv");
  g.write("rooms,price\n3,250000.5\n2,n/a\n");
  ex = loadCsv(g.path, "price", values);
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(),
            g.path + ":3: the target column 'price' holds 'n/a', not a finite "
                     "number (a regression target)");
}

TEST(Csv, ScikitLearnHeaderNamesTheClasses) {
  TempFile f("sk.csv");
  f.write("2,3,setosa,versicolor\n5.1,3.5,1.4,0\n4.9,3.0,1.4,1\n");
  loom::StatusOr<Examples> ex = loadCsv(f.path, "target");
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->featureShape, std::vector<int64_t>{3});
  EXPECT_EQ(ex->classNames, (std::vector<std::string>{"setosa", "versicolor"}));
  EXPECT_EQ(ex->labels, (std::vector<int32_t>{0, 1}));
}

TEST(Csv, TheIrisFileDebianShips) {
  const char *iris =
      "/usr/lib/python3/dist-packages/sklearn/datasets/data/iris.csv";
  if (access(iris, R_OK) != 0)
    GTEST_SKIP() << iris << " is not installed";
  loom::StatusOr<Examples> ex = loadCsv(iris, "target");
  ASSERT_TRUE(ex.ok()) << ex.status().message();
  EXPECT_EQ(ex->count, 150);
  EXPECT_EQ(ex->featureShape, std::vector<int64_t>{4});
  EXPECT_EQ(ex->numClasses(), 3);
  EXPECT_EQ(ex->classNames[2], "virginica");
}

TEST(TokenFile, ReadsLittleEndianWindowsAndChecksTheVocabulary) {
  TempFile f16("t16.bin"), f32("t32.bin");
  f16.write(std::string("\x01\x00\x02\x01\xff\x00\x03\x00", 8));
  f32.write(std::string("\x05\x00\x00\x00\x00\x00\x01\x00", 8));
  loom::StatusOr<TokenFile> t = TokenFile::open(f16.path, "u16");
  ASSERT_TRUE(t.ok()) << t.status().message();
  EXPECT_EQ(t->size(), 4);
  int32_t out[3];
  ASSERT_TRUE(t->read(1, 3, 1000, out).ok());
  EXPECT_EQ(out[0], 0x102);
  EXPECT_EQ(out[1], 0xff);
  EXPECT_EQ(out[2], 3);
  loom::Status s = t->read(0, 3, 256, out);
  EXPECT_EQ(s.message(), f16.path + ": token 258 at byte offset 2 is "
                                    "outside the model's vocabulary of 256");
  EXPECT_FALSE(t->read(2, 3, 1000, out).ok());
  loom::StatusOr<TokenFile> w = TokenFile::open(f32.path, "u32");
  ASSERT_TRUE(w.ok()) << w.status().message();
  EXPECT_EQ(w->size(), 2);
  EXPECT_EQ(w->at(1), 0x10000u);
  EXPECT_EQ(TokenFile::open(f32.path, "u8").status().message(),
            f32.path + ": token dtype 'u8' is not supported; use \"u16\" or "
                       "\"u32\"");
}

TEST(Batches, TokenStreamSplitsIntoTrainingAndValidationWindows) {
  // Tokens 0..99; 90% trains: windows of 8 + 1 over [0, 90) and [90, 100).
  TempFile f("stream.bin");
  std::string bytes;
  for (int i = 0; i < 100; ++i)
    bytes += std::string{char(i), 0};
  f.write(bytes);
  DataSpec spec;
  spec.kind = "tokens";
  spec.path = f.path;
  spec.fraction = 0.9;
  auto src = openTrainingData(spec, {2, 8}, 256, 7);
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ((*src)->trainSize(), 11);     // (90 - 1) / 8
  EXPECT_EQ((*src)->validationSize(), 1); // (10 - 1) / 8
  int32_t x[16], y[16];
  ASSERT_TRUE((*src)->fillValidation(0, 1, x, y).ok());
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(x[i], 90 + i);
    EXPECT_EQ(y[i], 91 + i);
  }
  EXPECT_EQ((*src)->fillValidation(1, 1, x, y).message(),
            f.path + ": validation windows [1, 2) are outside the 1 of the "
                     "split");
  // Training windows lie in the training part.
  ASSERT_TRUE((*src)->fill(0, 2, x, y).ok());
  for (int i = 0; i < 16; ++i)
    EXPECT_LT(y[i], 90);

  // A test set: everything validates.
  spec.fraction = 0;
  auto test = openTrainingData(spec, {2, 8}, 256, 7);
  ASSERT_TRUE(test.ok()) << test.status().message();
  EXPECT_EQ((*test)->trainSize(), 0);
  EXPECT_EQ((*test)->validationSize(), 12); // (100 - 1) / 8
}

TEST(Batches, ExamplesValidateTheRestOfTheSplit) {
  TempFile f("split.csv");
  std::string csv = "a,label\n";
  for (int i = 0; i < 10; ++i)
    csv += std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  f.write(csv);
  DataSpec spec;
  spec.kind = "csv";
  spec.path = f.path;
  spec.label = "label";
  spec.fraction = 0.8;
  spec.splitSeed = 3;
  auto src = openTrainingData(spec, {4, 1}, 2, 1);
  ASSERT_TRUE(src.ok()) << src.status().message();
  EXPECT_EQ((*src)->trainSize(), 8);
  EXPECT_EQ((*src)->validationSize(), 2);
  // Every example is in exactly one part.
  std::multiset<float> seen;
  float x[8];
  int32_t y[8];
  ASSERT_TRUE((*src)->fillValidation(0, 2, x, y).ok());
  seen.insert(x, x + 2);
  for (int64_t b = 0; b < 2; ++b) {
    ASSERT_TRUE((*src)->fill(b, 4, x, y).ok());
    seen.insert(x, x + 4);
  }
  EXPECT_EQ(seen.size(), 10u);
  EXPECT_EQ(std::set<float>(seen.begin(), seen.end()).size(), 10u);
  spec.fraction = 0;
  auto test = openTrainingData(spec, {4, 1}, 2, 1);
  ASSERT_TRUE(test.ok());
  EXPECT_EQ((*test)->validationSize(), 10);
}

TEST(Batches, TheTrainingSplitInItsFixedOrder) {
  // What `eval ... on train` evaluates: the 8 training examples, the same
  // order every time (not an epoch's shuffle), none of the validation ones.
  TempFile f("train.csv");
  std::string csv = "a,label\n";
  for (int i = 0; i < 10; ++i)
    csv += std::to_string(i) + "," + std::to_string(i % 2) + "\n";
  f.write(csv);
  DataSpec spec;
  spec.kind = "csv";
  spec.path = f.path;
  spec.label = "label";
  spec.fraction = 0.8;
  spec.splitSeed = 3;
  auto src = openTrainingData(spec, {4, 1}, 2, 1);
  ASSERT_TRUE(src.ok()) << src.status().message();
  std::unique_ptr<BatchSource> view = trainSplitView(**src);
  EXPECT_EQ(view->validationSize(), 8);
  float x[8], again[8], val[2];
  int32_t y[8];
  ASSERT_TRUE(view->fillValidation(0, 8, x, y).ok());
  for (int i = 0; i < 8; ++i)
    EXPECT_EQ(y[i], int(x[i]) % 2);
  ASSERT_TRUE((*src)->fill(3, 4, again, y).ok()); // batches draw in between
  ASSERT_TRUE(view->fillValidation(0, 8, again, y).ok());
  EXPECT_TRUE(std::equal(x, x + 8, again));
  ASSERT_TRUE((*src)->fillValidation(0, 2, val, y).ok());
  std::set<float> all(x, x + 8);
  all.insert(val, val + 2);
  EXPECT_EQ(all.size(), 10u);
  EXPECT_EQ(view->fillValidation(7, 2, x, y).message(),
            f.path + ": training rows [7, 9) are outside the 8 of the split");

  // A token stream's training windows, in order.
  TempFile t("train.bin");
  std::string bytes;
  for (int i = 0; i < 100; ++i)
    bytes += std::string{char(i), 0};
  t.write(bytes);
  DataSpec tokens;
  tokens.kind = "tokens";
  tokens.path = t.path;
  tokens.fraction = 0.9;
  auto stream = openTrainingData(tokens, {2, 8}, 256, 7);
  ASSERT_TRUE(stream.ok()) << stream.status().message();
  std::unique_ptr<BatchSource> windows = trainSplitView(**stream);
  EXPECT_EQ(windows->validationSize(), 11);
  int32_t xi[16], yi[16];
  ASSERT_TRUE(windows->fillValidation(10, 1, xi, yi).ok());
  for (int i = 0; i < 8; ++i) {
    EXPECT_EQ(xi[i], 80 + i);
    EXPECT_EQ(yi[i], 81 + i);
  }
}

} // namespace
