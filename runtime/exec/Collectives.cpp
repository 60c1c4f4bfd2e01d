//===- Collectives.cpp - The step's collective kernels --------------------===//
//
// Part of Loom. See Collectives.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/exec/Collectives.h"
#include "runtime/comm/Mesh.h"
#include "runtime/exec/TensorParallel.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <map>

using namespace loom;

StatusOr<std::unique_ptr<Collectives>>
Collectives::create(const Artifact &art,
                    const std::function<uint8_t *(uint32_t)> &data,
                    const std::string &name) {
  std::unique_ptr<Collectives> c(new Collectives());
  c->name = name;
  size_t n = art.kernels.size();
  c->bucketOf.assign(n, -1);
  c->startOf.assign(n, -1);
  c->memberOf.assign(n, -1);
  c->waitsAt.assign(n, {});
  // The artifact reader checked each kernel's attributes
  // (ArtifactValidate.cpp); here the buckets they form, then what running
  // them needs.
  int64_t previousBucket = -1;
  for (size_t i = 0; i < n; ++i) {
    const KernelRecord &k = art.kernels[i];
    Kind kind;
    if (k.kind == "comm.all_reduce")
      kind = Kind::AllReduce;
    else if (k.kind == "comm.reduce_scatter")
      kind = Kind::ReduceScatter;
    else if (k.kind == "comm.all_gather")
      kind = Kind::AllGather;
    else {
      previousBucket = -1;
      continue;
    }
    auto what = [&] {
      return name + ": kernel " + std::to_string(i) + " (" + k.kind + ")";
    };
    const std::string &axes = k.attr("axes")->s;
    int64_t groupSize = k.attr("group_size")->i;
    const KernelAttr *reduce = k.attr("reduce");
    bool mean = reduce && reduce->s == "mean";
    // A bucket is a run of adjacent kernels of one kind with one bucket
    // number.
    int64_t tag = k.attr("bucket")->i;
    bool joins = previousBucket >= 0 && art.kernels[i - 1].kind == k.kind &&
                 art.kernels[i - 1].attr("bucket")->i == tag;
    if (!joins) {
      c->buckets.push_back(std::make_unique<Bucket>());
      c->buckets.back()->kind = kind;
      c->buckets.back()->axes = axes;
      c->buckets.back()->mean = mean;
      c->buckets.back()->groupSize = groupSize;
    }
    previousBucket = static_cast<int64_t>(c->buckets.size()) - 1;
    Bucket &b = *c->buckets.back();
    if (b.axes != axes || b.groupSize != groupSize || b.mean != mean)
      return Status::error(what() + ": a bucket's kernels must reduce alike "
                                    "over the same axes");
    int64_t count = k.attr("count")->i, offset = k.attr("offset")->i;
    if (offset != b.block)
      return Status::error(what() + ": offset " + std::to_string(offset) +
                           " in its bucket, where " + std::to_string(b.block) +
                           " elements are staged before it");
    b.block += count;
    b.members.push_back({reinterpret_cast<const float *>(data(k.operands[0])),
                         reinterpret_cast<float *>(data(k.operands[1])), offset,
                         count});
    c->bucketOf[i] = previousBucket;
    c->memberOf[i] = static_cast<int64_t>(b.members.size()) - 1;
    if (k.attr("start")->i == 1) {
      c->startOf[i] = previousBucket;
      size_t at = i + static_cast<size_t>(k.attr("wait_in")->i);
      if (at < n)
        c->waitsAt[at].push_back(previousBucket);
      previousBucket = -1; // the next kernel opens a new bucket
    }
  }
  for (size_t i = 0; i < c->buckets.size(); ++i)
    if (std::find(c->startOf.begin(), c->startOf.end(),
                  static_cast<int64_t>(i)) == c->startOf.end())
      return Status::error(name + ": collective bucket " + std::to_string(i) +
                           " has no kernel that starts it");
  for (std::unique_ptr<Bucket> &b : c->buckets) {
    size_t block = static_cast<size_t>(b->block);
    size_t group = static_cast<size_t>(b->groupSize);
    switch (b->kind) {
    case Kind::AllReduce:
      b->staging.resize(block);
      break;
    case Kind::ReduceScatter:
      b->staging.resize(block * group);
      b->received.resize(block);
      break;
    case Kind::AllGather:
      b->staging.resize(block);
      b->received.resize(block * group);
      break;
    }
  }
  if (c->buckets.empty())
    return c;
  // The mesh (data, model) the collectives run on: each axis has the ranks
  // of its buckets' groups; a model axis without a collective has the
  // ranks the parameters are split over, a data axis without one 1.
  comm::Mesh mesh{{"data", "model"}, {0, 0}};
  for (std::unique_ptr<Bucket> &b : c->buckets) {
    int64_t axis = mesh.axis(b->axes);
    if (axis < 0)
      return Status::error(name + ": a collective over mesh axes '" + b->axes +
                           "', where this runtime knows the axes data and "
                           "model, one at a time");
    int64_t &size = mesh.sizes[static_cast<size_t>(axis)];
    if (size != 0 && size != b->groupSize)
      return Status::error(name + ": collectives over " + std::to_string(size) +
                           " and " + std::to_string(b->groupSize) +
                           " ranks of mesh axis '" + b->axes + "'");
    size = b->groupSize;
  }
  if (mesh.sizes[0] == 0)
    mesh.sizes[0] = 1;
  if (mesh.sizes[1] == 0)
    mesh.sizes[1] = modelRanksOf(art);
  std::string ranks = std::to_string(mesh.ranks());
  auto what = [&](const Bucket &b) {
    std::string text = name + ": the step averages over " +
                       std::to_string(b.groupSize) + " ranks of mesh axis '" +
                       b.axes + "'";
    if (mesh.sizes[0] > 1 && mesh.sizes[1] > 1)
      text += " (a mesh of " + std::to_string(mesh.sizes[0]) + " data x " +
              std::to_string(mesh.sizes[1]) + " model ranks)";
    return text;
  };
  const Bucket &first = *c->buckets.front();
  if (!comm::initialized())
    return Status::error(what(first) +
                         "; loom train runs it, under mpirun -n " + ranks);
  if (mesh.ranks() != comm::worldSize())
    return Status::error(what(first) + ", but this run has " +
                         std::to_string(comm::worldSize()) + " ranks");
  // One communicator per mesh axis, over the ranks of mpirun (Mesh.h's
  // layout).
  std::map<std::string, comm::Communicator *> byAxes;
  for (std::unique_ptr<Bucket> &b : c->buckets) {
    comm::Communicator *&axisComm = byAxes[b->axes];
    if (!axisComm) {
      StatusOr<std::unique_ptr<comm::Communicator>> made =
          comm::Communicator::forAxis(mesh.names, mesh.sizes, b->axes);
      if (!made)
        return made.status().withPrefix(name + ": ");
      axisComm = made->get();
      c->comms.push_back(std::move(*made));
    }
    b->comm = axisComm;
  }
  return c;
}

Status Collectives::launch(size_t i) {
  Bucket &b = *buckets[static_cast<size_t>(bucketOf[i])];
  const Member &m = b.members[static_cast<size_t>(memberOf[i])];
  size_t count = static_cast<size_t>(m.count);
  if (b.kind == Kind::ReduceScatter) {
    // Slice r of the input goes to rank r's block.
    for (int64_t r = 0; r < b.groupSize; ++r)
      std::memcpy(b.staging.data() + r * b.block + m.offset, m.in + r * m.count,
                  count * sizeof(float));
  } else {
    std::memcpy(b.staging.data() + m.offset, m.in, count * sizeof(float));
  }
  if (startOf[i] < 0)
    return Status();
  Status s;
  switch (b.kind) {
  case Kind::AllReduce:
    s = b.comm->allReduceSumStart(b.staging.data(), b.block, b.request);
    break;
  case Kind::ReduceScatter:
    s = b.comm->reduceScatterSumStart(b.staging.data(), b.received.data(),
                                      b.block, b.request);
    break;
  case Kind::AllGather:
    s = b.comm->allGatherStart(b.staging.data(), b.received.data(), b.block,
                               b.request);
    break;
  }
  if (!s)
    return s.withPrefix(name + ": ");
  b.started = std::chrono::steady_clock::now();
  b.finished = false;
  ++active;
  return Status();
}

Status Collectives::poll() {
  for (std::unique_ptr<Bucket> &b : buckets)
    if (b->request.active() && !b->finished) {
      if (Status s = b->comm->poll(b->request, b->finished); !s)
        return s.withPrefix(name + ": ");
      if (b->finished)
        b->finishedAt = std::chrono::steady_clock::now();
    }
  // A rank waiting for this one may ask where it is (runtime/comm).
  comm::answerPeers();
  return Status();
}

Status Collectives::complete(Bucket &b) {
  if (!b.request.active())
    return Status();
  auto start = std::chrono::steady_clock::now();
  // The wait's errors name the place (runtime/comm's setPlace) themselves.
  if (Status s = b.comm->wait(b.request); !s)
    return s;
  --active;
  auto end = std::chrono::steady_clock::now();
  waited += std::chrono::duration<double>(end - start).count();
  inFlightSeconds += std::chrono::duration<double>(
                         (b.finished ? b.finishedAt : end) - b.started)
                         .count();
  b.finished = false;
  float scale = static_cast<float>(b.groupSize);
  for (const Member &m : b.members) {
    switch (b.kind) {
    case Kind::AllReduce:
    case Kind::ReduceScatter: {
      const float *from =
          (b.kind == Kind::AllReduce ? b.staging : b.received).data() +
          m.offset;
      for (int64_t e = 0; e < m.count; ++e)
        m.out[e] = b.mean ? from[e] / scale : from[e];
      break;
    }
    case Kind::AllGather:
      // Rank r's block holds the member's input of rank r.
      for (int64_t r = 0; r < b.groupSize; ++r)
        std::memcpy(m.out + r * m.count,
                    b.received.data() + r * b.block + m.offset,
                    static_cast<size_t>(m.count) * sizeof(float));
      break;
    }
  }
  return Status();
}

Status Collectives::waitBefore(size_t i) {
  for (int64_t bucket : waitsAt[i])
    if (Status s = complete(*buckets[static_cast<size_t>(bucket)]); !s)
      return s;
  return Status();
}

Status Collectives::waitAll() {
  for (std::unique_ptr<Bucket> &b : buckets)
    if (Status s = complete(*b); !s)
      return s;
  return Status();
}
