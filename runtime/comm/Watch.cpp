//===- Watch.cpp - Waiting on the other ranks with a deadline -------------===//
//
// Part of Loom. This file implements Watch.h and the fault-detection part
// of Comm.h: the deadline, the place a rank waits in, the questions and
// answers between the ranks (on a duplicate of MPI_COMM_WORLD of their own,
// so they never match a collective's messages), and the blocking sums and
// barrier the training loop uses.
//
//===----------------------------------------------------------------------===//

#include "runtime/comm/Watch.h"
#include "runtime/comm/Comm.h"

#include <algorithm>
#include <chrono>
#include <cstring>
#include <list>
#include <memory>
#include <vector>

using namespace loom;
using namespace loom::comm;

namespace {

using Clock = std::chrono::steady_clock;

constexpr int kAskTag = 7301, kAnswerTag = 7302;
/// How long a rank waits for the others' answers: after the deadline, and
/// after a signal (mpirun sends SIGKILL about a second after its SIGTERM,
/// so the message has to be out before that).
constexpr double kGraceSeconds = 2.0, kGraceAfterSignalSeconds = 0.5;

/// A rank's answer: the question it answers, whether it waits for the
/// others, and where.
struct Answer {
  int64_t question = 0;
  int64_t waiting = 0;
  char place[112] = {};
};

struct WatchState {
  MPI_Comm comm = MPI_COMM_NULL;
  int rank = 0, size = 1;
  /// The question being received from any rank, and the answers sent.
  int64_t question = 0;
  MPI_Request asked = MPI_REQUEST_NULL;
  std::list<std::pair<std::unique_ptr<Answer>, MPI_Request>> answers;
  /// This rank's questions to each rank (kept until their sends complete).
  std::vector<int64_t> questions;
  int64_t lastQuestion = 0;
  std::string place = "the start of the run";
  bool waiting = false;
  double timeout = 10;
  bool (*signalled)() = nullptr;
};

WatchState w;

std::string seconds(double s) {
  std::string text = std::to_string(s);
  text.erase(text.find_last_not_of('0') + 1);
  if (!text.empty() && text.back() == '.')
    text.pop_back();
  return text + " s";
}

std::string rankList(const std::vector<int> &ranks) {
  std::string text = ranks.size() == 1 ? "rank " : "ranks ";
  for (size_t i = 0; i < ranks.size(); ++i)
    text += (i ? ", " : "") + std::to_string(ranks[i]);
  return text;
}

/// What each other rank answered within `grace` seconds (`answered` false
/// for one that did not); this rank answers the others meanwhile.
struct Reply {
  bool answered = false;
  Answer answer;
};
std::vector<Reply> askOthers(double grace) {
  std::vector<Reply> replies(static_cast<size_t>(w.size));
  std::vector<MPI_Request> in(replies.size(), MPI_REQUEST_NULL);
  int64_t question = ++w.lastQuestion;
  auto post = [&](int p) {
    MPI_Irecv(&replies[p].answer, sizeof(Answer), MPI_BYTE, p, kAnswerTag,
              w.comm, &in[p]);
  };
  int pending = 0;
  for (int p = 0; p < w.size; ++p) {
    if (p == w.rank)
      continue;
    post(p);
    w.questions[p] = question;
    MPI_Request out = MPI_REQUEST_NULL;
    // The question is sent eagerly (a few bytes); its buffer lives in w.
    if (MPI_Isend(&w.questions[p], 1, MPI_INT64_T, p, kAskTag, w.comm, &out) ==
        MPI_SUCCESS)
      MPI_Request_free(&out);
    ++pending;
  }
  Clock::time_point end =
      Clock::now() + std::chrono::duration_cast<Clock::duration>(
                         std::chrono::duration<double>(grace));
  while (pending > 0 && Clock::now() < end) {
    for (int p = 0; p < w.size; ++p) {
      if (in[p] == MPI_REQUEST_NULL)
        continue;
      int done = 0;
      if (MPI_Test(&in[p], &done, MPI_STATUS_IGNORE) != MPI_SUCCESS || !done)
        continue;
      // An answer to an earlier question, late: wait for this one's.
      if (replies[p].answer.question != question) {
        post(p);
        continue;
      }
      replies[p].answered = true;
      --pending;
    }
    answerPeers();
  }
  for (MPI_Request &r : in)
    if (r != MPI_REQUEST_NULL) {
      MPI_Cancel(&r);
      MPI_Wait(&r, MPI_STATUS_IGNORE);
    }
  return replies;
}

} // namespace

Status detail::watchStart() {
  if (w.comm != MPI_COMM_NULL)
    return Status();
  if (MPI_Comm_dup(MPI_COMM_WORLD, &w.comm) != MPI_SUCCESS ||
      MPI_Comm_rank(w.comm, &w.rank) != MPI_SUCCESS ||
      MPI_Comm_size(w.comm, &w.size) != MPI_SUCCESS)
    return Status::error("MPI: cannot make the communicator the ranks watch "
                         "each other on");
  MPI_Comm_set_errhandler(w.comm, MPI_ERRORS_RETURN);
  w.questions.assign(static_cast<size_t>(w.size), 0);
  if (MPI_Irecv(&w.question, 1, MPI_INT64_T, MPI_ANY_SOURCE, kAskTag, w.comm,
                &w.asked) != MPI_SUCCESS)
    return Status::error("MPI: cannot listen for the other ranks");
  return Status();
}

void detail::watchStop() {
  if (w.comm == MPI_COMM_NULL)
    return;
  if (w.asked != MPI_REQUEST_NULL) {
    MPI_Cancel(&w.asked);
    MPI_Wait(&w.asked, MPI_STATUS_IGNORE);
  }
  for (auto &[answer, request] : w.answers)
    MPI_Wait(&request, MPI_STATUS_IGNORE);
  w.answers.clear();
  MPI_Comm_free(&w.comm);
  w.comm = MPI_COMM_NULL;
}

void comm::answerPeers() {
  if (w.comm == MPI_COMM_NULL)
    return;
  for (auto it = w.answers.begin(); it != w.answers.end();) {
    int done = 0;
    if (MPI_Test(&it->second, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done)
      it = w.answers.erase(it);
    else
      ++it;
  }
  for (;;) {
    int done = 0;
    MPI_Status status;
    if (w.asked == MPI_REQUEST_NULL ||
        MPI_Test(&w.asked, &done, &status) != MPI_SUCCESS || !done)
      return;
    auto answer = std::make_unique<Answer>();
    answer->question = w.question;
    answer->waiting = w.waiting;
    std::strncpy(answer->place, w.place.c_str(), sizeof(answer->place) - 1);
    MPI_Request out = MPI_REQUEST_NULL;
    if (MPI_Isend(answer.get(), sizeof(Answer), MPI_BYTE, status.MPI_SOURCE,
                  kAnswerTag, w.comm, &out) == MPI_SUCCESS)
      w.answers.emplace_back(std::move(answer), out);
    if (MPI_Irecv(&w.question, 1, MPI_INT64_T, MPI_ANY_SOURCE, kAskTag, w.comm,
                  &w.asked) != MPI_SUCCESS)
      w.asked = MPI_REQUEST_NULL;
  }
}

void comm::setTimeout(double seconds) { w.timeout = seconds; }

double comm::timeout() { return w.timeout; }

void comm::setPlace(const std::string &place) { w.place = place; }

void comm::setSignalCheck(bool (*received)()) { w.signalled = received; }

namespace {

/// The other ranks that did not answer in `replies`.
std::vector<int> silentRanks(const std::vector<Reply> &replies) {
  std::vector<int> silent;
  for (int p = 0; p < w.size; ++p)
    if (p != w.rank && !replies[p].answered)
      silent.push_back(p);
  return silent;
}

/// The error for ranks `silent` that did not answer: after a wait of
/// `limit` seconds, or (limit 0) after a signal.
Status silentError(const std::vector<int> &silent, double limit) {
  std::string verb = silent.size() == 1 ? "does" : "do";
  return Status::error(
      rankList(silent) + " did not reach " + w.place +
      (limit > 0 ? " within " + seconds(limit) + " and " + verb +
                       " not answer: dead or stopped"
                 : " and " + verb +
                       " not answer: dead or stopped (this rank got a signal "
                       "to stop, as mpirun sends when a rank dies)") +
      "; stopping");
}

} // namespace

Status comm::checkOthers() {
  if (w.comm == MPI_COMM_NULL || w.size == 1)
    return Status();
  std::vector<int> silent = silentRanks(askOthers(kGraceAfterSignalSeconds));
  return silent.empty() ? Status() : silentError(silent, 0);
}

Status detail::watchedWait(MPI_Request &request, double seconds) {
  double limit = std::max(seconds, w.timeout);
  auto span = [](double s) {
    return std::chrono::duration_cast<Clock::duration>(
        std::chrono::duration<double>(s));
  };
  struct Waiting {
    Waiting() { w.waiting = true; }
    ~Waiting() { w.waiting = false; }
  } waiting;
  Clock::time_point deadline = Clock::now() + span(limit);
  bool askedAfterSignal = false;
  // Where each rank said it waited, when that was not here.
  std::vector<std::string> waitedElsewhere(static_cast<size_t>(w.size));
  for (;;) {
    int done = 0;
    int code = MPI_Test(&request, &done, MPI_STATUS_IGNORE);
    if (code != MPI_SUCCESS) {
      char text[MPI_MAX_ERROR_STRING];
      int length = 0;
      if (MPI_Error_string(code, text, &length) != MPI_SUCCESS)
        length = 0;
      return Status::error("MPI: waiting in " + w.place + " failed: " +
                           std::string(text, static_cast<size_t>(length)));
    }
    if (done)
      return Status();
    answerPeers();
    bool signal = !askedAfterSignal && w.signalled && w.signalled();
    if (!signal && Clock::now() < deadline)
      continue;
    askedAfterSignal = askedAfterSignal || signal;
    std::vector<Reply> replies =
        askOthers(signal ? kGraceAfterSignalSeconds : kGraceSeconds);
    if (MPI_Test(&request, &done, MPI_STATUS_IGNORE) == MPI_SUCCESS && done)
      return Status();
    std::vector<int> silent = silentRanks(replies);
    if (!silent.empty())
      return silentError(silent, signal ? 0 : limit);
    bool busy = false;
    for (int p = 0; p < w.size; ++p)
      if (p != w.rank && !replies[p].answer.waiting)
        busy = true;
    // Every rank answered. After a signal: it is for every rank (Ctrl-C,
    // a SIGTERM to the run), which stops after this step.
    if (signal)
      continue;
    // A rank busy before this place is progressing: a slow evaluation, a
    // loaded machine. The deadline starts again.
    if (busy) {
      deadline = Clock::now() + span(limit);
      continue;
    }
    // Every rank waits. One that says it waits elsewhere may have passed
    // that place without seeing it yet (it was stopped right there): the
    // deadline starts again, once; the same answer after it is a deadlock.
    std::vector<std::string> elsewhere(static_cast<size_t>(w.size));
    bool anyElsewhere = false;
    for (int p = 0; p < w.size; ++p)
      if (p != w.rank && w.place != replies[p].answer.place) {
        elsewhere[p] = replies[p].answer.place;
        anyElsewhere = true;
      }
    for (int p = 0; p < w.size; ++p)
      if (!elsewhere[p].empty() && elsewhere[p] == waitedElsewhere[p])
        return Status::error("internal error: rank " + std::to_string(w.rank) +
                             " waits in " + w.place + " and rank " +
                             std::to_string(p) + " in " + elsewhere[p] +
                             "; stopping");
    if (anyElsewhere) {
      waitedElsewhere = std::move(elsewhere);
      deadline = Clock::now() + span(limit);
      continue;
    }
    return Status::error(w.place + " did not complete within " +
                         ::seconds(limit) +
                         ", though every rank reached it; stopping");
  }
}

Status comm::allReduceSum(double *data, int64_t count) {
  if (!initialized() || worldSize() == 1)
    return Status();
  MPI_Request request = MPI_REQUEST_NULL;
  if (int code = MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count),
                                MPI_DOUBLE, MPI_SUM, MPI_COMM_WORLD, &request);
      code != MPI_SUCCESS)
    return Status::error("MPI: the sum in " + w.place + " failed to start");
  if (Status s = detail::watchedWait(request); !s)
    return s;
  // Each rank may have added in its own order (recursive doubling): rank
  // 0's sums, to the bit, for all, so that every rank decides alike.
  if (int code = MPI_Ibcast(data, static_cast<int>(count), MPI_DOUBLE, 0,
                            MPI_COMM_WORLD, &request);
      code != MPI_SUCCESS)
    return Status::error("MPI: the sum in " + w.place + " failed to start");
  return detail::watchedWait(request);
}

Status comm::allReduceSum(int64_t *data, int64_t count) {
  if (!initialized() || worldSize() == 1)
    return Status();
  MPI_Request request = MPI_REQUEST_NULL;
  if (int code = MPI_Iallreduce(MPI_IN_PLACE, data, static_cast<int>(count),
                                MPI_INT64_T, MPI_SUM, MPI_COMM_WORLD, &request);
      code != MPI_SUCCESS)
    return Status::error("MPI: the sum in " + w.place + " failed to start");
  return detail::watchedWait(request);
}

Status comm::barrier(double seconds) {
  if (!initialized() || worldSize() == 1)
    return Status();
  MPI_Request request = MPI_REQUEST_NULL;
  if (MPI_Ibarrier(MPI_COMM_WORLD, &request) != MPI_SUCCESS)
    return Status::error("MPI: the barrier of " + w.place + " failed to start");
  return detail::watchedWait(request, seconds);
}
