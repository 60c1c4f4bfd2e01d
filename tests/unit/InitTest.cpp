//===- InitTest.cpp - Parameter initialization ----------------------------===//
//
// Part of Loom. Checks the initializers' fan rules and scales, their
// statistics, and the property distribution depends on: a parameter drawn
// in slices (as N ranks would) equals the same slices of the whole, and the
// same seed and name always give the same values.
//
//===----------------------------------------------------------------------===//

#include "runtime/Init.h"

#include <gtest/gtest.h>

#include <cmath>

using namespace loom;

namespace {

std::vector<float> draw(const InitSpec &spec, const std::string &name,
                        const std::vector<int64_t> &shape, uint64_t seed = 1) {
  int64_t n = 1;
  for (int64_t d : shape)
    n *= d;
  std::vector<float> out(n);
  std::string error;
  EXPECT_TRUE(initialize(spec, name, shape, seed, 0, n, out.data(), error))
      << error;
  return out;
}

void moments(const std::vector<float> &v, double &mean, double &stddev) {
  double s = 0, s2 = 0;
  for (float x : v) {
    s += x;
    s2 += double(x) * x;
  }
  mean = s / v.size();
  stddev = std::sqrt(s2 / v.size() - mean * mean);
}

TEST(Init, FanRulesFollowPyTorch) {
  EXPECT_EQ(fans({}), std::make_pair(1.0, 1.0));
  EXPECT_EQ(fans({7}), std::make_pair(7.0, 7.0));
  EXPECT_EQ(fans({10, 784}), std::make_pair(784.0, 10.0)); // [out, in]
  EXPECT_EQ(fans({16, 3, 5, 5}), std::make_pair(75.0, 400.0));
}

TEST(Init, ZerosAndOnes) {
  for (float v : draw({"zeros"}, "b", {5}))
    EXPECT_EQ(v, 0.0f);
  for (float v : draw({"ones"}, "g", {2, 3}))
    EXPECT_EQ(v, 1.0f);
}

TEST(Init, NormalHasItsMeanAndStd) {
  InitSpec spec{"normal"};
  spec.mean = 0.5;
  spec.std = 0.02;
  double mean, stddev;
  moments(draw(spec, "wte", {256, 400}), mean, stddev);
  EXPECT_NEAR(mean, 0.5, 0.02 * 0.01);
  EXPECT_NEAR(stddev, 0.02, 0.02 * 0.01);
}

TEST(Init, UniformStaysInItsRangeAndFillsIt) {
  InitSpec spec{"uniform"};
  spec.low = -3;
  spec.high = 1;
  std::vector<float> v = draw(spec, "u", {100000});
  float lo = 1e9, hi = -1e9;
  for (float x : v) {
    lo = std::min(lo, x);
    hi = std::max(hi, x);
  }
  EXPECT_GE(lo, -3.0f);
  EXPECT_LT(hi, 1.0f);
  EXPECT_LT(lo, -2.99f);
  EXPECT_GT(hi, 0.99f);
  double mean, stddev;
  moments(v, mean, stddev);
  EXPECT_NEAR(mean, -1.0, 0.02);
  EXPECT_NEAR(stddev, 4 / std::sqrt(12.0), 0.01);
}

TEST(Init, XavierAndHeScales) {
  // [out, in] = [200, 300]: fan_in 300, fan_out 200.
  double mean, stddev;
  InitSpec xn{"xavier_normal"};
  moments(draw(xn, "a", {200, 300}), mean, stddev);
  EXPECT_NEAR(stddev, std::sqrt(2.0 / 500), 0.01 * std::sqrt(2.0 / 500));
  InitSpec xu{"xavier_uniform"};
  moments(draw(xu, "b", {200, 300}), mean, stddev);
  // U(-a, a) has std a / sqrt(3), a = sqrt(6 / 500).
  EXPECT_NEAR(stddev, std::sqrt(6.0 / 500) / std::sqrt(3.0), 0.002);
  InitSpec hn{"he_normal"};
  hn.gain = std::sqrt(2.0);
  moments(draw(hn, "c", {200, 300}), mean, stddev);
  EXPECT_NEAR(stddev, std::sqrt(2.0 / 300), 0.01 * std::sqrt(2.0 / 300));
  InitSpec hu{"he_uniform"};
  hu.gain = std::sqrt(2.0);
  std::vector<float> v = draw(hu, "d", {200, 300});
  float bound = float(std::sqrt(2.0) * std::sqrt(3.0 / 300));
  for (float x : v)
    EXPECT_LE(std::abs(x), bound);
}

TEST(Init, ConstantAndRecordedFans) {
  InitSpec c{"constant"};
  c.value = -0.25;
  for (float v : draw(c, "s", {3}))
    EXPECT_EQ(v, -0.25f);
  // Fans the compiler records replace the shape's: a [in, out] layout.
  InitSpec byShape{"he_uniform"}, recorded{"he_uniform"};
  recorded.fanIn = 300;
  recorded.fanOut = 200;
  EXPECT_EQ(draw(recorded, "w", {300, 200}), draw(byShape, "w", {200, 300}));
  EXPECT_NE(draw(byShape, "w", {300, 200}), draw(byShape, "w", {200, 300}));
}

TEST(Init, SameSeedAndNameGiveTheSameValuesOthersDiffer) {
  InitSpec spec{"normal"};
  EXPECT_EQ(draw(spec, "w", {64}, 3), draw(spec, "w", {64}, 3));
  EXPECT_NE(draw(spec, "w", {64}, 3), draw(spec, "w", {64}, 4));
  EXPECT_NE(draw(spec, "w", {64}, 3), draw(spec, "v", {64}, 3));
}

TEST(Init, SlicesAsFourRanksDrawThemEqualTheWhole) {
  InitSpec spec{"he_normal"};
  spec.gain = std::sqrt(2.0);
  std::vector<int64_t> shape = {8, 6};
  std::vector<float> whole = draw(spec, "blocks.0.mlp.fc1.weight", shape, 9);
  for (int rank = 0; rank < 4; ++rank) {
    int64_t begin = rank * 12, end = begin + 12;
    std::vector<float> part(12);
    std::string error;
    ASSERT_TRUE(initialize(spec, "blocks.0.mlp.fc1.weight", shape, 9, begin,
                           end, part.data(), error));
    for (int64_t i = 0; i < 12; ++i)
      EXPECT_EQ(part[i], whole[begin + i])
          << "rank " << rank << " element " << i;
  }
}

TEST(Init, BadInputIsReported) {
  std::vector<float> out(4);
  std::string error;
  EXPECT_FALSE(initialize({"glorot"}, "w", {4}, 1, 0, 4, out.data(), error));
  EXPECT_EQ(error, "unknown initializer 'glorot' for parameter 'w'");
  EXPECT_FALSE(initialize({"zeros"}, "w", {4}, 1, 2, 9, out.data(), error));
  EXPECT_EQ(error,
            "element range [2, 9) is outside the 4 elements of parameter 'w'");
  InitSpec bad{"uniform"};
  bad.low = 2;
  bad.high = 1;
  EXPECT_FALSE(initialize(bad, "w", {4}, 1, 0, 4, out.data(), error));
  EXPECT_EQ(error, "invalid arguments for initializer 'uniform' of parameter "
                   "'w'");
}

} // namespace
