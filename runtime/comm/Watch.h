//===- Watch.h - Waiting on the other ranks with a deadline -----*- C++ -*-===//
//
// Part of Loom. Internal to runtime/comm (it includes mpi.h): the wait that
// every collective of Comm.h goes through. MPI has no timeouts, so a rank
// that dies or stops would leave the others in MPI_Wait for ever; instead
// the wait polls (MPI_Test) against a deadline, answers the other ranks'
// questions meanwhile, and when the deadline passes (or this process got
// SIGINT or SIGTERM, as mpirun sends when a rank dies) asks every other
// rank where it is: a rank that does not answer within a grace period is
// dead or stopped, and the wait fails naming it and the place this rank
// waited in (Comm.h's setPlace). A rank that answers while still busy
// before the place is progressing: the deadline starts again.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_COMM_WATCH_H
#define LOOM_RUNTIME_COMM_WATCH_H

#include "runtime/Status.h"

#include <mpi.h>

namespace loom::comm::detail {

/// Starts answering the other ranks (a communicator of its own and a
/// receive posted on it); called by initialize(), collectively.
Status watchStart();
/// Stops answering them (before MPI_Finalize).
void watchStop();
/// Waits for `request`, the deadline `seconds` (0: the timeout of
/// setTimeout) after its start.
Status watchedWait(MPI_Request &request, double seconds = 0);

} // namespace loom::comm::detail

#endif // LOOM_RUNTIME_COMM_WATCH_H
