//===- TensorParallelTest.cpp - Slices of tensors split over a mesh axis --===//
//
// Part of Loom. Tests runtime/exec/TensorParallel.h: the sharding record the
// compiler writes, and the copies between a whole tensor and a rank's slice
// along any dimension, which initialization and whole-tensor checkpoints
// use.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/TensorParallel.h"

#include <gtest/gtest.h>

#include <cstring>
#include <numeric>

using namespace loom;

namespace {

std::vector<float> iota(size_t n) {
  std::vector<float> v(n);
  std::iota(v.begin(), v.end(), 0.0f);
  return v;
}

uint8_t *bytes(std::vector<float> &v) {
  return reinterpret_cast<uint8_t *>(v.data());
}

TEST(TensorParallel, ReadsTheCompilersSharding) {
  Split s = splitOf(R"({"axis":"model","dim":1,"ranks":2,"shape":[4,8]})");
  EXPECT_EQ(s.axis, "model");
  EXPECT_EQ(s.dim, 1);
  EXPECT_EQ(s.ranks, 2);
  EXPECT_TRUE(s.split());
  EXPECT_FALSE(splitOf("").split());
  EXPECT_FALSE(splitOf("not json").split());
  EXPECT_FALSE(splitOf(R"({"axis":"model"})").split());
}

TEST(TensorParallel, ModelRanksOfTheParameters) {
  Artifact a;
  a.params.resize(2);
  EXPECT_EQ(modelRanksOf(a), 1);
  a.params[1].sharding = R"({"axis":"model","dim":0,"ranks":4,"shape":[8]})";
  EXPECT_EQ(modelRanksOf(a), 4);
}

// A [2, 4, 3] tensor split along each dimension: the slices are the whole
// tensor's elements at their indices, and putting them back restores it.
TEST(TensorParallel, SlicesAlongEveryDimension) {
  std::vector<int64_t> shape = {2, 4, 3};
  std::vector<float> whole = iota(24);
  for (int64_t dim = 0; dim < 3; ++dim) {
    int64_t ranks = shape[dim];
    Split split{"model", dim, ranks};
    std::vector<float> rebuilt(24, -1.0f);
    for (int64_t r = 0; r < ranks; ++r) {
      std::vector<float> slice(24 / ranks);
      takeSlice(bytes(whole), shape, split, r, sizeof(float), bytes(slice));
      size_t k = 0;
      for (int64_t i = 0; i < 2; ++i)
        for (int64_t j = 0; j < 4; ++j)
          for (int64_t l = 0; l < 3; ++l) {
            int64_t idx[3] = {i, j, l};
            if (idx[dim] != r)
              continue;
            EXPECT_EQ(slice[k++], whole[(i * 4 + j) * 3 + l])
                << "dim " << dim << " rank " << r;
          }
      putSlice(bytes(slice), shape, split, r, sizeof(float), bytes(rebuilt));
    }
    EXPECT_EQ(rebuilt, whole) << "dim " << dim;
  }
}

// Two ranks of a [4, 8] weight split on its columns (fc1, `shard [_,
// model]`): rank 1 holds columns 4..7 of every row.
TEST(TensorParallel, ColumnSliceOfAMatrix) {
  std::vector<float> whole = iota(32);
  std::vector<float> slice(16);
  takeSlice(bytes(whole), {4, 8}, Split{"model", 1, 2}, 1, sizeof(float),
            bytes(slice));
  EXPECT_EQ(slice[0], 4.0f);
  EXPECT_EQ(slice[3], 7.0f);
  EXPECT_EQ(slice[4], 12.0f);
  EXPECT_EQ(slice[15], 31.0f);
}

} // namespace
