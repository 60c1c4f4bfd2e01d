//===- Plot.h - The training curves as an SVG file --------------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). `loom train` keeps
// its curves in a TrainingPlot and rewrites plot.svg as it goes. The picture
// is hand-written SVG, panels stacked vertically and sharing the step axis:
//
//   loss     every loss series (train, val) against step; the y axis is
//            logarithmic when the positive values span more than a decade
//            (LogScale::Auto), or as set
//   metrics  series with values in [0, 1] (accuracy, macro F1), on a fixed
//            0 .. 1 axis; drawn only when there is such a series
//
// Ticks fall on round numbers (1, 2 or 5 times a power of ten), NaN and
// infinite points are left out (and non-positive ones on a log axis), and
// 0 or 1 points still make a valid picture. The same data gives the same
// bytes, and names are escaped, so the file is always well-formed XML.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_PLOT_H
#define LOOM_RUNTIME_REPORT_PLOT_H

#include "runtime/Status.h"

#include <string>
#include <utility>
#include <vector>

namespace loom {

/// The curves of a training run, and their SVG rendering.
class TrainingPlot {
public:
  /// Which panel a series is drawn in.
  enum class Panel { Loss, Metrics };
  /// Whether the loss axis is logarithmic.
  enum class LogScale {
    Auto, ///< when the positive values span more than a factor of 10
    On,   ///< always; values <= 0 are left out
    Off,  ///< never
  };
  /// A named curve: (step, value) points in the order they were added.
  struct Series {
    std::string name;                              ///< legend entry
    std::vector<std::pair<double, double>> points; ///< (step, value)
  };

  /// An empty plot with a title (may be empty).
  explicit TrainingPlot(std::string title = "") : title(std::move(title)) {}

  /// Adds a point to series `name` of `panel`; a series is created on first
  /// use, and series are drawn and listed in that order.
  void add(Panel panel, const std::string &name, double step, double value);
  /// Sets whether the loss axis is logarithmic (Auto by default).
  void setLossScale(LogScale scale) { lossScale = scale; }
  /// Draws the series named `name` (in every panel) thicker than the others
  /// ("" for none): the best run of a sweep.
  void highlight(std::string name) { highlighted = std::move(name); }
  /// Sets the title drawn above the panels ("" for none).
  void setTitle(std::string newTitle) { title = std::move(newTitle); }

  /// The series of `panel`, in order.
  const std::vector<Series> &series(Panel panel) const {
    return panel == Panel::Loss ? loss : metrics;
  }
  /// Whether the loss axis of svg() is logarithmic.
  bool lossIsLog() const;

  /// The plot as an SVG document.
  std::string svg() const;
  /// Writes svg() to `path` with writeFileAtomically (runtime/File.h).
  Status write(const std::string &path) const;

private:
  std::string title;
  LogScale lossScale = LogScale::Auto;
  std::string highlighted;
  std::vector<Series> loss;
  std::vector<Series> metrics;
};

/// Round tick positions covering [lo, hi] with about `target` steps of 1, 2
/// or 5 times a power of ten; empty when the range is not finite or empty.
std::vector<double> niceTicks(double lo, double hi, int target = 5);

/// `text` with &, <, >, " and ' escaped, control characters and invalid
/// UTF-8 replaced by '?': safe in XML text and attribute values.
std::string xmlEscape(const std::string &text);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_PLOT_H
