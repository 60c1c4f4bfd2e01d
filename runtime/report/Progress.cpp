//===- Progress.cpp - The training progress line --------------------------===//
//
// Part of Loom. This file implements the progress line of Progress.h and the
// number and duration formats it shares with the summary.
//
//===----------------------------------------------------------------------===//

#include "runtime/report/Progress.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <sys/ioctl.h>
#include <unistd.h>

using namespace loom;

/// printf into a std::string.
__attribute__((format(printf, 1, 2))) static std::string
strprintf(const char *fmt, ...) {
  va_list args, again;
  va_start(args, fmt);
  va_copy(again, args);
  int n = std::vsnprintf(nullptr, 0, fmt, args);
  va_end(args);
  std::string s(n > 0 ? n : 0, '\0');
  std::vsnprintf(s.data(), s.size() + 1, fmt, again);
  va_end(again);
  return s;
}

std::string loom::formatDuration(double seconds) {
  // 100000 days: beyond that an estimate means nothing.
  if (!(seconds >= 0) || seconds >= 8.64e9)
    return "--:--:--";
  auto s = static_cast<long long>(std::floor(seconds));
  long long days = s / 86400, h = s / 3600 % 24, m = s / 60 % 60, sec = s % 60;
  if (days > 0)
    return strprintf("%lld:%02lld:%02lld:%02lld", days, h, m, sec);
  return strprintf("%02lld:%02lld:%02lld", h, m, sec);
}

std::string loom::formatCount(double value) {
  if (std::isnan(value))
    return "nan";
  if (std::isinf(value))
    return value > 0 ? "inf" : "-inf";
  static const char *const kSuffixes[] = {"", "k", "M", "G", "T", "P", "E"};
  double v = value;
  for (const char *suffix : kSuffixes) {
    // One decimal below 100, none from 100 to 999; a value that would round
    // up to 1000 moves to the next suffix.
    if (std::fabs(v) < 99.95)
      return strprintf("%.1f%s", v, suffix);
    if (std::fabs(v) < 999.5)
      return strprintf("%.0f%s", v, suffix);
    v /= 1000;
  }
  return strprintf("%.0f%s", v * 1000, "E");
}

bool loom::isTerminal(int fd) { return ::isatty(fd) == 1; }

int loom::terminalWidth(int fd) {
  struct winsize ws = {};
  if (::ioctl(fd, TIOCGWINSZ, &ws) == 0 && ws.ws_col > 0)
    return ws.ws_col;
  return 80;
}

//===----------------------------------------------------------------------===//
// ProgressLine
//===----------------------------------------------------------------------===//

/// tqdm's smoothing: the weight of the newest interval.
static constexpr double kSmoothing = 0.3;
/// The narrowest bar drawn, inside its brackets.
static constexpr int kMinBar = 4;

ProgressLine::ProgressLine(bool terminal, int64_t firstStep, int width)
    : terminal(terminal), width(std::max(width, 1)), lastStep(firstStep) {}

double ProgressLine::stepsPerSecond() const {
  return emaSeconds > 0 ? emaSteps / emaSeconds : 0.0;
}

std::optional<double>
ProgressLine::etaSeconds(const ProgressUpdate &update) const {
  double rate = stepsPerSecond();
  if (update.totalSteps <= 0 || !(rate > 0))
    return std::nullopt;
  int64_t left = std::max<int64_t>(update.totalSteps - update.step, 0);
  return static_cast<double>(left) / rate;
}

std::string ProgressLine::text(const ProgressUpdate &update) const {
  std::string out;
  auto part = [&](const std::string &s) {
    out += (out.empty() ? "" : "  ") + s;
  };
  if (update.epoch)
    part("epoch " + std::to_string(*update.epoch));
  std::string step = "step " + std::to_string(update.step);
  if (update.totalSteps > 0)
    step += "/" + std::to_string(update.totalSteps);
  part(step);
  if (update.loss)
    part(strprintf("loss %.4f", *update.loss));
  if (update.lr)
    part(strprintf("lr %.2e", *update.lr));
  if (update.itemsPerSecond)
    part(formatCount(*update.itemsPerSecond) + " " + update.itemUnit + "/s");
  std::string time = formatDuration(update.elapsedSeconds);
  if (update.totalSteps > 0) {
    std::optional<double> eta = etaSeconds(update);
    time += " < " + (eta ? formatDuration(*eta) : std::string("--:--:--"));
  }
  part(time);
  return out;
}

std::string ProgressLine::render(const ProgressUpdate &update) {
  // One more interval for the moving averages; none when time or the step
  // did not advance (a repeated update).
  double dt = update.elapsedSeconds - lastSeconds;
  int64_t dn = update.step - lastStep;
  if (dt > 0 && dn > 0 && std::isfinite(dt)) {
    emaSteps =
        kSmoothing * static_cast<double>(dn) + (1 - kSmoothing) * emaSteps;
    emaSeconds = kSmoothing * dt + (1 - kSmoothing) * emaSeconds;
  }
  if (dt >= 0 && dn >= 0) {
    lastSeconds = update.elapsedSeconds;
    lastStep = update.step;
  }

  std::string line = text(update);
  if (!terminal)
    return line + "\n";
  // Stay off the last column: writing there makes some terminals wrap.
  size_t room = static_cast<size_t>(width - 1);
  if (line.size() > room)
    line.resize(room);
  int bar = static_cast<int>(room) - static_cast<int>(line.size()) - 3;
  std::string prefix;
  if (update.totalSteps > 0 && bar >= kMinBar) {
    double done = std::clamp(static_cast<double>(update.step) /
                                 static_cast<double>(update.totalSteps),
                             0.0, 1.0);
    int filled = static_cast<int>(std::floor(done * bar));
    prefix =
        "[" + std::string(filled, '#') + std::string(bar - filled, ' ') + "] ";
  }
  drawn = true;
  return "\r" + prefix + line + "\x1b[K";
}

std::string ProgressLine::clear() {
  if (!terminal || !drawn)
    return "";
  drawn = false;
  return "\r\x1b[K";
}

std::string ProgressLine::finish() {
  if (!terminal || !drawn)
    return "";
  drawn = false;
  return "\n";
}
