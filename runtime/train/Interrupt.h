//===- Interrupt.h - Ctrl-C and SIGTERM during a run ------------*- C++ -*-===//
//
// Part of Loom. Plain C++17. While a SignalCatcher lives, SIGINT and SIGTERM
// do not end the process: the handler only records the signal in an atomic
// (async-signal-safe) and the training loop, which checks it between steps
// and between evaluation batches, stops there, saves a checkpoint and the
// summary and exits with 128 + the signal. The handler is installed with
// SA_RESETHAND, so a second Ctrl-C (or SIGTERM) takes the default action and
// ends the process at once.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_TRAIN_INTERRUPT_H
#define LOOM_RUNTIME_TRAIN_INTERRUPT_H

#include <csignal>

namespace loom::train {

class SignalCatcher {
public:
  /// Installs the handler for SIGINT and SIGTERM and forgets any signal an
  /// earlier catcher recorded.
  SignalCatcher();
  /// Restores the dispositions that were there before.
  ~SignalCatcher();
  SignalCatcher(const SignalCatcher &) = delete;
  SignalCatcher &operator=(const SignalCatcher &) = delete;

  /// The signal received (SIGINT or SIGTERM), or 0.
  static int received();
  /// "SIGINT", "SIGTERM" (or "a signal").
  static const char *name(int signal);

private:
  struct sigaction oldInt, oldTerm;
};

} // namespace loom::train

#endif // LOOM_RUNTIME_TRAIN_INTERRUPT_H
