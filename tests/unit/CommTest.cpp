//===- CommTest.cpp - Reduce-scatter and all-gather over MPI --------------===//
//
// Part of Loom. Runs under mpirun only (tests/e2e/comm_collectives.test runs
// it on 2, 3 and 4 ranks): runtime/comm's non-blocking reduce-scatter and
// all-gather on values each rank makes from its rank, polled until done, as
// MPI defines them; the executor's collectives (runtime/exec/
// Collectives.h) on buckets of two reduce-scatters and two all-gathers,
// staged and copied out by block, as the artifact's kernels describe them;
// and the communicators of a 2-D mesh (data x model), for an even world.
//
//===----------------------------------------------------------------------===//

#include "runtime/comm/Comm.h"
#include "runtime/comm/Mesh.h"
#include "runtime/exec/Collectives.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <map>

using namespace loom;

namespace {

std::unique_ptr<comm::Communicator> dataAxis() {
  StatusOr<std::unique_ptr<comm::Communicator>> c =
      comm::Communicator::forAxis({"data"}, {comm::worldSize()}, "data");
  EXPECT_TRUE(c.ok()) << c.status().message();
  return c.ok() ? std::move(*c) : nullptr;
}

/// Polls `request` until it completes, then waits for it.
void finish(comm::Communicator &c, comm::Communicator::Request &request) {
  bool done = false;
  while (!done)
    ASSERT_TRUE(c.poll(request, done).ok());
  ASSERT_TRUE(c.wait(request).ok());
}

TEST(Comm, ReduceScatterSumsEachRanksBlock) {
  std::unique_ptr<comm::Communicator> c = dataAxis();
  ASSERT_TRUE(c);
  int d = c->size(), r = c->rank();
  const int count = 3;
  std::vector<float> send(static_cast<size_t>(d * count)), recv(count, -1.0f);
  // Element e of block b on rank q: 100 (q + 1) + 10 b + e.
  for (int b = 0; b < d; ++b)
    for (int e = 0; e < count; ++e)
      send[static_cast<size_t>(b * count + e)] =
          static_cast<float>(100 * (r + 1) + 10 * b + e);
  comm::Communicator::Request request;
  ASSERT_TRUE(
      c->reduceScatterSumStart(send.data(), recv.data(), count, request).ok());
  EXPECT_FALSE(
      c->reduceScatterSumStart(send.data(), recv.data(), count, request).ok());
  finish(*c, request);
  for (int e = 0; e < count; ++e)
    EXPECT_EQ(recv[static_cast<size_t>(e)],
              static_cast<float>(100 * d * (d + 1) / 2 + d * (10 * r + e)))
        << "element " << e << " on rank " << r;
}

TEST(Comm, AllGatherConcatenatesInRankOrder) {
  std::unique_ptr<comm::Communicator> c = dataAxis();
  ASSERT_TRUE(c);
  int d = c->size(), r = c->rank();
  const int count = 2;
  std::vector<float> send = {static_cast<float>(10 * r),
                             static_cast<float>(10 * r + 1)};
  std::vector<float> recv(static_cast<size_t>(d * count), -1.0f);
  comm::Communicator::Request request;
  ASSERT_TRUE(c->allGatherStart(send.data(), recv.data(), count, request).ok());
  finish(*c, request);
  for (int b = 0; b < d; ++b)
    for (int e = 0; e < count; ++e)
      EXPECT_EQ(recv[static_cast<size_t>(b * count + e)],
                static_cast<float>(10 * b + e));
}

KernelRecord collective(const std::string &kind, uint32_t in, uint32_t out,
                        int64_t bucket, int64_t count, int64_t offset,
                        int64_t waitIn) {
  KernelRecord k;
  k.kind = kind;
  k.operands = {in, out};
  if (kind != "comm.all_gather")
    k.attrs.push_back(KernelAttr::ofString("reduce", "mean"));
  k.attrs.push_back(KernelAttr::ofString("axes", "data"));
  k.attrs.push_back(KernelAttr::ofInt("group_size", comm::worldSize()));
  k.attrs.push_back(KernelAttr::ofInt("bucket", bucket));
  k.attrs.push_back(KernelAttr::ofInt("count", count));
  k.attrs.push_back(KernelAttr::ofInt("offset", offset));
  k.attrs.push_back(KernelAttr::ofInt("start", waitIn > 0 ? 1 : 0));
  if (waitIn > 0)
    k.attrs.push_back(KernelAttr::ofInt("wait_in", waitIn));
  return k;
}

TEST(Comm, ExecutorBucketsScatterThenGatherTheMean) {
  int d = comm::worldSize(), r = comm::worldRank();
  // Buffers 0 (2 d floats) and 2 (3 d) are reduce-scattered (mean) into 1
  // (2) and 3 (3), one bucket started by kernel 1 and read by kernel 3;
  // kernel 2 is another kernel; 1 and 3 are all-gathered into 4 and 5.
  std::map<uint32_t, std::vector<float>> buffers = {
      {0, std::vector<float>(static_cast<size_t>(2 * d))},
      {1, std::vector<float>(2)},
      {2, std::vector<float>(static_cast<size_t>(3 * d))},
      {3, std::vector<float>(3)},
      {4, std::vector<float>(static_cast<size_t>(2 * d))},
      {5, std::vector<float>(static_cast<size_t>(3 * d))}};
  for (size_t j = 0; j < buffers[0].size(); ++j)
    buffers[0][j] = static_cast<float>(r) + static_cast<float>(j);
  for (size_t j = 0; j < buffers[2].size(); ++j)
    buffers[2][j] = static_cast<float>(10 * r) + static_cast<float>(j);
  Artifact art;
  KernelRecord other;
  other.kind = "codegen";
  art.kernels = {collective("comm.reduce_scatter", 0, 1, 0, 2, 0, 0),
                 collective("comm.reduce_scatter", 2, 3, 0, 3, 2, 2), other,
                 collective("comm.all_gather", 1, 4, 1, 2, 0, 0),
                 collective("comm.all_gather", 3, 5, 1, 3, 2, 2)};
  StatusOr<std::unique_ptr<Collectives>> made = Collectives::create(
      art,
      [&](uint32_t id) {
        return reinterpret_cast<uint8_t *>(buffers[id].data());
      },
      "comm.loomx");
  ASSERT_TRUE(made.ok()) << made.status().message();
  Collectives &c = **made;
  for (size_t i = 0; i < art.kernels.size(); ++i) {
    ASSERT_TRUE(c.waitBefore(i).ok());
    if (c.isCollective(i)) {
      ASSERT_TRUE(c.launch(i).ok());
    }
    ASSERT_TRUE(c.poll().ok());
  }
  ASSERT_TRUE(c.waitAll().ok());
  EXPECT_FALSE(c.inFlight());
  // The mean of rank q's j-th element over the ranks: (d - 1) / 2 + j, and
  // 10 (d - 1) / 2 + j; each rank held its slice of it, gathered whole.
  float half = static_cast<float>(d - 1) / 2.0f;
  for (int e = 0; e < 2; ++e)
    EXPECT_FLOAT_EQ(buffers[1][static_cast<size_t>(e)],
                    half + static_cast<float>(2 * r + e));
  for (int e = 0; e < 3; ++e)
    EXPECT_FLOAT_EQ(buffers[3][static_cast<size_t>(e)],
                    10 * half + static_cast<float>(3 * r + e));
  for (size_t j = 0; j < buffers[4].size(); ++j)
    EXPECT_FLOAT_EQ(buffers[4][j], half + static_cast<float>(j));
  for (size_t j = 0; j < buffers[5].size(); ++j)
    EXPECT_FLOAT_EQ(buffers[5][j], 10 * half + static_cast<float>(j));
}

// The communicators of a 2-D mesh (data = world / 2, model = 2), split by
// runtime/comm/Mesh.h's row-major layout: each rank's group over an axis
// sums the world ranks Mesh.h names, and the rank's place in it is its
// coordinate. (An odd world has no such mesh: skipped.)
TEST(Comm, MeshAxesSplitRowMajor) {
  int w = comm::worldSize(), r = comm::worldRank();
  if (w % 2 != 0)
    GTEST_SKIP() << "a mesh of 2 model ranks needs an even world";
  comm::Mesh mesh{{"data", "model"}, {w / 2, 2}};
  for (size_t axis = 0; axis < 2; ++axis) {
    StatusOr<std::unique_ptr<comm::Communicator>> c =
        comm::Communicator::forAxis(mesh.names, mesh.sizes, mesh.names[axis]);
    ASSERT_TRUE(c.ok()) << c.status().message();
    EXPECT_EQ((*c)->size(), mesh.sizes[axis]);
    EXPECT_EQ((*c)->rank(), mesh.coordinate(r, axis));
    float value = static_cast<float>(r);
    comm::Communicator::Request request;
    ASSERT_TRUE((*c)->allReduceSumStart(&value, 1, request).ok());
    finish(**c, request);
    float expected = 0;
    for (int64_t m : mesh.members(r, axis))
      expected += static_cast<float>(m);
    EXPECT_EQ(value, expected) << mesh.names[axis] << " axis, rank " << r;
  }
}

/// An all-reduce (mean) kernel of one float over `axes` of `group` ranks,
/// its own bucket, started at once and waited for by the next kernel.
KernelRecord meanOver(const std::string &axes, int64_t group, uint32_t in,
                      uint32_t out, int64_t bucket) {
  KernelRecord k;
  k.kind = "comm.all_reduce";
  k.operands = {in, out};
  k.attrs = {KernelAttr::ofString("reduce", "mean"),
             KernelAttr::ofString("axes", axes),
             KernelAttr::ofInt("group_size", group),
             KernelAttr::ofInt("bucket", bucket),
             KernelAttr::ofInt("count", 1),
             KernelAttr::ofInt("offset", 0),
             KernelAttr::ofInt("start", 1),
             KernelAttr::ofInt("wait_in", 1)};
  return k;
}

// The executor's collectives of a step on the mesh (data = world / 2,
// model = 2): an all-reduce over the model axis (Megatron's) and one over
// the data axis (a gradient's), each on its axis's communicator: the mean
// of the world ranks of the rank's model pair, and of its data column.
TEST(Comm, ExecutorCollectivesOnATwoDMesh) {
  int w = comm::worldSize(), r = comm::worldRank();
  if (w % 2 != 0)
    GTEST_SKIP() << "a mesh of 2 model ranks needs an even world";
  std::map<uint32_t, std::vector<float>> buffers = {
      {0, {static_cast<float>(r)}},
      {1, {-1.0f}},
      {2, {static_cast<float>(r)}},
      {3, {-1.0f}}};
  Artifact art;
  art.kernels = {meanOver("model", 2, 0, 1, 0),
                 meanOver("data", w / 2, 2, 3, 1)};
  StatusOr<std::unique_ptr<Collectives>> made = Collectives::create(
      art,
      [&](uint32_t id) {
        return reinterpret_cast<uint8_t *>(buffers[id].data());
      },
      "mesh.loomx");
  ASSERT_TRUE(made.ok()) << made.status().message();
  Collectives &c = **made;
  ASSERT_TRUE(c.communicator("model"));
  ASSERT_TRUE(c.communicator("data"));
  EXPECT_EQ(c.communicator("model")->rank(), r % 2);
  EXPECT_EQ(c.communicator("data")->rank(), r / 2);
  for (size_t i = 0; i < art.kernels.size(); ++i) {
    ASSERT_TRUE(c.waitBefore(i).ok());
    ASSERT_TRUE(c.launch(i).ok());
  }
  ASSERT_TRUE(c.waitAll().ok());
  // Model pair {2 d, 2 d + 1}: mean 2 d + 1/2; data column {m, m + 2, ...}:
  // mean m + (w / 2 - 1).
  EXPECT_FLOAT_EQ(buffers[1][0], static_cast<float>(r / 2 * 2) + 0.5f);
  EXPECT_FLOAT_EQ(buffers[3][0], static_cast<float>(r % 2 + w / 2 - 1));
}

} // namespace

int main(int argc, char **argv) {
  ::testing::InitGoogleTest(&argc, argv);
  if (!comm::launchedByMpirun()) {
    std::fprintf(stderr, "loom-comm-tests: run it under mpirun -n 2 (or "
                         "more ranks)\n");
    return 2;
  }
  if (Status s = comm::initialize(); !s) {
    std::fprintf(stderr, "loom-comm-tests: %s\n", s.message().c_str());
    return 1;
  }
  int failed = RUN_ALL_TESTS();
  comm::finalize();
  return failed;
}
