//===- TensorParallelTest.cpp - Slices of tensors split over a mesh axis --===//
//
// Part of Loom. Tests runtime/exec/TensorParallel.h: the sharding record the
// compiler writes, and the copies between a whole tensor and a rank's slice
// along any dimension, which initialization and whole-tensor checkpoints
// use; and runtime/comm/Mesh.h, where each rank lies on the mesh and which
// ranks share its communicator over each axis.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/TensorParallel.h"
#include "runtime/comm/Mesh.h"

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

// The mesh (data = 2, model = 2) of 4 ranks, row-major: rank = d * 2 + m.
// The model axis's communicators are the neighbours {0, 1} and {2, 3} (one
// data coordinate each, one model replica that reads the same examples),
// the data axis's {0, 2} and {1, 3} (one model coordinate each: the ranks
// whose slices of a gradient are averaged together).
TEST(Mesh, RanksLieRowMajorOnDataByModel) {
  comm::Mesh mesh{{"data", "model"}, {2, 2}};
  EXPECT_EQ(mesh.ranks(), 4);
  EXPECT_EQ(mesh.axis("data"), 0);
  EXPECT_EQ(mesh.axis("model"), 1);
  EXPECT_EQ(mesh.axis("pipe"), -1);
  int64_t coordinates[4][2] = {{0, 0}, {0, 1}, {1, 0}, {1, 1}};
  for (int64_t r = 0; r < 4; ++r) {
    EXPECT_EQ(mesh.coordinate(r, 0), coordinates[r][0]) << "rank " << r;
    EXPECT_EQ(mesh.coordinate(r, 1), coordinates[r][1]) << "rank " << r;
  }
  using Ranks = std::vector<int64_t>;
  EXPECT_EQ(mesh.members(0, 1), (Ranks{0, 1}));
  EXPECT_EQ(mesh.members(1, 1), (Ranks{0, 1}));
  EXPECT_EQ(mesh.members(3, 1), (Ranks{2, 3}));
  EXPECT_EQ(mesh.members(0, 0), (Ranks{0, 2}));
  EXPECT_EQ(mesh.members(3, 0), (Ranks{1, 3}));
  // MPI_Comm_split's color: the same for the ranks of one group only.
  EXPECT_EQ(mesh.group(0, 1), mesh.group(1, 1));
  EXPECT_NE(mesh.group(1, 1), mesh.group(2, 1));
  EXPECT_EQ(mesh.group(1, 0), mesh.group(3, 0));
  EXPECT_NE(mesh.group(0, 0), mesh.group(1, 0));
}

// A mesh of 3 data x 2 model ranks, and the 1-D meshes of data and of
// tensor parallelism alone: every rank's group over an axis holds the rank
// itself, at its coordinate, and the groups over one axis partition the
// world.
TEST(Mesh, GroupsPartitionTheWorld) {
  for (const comm::Mesh &mesh :
       {comm::Mesh{{"data", "model"}, {3, 2}},
        comm::Mesh{{"data", "model"}, {4, 1}},
        comm::Mesh{{"data", "model"}, {1, 4}}, comm::Mesh{{"data"}, {3}}}) {
    for (size_t axis = 0; axis < mesh.sizes.size(); ++axis) {
      std::vector<int> seen(static_cast<size_t>(mesh.ranks()), 0);
      for (int64_t r = 0; r < mesh.ranks(); ++r) {
        std::vector<int64_t> group = mesh.members(r, axis);
        ASSERT_EQ(static_cast<int64_t>(group.size()), mesh.sizes[axis]);
        EXPECT_EQ(group[static_cast<size_t>(mesh.coordinate(r, axis))], r);
        if (group.front() == r)
          for (int64_t m : group)
            ++seen[static_cast<size_t>(m)];
      }
      for (int n : seen)
        EXPECT_EQ(n, 1) << "axis " << axis;
    }
  }
  // On 3 x 2, rank 5 is at (2, 1); its model group {4, 5}, data {1, 3, 5}.
  comm::Mesh mesh{{"data", "model"}, {3, 2}};
  EXPECT_EQ(mesh.coordinate(5, 0), 2);
  EXPECT_EQ(mesh.coordinate(5, 1), 1);
  EXPECT_EQ(mesh.members(5, 1), (std::vector<int64_t>{4, 5}));
  EXPECT_EQ(mesh.members(5, 0), (std::vector<int64_t>{1, 3, 5}));
}

} // namespace
