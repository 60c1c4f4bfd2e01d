//===- Comm.h - Collectives between the ranks of a run ----------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (no MLIR or LLVM; MPI stays behind this
// header). The processes of a distributed run and the collectives between
// them, over MPI (OpenMPI): one communicator per mesh axis, non-blocking
// all-reduce, reduce-scatter and all-gather started when a bucket of
// tensors is ready and waited for where a result is first read. MPI is
// initialized only when the process was started by mpirun (or --ranks): a run
// of one process never touches it.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_COMM_COMM_H
#define LOOM_RUNTIME_COMM_COMM_H

#include "runtime/Status.h"

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace loom::comm {

/// Whether mpirun started this process (its environment says so); reads the
/// environment only.
bool launchedByMpirun();

/// Initializes MPI once for this process (MPI_Init_thread, the main thread
/// calling MPI); later calls do nothing.
Status initialize();
/// Whether initialize() succeeded and finalize() has not run.
bool initialized();
/// Finalizes MPI if it was initialized.
void finalize();
/// Ends every rank of the run with `code` (a rank that fails while the
/// others wait in a collective would leave them hanging).
[[noreturn]] void abortAll(int code);

/// Sends `bytes` from rank 0 to every rank of the run: the others' `bytes`
/// become rank 0's (empty stays empty).
Status broadcastFromRoot(std::vector<uint8_t> &bytes);

/// This process's rank in the run and the run's size: 0 and 1 when MPI is
/// not initialized.
int worldRank();
int worldSize();

/// The communicator over one axis of a device mesh: the ranks that differ
/// only in their coordinate on that axis.
class Communicator {
public:
  ~Communicator();
  Communicator(const Communicator &) = delete;
  Communicator &operator=(const Communicator &) = delete;

  /// The communicator of axis `axis` of the mesh whose axes are `names`
  /// with sizes `sizes` (laid over the world's ranks as Mesh.h says:
  /// row-major, the last axis varying fastest). The sizes' product must be
  /// the world size.
  static StatusOr<std::unique_ptr<Communicator>>
  forAxis(const std::vector<std::string> &names,
          const std::vector<int64_t> &sizes, const std::string &axis);

  int rank() const { return myRank; }
  int size() const { return mySize; }

  /// A collective in flight.
  class Request {
  public:
    Request();
    ~Request();
    Request(const Request &) = delete;
    Request &operator=(const Request &) = delete;
    bool active() const { return pending; }

  private:
    friend class Communicator;
    struct Impl;
    std::unique_ptr<Impl> impl;
    bool pending = false;
  };

  /// Starts summing `count` floats at `data` in place over the axis's
  /// ranks; `data` must not be touched until wait(request).
  Status allReduceSumStart(float *data, int64_t count, Request &request);
  /// Lets `request` progress without waiting (MPI moves a non-blocking
  /// collective along only inside MPI calls; without a progress thread the
  /// whole all-reduce would happen in wait()). `done` becomes true once the
  /// all-reduce has completed (its result is read after wait(request)).
  Status poll(Request &request, bool &done);
  /// Waits for `request` to complete.
  Status wait(Request &request);

  /// Starts a reduce-scatter (ZeRO's gradients): `send` holds size() blocks
  /// of `count` floats; the sum over the axis's ranks of block rank() lands
  /// in `recv` (`count` floats). Neither may be touched until wait(request).
  Status reduceScatterSumStart(const float *send, float *recv, int64_t count,
                               Request &request);
  /// Starts an all-gather: the `count` floats at `send` of every rank of
  /// the axis land in `recv` (size() blocks of `count`, in rank order).
  /// Neither may be touched until wait(request).
  Status allGatherStart(const float *send, float *recv, int64_t count,
                        Request &request);

private:
  Communicator() = default;
  struct Impl;
  std::unique_ptr<Impl> impl;
  int myRank = 0, mySize = 1;
};

/// Fault detection (Watch.h): every wait for the other ranks (the step's
/// all-reduces, the sums and barriers below) polls against a deadline
/// instead of waiting for ever. When it passes, or when this process got a
/// signal to stop (setSignalCheck: mpirun sends SIGTERM when a rank dies),
/// the waiting rank asks the others where they are; one that does not
/// answer is dead or stopped, and the wait fails with a message naming it
/// and the place (setPlace). One that answers while still busy before the
/// place restarts the deadline. The others answer in their waits, after
/// each kernel while an all-reduce is in flight, and in answerPeers().

/// Seconds a wait lasts before the rank asks the others (loom train's
/// --comm-timeout; 10 by default).
void setTimeout(double seconds);
double timeout();
/// Where this rank goes next, as the messages name it ("the all-reduce of
/// step 12"); the other ranks see it in its answers.
void setPlace(const std::string &place);
/// `received` says whether this process got SIGINT or SIGTERM.
void setSignalCheck(bool (*received)());
/// Asks every other rank where it is, now: an error naming those that do
/// not answer within half a second (after a signal to stop: mpirun sends
/// SIGTERM to the others when a rank dies, and SIGKILL a second later).
Status checkOthers();
/// Answers the other ranks' questions (a rank busy for long between waits
/// calls it now and then: between evaluation batches, between steps).
void answerPeers();
/// Sums `count` values at `data` in place over every rank of the run
/// (blocking, watched); nothing without MPI or with one rank. Every rank
/// gets the same bits (rank 0's sums of doubles, which other ranks may
/// have added in another order).
Status allReduceSum(double *data, int64_t count);
Status allReduceSum(int64_t *data, int64_t count);
/// Waits until every rank reaches this point, for at least `seconds`
/// (and at least the timeout) before asking where the others are: for a
/// place some ranks reach only after a long piece of work they do alone
/// (rank 0 writing a checkpoint), during which they cannot answer.
Status barrier(double seconds = 0);

} // namespace loom::comm

#endif // LOOM_RUNTIME_COMM_COMM_H
