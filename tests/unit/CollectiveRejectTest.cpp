//===- CollectiveRejectTest.cpp - What the loader rejects in collectives --===//
//
// Part of Loom. A `comm.all_reduce` kernel (backends/cpu/emit/Collectives.cpp)
// as the loader checks it: each attribute missing, mistyped or out of range,
// and operands that are not f32 or too small, with the exact message; a
// well-formed one loads. A `comm.reduce_scatter` and a `comm.all_gather`:
// the side that holds every rank's block must hold them all, and a gather
// has no reduction. The executor rejects buckets it cannot run (a
// member at the wrong offset, members that reduce unlike, no start) and
// meshes it does not know (an axis other than data and model, one axis
// with two group sizes); and running one needs mpirun: without it the
// executor refuses the artifact, naming the ranks it needs (all of a 2-D
// mesh's).
//
//===----------------------------------------------------------------------===//

#include "tests/unit/ArtifactTestSupport.h"

#include "runtime/exec/Executor.h"

using namespace loom;
using namespace loom::artifact_test;

namespace {

/// The sample artifact with its second kernel an all-reduce of buffer 7
/// (12 f32) in place, the whole of bucket 0.
Artifact withAllReduce() {
  Artifact a = sampleArtifact();
  KernelRecord k;
  k.kind = "comm.all_reduce";
  k.operands = {7, 7};
  k.attrs = {KernelAttr::ofString("reduce", "mean"),
             KernelAttr::ofString("axes", "data"),
             KernelAttr::ofInt("group_size", 2),
             KernelAttr::ofInt("bucket", 0),
             KernelAttr::ofInt("count", 12),
             KernelAttr::ofInt("offset", 0),
             KernelAttr::ofInt("start", 1),
             KernelAttr::ofInt("wait_in", 1),
             KernelAttr::ofInt("t0", int64_t(DType::F32)),
             KernelAttr::ofInt("t1", int64_t(DType::F32))};
  a.kernels[1] = k;
  return a;
}

/// `a` with attribute `key` of kernel 1 replaced by `attr` (removed when
/// its key is empty).
Artifact withAttr(const std::string &key, const KernelAttr &attr) {
  Artifact a = withAllReduce();
  std::vector<KernelAttr> &attrs = a.kernels[1].attrs;
  for (size_t i = 0; i < attrs.size(); ++i)
    if (attrs[i].key == key) {
      if (attr.key.empty())
        attrs.erase(attrs.begin() + static_cast<long>(i));
      else
        attrs[i] = attr;
      break;
    }
  return a;
}

const char *const kWhat = "gpt.loomx: kernel 1 ('comm.all_reduce' )";

TEST(CollectiveReject, WellFormedLoads) {
  EXPECT_EQ(loadError(encode(withAllReduce())), "");
}

TEST(CollectiveReject, Attributes) {
  EXPECT_EQ(semanticError(withAttr("group_size", KernelAttr())),
            std::string(kWhat) +
                ": attribute 'group_size' is missing or not an integer");
  EXPECT_EQ(
      semanticError(withAttr("count", KernelAttr::ofString("count", "12"))),
      std::string(kWhat) + ": attribute 'count' is missing or not an integer");
  EXPECT_EQ(
      semanticError(withAttr("group_size", KernelAttr::ofInt("group_size", 0))),
      std::string(kWhat) +
          ": attribute 'group_size' is 0, outside [1, 2147483648]");
  EXPECT_EQ(semanticError(withAttr("offset", KernelAttr::ofInt("offset", -1))),
            std::string(kWhat) +
                ": attribute 'offset' is -1, outside [0, 2147483648]");
  EXPECT_EQ(semanticError(withAttr("start", KernelAttr::ofInt("start", 2))),
            std::string(kWhat) + ": attribute 'start' is 2, outside [0, 1]");
  EXPECT_EQ(semanticError(withAttr("wait_in", KernelAttr())),
            std::string(kWhat) +
                ": attribute 'wait_in' is missing or not an integer");
  EXPECT_EQ(
      semanticError(withAttr("reduce", KernelAttr::ofString("reduce", "max"))),
      std::string(kWhat) + ": attribute 'reduce' must be \"sum\" or "
                           "\"mean\"");
  EXPECT_EQ(semanticError(withAttr("axes", KernelAttr::ofString("axes", ""))),
            std::string(kWhat) + ": attribute 'axes' must name the mesh axes");
}

TEST(CollectiveReject, Operands) {
  Artifact a = withAllReduce();
  a.kernels[1].operands = {7};
  EXPECT_EQ(semanticError(a),
            std::string(kWhat) + " has 1 operands, not 2 (input, result)");
  EXPECT_EQ(semanticError(
                withAttr("t1", KernelAttr::ofInt("t1", int64_t(DType::I32)))),
            std::string(kWhat) + ": operand 1 must be f32");
  EXPECT_EQ(semanticError(withAttr("count", KernelAttr::ofInt("count", 13))),
            std::string(kWhat) + ": operand 0 is buffer 7 of 48 bytes, but "
                                 "the kernel reduces 13 f32 elements");
}

/// withAllReduce() with kernel 1 a `kind` from buffer `from` to `to`, each
/// rank's block 6 elements.
Artifact withBlockCollective(const std::string &kind, uint32_t from,
                             uint32_t to) {
  Artifact a = withAllReduce();
  KernelRecord &k = a.kernels[1];
  k.kind = kind;
  k.operands = {from, to};
  for (KernelAttr &attr : k.attrs)
    if (attr.key == "count")
      attr.i = 6;
  if (kind == "comm.all_gather")
    k.attrs.erase(k.attrs.begin()); // reduce
  return a;
}

TEST(CollectiveReject, ReduceScatterAndAllGather) {
  // Buffer 7 holds 12 f32: 2 blocks of 6.
  uint32_t twelve = 7;
  EXPECT_EQ(loadError(encode(
                withBlockCollective("comm.reduce_scatter", twelve, twelve))),
            "");
  EXPECT_EQ(
      loadError(encode(withBlockCollective("comm.all_gather", twelve, twelve))),
      "");
  Artifact a = withBlockCollective("comm.reduce_scatter", twelve, twelve);
  a.kernels[1].attrs[4] = KernelAttr::ofInt("count", 7);
  EXPECT_EQ(semanticError(a),
            "gpt.loomx: kernel 1 ('comm.reduce_scatter' ): operand 0 is "
            "buffer 7 of 48 bytes, but the kernel needs 14 f32 elements "
            "there");
  Artifact g = withBlockCollective("comm.all_gather", twelve, twelve);
  g.kernels[1].attrs[3] = KernelAttr::ofInt("count", 7);
  EXPECT_EQ(semanticError(g),
            "gpt.loomx: kernel 1 ('comm.all_gather' ): operand 1 is buffer 7 "
            "of 48 bytes, but the kernel needs 14 f32 elements there");
  g.kernels[1].attrs[3] = KernelAttr::ofInt("count", 6);
  g.kernels[1].attrs.push_back(KernelAttr::ofString("reduce", "sum"));
  EXPECT_EQ(semanticError(g), "gpt.loomx: kernel 1 ('comm.all_gather' ): an "
                              "all-gather has no attribute 'reduce'");
  Artifact r = withBlockCollective("comm.reduce_scatter", twelve, twelve);
  r.kernels[1].attrs.erase(r.kernels[1].attrs.begin());
  EXPECT_EQ(semanticError(r), "gpt.loomx: kernel 1 ('comm.reduce_scatter' ): "
                              "attribute 'reduce' must be \"sum\" or "
                              "\"mean\"");
}

/// The executor's error for `a` (its target this host's).
std::string executorError(Artifact a) {
  std::string host;
  StepExecutor::runsOnThisHost(a.meta.target, host);
  a.meta.target = host;
  StatusOr<std::unique_ptr<StepExecutor>> ex =
      StepExecutor::create(std::move(a), "dp.loomx");
  return ex.ok() ? "" : ex.status().message();
}

TEST(CollectiveReject, BucketsTheExecutorCannotRun) {
  // Kernel 2 joins kernel 1's bucket 0; kernel 1 then does not start it.
  Artifact a = withAllReduce();
  KernelRecord second = a.kernels[1];
  a.kernels[1].attrs[6] = KernelAttr::ofInt("start", 0);
  a.kernels[1].attrs.erase(a.kernels[1].attrs.begin() + 7); // wait_in
  second.attrs[5] = KernelAttr::ofInt("offset", 12);
  a.kernels[2] = second;
  Artifact misplaced = a;
  misplaced.kernels[2].attrs[5] = KernelAttr::ofInt("offset", 3);
  EXPECT_EQ(executorError(misplaced),
            "dp.loomx: kernel 2 (comm.all_reduce): offset 3 in its bucket, "
            "where 12 elements are staged before it");
  Artifact unlike = a;
  unlike.kernels[2].attrs[0] = KernelAttr::ofString("reduce", "sum");
  EXPECT_EQ(executorError(unlike),
            "dp.loomx: kernel 2 (comm.all_reduce): a bucket's kernels must "
            "reduce alike over the same axes");
  Artifact unstarted = withAllReduce();
  unstarted.kernels[1].attrs[6] = KernelAttr::ofInt("start", 0);
  EXPECT_EQ(executorError(unstarted),
            "dp.loomx: collective bucket 0 has no kernel that starts it");
  // Well formed, it needs mpirun.
  EXPECT_EQ(executorError(a), "dp.loomx: the step averages over 2 ranks of "
                              "mesh axis 'data'; loom train runs it, under "
                              "mpirun -n 2");
}

// The mesh the executor derives from the collectives' axes and groups: an
// axis it does not know (or two at once), one axis with two group sizes;
// and a 2-D mesh (data and model axes, both above 1) needs all its ranks.
TEST(CollectiveReject, MeshesTheExecutorCannotRun) {
  Artifact pair = withAllReduce();
  KernelRecord second = pair.kernels[1];
  second.attrs[3] = KernelAttr::ofInt("bucket", 1);
  pair.kernels[2] = second;
  Artifact unknown = withAttr("axes", KernelAttr::ofString("axes", "pipe"));
  EXPECT_EQ(executorError(unknown),
            "dp.loomx: a collective over mesh axes 'pipe', where this runtime "
            "knows the axes data and model, one at a time");
  Artifact both = withAttr("axes", KernelAttr::ofString("axes", "data,model"));
  EXPECT_EQ(executorError(both),
            "dp.loomx: a collective over mesh axes 'data,model', where this "
            "runtime knows the axes data and model, one at a time");
  Artifact uneven = pair;
  uneven.kernels[2].attrs[2] = KernelAttr::ofInt("group_size", 3);
  EXPECT_EQ(executorError(uneven),
            "dp.loomx: collectives over 2 and 3 ranks of mesh axis 'data'");
  Artifact mesh = pair;
  mesh.kernels[2].attrs[1] = KernelAttr::ofString("axes", "model");
  EXPECT_EQ(executorError(mesh),
            "dp.loomx: the step averages over 2 ranks of mesh axis 'data' (a "
            "mesh of 2 data x 2 model ranks); loom train runs it, under "
            "mpirun -n 4");
}

TEST(CollectiveReject, RunningNeedsMpirun) {
  Artifact a = withAllReduce();
  std::string host;
  StepExecutor::runsOnThisHost(a.meta.target, host);
  a.meta.target = host;
  StatusOr<std::unique_ptr<StepExecutor>> ex =
      StepExecutor::create(std::move(a), "dp.loomx");
  ASSERT_FALSE(ex.ok());
  EXPECT_EQ(ex.status().message(),
            "dp.loomx: the step averages over 2 ranks of mesh axis 'data'; "
            "loom train runs it, under mpirun -n 2");
}

} // namespace
