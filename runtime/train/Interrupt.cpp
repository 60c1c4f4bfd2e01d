//===- Interrupt.cpp - Ctrl-C and SIGTERM during a run --------------------===//
//
// Part of Loom. See Interrupt.h.
//
//===----------------------------------------------------------------------===//

#include "runtime/train/Interrupt.h"

#include <atomic>

using namespace loom::train;

namespace {

std::atomic<int> caught{0};
static_assert(std::atomic<int>::is_always_lock_free,
              "the handler may only touch a lock-free atomic");

/// Async-signal-safe: one store to a lock-free atomic.
extern "C" void onSignal(int signal) {
  caught.store(signal, std::memory_order_relaxed);
}

} // namespace

SignalCatcher::SignalCatcher() {
  caught.store(0);
  struct sigaction sa = {};
  sa.sa_handler = onSignal;
  sigemptyset(&sa.sa_mask);
  // SA_RESETHAND: the second signal finds the default action (ends the
  // process); SA_RESTART: a write the signal lands in goes on.
  sa.sa_flags = SA_RESETHAND | SA_RESTART;
  sigaction(SIGINT, &sa, &oldInt);
  sigaction(SIGTERM, &sa, &oldTerm);
}

SignalCatcher::~SignalCatcher() {
  sigaction(SIGINT, &oldInt, nullptr);
  sigaction(SIGTERM, &oldTerm, nullptr);
}

int SignalCatcher::received() { return caught.load(std::memory_order_relaxed); }

const char *SignalCatcher::name(int signal) {
  return signal == SIGINT    ? "SIGINT"
         : signal == SIGTERM ? "SIGTERM"
                             : "a signal";
}
