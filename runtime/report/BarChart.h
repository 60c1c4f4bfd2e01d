//===- BarChart.h - A horizontal bar chart as an SVG file -------*- C++ -*-===//
//
// Part of Loom. Plain C++17 (the runtime links no MLIR). `loom explain`'s
// importance.svg: one horizontal bar per item, top to bottom in the order
// given, each with an error bar (value - error .. value + error); a value
// axis with round ticks (niceTicks) that always includes 0, a line at 0.
// Hand-written SVG in the style of Plot.h; names are escaped (xmlEscape),
// NaN values draw no bar, and the same data gives the same bytes.
//
//===----------------------------------------------------------------------===//

#ifndef LOOM_RUNTIME_REPORT_BARCHART_H
#define LOOM_RUNTIME_REPORT_BARCHART_H

#include <string>
#include <vector>

namespace loom {

struct Bar {
  std::string label;
  double value = 0;
  double error = 0; ///< the error bar's half-width (0: none)
};

/// The chart as an SVG document: `title` above, `axis` under the value
/// axis.
std::string barChartSvg(const std::string &title, const std::string &axis,
                        const std::vector<Bar> &bars);

} // namespace loom

#endif // LOOM_RUNTIME_REPORT_BARCHART_H
