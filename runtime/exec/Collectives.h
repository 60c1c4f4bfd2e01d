//===- Collectives.h - The step's collective kernels ------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (no MLIR or LLVM). Runs an artifact's
// `comm.all_reduce`, `comm.reduce_scatter` and `comm.all_gather` kernels
// (backends/cpu/emit/Collectives.cpp) over runtime/comm: each kernel copies
// its input into its bucket's staging buffer; the bucket's `start` kernel
// starts one non-blocking collective of the bucket, and the executor waits
// for it `wait_in` kernels later (or at the end of the program), when the
// results (divided by the group's size for a mean) are copied out. Between
// the two the other kernels run.
//
// A bucket's `count`s and `offset`s are per rank: a member's elements in the
// block each rank contributes (all-gather) or receives (reduce-scatter), or
// its elements (all-reduce). A reduce-scatter's staging holds the group's
// blocks one after another, member slice r of rank block r at the member's
// offset; an all-gather's result likewise, copied out to each member as its
// input's blocks in rank order (dimension 0 of the tensors).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_EXEC_COLLECTIVES_H
#define LOOM_RUNTIME_EXEC_COLLECTIVES_H

#include "runtime/Status.h"
#include "runtime/artifact/Artifact.h"
#include "runtime/comm/Comm.h"

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

namespace loom {

class Collectives {
public:
  /// Reads the collective kernels of `art`, whose buffer `id`'s bytes are
  /// at `data(id)`. An artifact without collectives needs nothing (MPI is
  /// not touched); one with collectives needs MPI initialized with as many
  /// ranks as its groups (`name` is for messages).
  static StatusOr<std::unique_ptr<Collectives>>
  create(const Artifact &art, const std::function<uint8_t *(uint32_t)> &data,
         const std::string &name);

  /// The communicator over mesh axes `axes` ("data") that the collectives
  /// use, or null when none runs over them.
  comm::Communicator *communicator(const std::string &axes) const {
    for (const std::unique_ptr<Bucket> &b : buckets)
      if (b->axes == axes)
        return b->comm;
    return nullptr;
  }

  /// Whether kernel `i` is a collective.
  bool isCollective(size_t i) const {
    return i < bucketOf.size() && bucketOf[i] >= 0;
  }
  /// Runs collective kernel `i`: stages its input, and on a bucket's start
  /// kernel starts the bucket's collective.
  Status launch(size_t i);
  /// Completes the buckets whose results kernel `i` is the first to read.
  Status waitBefore(size_t i);
  /// Completes every bucket still in flight (the end of a program).
  Status waitAll();
  /// Lets the buckets in flight progress (after each kernel).
  Status poll();
  /// Whether a bucket is in flight.
  bool inFlight() const { return active > 0; }
  /// Seconds spent waiting for collectives to complete, since creation.
  double waitSeconds() const { return waited; }
  /// Seconds the collectives were in flight, from each start to its
  /// completion, since creation; the part of it not waited for ran behind
  /// other kernels. A completion is seen when a poll (after each kernel) or
  /// the wait finds it, so this is at most a kernel's time late.
  double flightSeconds() const { return inFlightSeconds; }

private:
  struct Member {
    const float *in;
    float *out;
    int64_t offset, count;
  };
  enum class Kind { AllReduce, ReduceScatter, AllGather };
  struct Bucket {
    Kind kind = Kind::AllReduce;
    std::vector<Member> members;
    /// What the ranks send (the result too, for an all-reduce) and, for a
    /// reduce-scatter or an all-gather, what they receive.
    std::vector<float> staging, received;
    int64_t block = 0; ///< the elements per rank (the members' counts)
    std::string axes;  ///< the mesh axes it reduces over ("data")
    comm::Communicator *comm = nullptr;
    comm::Communicator::Request request;
    bool mean = false;
    int64_t groupSize = 1;
    std::chrono::steady_clock::time_point started, finishedAt;
    bool finished = false; ///< a poll saw the collective complete
  };
  Status complete(Bucket &b);

  std::string name;
  std::vector<std::unique_ptr<comm::Communicator>> comms;
  std::vector<std::unique_ptr<Bucket>> buckets;
  /// Per kernel: its bucket and its member there (-1: not a collective),
  /// the bucket it starts (-1: none), the buckets waited for before it.
  std::vector<int64_t> bucketOf, memberOf, startOf;
  std::vector<std::vector<int64_t>> waitsAt;
  double waited = 0, inFlightSeconds = 0;
  int64_t active = 0; ///< buckets started and not completed
};

} // namespace loom

#endif // LOOM_RUNTIME_EXEC_COLLECTIVES_H
