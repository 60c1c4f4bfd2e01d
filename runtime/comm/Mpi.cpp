//===- Mpi.cpp - Collectives over MPI -------------------------------------===//
//
// Part of Loom. This file implements Comm.h over MPI. Every MPI call goes
// through LOOM_MPI_CHECK, which turns a failure into a Status naming the
// call, MPI's message and the place here (llm.c's habit).
//
//===----------------------------------------------------------------------===//

#include "runtime/comm/Comm.h"
#include "runtime/comm/Mesh.h"
#include "runtime/comm/Watch.h"

#include <mpi.h>

#include <algorithm>
#include <climits>
#include <cstdlib>

using namespace loom;
using namespace loom::comm;

namespace {

Status mpiError(int code, const char *call, const char *file, int line) {
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
    length = 0;
  return Status::error(std::string("MPI: ") + call + " failed: " +
                           std::string(text, static_cast<size_t>(length)),
                       file, line);
}

#define LOOM_MPI_CHECK(call)                                                   \
  do {                                                                         \
    int loomMpiCode = (call);                                                  \
    if (loomMpiCode != MPI_SUCCESS)                                            \
      return mpiError(loomMpiCode, #call, __FILE__, __LINE__);                 \
  } while (false)

bool ready = false;

} // namespace

bool comm::launchedByMpirun() {
  // OpenMPI's mpirun sets these in every rank it starts (PMIx and ORTE).
  for (const char *var : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK"})
    if (std::getenv(var))
      return true;
  return false;
}

Status comm::initialize() {
  if (ready)
    return Status();
  int already = 0;
  LOOM_MPI_CHECK(MPI_Initialized(&already));
  if (!already) {
    int provided = 0;
    LOOM_MPI_CHECK(
        MPI_Init_thread(nullptr, nullptr, MPI_THREAD_FUNNELED, &provided));
  }
  // Errors come back as codes, which become Statuses, instead of aborting.
  LOOM_MPI_CHECK(MPI_Comm_set_errhandler(MPI_COMM_WORLD, MPI_ERRORS_RETURN));
  ready = true;
  return detail::watchStart();
}

bool comm::initialized() { return ready; }

void comm::finalize() {
  if (!ready)
    return;
  detail::watchStop();
  ready = false;
  int finalized = 0;
  if (MPI_Finalized(&finalized) == MPI_SUCCESS && !finalized)
    MPI_Finalize();
}

void comm::abortAll(int code) {
  if (ready)
    MPI_Abort(MPI_COMM_WORLD, code);
  std::exit(code);
}

Status comm::broadcastFromRoot(std::vector<uint8_t> &bytes) {
  if (!ready)
    return Status::error("MPI is not initialized: a broadcast needs the "
                         "ranks of mpirun");
  uint64_t size = bytes.size();
  LOOM_MPI_CHECK(MPI_Bcast(&size, 1, MPI_UINT64_T, 0, MPI_COMM_WORLD));
  bytes.resize(size);
  // In pieces below MPI's int count.
  for (uint64_t done = 0; done < size;) {
    int piece = static_cast<int>(std::min<uint64_t>(size - done, 1u << 30));
    LOOM_MPI_CHECK(
        MPI_Bcast(bytes.data() + done, piece, MPI_BYTE, 0, MPI_COMM_WORLD));
    done += static_cast<uint64_t>(piece);
  }
  return Status();
}

int comm::worldRank() {
  int rank = 0;
  if (ready)
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
  return rank;
}

int comm::worldSize() {
  int size = 1;
  if (ready)
    MPI_Comm_size(MPI_COMM_WORLD, &size);
  return size;
}

struct Communicator::Impl {
  MPI_Comm comm = MPI_COMM_NULL;
};

struct Communicator::Request::Impl {
  MPI_Request request = MPI_REQUEST_NULL;
};

Communicator::Request::Request() : impl(std::make_unique<Impl>()) {}

Communicator::Request::~Request() {
  // A request still in flight must complete before its buffer goes away.
  if (pending && impl->request != MPI_REQUEST_NULL)
    MPI_Wait(&impl->request, MPI_STATUS_IGNORE);
}

Communicator::~Communicator() {
  if (impl && impl->comm != MPI_COMM_NULL && ready)
    MPI_Comm_free(&impl->comm);
}

StatusOr<std::unique_ptr<Communicator>>
Communicator::forAxis(const std::vector<std::string> &names,
                      const std::vector<int64_t> &sizes,
                      const std::string &axis) {
  if (!ready)
    return Status::error("MPI is not initialized: a collective needs the "
                         "ranks of mpirun");
  if (names.size() != sizes.size())
    return Status::error("a mesh needs one size per axis");
  Mesh mesh{names, sizes};
  int64_t which = mesh.axis(axis);
  if (which < 0)
    return Status::error("the mesh has no axis '" + axis + "'");
  int world = worldSize(), rank = worldRank();
  if (mesh.ranks() != world)
    return Status::error("the mesh has " + std::to_string(mesh.ranks()) +
                         " ranks, but the run has " + std::to_string(world));
  // Mesh.h's layout: ranks with the same coordinates on every other axis
  // share the communicator, ordered by their coordinate on `axis`.
  size_t a = static_cast<size_t>(which);
  int64_t coordinate = mesh.coordinate(rank, a);
  int64_t color = mesh.group(rank, a);
  std::unique_ptr<Communicator> c(new Communicator());
  c->impl = std::make_unique<Impl>();
  LOOM_MPI_CHECK(MPI_Comm_split(MPI_COMM_WORLD, static_cast<int>(color),
                                static_cast<int>(coordinate), &c->impl->comm));
  LOOM_MPI_CHECK(MPI_Comm_set_errhandler(c->impl->comm, MPI_ERRORS_RETURN));
  LOOM_MPI_CHECK(MPI_Comm_rank(c->impl->comm, &c->myRank));
  LOOM_MPI_CHECK(MPI_Comm_size(c->impl->comm, &c->mySize));
  return c;
}

Status Communicator::allReduceSumStart(float *data, int64_t count,
                                       Request &request) {
  if (request.pending)
    return Status::error("an all-reduce was started twice without a wait");
  if (count > INT_MAX)
    return Status::error("an all-reduce of " + std::to_string(count) +
                         " elements is more than MPI's int count; use "
                         "smaller buckets");
  LOOM_MPI_CHECK(MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count),
                                MPI_FLOAT, MPI_SUM, impl->comm,
                                &request.impl->request));
  request.pending = true;
  return Status();
}

Status Communicator::poll(Request &request, bool &done) {
  if (!request.pending)
    return Status();
  int finished = 0;
  // A completed request becomes MPI_REQUEST_NULL, whose wait returns at once
  // and whose test says done again.
  LOOM_MPI_CHECK(
      MPI_Test(&request.impl->request, &finished, MPI_STATUS_IGNORE));
  done = done || finished != 0;
  return Status();
}

Status Communicator::wait(Request &request) {
  if (!request.pending)
    return Status::error("a wait for an all-reduce that was not started");
  request.pending = false;
  // Polled against a deadline: a dead or stopped rank is named.
  return detail::watchedWait(request.impl->request);
}

Status Communicator::reduceScatterSumStart(const float *send, float *recv,
                                           int64_t count, Request &request) {
  if (request.pending)
    return Status::error("a reduce-scatter was started twice without a wait");
  if (count > INT_MAX || count * mySize > INT_MAX)
    return Status::error("a reduce-scatter of " + std::to_string(count) +
                         " elements per rank is more than MPI's int count; "
                         "use smaller buckets");
  LOOM_MPI_CHECK(MPI_Ireduce_scatter_block(send, recv, static_cast<int>(count),
                                           MPI_FLOAT, MPI_SUM, impl->comm,
                                           &request.impl->request));
  request.pending = true;
  return Status();
}

Status Communicator::allGatherStart(const float *send, float *recv,
                                    int64_t count, Request &request) {
  if (request.pending)
    return Status::error("an all-gather was started twice without a wait");
  if (count > INT_MAX || count * mySize > INT_MAX)
    return Status::error("an all-gather of " + std::to_string(count) +
                         " elements per rank is more than MPI's int count; "
                         "use smaller buckets");
  LOOM_MPI_CHECK(MPI_Iallgather(send, static_cast<int>(count), MPI_FLOAT, recv,
                                static_cast<int>(count), MPI_FLOAT, impl->comm,
                                &request.impl->request));
  request.pending = true;
  return Status();
}
