//===- Progress.h - The training progress line ------------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). What `loom train`
// prints while it trains, one update at a time. On a terminal a line is
// redrawn in place (the caller decides; see isTerminal):
//
//   \r[###   ] step 120/1000  loss 2.3412  lr 9.60e-04  1.3k tok/s
//     00:02:41 < 00:19:37\e[K                     (one line; elapsed < left)
//
// the bar taking what the text leaves of the width (left out when under 4
// columns); elsewhere (a pipe, a log file) each update is a plain line with
// no '\r' and no escape codes:
//
//   epoch 1  step 120/1000  loss 2.3412  lr 9.60e-04  1.3k tok/s
//     00:02:41 < 00:19:37                                     (one line)
//
// Numbers print the same way every time: loss with 4 decimals, lr as %.2e,
// rates with formatCount, times with formatDuration. The time left comes
// from the step rate smoothed as tqdm smooths it (an exponential moving
// average, weight 0.3 on the newest interval).
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_PROGRESS_H
#define LOOM_RUNTIME_REPORT_PROGRESS_H

#include <cstdint>
#include <optional>
#include <string>

namespace loom {

/// "00:02:41" under a day, "1:02:03:04" (days first) from a day on; whole
/// seconds, rounded down. "--:--:--" for a negative, NaN or absurd value.
std::string formatDuration(double seconds);

/// A count in 3 or 4 characters with an SI suffix: "950", "12.5", "1.3k",
/// "13.0k", "130k", "2.5M", "1.0G". "nan", "inf" or "-inf" when not finite.
std::string formatCount(double value);

/// Whether `fd` is a terminal (isatty).
bool isTerminal(int fd);

/// The width of the terminal on `fd` in columns, or 80 when it has none.
int terminalWidth(int fd);

/// What one progress update shows; an unset field is left out.
struct ProgressUpdate {
  int64_t step = 0;       ///< steps done
  int64_t totalSteps = 0; ///< all steps; <= 0 when unknown (no bar, no ETA)
  std::optional<int64_t> epoch;         ///< "epoch 2"
  std::optional<double> loss;           ///< "loss 2.3412"
  std::optional<double> lr;             ///< "lr 9.60e-04"
  std::optional<double> itemsPerSecond; ///< samples or tokens a second
  std::string itemUnit = "samples";     ///< "tok", "samples", ...
  double elapsedSeconds = 0;            ///< since training started
};

/// Renders progress updates as a redrawn terminal line or as log lines.
class ProgressLine {
public:
  /// `terminal`: redraw one line in `width` columns; otherwise print one
  /// plain line per update. `firstStep` is the step training starts from
  /// (a resumed run's), at 0 seconds, where the rate is measured from.
  explicit ProgressLine(bool terminal, int64_t firstStep = 0, int width = 80);

  /// The bytes to write for `update` (the ETA's rate is updated first): on
  /// a terminal "\r", the bar, the text and "\e[K" (clear the rest of the
  /// line); otherwise the text and '\n'.
  std::string render(const ProgressUpdate &update);
  /// The text alone, without bar, '\r', escape codes or '\n'.
  std::string text(const ProgressUpdate &update) const;
  /// On a terminal, what erases the current line so that other output can
  /// be printed ("\r\e[K"); "" otherwise.
  std::string clear();
  /// On a terminal, "\n" ending a drawn line; "" otherwise.
  std::string finish();

  /// Seconds until `totalSteps` at the smoothed rate; nullopt before a
  /// rate is known or without a total.
  std::optional<double> etaSeconds(const ProgressUpdate &update) const;
  /// The smoothed rate in steps a second (0 before it is known).
  double stepsPerSecond() const;

private:
  bool terminal;
  int width;
  int64_t lastStep;
  double lastSeconds = 0;
  double emaSteps = 0, emaSeconds = 0; ///< averages of interval lengths
  bool drawn = false;
};

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_PROGRESS_H
